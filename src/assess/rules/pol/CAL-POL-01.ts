/**
 * CAL-POL-01 — a cluster-wide default deny exists.
 *
 * Seed 002 "Network Policy Enforcement": "The example below enforces a global default deny-all
 * policy" (`global-deny-all`, `order: 2000`, which "ensures Kubernetes namespace-scoped policies
 * always take precedence"). Without it, every pod no namespace policy selects accepts and sends
 * any traffic.
 */
import { calicoDefaults, isSystemNamespace } from '../../../reference/index.js';
import type { Namespace } from '../../model.js';
import { allowAllPolicies, defaultDenyCandidates, workloadNamespaces } from '../../policy-analysis.js';
import { cmd, comment, json, note, selectorLiteral, value, yaml, type Remediation, type Step } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoPolicyName, clusterPolicies } from './policies.js';
import { calicoPresent } from '../applies.js';

/** Seed 002's `global-deny-all`, leaving the system namespaces (Calico's, the cluster's own) to their own policies. */
function globalDenyAllManifest(namespaces: Namespace[] | null): Step[] {
  const names = new Set([...calicoDefaults.systemNamespaces, ...(namespaces ?? []).map((n) => n.name).filter(isSystemNamespace)]);
  // A name no selector literal can hold (both quote characters) is not a Kubernetes namespace name anyway.
  const system = [...names].map(selectorLiteral).filter((literal) => literal !== null).join(', ');
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
  namespaceSelector: ${`kubernetes.io/metadata.name not in {${system}}`}
  types:
    - Ingress
    - Egress
  egress:
    # Allow egress to kube-system (CoreDNS, metrics-server).
    - action: Allow
      destination:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
    # Allow DNS to any destination, over UDP and TCP.
    - action: Allow
      protocol: UDP
      destination:
        ports: [53]
    - action: Allow
      protocol: TCP
      destination:
        ports: [53]
  ingress:
    # Allow all ingress from kube-system.
    - action: Allow
      source:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'`,
    },
  ];
}

export default defineRule({
  id: 'CAL-POL-01',
  title: 'A cluster-wide default deny exists',
  problem: 'No cluster-wide default deny',
  // Namespace policies first, or the default deny cuts their traffic.
  after: ['CAL-POL-03'],
  area: 'POL',
  severities: ['high'],
  seed: '002 "global-deny-all", order 2000',
  appliesWhen: calicoPresent,
  evaluate(context) {
    const { policies, namespaces, tiers, defaultDeny } = clusterPolicies(context);
    const workload = workloadNamespaces(namespaces);
    if (defaultDeny) {
      const scope = defaultDeny.namespaceSelector
        ? `namespaceSelector ${defaultDeny.namespaceSelector}`
        : `selector ${defaultDeny.selector || 'all()'}`;
      return {
        status: 'pass',
        summary:
          `GlobalNetworkPolicy ${defaultDeny.name} (tier ${defaultDeny.tier}, order ${defaultDeny.order ?? 'none'}) denies Ingress and Egress ` +
          `for every workload namespace (${scope}: ${workload.length} today, and any created later) after namespace policies.`,
        evidence: [
          { object: `GlobalNetworkPolicy ${defaultDeny.name}`, field: 'spec.order', value: defaultDeny.order },
          { object: `GlobalNetworkPolicy ${defaultDeny.name}`, field: 'spec.types', value: defaultDeny.types },
          defaultDeny.namespaceSelector
            ? { object: `GlobalNetworkPolicy ${defaultDeny.name}`, field: 'spec.namespaceSelector', value: defaultDeny.namespaceSelector }
            : { object: `GlobalNetworkPolicy ${defaultDeny.name}`, field: 'spec.selector', value: defaultDeny.selector || 'all()' },
        ],
      };
    }
    const globals = policies.filter((p) => p.kind === 'GlobalNetworkPolicy');
    const candidates = defaultDenyCandidates(policies, namespaces, tiers);
    const allowAll = allowAllPolicies(policies, namespaces);
    const evidence: Evidence[] = candidates.map(({ policy, shortfalls }) => ({
      object: `GlobalNetworkPolicy ${policy.name}`,
      field: 'shortfalls',
      value: shortfalls,
      note: `tier ${policy.tier}, order ${policy.order ?? 'none'}, types ${policy.types.join('/')}`,
    }));
    if (!candidates.length) {
      evidence.push({
        object: globals.length ? `GlobalNetworkPolicy (all ${globals.length})` : 'GlobalNetworkPolicy',
        note: globals.length ? 'none selects every workload namespace' : 'none exist',
      });
    }
    const summary = candidates.length
      ? `No global policy is a complete default deny: ${candidates
          .map((c) => `${c.policy.name} ${c.shortfalls[0]}${c.shortfalls.length > 1 ? ` (and ${c.shortfalls.length - 1} more)` : ''}`)
          .join('; ')}. Pods that no namespace policy selects accept and send any traffic.`
      : `${globals.length ? `None of the ${globals.length} global policies selects` : 'No global policy exists that selects'} every workload namespace: pods that no namespace policy selects accept and send any traffic.`;
    // A deny in a tier ahead of `default` cannot be moved (a policy's tier is fixed): it is replaced.
    const early = candidates.filter((c) => c.shortfalls.some((s) => s.startsWith('tier ') && s.includes('evaluated before')));
    // A policy that only sits too early is fixed by moving it, not by a second deny.
    const misordered = candidates.find((c) => c.shortfalls.length && c.shortfalls.every((s) => s.startsWith('order ')));
    const policyName = (policy: Parameters<typeof calicoPolicyName>[0]) => value(calicoPolicyName(policy), 'GlobalNetworkPolicy name');
    const remediation: Remediation = misordered
      ? [cmd('calicoctl', 'patch', 'globalnetworkpolicy', policyName(misordered.policy), '--patch', json({ spec: { order: 2000 } }))]
      : [
          ...globalDenyAllManifest(namespaces),
          ...(allowAll.length ? [comment`then delete ${listSome(allowAll.map((a) => a.policy.name))}, which would still allow everything (CAL-POL-02)`] : []),
          ...early.flatMap((c) => [
            comment`then retire ${c.policy.name}, which denies ahead of namespace policies:`,
            cmd('calicoctl', 'delete', 'globalnetworkpolicy', policyName(c.policy)),
          ]),
        ];
    return { status: 'fail', severity: 'high', summary, evidence, remediation };
  },
});
