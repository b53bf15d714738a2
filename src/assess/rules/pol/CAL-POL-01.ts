/**
 * CAL-POL-01 — a cluster-wide default deny exists.
 *
 * Seed 002 "Network Policy Enforcement": "The example below enforces a global default deny-all
 * policy" (`global-deny-all`, `order: 2000`, which "ensures Kubernetes namespace-scoped policies
 * always take precedence"). Judged, as the catalogue says, on a namespace created tomorrow with no
 * policy of its own: its pods' ingress and egress must be denied (from a pod of another new
 * namespace and an internet host, on a port no rule names), whatever labels they carry, and a
 * namespace policy of its own must still decide first. Every existing workload namespace is
 * judged the same way on the global policies alone.
 */
import { calicoDefaults, isSystemNamespace } from '../../../reference/index.js';
import type { Namespace } from '../../model.js';
import type { SideResult } from '../../reach/analysis.js';
import { defaultDenyCheck, sidesVerdict, type ProbeSides } from '../../reach/checks.js';
import { decidedBy } from '../../reach/describe.js';
import { cmd, comment, json, note, value, yaml, type Remediation } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { calicoPolicyName, clusterReach, namespaceNameSelector } from './policies.js';

/** Seed 002's `global-deny-all`, leaving the system namespaces (Calico's, the cluster's own) to their own policies. */
function globalDenyAllManifest(namespaces: Namespace[] | null): Remediation {
  const names = new Set([...calicoDefaults.systemNamespaces, ...(namespaces ?? []).map((n) => n.name).filter(isSystemNamespace)]);
  // Above 1000: Kubernetes NetworkPolicies (converted to order 1000) always come first.
  return [
    note('Pods then accept only what policies allow: put namespace policies in place first (CAL-POL-03),'),
    note('including anything the EKS control plane calls (admission webhooks, metrics APIs).'),
    {
      ...cmd('calicoctl', 'apply', '-f', '-'),
      input: yaml`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: global-deny-all
spec:
  order: 2000
  namespaceSelector: ${namespaceNameSelector([...names], 'not in')}
  types:
    - Ingress
    - Egress
  egress:
    # Allow DNS to CoreDNS, over UDP and TCP.
    - action: Allow
      protocol: UDP
      destination:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
        selector: k8s-app == 'kube-dns'
        ports: [53]
    - action: Allow
      protocol: TCP
      destination:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
        selector: k8s-app == 'kube-dns'
        ports: [53]
  ingress:
    # Allow all ingress from kube-system.
    - action: Allow
      source:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'`,
    },
  ];
}

const sideEvidence = (who: string, direction: 'ingress' | 'egress', results: readonly SideResult[]): Evidence => ({
  object: `${who} ${direction}`,
  value: sidesVerdict(results),
  // Pods that share a verdict and a reason say it once.
  note: [...new Set(results.map((r) => r.sentence))].join('; '),
});

/** The sides of a probe that are not denied. */
const openSides = (probe: ProbeSides) =>
  (['ingress', 'egress'] as const).filter((d) => probe[d].some((r) => r.verdict !== 'denied')).map((d) => ({ direction: d, results: probe[d] }));

export default defineRule({
  id: 'CAL-POL-01',
  title: 'A cluster-wide default deny exists',
  problem: 'No cluster-wide default deny',
  why: 'pods of a new namespace accept and send any traffic',
  // Namespace policies first, or the default deny cuts their traffic.
  after: ['CAL-POL-03'],
  area: 'POL',
  severities: ['high'],
  seed: '002 "global-deny-all", order 2000',
  appliesWhen: calicoPresent,
  evaluate(context) {
    const analysis = clusterReach(context);
    const check = defaultDenyCheck(analysis);
    const probe = check.probes[0]!;
    const port = `TCP ${check.port}`;
    const allowedProbe = check.probes.find((p) => openSides(p).some((s) => s.results.some((r) => r.verdict === 'allowed')));
    const allowedExisting = check.existing.filter((p) => openSides(p).some((s) => s.results.some((r) => r.verdict === 'allowed')));
    const unknownProbe = check.probes.find((p) => openSides(p).length > 0);
    const unknownExisting = check.existing.filter((p) => openSides(p).length > 0);
    const remediationFor = () => {
      // A deny that decides before namespace policies, in the default tier: move it after them.
      const ahead = check.withOwnAllow.ingress.concat(check.withOwnAllow.egress).find((r) => r.verdict === 'denied');
      const step = ahead?.steps.at(-1);
      if (step?.kind === 'rule' || step?.kind === 'end-of-tier') {
        const policy = step.kind === 'rule' ? step.policy : step.policies.at(-1)!;
        if (step.tier.name === 'default' && policy.policy.kind === 'GlobalNetworkPolicy') {
          return [cmd('calicoctl', 'patch', 'globalnetworkpolicy', value(calicoPolicyName(policy.policy), 'GlobalNetworkPolicy name'), '--patch', json({ spec: { order: 2000 } }))];
        }
        return [
          comment`Tier ${step.tier.name} decides before the default tier, so namespace policies never get a say. End it in Pass`,
          note('(traffic its policies do not allow or deny goes on to the next tier), then keep the deny in the default tier:'),
          cmd('calicoctl', 'patch', 'tier', value(step.tier.name, 'tier name'), '--patch', json({ spec: { defaultAction: 'Pass' } })),
          ...globalDenyAllManifest(analysis.model.namespaces),
        ];
      }
      return globalDenyAllManifest(analysis.model.namespaces);
    };

    if (allowedProbe || allowedExisting.length) {
      const evidence: Evidence[] = [];
      if (allowedProbe) for (const { direction, results } of openSides(allowedProbe)) evidence.push(sideEvidence(allowedProbe.endpoint.name, direction, results));
      for (const existing of allowedExisting.slice(0, 5)) {
        for (const { direction, results } of openSides(existing)) evidence.push(sideEvidence(`${existing.endpoint.namespace} (its own policies left out)`, direction, results));
      }
      const clause = (results: readonly SideResult[], direction: string) => {
        const allowed = results.find((r) => r.verdict === 'allowed')!;
        return `${direction} allowed by ${decidedBy(allowed.steps)}`;
      };
      const allowedSides = (probe: ProbeSides) => openSides(probe).filter((s) => s.results.some((r) => r.verdict === 'allowed'));
      const first = allowedExisting[0];
      // The policies that let the probe's traffic through are named by the evidence, once.
      const opened = allowedProbe ? allowedSides(allowedProbe).map((s) => s.direction) : [];
      const summary = allowedProbe
        ? `No cluster-wide default deny: a pod of a namespace created tomorrow, with no policy of its own, ${opened.length === 2 ? 'accepts and sends' : opened[0] === 'ingress' ? 'accepts' : 'sends'} traffic on a port no rule names (${port}).`
        : `No cluster-wide default deny covers ${listSome(allowedExisting.map((p) => p.endpoint.namespace))}: without their own policies their pods would accept and send any traffic (${allowedSides(first!)
            .map((s) => clause(s.results, s.direction))
            .join('; ')}).`;
      return { status: 'fail', severity: 'high', summary, evidence, remediation: remediationFor() };
    }
    if (unknownProbe || unknownExisting.length) {
      const subject = unknownProbe ?? unknownExisting[0]!;
      return {
        status: 'unknown',
        summary: `Whether a namespace created tomorrow is denied by default cannot be decided from the snapshot: ${openSides(subject)
          .map((s) => s.results.find((r) => r.verdict !== 'denied')!.sentence)
          .join('; ')}.`,
        evidence: openSides(subject).map((s) => sideEvidence(subject.endpoint.name, s.direction, s.results)),
      };
    }
    // Denied both ways: namespace policies must still come first.
    const own = check.withOwnAllow;
    const ownBlocked = (['ingress', 'egress'] as const).filter((d) => own[d].some((r) => r.verdict !== 'allowed'));
    const deniedBy = (direction: 'ingress' | 'egress') => decidedBy(probe[direction][0]!.steps);
    const evidence: Evidence[] = [sideEvidence(probe.endpoint.name, 'ingress', probe.ingress), sideEvidence(probe.endpoint.name, 'egress', probe.egress)];
    if (ownBlocked.length) {
      evidence.push(...ownBlocked.map((d) => sideEvidence(`${probe.endpoint.name} with its own allow-all NetworkPolicy`, d, own[d])));
      if (own[ownBlocked[0]!].some((r) => r.verdict === 'denied')) {
        return {
          status: 'fail',
          severity: 'high',
          summary:
            `The default deny decides before namespace policies: a new namespace's pods are denied (ingress by ${deniedBy('ingress')}, egress by ${deniedBy('egress')}), ` +
            `and still are with an allow-all NetworkPolicy of their own (${own[ownBlocked[0]!].find((r) => r.verdict === 'denied')!.sentence}), so no namespace can open the traffic it needs.`,
          evidence,
          remediation: remediationFor(),
        };
      }
      return {
        status: 'unknown',
        summary: `A new namespace is denied by default, but whether its own policies still decide first cannot be decided from the snapshot: ${own[ownBlocked[0]!].map((r) => r.sentence).join('; ')}.`,
        evidence,
      };
    }
    const workload = (analysis.model.namespaces ?? []).filter((n) => !isSystemNamespace(n.name)).length;
    return {
      status: 'pass',
      summary:
        `A namespace created tomorrow with no policy of its own is denied both ways on ${port}: ingress by ${deniedBy('ingress')}, egress by ${deniedBy('egress')}` +
        `${check.existing.length ? `; the ${workload} existing workload namespaces are covered alike` : ''}; namespace policies still decide first (with its own allow-all NetworkPolicy the namespace is allowed).`,
      evidence,
    };
  },
});
