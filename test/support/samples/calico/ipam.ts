/**
 * Calico IPAM: affine blocks claimed per node from the pool that selects it, addresses handed out
 * in order (tunnel addresses first, as calico-node claims them at start-up), the IPAMBlock objects,
 * and the per-node addresses Calico records as node annotations.
 */
import type { Cluster, NodeInfo } from '../cluster.js';
import { DAY, digest, hexOf, kubeTime, MINUTE, numberOf, uuidOf } from '../deterministic.js';
import { intToIp, parseCidr } from '../ipv4.js';
import { nodeLabels } from '../kubernetes/node-labels.js';
import type { Json } from '../plan.js';

export interface BlockState {
  /** Index of its pool in the plan. */
  pool: number;
  cidr: string;
  base: number;
  size: number;
  node: string;
  allocations: Array<number | null>;
  attributes: Json[];
}

/** Enough of Calico's selector language to place nodes in pools: `all()`, `k == 'v'`, `has(k)`, `!has(k)`. */
function nodeSelected(selector: string | undefined, labels: Record<string, string>): boolean {
  const source = (selector ?? 'all()').trim();
  if (source === '' || source === 'all()') return true;
  const equals = /^([\w./-]+)\s*==\s*['"]([^'"]*)['"]$/.exec(source);
  if (equals) return labels[equals[1]!] === equals[2];
  const has = /^(!?)has\(([\w./-]+)\)$/.exec(source);
  if (has) return (has[1] === '!') !== (has[2]! in labels);
  throw new Error(`builder cannot place nodes with pool selector ${source}`);
}

/** Go's `time.Time.String()` in UTC, as Calico writes IPAM attribute timestamps. */
const goTime = (ms: number): string => `${kubeTime(ms).replace('T', ' ').replace('Z', '')}.${String((ms % 1000) * 1_000_000 + 123_456).padStart(9, '0')} +0000 UTC`;

/** The pool a new block comes from: the first enabled one that selects the node, or the one named (a pool being drained). */
function poolFor(cluster: Cluster, node: NodeInfo, named?: string): number {
  const calico = cluster.calico!;
  if (named) return calico.pools.findIndex((p) => p.name === named);
  const labels = nodeLabels(cluster, node);
  return calico.pools.findIndex((p) => !p.disabled && nodeSelected(p.nodeSelector, labels));
}

function allocateBlock(cluster: Cluster, node: NodeInfo, poolIndex: number): BlockState {
  const calico = cluster.calico!;
  const pool = calico.pools[poolIndex];
  if (!pool) throw new Error(`no enabled pool selects node ${node.name}`);
  const cidr = parseCidr(pool.cidr);
  const size = 2 ** (32 - pool.blockSize);
  const cursor = cluster.poolCursors[poolIndex]!;
  if ((cursor + 1) * size > cidr.size) throw new Error(`pool ${pool.name} (${pool.cidr}) has no free /${pool.blockSize} block left`);
  cluster.poolCursors[poolIndex] = cursor + 1;
  const block: BlockState = {
    pool: poolIndex,
    cidr: `${intToIp(cidr.base + cursor * size)}/${pool.blockSize}`,
    base: cidr.base + cursor * size,
    size,
    node: node.name,
    allocations: new Array<number | null>(size).fill(null),
    attributes: [],
  };
  node.blocks.push(block);
  cluster.blocks.push(block);
  return block;
}

/** Calico IPAM: the next free ordinal in the node's affine blocks, claiming a new block when full. */
function allocateCalicoAddress(cluster: Cluster, node: NodeInfo, attribute: Json, poolName?: string): string {
  const poolIndex = poolFor(cluster, node, poolName);
  let block = node.blocks.find((b) => b.pool === poolIndex && b.allocations.includes(null));
  block ??= allocateBlock(cluster, node, poolIndex);
  const ordinal = block.allocations.indexOf(null);
  block.allocations[ordinal] = block.attributes.length;
  block.attributes.push(attribute);
  return intToIp(block.base + ordinal);
}

/** A pod's address, with the attributes Calico's CNI plugin records for it; from a draining pool for the workloads that still hold its addresses. */
export function allocatePodAddress(cluster: Cluster, node: NodeInfo, namespace: string, name: string, workload?: string): string {
  const containerId = digest(cluster.seed('container', namespace, name));
  const draining = cluster.calico?.pools.find((p) => p.disabled && workload && p.drainingWorkloads?.includes(`${namespace}/${workload}`));
  return allocateCalicoAddress(cluster, node, {
    handle_id: `k8s-pod-network.${containerId}`,
    secondary: {
      namespace,
      node: node.name,
      pod: name,
      timestamp: goTime(Math.max(node.launchMs, cluster.now - numberOf(cluster.seed('pod', namespace, name), 20 * DAY)) + 2 * MINUTE),
    },
  }, draining?.name);
}

/** Tunnel and WireGuard addresses, claimed first in each node's block as calico-node does at start-up. */
export function allocateTunnels(cluster: Cluster): void {
  const calico = cluster.calico;
  if (!calico || !cluster.isCalicoCni) return;
  // A pool being drained keeps the IP-in-IP tunnel addresses calico-node claimed from it before it was disabled.
  const ipipPool = calico.pools.find((p) => (!p.disabled || p.drainingWorkloads?.length) && p.ipipMode !== 'Never');
  const vxlan = calico.pools.some((p) => !p.disabled && p.vxlanMode !== 'Never');
  for (const node of cluster.nodes) {
    const tunnel = (kind: string, type: string, pool?: string) =>
      allocateCalicoAddress(cluster, node, { handle_id: `${kind}-tunnel-addr-${node.name}`, secondary: { node: node.name, type } }, pool);
    if (ipipPool) node.tunnels.ipip = tunnel('ipip', 'ipipTunnelAddress', ipipPool.disabled ? ipipPool.name : undefined);
    if (vxlan) node.tunnels.vxlan = tunnel('vxlan', 'vxlanTunnelAddress');
    if (calico.wireguard) node.tunnels.wireguard = tunnel('wireguard', 'wireguardTunnelAddress');
  }
}

/** The per-node data Calico keeps as annotations with the Kubernetes datastore. */
export function calicoAnnotations(cluster: Cluster, node: NodeInfo): Record<string, string> {
  const calico = cluster.calico;
  if (!calico) return {};
  const out: Record<string, string> = {
    'projectcalico.org/IPv4Address': `${node.ip}/${node.plan.calicoAddressPrefix ?? node.subnet.prefix}`,
  };
  if (node.tunnels.ipip) out['projectcalico.org/IPv4IPIPTunnelAddr'] = node.tunnels.ipip;
  if (node.tunnels.vxlan) {
    out['projectcalico.org/IPv4VXLANTunnelAddr'] = node.tunnels.vxlan;
    const mac = hexOf(cluster.seed('vxlan-mac', node.name), 10).match(/../g)!;
    out['projectcalico.org/VXLANTunnelMACAddr'] = ['66', ...mac].join(':');
  }
  if (calico.wireguard) {
    if (node.tunnels.wireguard) out['projectcalico.org/IPv4WireguardInterfaceAddr'] = node.tunnels.wireguard;
    out['projectcalico.org/WireguardPublicKey'] = Buffer.from(hexOf(cluster.seed('wg-public-key', node.name), 64), 'hex').toString('base64');
  }
  return out;
}

export function ipamBlockObject(cluster: Cluster, block: BlockState): Json {
  const allocated = block.allocations.flatMap((slot, ordinal) => (slot === null ? [] : [ordinal]));
  const seed = cluster.seed('IPAMBlock', block.cidr);
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPAMBlock',
    metadata: {
      creationTimestamp: kubeTime(cluster.createdMs(seed)),
      generation: allocated.length + 1,
      name: block.cidr.replace(/[./]/g, '-'),
      resourceVersion: String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000)),
      uid: uuidOf(seed),
    },
    spec: {
      affinity: `host:${block.node}`,
      allocations: block.allocations,
      attributes: block.attributes,
      cidr: block.cidr,
      deleted: false,
      sequenceNumber: allocated.length,
      sequenceNumberForAllocation: Object.fromEntries(allocated.map((ordinal, i) => [String(ordinal), i])),
      strictAffinity: false,
      unallocated: block.allocations.flatMap((slot, ordinal) => (slot === null ? [ordinal] : [])),
    },
  };
}
