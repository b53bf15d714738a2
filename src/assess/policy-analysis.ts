/**
 * What the cluster's policies add up to: which global policy is the default deny, which allow
 * everything, whether DNS and kube-system survive the deny. Used by the facts (for the report)
 * and by the CAL-POL rules (for the verdicts).
 */
import { isSystemNamespace } from '../reference/index.js';
import type { EntityMatch, Namespace, Policy, PolicyRule, Tier } from './model.js';
import { selects, type Labels } from './selector.js';

/** A namespace the audit invents: a policy that selects it also selects namespaces created tomorrow. */
const PROBE_NAMESPACE: Namespace = {
  name: 'calico-audit-probe',
  labels: { 'kubernetes.io/metadata.name': 'calico-audit-probe' },
};

/** Labels Calico gives every workload endpoint of a namespace, whatever the pod's own labels. */
const endpointLabels = (namespace: Namespace): Labels => ({
  'projectcalico.org/namespace': namespace.name,
  'projectcalico.org/orchestrator': 'k8s',
});

/** Labels a `namespaceSelector` is matched against. */
const namespaceLabels = (namespace: Namespace): Labels => ({ ...namespace.labels, 'projectcalico.org/name': namespace.name });

export const workloadNamespaces = (namespaces: Namespace[] | null): Namespace[] =>
  (namespaces ?? []).filter((ns) => !isSystemNamespace(ns.name));

/**
 * True when a global policy applies to every workload endpoint of the namespace, whatever the
 * pods' own labels (its selector is decided by namespace alone).
 */
export function globalPolicySelectsNamespace(policy: Policy, namespace: Namespace): boolean {
  if (policy.kind !== 'GlobalNetworkPolicy') return false;
  if (policy.namespaceSelector && !selects(policy.namespaceSelector, namespaceLabels(namespace))) return false;
  return selects(policy.selector, endpointLabels(namespace));
}

/** Every workload namespace there is (and any created later) falls under the global policy. */
export function selectsEveryWorkloadNamespace(policy: Policy, namespaces: Namespace[] | null): boolean {
  return [PROBE_NAMESPACE, ...workloadNamespaces(namespaces)].every((ns) => globalPolicySelectsNamespace(policy, ns));
}

const unconstrained = (entity: EntityMatch): boolean =>
  !entity.selector &&
  !entity.notSelector &&
  !entity.namespaceSelector &&
  !entity.nets.length &&
  !entity.notNets.length &&
  !entity.ports.length &&
  !entity.notPorts.length &&
  !entity.serviceAccounts &&
  !entity.services;

/** An Allow rule that matches every packet. */
export const isAllowAllRule = (rule: PolicyRule): boolean =>
  rule.action === 'Allow' && !rule.protocol && !rule.notProtocol && unconstrained(rule.source) && unconstrained(rule.destination);

/** A Deny rule that matches every packet. */
const isDenyAllRule = (rule: PolicyRule): boolean =>
  rule.action === 'Deny' && !rule.protocol && !rule.notProtocol && unconstrained(rule.source) && unconstrained(rule.destination);

export interface AllowAllPolicy {
  policy: Policy;
  directions: Array<'Ingress' | 'Egress'>;
}

/** Global policies that select every workload and allow all traffic in some direction. */
export function allowAllPolicies(policies: Policy[], namespaces: Namespace[] | null): AllowAllPolicy[] {
  return policies.flatMap((policy) => {
    if (policy.kind !== 'GlobalNetworkPolicy' || !selectsEveryWorkloadNamespace(policy, namespaces)) return [];
    const directions: AllowAllPolicy['directions'] = [];
    if (policy.types.includes('Ingress') && policy.ingress.some(isAllowAllRule)) directions.push('Ingress');
    if (policy.types.includes('Egress') && policy.egress.some(isAllowAllRule)) directions.push('Egress');
    return directions.length ? [{ policy, directions }] : [];
  });
}

/** Kubernetes NetworkPolicy converts to order 1000: a default deny must come after it. */
export const NAMESPACED_POLICY_ORDER = 1000;

export interface DefaultDenyCandidate {
  policy: Policy;
  /** Conditions of CAL-POL-01 this policy misses; empty for a true default deny. */
  shortfalls: string[];
}

/** Global policies that try to be the cluster-wide default deny, each with what it lacks. */
export function defaultDenyCandidates(policies: Policy[], namespaces: Namespace[] | null): DefaultDenyCandidate[] {
  return policies
    .filter((p) => p.kind === 'GlobalNetworkPolicy' && selectsEveryWorkloadNamespace(p, namespaces))
    .map((policy) => {
      const shortfalls: string[] = [];
      if (!policy.types.includes('Ingress')) shortfalls.push('does not cover Ingress');
      if (!policy.types.includes('Egress')) shortfalls.push('does not cover Egress');
      if ([...policy.ingress, ...policy.egress].some(isAllowAllRule)) shortfalls.push('has an allow-all rule');
      if (policy.order !== null && policy.order <= NAMESPACED_POLICY_ORDER)
        shortfalls.push(`order ${policy.order} is not above ${NAMESPACED_POLICY_ORDER}, so it is applied before namespace policies`);
      return { policy, shortfalls };
    });
}

export const findDefaultDeny = (policies: Policy[], namespaces: Namespace[] | null): Policy | null =>
  defaultDenyCandidates(policies, namespaces).find((c) => c.shortfalls.length === 0)?.policy ?? null;

/** Sorts by Calico's evaluation order: tier order, then policy order; no order means last. */
export function evaluationKey(policy: Policy, tiers: Tier[] | null): [number, number] {
  const tier = tiers?.find((t) => t.name === policy.tier);
  return [tier?.order ?? (policy.tier === 'default' ? 1_000_000 : Infinity), policy.order ?? Infinity];
}

const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

const allowsPort = (rule: PolicyRule, protocol: 'UDP' | 'TCP', port: number): boolean =>
  rule.action === 'Allow' &&
  (rule.protocol === null || rule.protocol === protocol) &&
  rule.notProtocol !== protocol &&
  (rule.destination.ports.length === 0 ||
    rule.destination.ports.some((p) => p === port || p === String(port) || (typeof p === 'string' && portRangeHolds(p, port))));

function portRangeHolds(range: string, port: number): boolean {
  const match = /^(\d+):(\d+)$/.exec(range);
  return !!match && port >= Number(match[1]) && port <= Number(match[2]);
}

export interface ServiceAllowance {
  /** The policy whose rule allows it, or null. */
  udp: Policy | null;
  tcp: Policy | null;
}

/**
 * Which global policies let DNS (UDP and TCP 53) out past the default deny: an egress Allow in a
 * policy that selects every workload, evaluated before the deny (or inside it, ahead of any
 * explicit deny-all rule; or anywhere when the deny holds no explicit deny-all rule, since Calico
 * then moves on to the next policy in the tier).
 */
export function dnsAllowance(policies: Policy[], deny: Policy, namespaces: Namespace[] | null, tiers: Tier[] | null): ServiceAllowance {
  const denyKey = evaluationKey(deny, tiers);
  const denyCut = deny.egress.findIndex(isDenyAllRule);
  const find = (protocol: 'UDP' | 'TCP'): Policy | null =>
    policies.find((policy) => {
      if (policy.kind !== 'GlobalNetworkPolicy' || !policy.types.includes('Egress')) return false;
      if (policy !== deny && !selectsEveryWorkloadNamespace(policy, namespaces)) return false;
      const rules = policy === deny && denyCut >= 0 ? policy.egress.slice(0, denyCut) : policy.egress;
      if (!rules.some((r) => allowsPort(r, protocol, 53))) return false;
      return policy === deny || denyCut < 0 || before(evaluationKey(policy, tiers), denyKey);
    }) ?? null;
  return { udp: find('UDP'), tcp: find('TCP') };
}

const KUBE_SYSTEM: Namespace = { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system', name: 'kube-system' } };

const matchesKubeSystem = (entity: EntityMatch, namespaces: Namespace[] | null): boolean => {
  const kubeSystem = namespaces?.find((n) => n.name === 'kube-system') ?? KUBE_SYSTEM;
  if (entity.namespaceSelector) return selects(entity.namespaceSelector, namespaceLabels(kubeSystem));
  return !!entity.selector && selects(entity.selector, endpointLabels(kubeSystem));
};

export interface KubeSystemAllowance {
  /** The deny does not select kube-system at all. */
  exempt: boolean;
  egressFrom: Policy | null;
  ingressTo: Policy | null;
}

/** Whether kube-system keeps its traffic under the default deny (exempted, or allowed both ways). */
export function kubeSystemAllowance(policies: Policy[], deny: Policy, namespaces: Namespace[] | null): KubeSystemAllowance {
  const kubeSystem = namespaces?.find((n) => n.name === 'kube-system') ?? KUBE_SYSTEM;
  const exempt = !globalPolicySelectsNamespace(deny, kubeSystem);
  const candidates = policies.filter((p) => p.kind === 'GlobalNetworkPolicy');
  return {
    exempt,
    egressFrom:
      candidates.find((p) => p.egress.some((r) => r.action === 'Allow' && matchesKubeSystem(r.source, namespaces))) ??
      candidates.find((p) => p.egress.length && p.egress.some(isAllowAllRule) && globalPolicySelectsNamespace(p, kubeSystem)) ??
      null,
    ingressTo:
      candidates.find((p) => p.ingress.some((r) => r.action === 'Allow' && matchesKubeSystem(r.destination, namespaces))) ??
      candidates.find((p) => p.ingress.some(isAllowAllRule) && globalPolicySelectsNamespace(p, kubeSystem)) ??
      null,
  };
}

/**
 * Namespaces whose pods no policy selects. A Kubernetes or Calico namespaced policy covers its
 * own namespace; a global policy covers a namespace when it selects any of its pods (or all of
 * them, whatever their labels).
 */
export function namespacesWithoutPolicy(
  policies: Policy[],
  namespaces: Namespace[],
  podLabelsByNamespace: ReadonlyMap<string, Array<Record<string, string>>>,
): string[] {
  const covered = new Set<string>();
  for (const policy of policies) if (policy.namespace) covered.add(policy.namespace);
  const globals = policies.filter((p) => p.kind === 'GlobalNetworkPolicy');
  const selectsSomePod = (policy: Policy, ns: Namespace) => {
    if (policy.namespaceSelector && !selects(policy.namespaceSelector, namespaceLabels(ns))) return false;
    return (podLabelsByNamespace.get(ns.name) ?? []).some((labels) => selects(policy.selector, { ...labels, ...endpointLabels(ns) }));
  };
  return namespaces
    .filter((ns) => !covered.has(ns.name))
    .filter((ns) => !globals.some((p) => globalPolicySelectsNamespace(p, ns) || selectsSomePod(p, ns)))
    .map((ns) => ns.name);
}
