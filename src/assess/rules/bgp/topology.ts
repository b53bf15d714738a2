/** BGP topology the BGP rules share: who peers with whom, route reflectors, and the manifests that change them. */
import { selects } from '../../selector.js';
import type { BgpPeer, KubeNode } from '../../model.js';
import type { NodeFact } from '../../facts.js';
import { cmd, json, value, yaml, yamlLines, type Command, type Step, type Yaml } from '../../remediation.js';
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

const nodeName = (node: string) => value(node, 'node name');
const labelReflector = (node: string): Command => cmd('kubectl', 'label', 'node', nodeName(node), `${ROUTE_REFLECTOR_LABEL}=true`);

/** Commands that make `nodes` route reflectors (seed 002 "Global Route Reflection": label and cluster id). */
export function reflectorNodeCommands(nodes: readonly string[], clusterId = '244.0.0.1'): Step[] {
  return nodes.flatMap((node) => [
    labelReflector(node),
    cmd('calicoctl', 'patch', 'node', nodeName(node), '--patch', json({ spec: { bgp: { routeReflectorClusterID: clusterId } } })),
  ]);
}

/** A BGPPeer (v3) selecting nodes and peers by selector. */
const bgpPeerManifest = (name: string, nodeSelector: string, peerSelector: string): Yaml =>
  yaml`apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: ${name}
spec:
  nodeSelector: ${nodeSelector}
  peerSelector: ${peerSelector}`;

/** `calicoctl apply -f -` of a YAML document. */
export const calicoctlApply = (document: Yaml): Command => ({ ...cmd('calicoctl', 'apply', '-f', '-'), input: document });

/** Seed 002's reflector-to-reflector BGPPeer, selecting reflectors by label. */
export const REFLECTOR_TO_REFLECTOR_MANIFEST: Command = calicoctlApply(
  bgpPeerManifest('rr-to-rr-peer', `has(${ROUTE_REFLECTOR_LABEL})`, `has(${ROUTE_REFLECTOR_LABEL})`),
);

/** Seed 002's worker-to-reflector and reflector-to-reflector BGPPeers, selecting reflectors by label. */
export const REFLECTOR_PEERS_MANIFEST: Command = calicoctlApply(
  yamlLines(
    bgpPeerManifest('node-peer-to-rr', `!has(${ROUTE_REFLECTOR_LABEL})`, `has(${ROUTE_REFLECTOR_LABEL})`),
    yaml`---`,
    bgpPeerManifest('rr-to-rr-peer', `has(${ROUTE_REFLECTOR_LABEL})`, `has(${ROUTE_REFLECTOR_LABEL})`),
  ),
);

/**
 * Commands that make `nodes` route reflectors and peer every other node with them, as in seed 002
 * "Global Route Reflection". `unlabelledReflectors` are existing reflectors without the label the
 * peers select by: they only need the label.
 */
export function routeReflectorCommands(nodes: readonly string[], unlabelledReflectors: readonly string[] = []): Step[] {
  return [...unlabelledReflectors.map(labelReflector), ...reflectorNodeCommands(nodes), REFLECTOR_PEERS_MANIFEST];
}

/** Labels existing reflectors with the label the reflector BGPPeers select by. */
export const labelReflectorCommands = (nodes: readonly string[]): Step[] => nodes.map(labelReflector);

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
export function meshCommand(enabled: boolean, configurationExists: boolean): Command {
  if (configurationExists) return cmd('calicoctl', 'patch', 'bgpconfiguration', 'default', '--patch', json({ spec: { nodeToNodeMeshEnabled: enabled } }));
  return {
    ...cmd('calicoctl', 'create', '-f', '-'),
    input: yaml`apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  nodeToNodeMeshEnabled: ${enabled}`,
  };
}
