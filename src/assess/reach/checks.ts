/**
 * The flows the policy rules judge, worked out once per cluster (facts and rules share them):
 * a namespace created tomorrow (the default deny), global policies that allow everything, which
 * namespaces policy constrains, DNS end to end, and kube-system's own traffic.
 */
import { isSystemNamespace } from '../../reference/index.js';
import type { Policy } from '../model.js';
import { normalizeKubernetesPolicy } from '../normalize/policy.js';
import { MAYBE, NO, YES, type Labels, type SelectorNode, type Tri } from '../selector.js';
import { DENIED, reachOf, UNDECIDED, type FlowResult, type Reach, type ReachAnalysis, type SideResult } from './analysis.js';
import type { ReachCluster } from './cluster.js';
import type { CompiledPolicy, Direction } from './compile.js';
import type { SideVerdict, TraceStep } from './engine.js';
import type { Endpoint, WorkloadEndpoint } from './match.js';
import type { AtomSet } from './ports.js';

/** The namespace the audit invents to ask what a namespace created tomorrow gets, and its peer. */
export const PROBE_NAMESPACE = 'calico-audit-probe';
export const PEER_NAMESPACE = 'calico-audit-peer';

let nextProbeKey = -1_000_000;

/** A pod that does not exist: in a namespace with only the labels Kubernetes gives every namespace, its service account `default`, no named ports. */
export function probeEndpoint(
  cluster: ReachCluster,
  namespace: string,
  labels: Readonly<Record<string, string>> = {},
  namespaceLabels?: Labels,
  namespaceKnown = true,
): WorkloadEndpoint {
  const nsLabels = namespaceLabels ?? { 'kubernetes.io/metadata.name': namespace, 'projectcalico.org/name': namespace };
  const endpointLabels: Record<string, string> = {
    ...labels,
    'projectcalico.org/namespace': namespace,
    'projectcalico.org/orchestrator': 'k8s',
    'projectcalico.org/serviceaccount': 'default',
    'pcsa.projectcalico.org/name': 'default',
  };
  for (const [k, v] of Object.entries(nsLabels)) endpointLabels[`pcns.${k}`] = v;
  const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'workload',
    key: nextProbeKey--,
    namespace,
    namespaceLabels: nsLabels,
    namespaceKnown,
    labels: endpointLabels,
    serviceAccount: 'default',
    namedPorts: new Map(),
    address: cluster.podSpace,
    services: new Set(),
    name: `${namespace}/new-pod${shown ? ` (${shown})` : ''}`,
    pods: 0,
    podNames: [],
    coreDns: false,
  };
}

function collectTerms(node: SelectorNode, into: Map<string, Set<string>>): void {
  switch (node.op) {
    case 'all':
    case 'global':
      return;
    case 'not':
      return collectTerms(node.inner, into);
    case 'and':
    case 'or':
      for (const term of node.terms) collectTerms(term, into);
      return;
    default: {
      const values = into.get(node.key) ?? new Set<string>();
      if ('value' in node) values.add(node.value);
      if ('values' in node) for (const v of node.values) values.add(v);
      into.set(node.key, values);
    }
  }
}

/**
 * Label sets a new pod may carry that the global policies' selectors tell apart: none, and each
 * label key they read set to each value they name and to a value they do not. Without the second
 * kind, `app != "web"` would look like "every pod" yet leave out every `app: web` pod.
 */
export function probeLabelSets(cluster: ReachCluster, limit = 40): Array<Record<string, string>> {
  const terms = new Map<string, Set<string>>();
  for (const policy of cluster.compiled.policies) {
    if (policy.policy.namespace !== null || policy.selector === 'invalid') continue;
    collectTerms(policy.selector, terms);
  }
  const sets: Array<Record<string, string>> = [{}];
  for (const [key, values] of [...terms].sort(([a], [b]) => a.localeCompare(b))) {
    if (key.startsWith('projectcalico.org/') || key.startsWith('pcns.') || key.startsWith('pcsa.')) continue;
    for (const value of [...values, 'calico-audit-probe']) if (sets.length < limit) sets.push({ [key]: value });
  }
  return sets;
}

/** A Kubernetes NetworkPolicy in a namespace that allows everything (or, with `rules: false`, isolates it both ways). */
function ownPolicy(namespace: string, rules: boolean): Policy {
  return normalizeKubernetesPolicy({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: rules ? 'calico-audit-allow-all' : 'calico-audit-isolate', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: rules ? [{}] : [], egress: rules ? [{}] : [] },
  });
}

export interface ProbeSides {
  endpoint: WorkloadEndpoint;
  ingress: SideResult[];
  egress: SideResult[];
}

/** Verdict of several traces of one side (a side against several peers). */
export function sidesVerdict(results: readonly SideResult[]): SideVerdict | 'partly' {
  const verdicts = new Set(results.map((r) => r.verdict));
  if (verdicts.has('allowed') && verdicts.has('denied')) return 'partly';
  if (verdicts.has('unknown')) return 'unknown';
  return verdicts.has('allowed') ? 'allowed' : 'denied';
}

/** Both sides of a probe pod against a pod of another new namespace and an internet host, on a port no rule names. */
function probeSides(analysis: ReachAnalysis, endpoint: WorkloadEndpoint): ProbeSides {
  const cluster = analysis.cluster;
  const atoms = analysis.port('TCP', cluster.unnamedPort.TCP);
  const peers: Endpoint[] = [probeEndpoint(cluster, PEER_NAMESPACE), cluster.internet];
  return {
    endpoint,
    ingress: peers.map((peer) => analysis.traceSide('ingress', endpoint, peer, atoms)),
    egress: peers.map((peer) => analysis.traceSide('egress', endpoint, peer, atoms)),
  };
}

export interface DefaultDenyCheck {
  /** The TCP port tried: one no rule names. */
  port: number;
  /** A new namespace's pod, with each label set the global policies tell apart. */
  probes: ProbeSides[];
  /** Each existing workload namespace, judged on global policies alone (as if it had no policy of its own). */
  existing: ProbeSides[];
  /** A new namespace with its own allow-all NetworkPolicy: namespace policies must still decide first. */
  withOwnAllow: ProbeSides;
}

const memo = new WeakMap<ReachAnalysis, Map<string, unknown>>();
function once<T>(analysis: ReachAnalysis, key: string, make: () => T): T {
  let cache = memo.get(analysis);
  if (!cache) memo.set(analysis, (cache = new Map<string, unknown>()));
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/** The policies that can select a pod of a new namespace (a namespaced policy selects only its own namespace's pods). */
const globalPolicies = (analysis: ReachAnalysis): Policy[] => analysis.cluster.policies.filter((p) => p.namespace === null);

/** A default deny, judged on a namespace created tomorrow with no policy of its own: are its ingress and egress denied? */
export function defaultDenyCheck(analysis: ReachAnalysis): DefaultDenyCheck {
  return once(analysis, 'default-deny', () => {
    // A pod of a namespace of its own, or judged without its namespace's policies, meets only the global ones.
    const policies = globalPolicies(analysis);
    const globalOnly = analysis.withPolicies(policies, { pods: false });
    const probes = probeLabelSets(globalOnly.cluster).map((labels) => probeSides(globalOnly, probeEndpoint(globalOnly.cluster, PROBE_NAMESPACE, labels)));
    // The namespaces there are: listed ones with their labels, and any other that runs pods with only its name known.
    const names = [...new Set([...(analysis.model.namespaces ?? []).map((n) => n.name), ...analysis.cluster.namespaces])].filter((n) => !isSystemNamespace(n)).sort();
    const existing = names.map((name) => {
      const { labels, known } = analysis.cluster.namespaceLabels(name);
      return probeSides(globalOnly, probeEndpoint(globalOnly.cluster, name, {}, labels, known));
    });
    const own = analysis.withPolicies([...policies, ownPolicy(PROBE_NAMESPACE, true)], { pods: false });
    return { port: analysis.cluster.unnamedPort.TCP, probes, existing, withOwnAllow: probeSides(own, probeEndpoint(own.cluster, PROBE_NAMESPACE)) };
  });
}

export interface AllowAllFinding {
  policy: Policy;
  direction: Direction;
  /** `isolation`: it allows a namespace's traffic even when the namespace isolates itself; `deny`: it allows what a later deny would refuse. */
  undoes: 'isolation' | 'deny';
  sentence: string;
}

const isGlobal = (policy: CompiledPolicy) => policy.policy.namespace === null;

/** The Allow rule of a global policy that decided the side, if one did, for every peer. */
function globalAllow(results: readonly SideResult[]): CompiledPolicy | null {
  let found: CompiledPolicy | null = null;
  for (const result of results) {
    const step = result.steps.at(-1);
    if (result.verdict !== 'allowed' || step?.kind !== 'rule' || step.action !== 'Allow' || !isGlobal(step.policy)) return null;
    if (found && found !== step.policy) return null;
    found = step.policy;
  }
  return found;
}

/**
 * Global policies that allow all traffic for all endpoints, judged on a new namespace's pod: one
 * whose Allow decides arbitrary traffic (a pod of another namespace and an internet host, on a port
 * no rule names) when the namespace isolates itself, or that a deny after it would otherwise refuse.
 */
export function allowAllCheck(analysis: ReachAnalysis): { findings: AllowAllFinding[]; unknown: string[] } {
  return once(analysis, 'allow-all', () => {
    const policies = globalPolicies(analysis);
    const findings: AllowAllFinding[] = [];
    const unknown: string[] = [];
    const isolated = analysis.withPolicies([...policies, ownPolicy(PROBE_NAMESPACE, false)], { pods: false });
    const isolatedSides = probeSides(isolated, probeEndpoint(isolated.cluster, PROBE_NAMESPACE));
    const plain = defaultDenyCheck(analysis).probes[0]!;
    for (const direction of ['ingress', 'egress'] as const) {
      const undoing = globalAllow(isolatedSides[direction]);
      if (undoing) {
        findings.push({ policy: undoing.policy, direction, undoes: 'isolation', sentence: isolatedSides[direction][0]!.sentence });
        continue;
      }
      if (sidesVerdict(isolatedSides[direction]) === 'unknown') unknown.push(...isolatedSides[direction].map((s) => s.sentence));
      const allowing = globalAllow(plain[direction]);
      if (!allowing) continue;
      const without = analysis.withPolicies(policies.filter((p) => p !== allowing.policy), { pods: false });
      const sides = probeSides(without, probeEndpoint(without.cluster, PROBE_NAMESPACE));
      const verdict = sidesVerdict(sides[direction]);
      if (verdict === 'denied' || verdict === 'partly') {
        findings.push({ policy: allowing.policy, direction, undoes: 'deny', sentence: `${plain[direction][0]!.sentence}; without it: ${sides[direction].find((s) => s.verdict === 'denied')!.sentence}` });
      } else if (verdict === 'unknown') unknown.push(...sides[direction].map((s) => s.sentence));
    }
    return { findings, unknown };
  });
}

/** Pod-network namespaces that are not system ones. */
export const workloadNamespaces = (cluster: ReachCluster): string[] => cluster.namespaces.filter((ns) => !isSystemNamespace(ns));

/** Whether a side of a group is denied by default: traffic no rule names (an internet host, a new namespace's pod, a port no rule names) is refused. */
export function defaultDenied(analysis: ReachAnalysis, direction: Direction, group: WorkloadEndpoint): Tri {
  const atoms = analysis.port('TCP', analysis.cluster.unnamedPort.TCP);
  const peers: Endpoint[] = [analysis.cluster.internet, probeEndpointOnce(analysis)];
  let result: Tri = NO;
  for (const peer of peers) {
    const flags = analysis.sideFlags(direction, group, peer, atoms);
    if (flags & DENIED) return YES;
    if (flags & UNDECIDED) result = MAYBE;
  }
  return result;
}

function probeEndpointOnce(analysis: ReachAnalysis): WorkloadEndpoint {
  return once(analysis, 'peer', () => probeEndpoint(analysis.cluster, PEER_NAMESPACE));
}

/**
 * Whether any policy constrains a group: a side it denies traffic no rule names on, or a Deny
 * rule that can match it. An allow-everything policy constrains nothing.
 */
function groupConstrained(analysis: ReachAnalysis, group: WorkloadEndpoint): Tri {
  let result: Tri = NO;
  const evaluator = analysis.cluster.evaluator(analysis.cluster.allPorts);
  for (const direction of ['ingress', 'egress'] as const) {
    const denied = defaultDenied(analysis, direction, group);
    if (denied === YES) return YES;
    if (denied === MAYBE) result = MAYBE;
    const plan = analysis.cluster.plan(evaluator, direction, group);
    if (plan.tiers.some((t) => t.policies.some((p) => p.rules.some((r) => r.rule.action === 'Deny')))) return YES;
  }
  return result;
}

/** Per namespace that runs pods on the pod network: does some policy constrain one of its pods? */
export function namespaceConstraints(analysis: ReachAnalysis): Map<string, Tri> {
  return once(analysis, 'constraints', () => {
    const out = new Map<string, Tri>();
    for (const namespace of analysis.cluster.namespaces) {
      let result: Tri = NO;
      for (const group of analysis.cluster.byNamespace.get(namespace) ?? []) {
        const constrained = groupConstrained(analysis, group);
        if (constrained === YES) {
          result = YES;
          break;
        }
        if (constrained === MAYBE) result = MAYBE;
      }
      out.set(namespace, result);
    }
    return out;
  });
}

export interface FlowCheck {
  /** What the flow is, e.g. `workload namespaces → CoreDNS`. */
  label: string;
  flags: number;
  /** Up to a few traces of flows that are denied, then of ones that are unknown. */
  failures: FlowResult[];
  /** Flows counted pod to pod (a group of 3 pods to CoreDNS's 2 is 6), denied on some port, unknown, and in all. */
  failing: number;
  undecided: number;
  total: number;
}

/** Pods an endpoint stands for (an address: one). */
const weight = (endpoint: Endpoint): number => (endpoint.kind === 'workload' ? Math.max(1, endpoint.pods) : 1);

interface FlowSpec {
  from: Endpoint;
  to: Endpoint;
  atoms: AtomSet;
  /** Only the source's egress counts (the destination's own policy is not this check's business), or only the destination's ingress. */
  side?: Direction;
}

const TRACE_LIMIT = 5;

/** Folds flows into one check, tracing the first few that fail (each on its first failing port). */
function checkFlows(analysis: ReachAnalysis, label: string, flows: Iterable<FlowSpec>): FlowCheck {
  let flags = 0;
  let total = 0;
  let failing = 0;
  let undecided = 0;
  const denied: FlowSpec[] = [];
  const unsure: FlowSpec[] = [];
  for (const flow of flows) {
    const pairs = weight(flow.from) * weight(flow.to);
    total += pairs;
    const atoms = flow.atoms;
    const flowFlags = flow.side
      ? analysis.sideFlags(flow.side, (flow.side === 'egress' ? flow.from : flow.to) as WorkloadEndpoint, flow.side === 'egress' ? flow.to : flow.from, atoms)
      : analysis.flowFlags(flow.from, flow.to, atoms);
    flags |= flowFlags;
    if (flowFlags & DENIED) {
      failing += pairs;
      if (denied.length < TRACE_LIMIT) denied.push(flow);
    } else if (flowFlags & UNDECIDED) {
      undecided += pairs;
      if (unsure.length < TRACE_LIMIT) unsure.push(flow);
    }
  }
  const trace = (flow: FlowSpec, wanted: SideVerdict): FlowResult => {
    const { atoms, from, to } = flow;
    if (flow.side) {
      const local = (flow.side === 'egress' ? flow.from : flow.to) as WorkloadEndpoint;
      const remote = flow.side === 'egress' ? flow.to : flow.from;
      const atom = Math.max(0, analysis.firstSideAtom(flow.side, local, remote, atoms, wanted));
      const side = analysis.traceSide(flow.side, local, remote, atoms, atom);
      const traffic = atoms.describe(atom);
      return {
        from: from.name,
        to: to.name,
        traffic,
        verdict: side.verdict,
        egress: flow.side === 'egress' ? side : null,
        ingress: flow.side === 'ingress' ? side : null,
        sentence: `${from.name} → ${to.name} ${traffic}: ${side.sentence}`,
      };
    }
    const atom = Math.max(0, analysis.firstAtom(from, to, atoms, wanted));
    return analysis.flowOn(from, to, atoms, atom);
  };
  return {
    label,
    flags,
    failures: [...denied.map((f) => trace(f, 'denied')), ...unsure.slice(0, Math.max(0, TRACE_LIMIT - denied.length)).map((f) => trace(f, 'unknown'))],
    failing,
    undecided,
    total,
  };
}

const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
] as const;

export interface DnsCheck {
  coreDns: WorkloadEndpoint[];
  namespaces: string[];
  /** Every workload namespace's pods → CoreDNS on UDP and TCP 53, both sides. */
  clients: FlowCheck;
  /** Per namespace: its pods → CoreDNS. */
  perNamespace: Map<string, Reach>;
  /** CoreDNS → the VPC resolver on UDP and TCP 53 (either of its addresses will do). */
  upstream: FlowCheck;
  /** CoreDNS → the API server. */
  apiServer: FlowCheck | null;
  /** Some side of these flows is under a default deny. */
  underDefaultDeny: boolean;
}

/** DNS end to end: every workload namespace to CoreDNS, CoreDNS to its upstream resolver and to the API server. */
export function dnsCheck(analysis: ReachAnalysis): DnsCheck {
  return once(analysis, 'dns', () => {
    const cluster = analysis.cluster;
    const namespaces = workloadNamespaces(cluster);
    const coreDns = cluster.coreDns;
    const perNamespace = new Map<string, Reach>();
    const flows: FlowSpec[] = [];
    const dns = analysis.ports(DNS_PORTS);
    for (const namespace of namespaces) {
      let flags = 0;
      for (const from of cluster.byNamespace.get(namespace) ?? []) {
        for (const to of coreDns) {
          flows.push({ from, to, atoms: dns });
          flags |= analysis.flowFlags(from, to, dns);
        }
      }
      if (coreDns.length) perNamespace.set(namespace, reachOf(flags));
    }
    const clients = checkFlows(analysis, 'workload namespaces → CoreDNS (UDP and TCP 53)', flows);
    // Upstream: per CoreDNS group and protocol, the best of the resolver's two addresses.
    const upstreamFlows: FlowSpec[] = [];
    for (const from of coreDns) {
      for (const port of DNS_PORTS) {
        const best = [...cluster.resolvers].sort(
          (a, b) => rank(analysis.sideFlags('egress', from, a, analysis.ports([port]))) - rank(analysis.sideFlags('egress', from, b, analysis.ports([port]))),
        )[0];
        if (best) upstreamFlows.push({ from, to: best, atoms: analysis.ports([port]), side: 'egress' });
      }
    }
    const upstream = checkFlows(analysis, 'CoreDNS → the VPC resolver (UDP and TCP 53)', upstreamFlows);
    const apiServer = cluster.apiServer
      ? checkFlows(
          analysis,
          `CoreDNS → the API server (TCP ${cluster.apiServer.port})`,
          coreDns.flatMap((from) => cluster.apiServer!.endpoints.map((to): FlowSpec => ({ from, to, atoms: analysis.port('TCP', cluster.apiServer!.port), side: 'egress' }))),
        )
      : null;
    const underDefaultDeny =
      namespaces.some((ns) => (cluster.byNamespace.get(ns) ?? []).some((g) => defaultDenied(analysis, 'egress', g) !== NO)) ||
      coreDns.some((g) => defaultDenied(analysis, 'ingress', g) !== NO || defaultDenied(analysis, 'egress', g) !== NO);
    return { coreDns, namespaces, clients, perNamespace, upstream, apiServer, underDefaultDeny };
  });
}

/** Allowed first, then unknown, then denied. */
const rank = (flags: number): number => (flags & DENIED ? 2 : flags & UNDECIDED ? 1 : 0);

export interface KubeSystemCheck {
  groups: WorkloadEndpoint[];
  /** kube-system's egress to the API server. */
  apiServer: FlowCheck | null;
  /** kube-system's egress to every pod and to the internet, every port (its own side). */
  egress: FlowCheck;
  /** kube-system's ingress from every namespace's pods and a new namespace's, every port (its own side). */
  ingress: FlowCheck;
  underDefaultDeny: boolean;
}

/** kube-system's own traffic: to the API server and anywhere it is asked to, and from every namespace. */
export function kubeSystemCheck(analysis: ReachAnalysis): KubeSystemCheck {
  return once(analysis, 'kube-system', () => {
    const cluster = analysis.cluster;
    const groups = cluster.byNamespace.get('kube-system') ?? [];
    const everyPort = cluster.allPorts;
    const peer = probeEndpointOnce(analysis);
    const apiServer = cluster.apiServer
      ? checkFlows(
          analysis,
          `kube-system → the API server (TCP ${cluster.apiServer.port})`,
          groups.flatMap((from) => cluster.apiServer!.endpoints.map((to): FlowSpec => ({ from, to, atoms: analysis.port('TCP', cluster.apiServer!.port), side: 'egress' }))),
        )
      : null;
    const destinations: Endpoint[] = [...cluster.groups, cluster.internet];
    const egress = checkFlows(
      analysis,
      'kube-system → every pod and the internet (any port)',
      groups.flatMap((from) => destinations.map((to): FlowSpec => ({ from, to, atoms: everyPort, side: 'egress' }))),
    );
    const sources: Endpoint[] = [...cluster.groups, peer];
    const ingress = checkFlows(
      analysis,
      'every namespace → kube-system (any port)',
      groups.flatMap((to) => sources.map((from): FlowSpec => ({ from, to, atoms: everyPort, side: 'ingress' }))),
    );
    const underDefaultDeny = groups.some((g) => defaultDenied(analysis, 'ingress', g) !== NO || defaultDenied(analysis, 'egress', g) !== NO);
    return { groups, apiServer, egress, ingress, underDefaultDeny };
  });
}

/** The step that decided a side, for remediation: the tier and policy it happened in. */
export function decidingPolicy(steps: readonly TraceStep[]): { tier: string; policy: CompiledPolicy | null } | null {
  const step = steps.at(-1);
  if (!step) return null;
  if (step.kind === 'rule') return { tier: step.tier.name, policy: step.policy };
  if (step.kind === 'end-of-tier') return { tier: step.tier.name, policy: step.policies.at(-1) ?? null };
  return null;
}

