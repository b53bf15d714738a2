/**
 * The cluster as the reachability model sees it: its policies compiled in Felix's order, its pods
 * grouped into endpoints policy cannot tell apart, and the addresses the key flows go to (CoreDNS,
 * the API server, the VPC resolver, the internet).
 *
 * Pods fall in one group when they share a namespace, the values of every label key some selector
 * reads, their service account (when a rule reads it), the named ports rules use, and where their
 * address lies against every CIDR a rule or network set names. Cost then follows groups, not pods:
 * 100,000 pods of a few hundred workloads are a few hundred groups.
 */
import { isSystemNamespace } from '../../reference/index.js';
import type { ClusterModel, Policy, Pod } from '../model.js';
import { selectorKeys, type Labels } from '../selector.js';
import { parseRange, type AddressRange } from './addresses.js';
import { compilePolicies, type CompiledEntity, type CompiledPolicies, type CompiledPolicy, type CompiledSelector, type Direction } from './compile.js';
import { Evaluator, type Plan, type Selection } from './engine.js';
import { MatchContext, namespaceMatches, policySelects, type AddressEndpoint, type WorkloadEndpoint } from './match.js';
import { atomsFor, type AtomSet, type Protocol } from './ports.js';
import { NO, type Tri } from '../selector.js';

/** An address standing for "any host on the internet": documentation range (RFC 5737), outside every private and cluster range. */
export const INTERNET_ADDRESS = '192.0.2.10';
/** The VPC resolver's link-local address (AmazonProvidedDNS answers there as well as at the VPC base + 2). */
export const LINK_LOCAL_RESOLVER = '169.254.169.253';

/** Pods on the pod network (not host-network) that run or are about to. */
export const podNetworkPods = (pods: readonly Pod[]): Pod[] =>
  pods.filter((p) => !p.hostNetwork && (p.phase === null || p.phase === 'Running' || p.phase === 'Pending'));

function selectorNodes(entity: CompiledEntity): CompiledSelector[] {
  return [entity.selector, entity.notSelector].filter((s): s is CompiledSelector => s !== null);
}


/** Where pod addresses come from: Calico's pools that serve workloads, or the VPC with the AWS VPC CNI. */
function podAddressSpace(model: ClusterModel): AddressRange | null {
  const calicoCni = model.install.cni === 'Calico';
  const cidrs = calicoCni
    ? (model.ippools ?? []).filter((p) => !p.disabled && p.allowedUses.includes('Workload') && p.cidr).map((p) => p.cidr!)
    : (model.vpcCidrs ?? []);
  const ranges = cidrs.map(parseRange).filter((r): r is AddressRange => !!r && r.version === 4);
  if (!ranges.length) return null;
  // Several ranges: their hull, which over-states where a pending pod may land (verdicts only get less certain).
  const lo = Math.min(...ranges.map((r) => r.lo as number));
  const hi = Math.max(...ranges.map((r) => r.hi as number));
  return { version: 4, lo, hi, text: ranges.length === 1 ? ranges[0]!.text : `${ranges.map((r) => r.text).join(', ')}` };
}

/** A dotted-quad IPv4 address as a number, or -1 (cheap: called once per pod). */
function ipv4Number(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (!digits || octet > 255) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  if (dots !== 3 || !digits || octet > 255) return -1;
  return value * 256 + octet;
}

/** Elementary intervals of IPv4 space no CIDR edge crosses: two addresses in one interval are inside the same CIDRs. */
class AddressIndex {
  private readonly cuts: number[];
  constructor(ranges: readonly AddressRange[]) {
    const cuts = new Set<number>();
    for (const r of ranges) {
      if (r.version !== 4) continue;
      cuts.add(r.lo as number);
      cuts.add((r.hi as number) + 1);
    }
    this.cuts = [...cuts].sort((a, b) => a - b);
  }

  private readonly intervals = new Map<number, AddressRange>();

  /** The index of the interval holding a v4 address (as a number). */
  intervalOf(address: number): number {
    let lo = 0;
    let hi = this.cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cuts[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The interval itself, one shared object per interval: every address in it lies inside or outside
   * each CIDR the rules and network sets name alike, so the interval answers for any of them (and
   * sides matched on addresses alone are worked out once per interval, not per group).
   */
  interval(index: number): AddressRange {
    let found = this.intervals.get(index);
    if (!found) {
      const lo = index === 0 ? 0 : this.cuts[index - 1]!;
      const hi = index < this.cuts.length ? this.cuts[index]! - 1 : 2 ** 32 - 1;
      found = { version: 4, lo, hi, text: lo === hi ? formatV4(lo) : `${formatV4(lo)}-${formatV4(hi)}` };
      this.intervals.set(index, found);
    }
    return found;
  }
}

export interface ReachCluster {
  policies: Policy[];
  compiled: CompiledPolicies;
  context: MatchContext;
  groups: WorkloadEndpoint[];
  /** The pods of each group (same index). */
  members: Pod[][];
  /** Namespaces that run pods on the pod network, sorted; with their groups. */
  namespaces: string[];
  byNamespace: ReadonlyMap<string, WorkloadEndpoint[]>;
  namespaceLabels: (namespace: string) => { labels: Labels; known: boolean };
  podSpace: AddressRange | null;
  coreDns: WorkloadEndpoint[];
  /** How CoreDNS was found: the kube-dns EndpointSlices, or its `k8s-app=kube-dns` label. */
  coreDnsSource: 'endpointslices' | 'label';
  /** The API server's addresses (kubernetes EndpointSlices), else the cluster subnets it lives in; null: unknown. */
  apiServer: { endpoints: AddressEndpoint[]; port: number; exact: boolean } | null;
  resolvers: AddressEndpoint[];
  internet: AddressEndpoint;
  /** Every TCP and UDP port, in atoms. */
  allPorts: AtomSet;
  /** A port of each protocol no rule names (what "any traffic" is tested on). */
  unnamedPort: { TCP: number; UDP: number };
  selection(direction: Direction, group: WorkloadEndpoint): Selection;
  evaluator(atoms: AtomSet): Evaluator;
  plan(evaluator: Evaluator, direction: Direction, group: WorkloadEndpoint): Plan;
  address(text: string, name: string): AddressEndpoint | null;
  /** The same cluster with other policies: with its pods regrouped (what-if), or without pods (probes only). */
  withPolicies(policies: Policy[], options?: { pods?: boolean }): ReachCluster;
}

let nextAddressKey = -1;

export function buildReachCluster(model: ClusterModel, policies: Policy[], options: { pods?: boolean } = {}): ReachCluster {
  const compiled = compilePolicies(policies, model.tiers);
  const namespaceIndex = new Map((model.namespaces ?? []).map((n) => [n.name, n]));
  const namespaceCache = new Map<string, { labels: Labels; known: boolean }>();
  const namespaceLabels = (name: string): { labels: Labels; known: boolean } => {
    let cached = namespaceCache.get(name);
    if (cached) return cached;
    const found = namespaceIndex.get(name);
    cached = found
      ? { labels: { ...found.labels, 'projectcalico.org/name': name }, known: true }
      : { labels: { 'kubernetes.io/metadata.name': name, 'projectcalico.org/name': name }, known: false };
    namespaceCache.set(name, cached);
    return cached;
  };
  const context = new MatchContext(model.networkSets, model.serviceEndpoints, (ns) => namespaceLabels(ns).labels);

  // What policy can tell apart.
  const keys = new Set<string>();
  let readsServiceAccount = false;
  const namedPorts = new Set<string>();
  const cidrs: AddressRange[] = [];
  const portEdges = new Map<Protocol, Set<number>>([
    ['TCP', new Set()],
    ['UDP', new Set()],
  ]);
  const namedRanges: Array<{ protocol: string; lo: number; hi: number }> = [];
  const addEdge = (protocol: string | null, lo: number, hi: number) => {
    for (const p of protocol ? [protocol] : ['TCP', 'UDP']) {
      const edges = portEdges.get(p as Protocol);
      edges?.add(lo);
      edges?.add(hi + 1);
      namedRanges.push({ protocol: p, lo, hi });
    }
  };
  for (const policy of compiled.policies) {
    for (const node of [policy.selector, policy.serviceAccountSelector]) if (node && node !== 'invalid') selectorKeys(node, keys);
    if (policy.serviceAccountSelector) readsServiceAccount = true;
  }
  for (const rule of compiled.rules) {
    for (const entity of [rule.local, rule.remote]) {
      for (const node of selectorNodes(entity)) if (node !== 'invalid') selectorKeys(node, keys);
      if (entity.serviceAccountNames || entity.serviceAccountSelector) readsServiceAccount = true;
      for (const spec of [...entity.ports, ...entity.notPorts]) {
        if ('name' in spec) namedPorts.add(spec.name);
        else if (entity.role === 'destination') addEdge(rule.rule.protocol, spec.lo, spec.hi);
      }
      for (const net of [...(entity.nets ?? []), ...(entity.notNets ?? [])]) cidrs.push(net);
    }
  }
  if ([...keys].some((k) => k === 'projectcalico.org/serviceaccount' || k.startsWith('pcsa.'))) readsServiceAccount = true;
  for (const set of model.networkSets ?? []) for (const net of set.nets) { const r = parseRange(net); if (r) cidrs.push(r); }
  const services = model.serviceEndpoints ?? [];
  // Service membership is kept per pod (below); only the ports are edges.
  for (const service of services) for (const port of service.ports) addEdge(port.protocol, port.port, port.port);
  const addressIndex = new AddressIndex(cidrs);
  const podSpace = podAddressSpace(model);
  const readKeys = [...keys].filter((k) => !k.startsWith('projectcalico.org/') && !k.startsWith('pcns.') && !k.startsWith('pcsa.')).sort();

  // CoreDNS: what kube-dns's EndpointSlices point at; without them, the label EKS gives it.
  const kubeDns = services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  const dnsPods = new Set(kubeDns?.pods ?? []);
  const dnsAddresses = new Set(kubeDns?.addresses ?? []);
  // Service membership per pod: by name (EndpointSlice targetRef) and by address; a pod's services, joined, are part of its group.
  const servicesByPod = new Map<string, Map<string, string[]>>();
  const servicesByAddress = new Map<string, string[]>();
  for (const s of services) {
    const key = `${s.namespace}/${s.name}`;
    for (const podKey of new Set(s.pods)) {
      const slash = podKey.indexOf('/');
      const ns = podKey.slice(0, slash);
      let byName = servicesByPod.get(ns);
      if (!byName) servicesByPod.set(ns, (byName = new Map<string, string[]>()));
      const name = podKey.slice(slash + 1);
      byName.set(name, [...(byName.get(name) ?? []), key]);
    }
    for (const address of new Set(s.addresses)) servicesByAddress.set(address, [...(servicesByAddress.get(address) ?? []), key]);
  }
  const NO_SERVICES: readonly string[] = [];
  const serviceMembership = (pod: Pod): readonly string[] => {
    const byName = servicesByPod.get(pod.namespace)?.get(pod.name);
    let byAddress: string[] | undefined;
    for (let i = 0; i < pod.podIPs.length; i++) {
      const found = servicesByAddress.get(pod.podIPs[i]!);
      if (found) byAddress = byAddress ? [...byAddress, ...found] : found;
    }
    if (!byAddress) return byName ?? NO_SERVICES;
    if (!byName) return byAddress;
    return [...new Set([...byName, ...byAddress])];
  };
  const coreDnsSource: ReachCluster['coreDnsSource'] = dnsPods.size || dnsAddresses.size ? 'endpointslices' : 'label';
  const isCoreDns = (pod: Pod, memberOf: readonly string[]): boolean =>
    coreDnsSource === 'endpointslices' ? memberOf.includes('kube-system/kube-dns') : pod.namespace === 'kube-system' && pod.labels['k8s-app'] === 'kube-dns';

  const pods = options.pods === false ? [] : podNetworkPods(model.pods ?? []);
  const groups: WorkloadEndpoint[] = [];
  const members: Pod[][] = [];
  const workloadsOf: Array<Set<string>> = [];
  // The group key as a path in a tree of maps (namespace, each label read, service account, named
  // ports, address interval, services, CoreDNS): no string is built per pod.
  const ABSENT = Symbol('absent');
  const END = Symbol('end');
  type Trie = Map<unknown, Trie | number>;
  const root: Trie = new Map();
  let node: Trie = root;
  const step = (value: unknown) => {
    let next = node.get(value) as Trie | undefined;
    if (!next) node.set(value, (next = new Map()));
    node = next;
  };
  // Indexed loops: this runs once per pod, mostly before the optimiser has seen it.
  for (let podIndex = 0; podIndex < pods.length; podIndex++) {
    const pod = pods[podIndex]!;
    let v4: string | undefined;
    for (let i = 0; i < pod.podIPs.length; i++) {
      if (!pod.podIPs[i]!.includes(':')) {
        v4 = pod.podIPs[i];
        break;
      }
    }
    v4 ??= pod.podIPs[0];
    const number = v4 ? ipv4Number(v4) : -1;
    const interval = number >= 0 ? addressIndex.intervalOf(number) : -1;
    const sa = pod.serviceAccount;
    const ports = pod.namedPorts;
    const svc = services.length ? serviceMembership(pod) : NO_SERVICES;
    const dns = isCoreDns(pod, svc);
    node = root;
    step(pod.namespace);
    for (let i = 0; i < readKeys.length; i++) {
      const k = readKeys[i]!;
      step(Object.hasOwn(pod.labels, k) ? pod.labels[k] : ABSENT);
    }
    step(readsServiceAccount ? (sa ?? ABSENT) : null);
    if (ports === null) step(ABSENT);
    else if (namedPorts.size) {
      // In the pod's own order: pods of one workload declare them alike.
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i]!;
        if (!namedPorts.has(p.name)) continue;
        step(p.name);
        step(p.port);
        step(p.protocol);
      }
    }
    step(END);
    step(number >= 0 ? interval : v4 ? `ip:${v4}` : podSpace ? 'pending' : '?');
    step(svc.length ? (svc.length === 1 ? svc[0] : [...svc].sort().join(',')) : '');
    let index = node.get(dns) as number | undefined;
    if (index === undefined) {
      const address = number >= 0 ? addressIndex.interval(interval) : v4 ? (parseRange(v4) ?? null) : podSpace;
      index = groups.length;
      node.set(dns, index);
      const ns = namespaceLabels(pod.namespace);
      const labels: Record<string, string> = { ...pod.labels, 'projectcalico.org/namespace': pod.namespace, 'projectcalico.org/orchestrator': 'k8s' };
      for (const [k, v] of Object.entries(ns.labels)) labels[`pcns.${k}`] = v;
      if (sa) {
        labels['projectcalico.org/serviceaccount'] = sa;
        labels['pcsa.projectcalico.org/name'] = sa;
      }
      const named = new Map<string, Array<{ port: number; protocol: string }>>();
      for (const port of ports ?? []) named.set(port.name, [...(named.get(port.name) ?? []), { port: port.port, protocol: port.protocol }]);
      groups.push({
        kind: 'workload',
        key: index,
        namespace: pod.namespace,
        namespaceLabels: ns.labels,
        namespaceKnown: ns.known,
        labels,
        serviceAccount: sa,
        namedPorts: ports === null ? null : named,
        address,
        services: new Set(svc),
        name: '',
        pods: 0,
        podNames: [],
        coreDns: dns,
      });
      members.push([]);
      workloadsOf.push(new Set());
    }
    const group = groups[index]!;
    group.pods += 1;
    if (group.podNames.length < 3) group.podNames.push(pod.name);
    members[index]!.push(pod);
    workloadsOf[index]!.add(pod.workload ?? pod.name);
  }
  for (const [i, group] of groups.entries()) {
    const names = [...workloadsOf[i]!].sort();
    group.name = `${group.namespace}/${names[0]}${names.length > 1 ? ` (+${names.length - 1} more)` : ''}`;
  }
  const byNamespace = new Map<string, WorkloadEndpoint[]>();
  for (const group of groups) {
    const list = byNamespace.get(group.namespace);
    if (list) list.push(group);
    else byNamespace.set(group.namespace, [group]);
  }
  const namespaces = [...byNamespace.keys()].sort((a, b) => Number(isSystemNamespace(a)) - Number(isSystemNamespace(b)) || a.localeCompare(b));

  // Named ports the pods declare under names rules use become port edges too.
  for (const group of groups) {
    for (const [name, entries] of group.namedPorts ?? []) if (namedPorts.has(name)) for (const e of entries) addEdge(e.protocol, e.port, e.port);
  }
  const allPorts = atomsFor(['TCP', 'UDP'], portEdges);
  const unnamedPort = { TCP: unnamedPortOf(namedRanges, 'TCP'), UDP: unnamedPortOf(namedRanges, 'UDP') };

  const addressKeys = new Map<string, AddressEndpoint>();
  const address = (text: string, name: string): AddressEndpoint | null => {
    const cached = addressKeys.get(`${text}|${name}`);
    if (cached) return cached;
    const range = parseRange(text);
    if (!range) return null;
    const endpoint: AddressEndpoint = { kind: 'address', key: nextAddressKey--, range, name };
    addressKeys.set(`${text}|${name}`, endpoint);
    return endpoint;
  };

  const kubernetesService = services.find((s) => s.namespace === 'default' && s.name === 'kubernetes');
  let apiServer: ReachCluster['apiServer'] = null;
  const apiPort = kubernetesService?.ports.find((p) => p.protocol === 'TCP')?.port ?? 443;
  if (kubernetesService?.addresses.length) {
    apiServer = { endpoints: kubernetesService.addresses.flatMap((a) => address(a, `API server ${a}`) ?? []), port: apiPort, exact: true };
  } else {
    // EKS places the control plane's network interfaces in the cluster's subnets.
    const subnetIds = model.eks?.resourcesVpcConfig?.subnetIds ?? [];
    const subnets = (model.subnets ?? []).filter((s) => subnetIds.includes(s.SubnetId) && s.CidrBlock);
    if (subnetIds.length && subnets.length === subnetIds.length) {
      apiServer = { endpoints: subnets.flatMap((s) => address(s.CidrBlock!, `API server (an address in ${s.SubnetId} ${s.CidrBlock})`) ?? []), port: apiPort, exact: false };
    }
  }
  const vpcBase = model.vpcCidrs?.[0] ? parseRange(model.vpcCidrs[0]) : undefined;
  const resolvers = [
    ...(vpcBase && vpcBase.version === 4 ? [address(formatV4((vpcBase.lo as number) + 2), `VPC resolver ${formatV4((vpcBase.lo as number) + 2)}`)] : []),
    address(LINK_LOCAL_RESOLVER, `VPC resolver ${LINK_LOCAL_RESOLVER}`),
  ].filter((e): e is AddressEndpoint => !!e);

  const selections = new Map<string, Selection>();
  /** Per direction, per group (by key), the policies that select it, in evaluation order. */
  const indexSelections = (compiledSet: CompiledPolicies): Record<Direction, Array<Array<{ policy: CompiledPolicy; selects: Tri }>>> => {
    const lists = { ingress: groups.map(() => [] as Array<{ policy: CompiledPolicy; selects: Tri }>), egress: groups.map(() => [] as Array<{ policy: CompiledPolicy; selects: Tri }>) };
    for (const policy of compiledSet.policies) {
      const p = policy.policy;
      const ingress = p.types.includes('Ingress');
      const egress = p.types.includes('Egress');
      if (!ingress && !egress) continue;
      let scope: WorkloadEndpoint[];
      if (p.namespace !== null) scope = byNamespace.get(p.namespace) ?? [];
      else if (policy.namespaceSelector) scope = namespaces.filter((ns) => policySelectsNamespace(policy.namespaceSelector!, ns)).flatMap((ns) => byNamespace.get(ns)!);
      else scope = groups;
      for (const group of scope) {
        const selects = policySelects(policy, group);
        if (selects === NO) continue;
        if (ingress) lists.ingress[group.key]!.push({ policy, selects });
        if (egress) lists.egress[group.key]!.push({ policy, selects });
      }
    }
    return lists;
  };
  const policySelectsNamespace = (node: CompiledSelector, namespace: string): boolean => {
    const { labels, known } = namespaceLabels(namespace);
    return namespaceMatches(node, labels, known) !== NO;
  };
  let indexed: Record<Direction, Selection[]> | null = null;
  const evaluators = new Map<AtomSet, Evaluator>();

  const cluster: ReachCluster = {
    policies,
    compiled,
    context,
    groups,
    members,
    namespaces,
    byNamespace,
    namespaceLabels,
    podSpace,
    coreDns: groups.filter((g) => g.coreDns),
    coreDnsSource,
    apiServer,
    resolvers,
    internet: address(INTERNET_ADDRESS, `the internet (${INTERNET_ADDRESS})`)!,
    allPorts,
    unnamedPort,
    selection(direction, group) {
      if (group.key < 0 || group.key >= groups.length || groups[group.key] !== group) {
        // Not one of the cluster's groups (a probe): check every policy.
        const key = `${direction}:probe:${group.key}`;
        let found = selections.get(key);
        if (!found) {
          found = cluster.evaluator(allPorts).selection(direction, group);
          selections.set(key, found);
        }
        return found;
      }
      indexed ??= indexSelections(compiled);
      return indexed[direction][group.key] ?? [];
    },
    evaluator(atoms) {
      let evaluator = evaluators.get(atoms);
      if (!evaluator) {
        evaluator = new Evaluator(compiled, context, atoms);
        evaluators.set(atoms, evaluator);
      }
      return evaluator;
    },
    plan(evaluator, direction, group) {
      return evaluator.plan(direction, group, cluster.selection(direction, group));
    },
    address,
    withPolicies(other, withOptions = {}) {
      return buildReachCluster(model, other, withOptions);
    },
  };
  return cluster;
}

function formatV4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** A port of the protocol that no rule names (a rule's port or range, a named port's number), for "any traffic". */
function unnamedPortOf(named: ReadonlyArray<{ protocol: string; lo: number; hi: number }>, protocol: Protocol): number {
  const taken = named.filter((r) => r.protocol === protocol);
  const free = (port: number) => !taken.some((r) => port >= r.lo && port <= r.hi);
  for (const port of [12345, 23456, 34567, 45678, 54321, 2222, 1234]) if (free(port)) return port;
  for (let port = 1; port <= 65535; port++) if (free(port)) return port;
  return 12345;
}
