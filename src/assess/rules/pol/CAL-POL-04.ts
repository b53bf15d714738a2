/**
 * CAL-POL-04 — under a default deny, DNS works end to end from every workload namespace.
 *
 * Seed 002's `global-deny-all` carries "# Allow egress DNS traffic to any destination"; seed 001
 * keeps "default-allow-all-dns" ("Default DNS resolution allowed globally"). "DNS works" (the
 * catalogue): from a pod in every workload namespace to the CoreDNS pods on UDP and TCP 53 (resolvers
 * fall back to TCP for large answers), allowed by the client's egress AND CoreDNS's ingress, through
 * every tier; and CoreDNS may reach the VPC resolver on 53 and the API server. A DNS allow in a
 * namespace policy counts as much as a global one; a kube-system selector on the wrong side of a
 * rule does not.
 */
import type { FlowResult } from '../../reach/analysis.js';
import { dnsCheck, type FlowCheck } from '../../reach/checks.js';
import { comment, note, yaml, yamlLines, type Remediation, type Step, type Yaml } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { clusterDenies, clusterReach, failingClause, flowCheckEvidence, flowEvidence, joinClauses, namespaceNameSelector, placementFor, policyAt } from './policies.js';

const KUBE_DNS = yaml`  namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
  selector: k8s-app == 'kube-dns'`;

/** `nets:` of a rule side: each address or CIDR as a block-list item. */
const netsOf = (list: readonly string[]): Yaml[] => [yaml`        nets:`, ...list.map((n) => yaml`          - ${n.includes('/') ? n : `${n}/32`}`)];

/** DNS allows over UDP and TCP 53, each to (or from) `peer`. */
const dnsRules = (side: 'source' | 'destination', peer: Yaml[] = []): Yaml[] =>
  ['UDP', 'TCP'].flatMap((protocol) => [
    yaml`    - action: Allow
      protocol: ${protocol}`,
    side === 'destination' ? yaml`      destination:` : yaml`      source:`,
    ...peer,
    ...(side === 'destination' ? [yaml`        ports: [53]`] : []),
  ]);

/** Policies that open what the failing DNS flows were refused, each where it acts first. */
function remediation(
  failures: Array<{ check: FlowCheck; flow: FlowResult }>,
  resolvers: string[],
  apiServer: { port: number; nets: string[] } | null,
): Remediation {
  const steps: Step[] = [note('Each policy goes in the tier that refused the traffic, ahead of the policy that did.')];
  const clients = failures.filter((f) => f.check.label.startsWith('workload') && f.flow.egress?.verdict === 'denied');
  if (clients.length) {
    const namespaces = [...new Set(clients.map((f) => f.flow.from.split('/')[0]!))];
    steps.push(
      comment`Workload pods' egress to CoreDNS (${listSome(namespaces)}).`,
      policyAt(
        placementFor(clients[0]!.flow.egress!.steps),
        'allow-dns-egress',
        yamlLines(
          yaml`  namespaceSelector: ${namespaceNameSelector(namespaces)}
  types:
    - Egress
  egress:`,
          ...dnsRules('destination', [yaml`        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
        selector: k8s-app == 'kube-dns'`]),
        ),
      ),
    );
  }
  const coreIngress = failures.find((f) => f.check.label.startsWith('workload') && f.flow.ingress?.verdict === 'denied');
  if (coreIngress) {
    steps.push(
      note("CoreDNS's ingress: queries from every namespace."),
      policyAt(
        placementFor(coreIngress.flow.ingress!.steps),
        'allow-dns-ingress',
        yamlLines(
          KUBE_DNS,
          yaml`  types:
    - Ingress
  ingress:`,
          ...dnsRules('destination'),
        ),
      ),
    );
  }
  const upstream = failures.filter((f) => !f.check.label.startsWith('workload') && f.flow.egress?.verdict === 'denied');
  if (upstream.length) {
    steps.push(
      note("CoreDNS's egress: the VPC resolver on 53 and the API server."),
      policyAt(
        placementFor(upstream[0]!.flow.egress!.steps),
        'allow-coredns-egress',
        yamlLines(
          KUBE_DNS,
          yaml`  types:
    - Egress
  egress:`,
          ...dnsRules('destination', resolvers.length ? netsOf(resolvers) : []),
          ...(apiServer
            ? [
                yaml`    - action: Allow
      protocol: TCP
      destination:`,
                ...(apiServer.nets.length ? netsOf(apiServer.nets) : []),
                yaml`        ports: [${apiServer.port}]`,
              ]
            : []),
        ),
      ),
    );
  }
  return steps;
}

export default defineRule({
  id: 'CAL-POL-04',
  title: 'Under a default deny, DNS works end to end from every workload namespace',
  // Not "under the default deny": a namespace's own policy can refuse DNS where there is none.
  problem: 'DNS fails from some workload namespaces',
  why: 'pods in those namespaces cannot resolve names',
  area: 'POL',
  severities: ['high'],
  seed: '002 "Allow egress DNS traffic"; 001 "default-allow-all-dns"',
  keyFact: { section: 'policy', label: 'DNS through every tier' },
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    context.need(context.model.pods, 'kubernetes.pods');
    const check = dnsCheck(clusterReach(context));
    if (!check.namespaces.length) return 'No workload namespace runs pods on the pod network.';
    if (!check.coreDns.length) return 'No CoreDNS pod runs on the pod network (kube-system, k8s-app=kube-dns): DNS is not served by pods policy can select.';
    const checks = [check.clients, check.upstream, ...(check.apiServer ? [check.apiServer] : [])];
    if (!clusterDenies(context) && !check.underDefaultDeny && checks.every((c) => !c.failing && !c.undecided)) {
      return 'No default deny applies to DNS traffic (workload egress, CoreDNS ingress and egress) and no policy blocks it.';
    }
    return true;
  },
  evaluate(context) {
    const analysis = clusterReach(context);
    const check = dnsCheck(analysis);
    const checks = [check.clients, check.upstream, ...(check.apiServer ? [check.apiServer] : [])];
    const evidence: Evidence[] = checks.flatMap(flowCheckEvidence);
    if (!check.apiServer) {
      evidence.push({ object: 'API server addresses', note: 'neither the kubernetes EndpointSlices nor the cluster subnets were collected: CoreDNS → API server is unknown' });
    }
    const failed = checks.filter((c) => c.failing);
    if (failed.length) {
      const failures = failed.flatMap((c) => c.failures.filter((f) => f.verdict === 'denied').map((flow) => ({ check: c, flow })));
      return {
        status: 'fail',
        severity: 'high',
        // Which tier and policy refused a flow is told once, by the evidence's trace.
        summary: `DNS does not work end to end: ${joinClauses(failed.map(failingClause))} ${failed.length === 1 && failed[0]!.failing === 1 ? 'is' : 'are'} denied.`,
        evidence,
        remediation: remediation(
          failures,
          analysis.cluster.resolvers.map((r) => r.range.text),
          analysis.cluster.apiServer ? { port: analysis.cluster.apiServer.port, nets: analysis.cluster.apiServer.endpoints.map((e) => e.range.text) } : null,
        ),
      };
    }
    if (checks.some((c) => c.undecided) || !check.apiServer) {
      const unsure = checks.find((c) => c.undecided);
      return {
        status: 'unknown',
        summary: unsure
          ? `Whether DNS works end to end cannot be decided from the snapshot: ${unsure.failures[0]?.sentence ?? unsure.label}.`
          : 'DNS from every workload namespace to CoreDNS works, but where CoreDNS reaches the API server is not known (its addresses were not collected).',
        evidence,
      };
    }
    return {
      status: 'pass',
      summary:
        `DNS works end to end through every tier: the pods of all ${check.namespaces.length} workload ${check.namespaces.length === 1 ? 'namespace' : 'namespaces'} reach CoreDNS on UDP and TCP 53 (both sides allow it), ` +
        `and CoreDNS reaches the VPC resolver and the API server.`,
      // How DNS gets through, traced for the first pods of a few namespaces.
      evidence: check.namespaces
        .slice(0, 5)
        .map((ns) => flowEvidence(analysis.flow(analysis.cluster.byNamespace.get(ns)![0]!, check.coreDns[0]!, 'UDP', 53))),
    };
  },
});
