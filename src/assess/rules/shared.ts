/** Applicability tests and selections several rules share. */
import type { Facts, NodeFact, PoolFact } from '../facts.js';
import { cidrsOverlap, formatIpv4, parseCidr, type Ipv4Cidr } from '../ipv4.js';
import type { BgpPeer, ClusterModel, KubeNode, Policy } from '../model.js';
import { findDefaultDeny } from '../policy-analysis.js';
import { shellQuote, type RuleContext } from '../rule.js';
import { selects } from '../selector.js';

/** Routing, IPAM and encapsulation rules apply only where Calico routes pod traffic itself. */
export function calicoRoutesPods({ facts, need }: RuleContext): true | string {
  if (facts.calico.presence === 'absent') return 'Calico was not found in this cluster.';
  const routes = need(facts.calicoNetworking, 'calico.ippools', 'kubernetes.daemonSets', 'calico.installation');
  return routes ? true : `${facts.cni.label}: Calico neither routes nor allocates pod addresses.`;
}

/** Rules about Calico itself (datastore, Typha, policy, encryption) apply wherever Calico runs. */
export function calicoPresent({ facts, need }: RuleContext): true | string {
  if (facts.calico.presence === 'absent') return 'Calico was not found in this cluster.';
  if (facts.calico.presence === 'unknown') need(null, 'kubernetes.daemonSets', 'calico.installation');
  return true;
}

/** Enabled IPv4 pools that hand out workload addresses. */
export const poolsRoutingWorkloads = (pools: PoolFact[]): PoolFact[] => pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);

/** BGP rules apply where Calico routes pods and BIRD runs. */
export function calicoRunsBgp(context: RuleContext): true | string {
  const routes = calicoRoutesPods(context);
  if (routes !== true) return routes;
  const { bgp } = context.facts;
  const enabled = context.need(bgp.enabled, 'calico.installation', 'kubernetes.daemonSets');
  return enabled ? true : `BGP is off${bgp.source ? ` (${bgp.source})` : ''}: Calico distributes no routes over BGP.`;
}

/**
 * Rules about how pod routes travel over BGP apply where BGP runs and some pool needs it: IPIP and
 * native pools do, VXLAN pools (any mode) have Felix program their routes without BGP.
 */
export function podRoutesUseBgp(context: RuleContext): true | string {
  const runs = calicoRunsBgp(context);
  if (runs !== true) return runs;
  const pools = poolsRoutingWorkloads(context.need(context.facts.pools, 'calico.ippools'));
  if (!pools.length) return 'No enabled IPv4 pool hands out pod addresses, so BGP carries no pod routes.';
  return pools.some((p) => p.vxlanMode === 'Never')
    ? true
    : 'Every enabled pool uses VXLAN: pod routes do not travel over BGP (CAL-RT-04 asks to switch BGP off).';
}

/** Does a BGPPeer apply to this node: named by `node`, matched by `nodeSelector`, or global (neither)? */
export function peerAppliesTo(peer: BgpPeer, node: KubeNode): boolean {
  if (peer.node) return peer.node === node.name;
  if (peer.nodeSelector) return selects(peer.nodeSelector, node.labels);
  return true;
}

export interface BgpPeerings {
  /** Node → cluster nodes it has a BGP session with, in either direction. */
  sessions: Map<string, Set<string>>;
  /** Node → BGPPeers that give it a session to a router outside the cluster (`peerIP`). */
  external: Map<string, string[]>;
}

/**
 * The BGP sessions the BGPPeers configure (mesh aside). A peer applying to node A with a
 * `peerSelector` matching B peers A and B both ways: Calico configures the reverse session on B,
 * which is how route reflectors reach their clients. A `peerIP` naming a node's address is a
 * session with that node; any other `peerIP` is a router outside the cluster.
 */
export function bgpPeerings(peers: readonly BgpPeer[], nodes: readonly KubeNode[]): BgpPeerings {
  const sessions = new Map(nodes.map((n) => [n.name, new Set<string>()]));
  const external = new Map<string, string[]>();
  const byAddress = new Map<string, string>();
  for (const node of nodes) {
    for (const address of [node.internalIp, node.calicoIPv4Address?.split('/')[0]]) if (address) byAddress.set(address, node.name);
  }
  const connect = (a: string, b: string) => {
    if (a === b) return;
    sessions.get(a)?.add(b);
    sessions.get(b)?.add(a);
  };
  for (const peer of peers) {
    const applies = nodes.filter((n) => peerAppliesTo(peer, n));
    if (!applies.length) continue;
    const selected = peer.peerSelector ? nodes.filter((n) => selects(peer.peerSelector!, n.labels)) : [];
    const peerNode = peer.peerIP ? byAddress.get(peer.peerIP.replace(/:\d+$/, '')) : undefined;
    for (const node of applies) {
      for (const target of selected) connect(node.name, target.name);
      if (peerNode) connect(node.name, peerNode);
      else if (peer.peerIP && !peer.peerSelector) external.set(node.name, [...(external.get(node.name) ?? []), peer.name]);
    }
  }
  return { sessions, external };
}

/** The label the reference architecture's BGPPeers select route reflectors by (seed 002). */
export const ROUTE_REFLECTOR_LABEL = 'route-reflector';

/** Commands that make `nodes` route reflectors (seed 002 "Global Route Reflection": label and cluster id). */
export function reflectorNodeCommands(nodes: readonly string[], clusterId = '244.0.0.1'): string[] {
  return nodes.flatMap((node) => [
    `kubectl label node ${shellQuote(node)} ${ROUTE_REFLECTOR_LABEL}=true`,
    `calicoctl patch node ${shellQuote(node)} --patch '{"spec":{"bgp":{"routeReflectorClusterID":"${clusterId}"}}}'`,
  ]);
}

/** A BGPPeer (v3) selecting nodes and peers by selector, as manifest lines. */
const bgpPeerManifest = (name: string, nodeSelector: string, peerSelector: string): string[] => [
  'apiVersion: projectcalico.org/v3',
  'kind: BGPPeer',
  'metadata:',
  `  name: ${name}`,
  'spec:',
  `  nodeSelector: ${nodeSelector}`,
  `  peerSelector: ${peerSelector}`,
];

/** Seed 002's reflector-to-reflector BGPPeer, selecting reflectors by label. */
export const REFLECTOR_TO_REFLECTOR_MANIFEST: readonly string[] = [
  `calicoctl apply -f - <<'EOF'`,
  ...bgpPeerManifest('rr-to-rr-peer', `has(${ROUTE_REFLECTOR_LABEL})`, `has(${ROUTE_REFLECTOR_LABEL})`),
  'EOF',
];

/** Seed 002's worker-to-reflector and reflector-to-reflector BGPPeers, selecting reflectors by label. */
export const REFLECTOR_PEERS_MANIFEST: readonly string[] = [
  `calicoctl apply -f - <<'EOF'`,
  ...bgpPeerManifest('node-peer-to-rr', `"!has(${ROUTE_REFLECTOR_LABEL})"`, `has(${ROUTE_REFLECTOR_LABEL})`),
  '---',
  ...bgpPeerManifest('rr-to-rr-peer', `has(${ROUTE_REFLECTOR_LABEL})`, `has(${ROUTE_REFLECTOR_LABEL})`),
  'EOF',
];

/**
 * The head of a GlobalNetworkPolicy that runs just ahead of the default deny, in its tier, for
 * `calicoctl apply -f -` (the caller adds selectors and rules, then `EOF`).
 */
export function policyAheadOfDenyHead(deny: Policy, baseName: string): string[] {
  return [
    `calicoctl apply -f - <<'EOF'`,
    'apiVersion: projectcalico.org/v3',
    'kind: GlobalNetworkPolicy',
    'metadata:',
    `  name: ${deny.tier === 'default' ? baseName : `${deny.tier}.${baseName}`}`,
    'spec:',
    ...(deny.tier === 'default' ? [] : [`  tier: ${deny.tier}`]),
    `  order: ${deny.order === null ? 2000 : deny.order - 10}`,
  ];
}

/**
 * Commands that make `nodes` route reflectors and peer every other node with them, as in seed 002
 * "Global Route Reflection". `unlabelledReflectors` are existing reflectors without the label the
 * peers select by: they only need the label.
 */
export function routeReflectorCommands(nodes: readonly string[], unlabelledReflectors: readonly string[] = []): string[] {
  return [
    ...unlabelledReflectors.map((node) => `kubectl label node ${shellQuote(node)} ${ROUTE_REFLECTOR_LABEL}=true`),
    ...reflectorNodeCommands(nodes),
    ...REFLECTOR_PEERS_MANIFEST,
  ];
}

/**
 * Nodes to make route reflectors so that, with `existing` ones, there are at least two and one in
 * each subnet holding nodes (seed 002); ready nodes first, by name, so the advice is stable.
 */
export function suggestReflectors(nodes: readonly NodeFact[], existing: readonly string[]): string[] {
  const chosen = new Set(existing);
  const candidates = [...nodes]
    .filter((n) => !chosen.has(n.name))
    .sort((a, b) => Number(b.ready !== false) - Number(a.ready !== false) || a.name.localeCompare(b.name));
  const picked: string[] = [];
  const pick = (node: NodeFact | undefined) => {
    if (!node || chosen.has(node.name)) return;
    chosen.add(node.name);
    picked.push(node.name);
  };
  const subnets = [...new Set(nodes.map((n) => n.subnetId).filter((s): s is string => s !== null))].sort();
  for (const subnet of subnets) {
    if (!nodes.some((n) => n.subnetId === subnet && chosen.has(n.name))) pick(candidates.find((n) => n.subnetId === subnet));
  }
  for (const node of candidates) {
    if (chosen.size >= 2) break;
    pick(node);
  }
  return picked;
}

/** Switches the node-to-node mesh on or off, creating the `default` BGPConfiguration if it is absent. */
export function meshCommand(enabled: boolean, configurationExists: boolean): string {
  if (configurationExists) {
    return `calicoctl patch bgpconfiguration default --patch '{"spec":{"nodeToNodeMeshEnabled":${enabled}}}'`;
  }
  return [
    `calicoctl create -f - <<'EOF'`,
    'apiVersion: projectcalico.org/v3',
    'kind: BGPConfiguration',
    'metadata:',
    '  name: default',
    'spec:',
    `  nodeToNodeMeshEnabled: ${enabled}`,
    'EOF',
  ].join('\n');
}

/** Private ranges a new pool is carved from, most conventional first. */
const POOL_SPACES = ['192.168.0.0/16', '172.16.0.0/12', '10.0.0.0/8', '100.64.0.0/10'];

/** The first private IPv4 range of `prefix` length that overlaps none of `taken` (pools, VPC, services), or null. */
export function freePoolCidr(prefix: number, taken: readonly string[]): string | null {
  const used = taken.map((t) => parseCidr(t)).filter((c): c is Ipv4Cidr => c !== undefined);
  const size = 2 ** (32 - prefix);
  for (const space of POOL_SPACES.map((s) => parseCidr(s)!)) {
    if (prefix < space.prefix) continue;
    let base = space.base;
    while (base + size <= space.base + space.size) {
      const candidate: Ipv4Cidr = { text: '', base, prefix, size };
      const clash = used.find((u) => cidrsOverlap(u, candidate));
      if (!clash) return `${formatIpv4(base)}/${prefix}`;
      // Skip past the clashing range, staying aligned to the candidate size.
      base = Math.max(base + size, Math.ceil((clash.base + clash.size) / size) * size);
    }
  }
  return null;
}

/** A pasteable `calicoctl apply` of a new IPv4 pool shaped like `like` (encapsulation, block size, selector). */
export function ipPoolManifest(name: string, cidr: string, like: PoolFact | undefined): string {
  return [
    `calicoctl apply -f - <<'EOF'`,
    'apiVersion: projectcalico.org/v3',
    'kind: IPPool',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  cidr: ${cidr}`,
    `  blockSize: ${like?.blockSize ?? 26}`,
    `  ipipMode: ${like?.ipipMode ?? 'Never'}`,
    `  vxlanMode: ${like?.vxlanMode ?? 'Always'}`,
    // Pods outside the VPC's ranges need NAT to reach it and beyond (CAL-RT-06).
    '  natOutgoing: true',
    `  nodeSelector: ${JSON.stringify(like?.nodeSelector ?? 'all()')}`,
    'EOF',
  ].join('\n');
}

/**
 * What the CAL-POL rules judge: every enforced policy, the namespaces, the tiers and the cluster-wide
 * default deny. Unknown when a policy list was not collected (`model.policies` is then null).
 */
export function clusterPolicies({ model, need }: RuleContext) {
  const policies = need(model.policies, 'calico.globalNetworkPolicies', 'calico.networkPolicies', 'kubernetes.networkPolicies');
  const defaultDeny = findDefaultDeny(policies, model.namespaces, model.tiers);
  // Without the namespaces' labels or the deny's tier order, a deny that looks complete may not be:
  // believe it only with both. Finding none needs neither (they only remove candidates).
  if (defaultDeny) {
    need(model.namespaces, 'kubernetes.namespaces');
    if (defaultDeny.tier !== 'default') need(model.tiers, 'calico.tiers');
  }
  return { policies, namespaces: model.namespaces, tiers: model.tiers, defaultDeny };
}

/**
 * A Calico policy's name as `calicoctl` takes it: bare in the `default` tier (raw CRDs store it
 * as `default.<name>`), as stored in any other tier (`<tier>.<name>` where the tier prefix is used).
 */
export const calicoPolicyName = (policy: Policy): string => (policy.tier === 'default' ? policy.name : policy.ref.name);

/**
 * Where a Felix setting in force is decided: calico-node's `FELIX_<FIELD>` environment variable
 * when it sets one (Felix gives it precedence), else the `default` FelixConfiguration.
 */
export function felixSetting(model: ClusterModel, field: string) {
  const envName = `FELIX_${field.toUpperCase()}`;
  const fromEnv = !!model.felix?.sources.some((s) => s.kind === 'calico-node env' && s.name === envName);
  return fromEnv
    ? { object: `calico-node env ${envName}`, field: 'value', fromEnv, envName }
    : { object: 'FelixConfiguration default', field: `spec.${field}`, fromEnv, envName };
}

/** A pasteable command that changes a Felix setting where it is decided (see `felixSetting`). */
export function setFelixCommand(model: ClusterModel, field: string, value: string | boolean): string {
  const { fromEnv, envName } = felixSetting(model, field);
  if (!fromEnv) return `kubectl patch felixconfiguration default --type merge -p '${JSON.stringify({ spec: { [field]: value } })}'`;
  const calicoNode = model.components?.calicoNode;
  return [
    ...(model.install.method === 'operator'
      ? [`# The operator sets ${envName} on calico-node and reverts direct edits: change it where the operator takes it from; meanwhile:`]
      : []),
    `kubectl -n ${calicoNode?.namespace ?? 'kube-system'} set env daemonset/${calicoNode?.name ?? 'calico-node'} ${envName}=${value}`,
  ].join('\n');
}

/**
 * The upstream manifest a manifest install most likely came from (calico.yaml, calico-vxlan.yaml,
 * calico-typha.yaml, calico-policy-only.yaml), so upgrade and Typha commands keep its shape.
 */
export function calicoManifestFile(facts: Facts, withTypha = facts.typha.configured === true): string {
  if (facts.calicoNetworking === false) return 'calico-policy-only.yaml';
  if (withTypha) return 'calico-typha.yaml';
  if (facts.bgp.enabled === false && facts.encapsulation?.vxlan) return 'calico-vxlan.yaml';
  return 'calico.yaml';
}
