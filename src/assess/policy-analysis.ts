/**
 * What the cluster's policies add up to: which global policy is the default deny, which allow
 * everything, whether DNS and kube-system survive the deny. Used by the facts (for the report)
 * and by the CAL-POL rules (for the verdicts).
 */
import { isSystemNamespace } from '../reference/index.js';
import type { EntityMatch, Namespace, Pod, Policy, PolicyRule, Tier } from './model.js';
import { isSelectAll, selects, type Labels } from './selector.js';

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

/** Pods on the pod network (not host-network) that run or are about to. */
export const podNetworkPods = (pods: Pod[]): Pod[] =>
  pods.filter((p) => !p.hostNetwork && (p.phase === null || p.phase === 'Running' || p.phase === 'Pending'));

export const workloadNamespaces = (namespaces: Namespace[] | null): Namespace[] =>
  (namespaces ?? []).filter((ns) => !isSystemNamespace(ns.name));

const SELECTOR_KEYWORDS = new Set(['all', 'global', 'has', 'in', 'not', 'contains', 'starts', 'ends', 'with']);

/**
 * True when the selector matches an endpoint of the namespace whatever labels its pod carries: it
 * matches the labels Calico gives every endpoint, and still does when a pod sets a label the
 * selector names to any value the selector mentions (or to another). Without the second test
 * `app != "web"` would pass for "every pod", yet it leaves out every `app: web` pod.
 */
function selectsAnyPod(selector: string, namespace: Namespace): boolean {
  const base = endpointLabels(namespace);
  if (!selects(selector, base)) return false;
  const keys = new Set<string>();
  const values = new Set(['calico-audit-probe']);
  for (const match of selector.matchAll(/"([^"]*)"|'([^']*)'|([A-Za-z0-9_./-]+)/g)) {
    if (match[3] === undefined) values.add(match[1] ?? match[2] ?? '');
    else if (!SELECTOR_KEYWORDS.has(match[3]) && !Object.hasOwn(base, match[3])) keys.add(match[3]);
  }
  return [...keys].every((key) => [...values].every((value) => selects(selector, { ...base, [key]: value })));
}

/**
 * True when a global policy applies to every workload endpoint of the namespace, whatever the
 * pods' own labels (its selector is decided by namespace alone).
 */
export function globalPolicySelectsNamespace(policy: Policy, namespace: Namespace): boolean {
  if (policy.kind !== 'GlobalNetworkPolicy') return false;
  if (policy.namespaceSelector && !selects(policy.namespaceSelector, namespaceLabels(namespace))) return false;
  return selectsAnyPod(policy.selector, namespace);
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

/** A global policy that allows every packet it sees selects pods without constraining them. */
export const allowsEverything = (policy: Policy): boolean =>
  policy.kind === 'GlobalNetworkPolicy' &&
  policy.types.every((t) => (t === 'Ingress' ? policy.ingress : policy.egress).some(isAllowAllRule));

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

/** The `default` tier's order: Kubernetes and namespaced Calico policies live there. */
export const defaultTierOrder = (tiers: Tier[] | null): number => tiers?.find((t) => t.name === 'default')?.order ?? 1_000_000;

/**
 * Global policies that try to be the cluster-wide default deny, each with what it lacks. Without
 * `tiers`, a policy outside the `default` tier is taken to be evaluated after it.
 */
export function defaultDenyCandidates(policies: Policy[], namespaces: Namespace[] | null, tiers: Tier[] | null = null): DefaultDenyCandidate[] {
  const allowAll = allowAllPolicies(policies, namespaces);
  return policies
    .filter((p) => p.kind === 'GlobalNetworkPolicy' && selectsEveryWorkloadNamespace(p, namespaces))
    .map((policy) => {
      const shortfalls: string[] = [];
      if (!policy.types.includes('Ingress')) shortfalls.push('does not cover Ingress');
      if (!policy.types.includes('Egress')) shortfalls.push('does not cover Egress');
      if ([...policy.ingress, ...policy.egress].some(isAllowAllRule)) shortfalls.push('has an allow-all rule');
      // An allow-all evaluated first (or after it in its tier, when it holds no deny-all rule) lets everything through.
      for (const other of allowAll.filter((a) => a.policy !== policy)) {
        const undone = other.directions.filter((d) => policy.types.includes(d) && rulesAheadOfDeny(other.policy, policy, d, tiers).some(isAllowAllRule));
        if (undone.length) shortfalls.push(`is undone by ${other.policy.name}, which allows all ${undone.join(' and ')} traffic before the deny applies`);
      }
      const [tierOrder] = evaluationKey(policy, tiers);
      // A tier evaluated before `default` ends in its own deny before namespace policies are consulted.
      if (tierOrder < defaultTierOrder(tiers))
        shortfalls.push(`tier ${policy.tier} is evaluated before the default tier, so it is applied before namespace policies`);
      else if (tierOrder === defaultTierOrder(tiers) && policy.order !== null && policy.order <= NAMESPACED_POLICY_ORDER)
        shortfalls.push(`order ${policy.order} is not above ${NAMESPACED_POLICY_ORDER}, so it is applied before namespace policies`);
      // A tier whose default action is Pass denies nothing the policy's own rules do not deny.
      if (tiers?.find((t) => t.name === policy.tier)?.defaultAction === 'Pass') {
        for (const direction of ['Ingress', 'Egress'] as const) {
          const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
          if (policy.types.includes(direction) && !rules.some(isDenyAllRule))
            shortfalls.push(`tier ${policy.tier} ends in Pass and the policy has no deny-all ${direction} rule`);
        }
      }
      return { policy, shortfalls };
    });
}

export const findDefaultDeny = (policies: Policy[], namespaces: Namespace[] | null, tiers: Tier[] | null = null): Policy | null =>
  defaultDenyCandidates(policies, namespaces, tiers).find((c) => c.shortfalls.length === 0)?.policy ?? null;

/** Sorts by Calico's evaluation order: tier order, then policy order; no order means last. */
export function evaluationKey(policy: Policy, tiers: Tier[] | null): [number, number] {
  const tier = tiers?.find((t) => t.name === policy.tier);
  return [tier?.order ?? (policy.tier === 'default' ? 1_000_000 : Infinity), policy.order ?? Infinity];
}

const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** The rule constrains nothing about the endpoint the policy selected (egress source, ingress destination). */
const unrestricted = (entity: EntityMatch): boolean =>
  unconstrained({
    ...entity,
    selector: isSelectAll(entity.selector) ? null : entity.selector,
    namespaceSelector: isSelectAll(entity.namespaceSelector) ? null : entity.namespaceSelector,
  });

// An egress rule narrowed by its source (seed 002's "all egress from kube-system") does not let every workload's DNS out.
const allowsPort = (rule: PolicyRule, protocol: 'UDP' | 'TCP', port: number): boolean =>
  rule.action === 'Allow' &&
  unrestricted(rule.source) &&
  (rule.protocol === null || rule.protocol === protocol) &&
  rule.notProtocol !== protocol &&
  (rule.destination.ports.length === 0 ||
    rule.destination.ports.some((p) => p === port || p === String(port) || (typeof p === 'string' && portRangeHolds(p, port))));

function portRangeHolds(range: string, port: number): boolean {
  const match = /^(\d+):(\d+)$/.exec(range);
  return !!match && port >= Number(match[1]) && port <= Number(match[2]);
}

/**
 * The rules of `policy` in one direction that Calico evaluates before the default deny refuses
 * the packet, for an endpoint both policies select: all of them for a policy evaluated earlier;
 * the deny's own rules ahead of its deny-all rule; and, when the deny has no deny-all rule (it
 * falls through to the next policy of its tier), those of later policies in the same tier only,
 * since the tier's end-of-tier deny comes before any later tier.
 */
function rulesAheadOfDeny(policy: Policy, deny: Policy, direction: 'Ingress' | 'Egress', tiers: Tier[] | null): PolicyRule[] {
  if (!policy.types.includes(direction)) return [];
  const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
  const cut = (direction === 'Ingress' ? deny.ingress : deny.egress).findIndex(isDenyAllRule);
  if (policy === deny) return cut >= 0 ? rules.slice(0, cut) : rules;
  const key = evaluationKey(policy, tiers);
  const denyKey = evaluationKey(deny, tiers);
  if (before(key, denyKey)) return rules;
  return cut < 0 && key[0] === denyKey[0] ? rules : [];
}

export interface ServiceAllowance {
  /** The policy whose rule allows it, or null. */
  udp: Policy | null;
  tcp: Policy | null;
}

/**
 * Which global policies let DNS (UDP and TCP 53) out past the default deny: an egress Allow, for
 * any source workload, in a policy that selects every workload (or in the deny itself), that
 * Calico reaches before the deny refuses the packet (see `rulesAheadOfDeny`).
 */
export function dnsAllowance(policies: Policy[], deny: Policy, namespaces: Namespace[] | null, tiers: Tier[] | null): ServiceAllowance {
  const find = (protocol: 'UDP' | 'TCP'): Policy | null =>
    policies.find((policy) => {
      if (policy.kind !== 'GlobalNetworkPolicy') return false;
      if (policy !== deny && !selectsEveryWorkloadNamespace(policy, namespaces)) return false;
      return rulesAheadOfDeny(policy, deny, 'Egress', tiers).some((r) => allowsPort(r, protocol, 53));
    }) ?? null;
  return { udp: find('UDP'), tcp: find('TCP') };
}

const KUBE_SYSTEM: Namespace = { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system', name: 'kube-system' } };

/** The peer is every kube-system endpoint and nothing narrower (no ports, nets, service accounts). */
const coversKubeSystem = (entity: EntityMatch, kubeSystem: Namespace): boolean => {
  if (unrestricted(entity)) return true;
  const selectorsOnly = unconstrained({ ...entity, selector: null, namespaceSelector: null });
  if (!selectorsOnly) return false;
  if (entity.namespaceSelector && !selects(entity.namespaceSelector, namespaceLabels(kubeSystem))) return false;
  return entity.selector ? selectsAnyPod(entity.selector, kubeSystem) : !!entity.namespaceSelector;
};

export interface KubeSystemAllowance {
  /** The deny does not select kube-system at all. */
  exempt: boolean;
  egressFrom: Policy | null;
  ingressTo: Policy | null;
}

/**
 * Whether kube-system keeps its traffic under the default deny: exempted, or allowed both ways by
 * an all-traffic Allow (to or from kube-system) in a policy that applies to every kube-system pod
 * and is reached before the deny refuses the packet.
 */
export function kubeSystemAllowance(policies: Policy[], deny: Policy, namespaces: Namespace[] | null, tiers: Tier[] | null): KubeSystemAllowance {
  const kubeSystem = namespaces?.find((n) => n.name === 'kube-system') ?? KUBE_SYSTEM;
  const exempt = !globalPolicySelectsNamespace(deny, kubeSystem);
  const appliesToKubeSystem = (p: Policy): boolean =>
    p.kind === 'GlobalNetworkPolicy'
      ? globalPolicySelectsNamespace(p, kubeSystem)
      : p.namespace === 'kube-system' &&
        (p.podSelector
          ? !Object.keys(p.podSelector.matchLabels).length && !p.podSelector.hasExpressions
          : selectsAnyPod(p.selector, kubeSystem));
  const allowsAll = (rule: PolicyRule, ownSide: EntityMatch, peer: EntityMatch): boolean =>
    rule.action === 'Allow' && !rule.protocol && !rule.notProtocol && unconstrained(peer) && coversKubeSystem(ownSide, kubeSystem);
  const find = (direction: 'Ingress' | 'Egress'): Policy | null =>
    policies.find(
      (p) =>
        appliesToKubeSystem(p) &&
        rulesAheadOfDeny(p, deny, direction, tiers).some((r) =>
          direction === 'Egress' ? allowsAll(r, r.source, r.destination) : allowsAll(r, r.destination, r.source),
        ),
    ) ?? null;
  return { exempt, egressFrom: find('Egress'), ingressTo: find('Ingress') };
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
