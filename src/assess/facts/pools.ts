/** IP pools as Calico uses them: encapsulation, capacity in blocks, allocations, and the IPAM totals. */
import type { ClusterModel, IpPool } from '../model.js';
import { cidrContains, parseCidr } from '../ipv4.js';
export type PoolEncapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None' | 'IPIP+VXLAN';

export interface PoolFact {
  name: string;
  cidr: string | null;
  ipVersion: 4 | 6;
  blockSize: number;
  ipipMode: string;
  vxlanMode: string;
  natOutgoing: boolean;
  disabled: boolean;
  nodeSelector: string;
  encapsulation: PoolEncapsulation;
  /** Routes pod traffic: enabled, for workloads. */
  routesWorkloads: boolean;
  /** `2^(32 − prefix)` addresses; `2^(blockSize − prefix)` blocks: one node needs at least one. */
  addresses: number | null;
  addressesPerBlock: number | null;
  blocks: number | null;
  blocksInUse: number | null;
  allocated: number | null;
  utilisation: number | null;
  outsideVpc: boolean | null;
  legacyFields: string[];
}

/**
 * The pools that route pods (enabled, IPv4, for workloads) taken together: the IPAM key facts.
 * `blocks` is the most nodes they can serve (each node claims at least one); `addressesPerBlock`
 * is set when every pool uses the same block size.
 */
export type IpamFact = { pools: number } & Pick<PoolFact, 'addresses' | 'addressesPerBlock' | 'blocks' | 'blocksInUse' | 'allocated' | 'utilisation'>;

export function poolEncapsulation(pool: IpPool): PoolEncapsulation {
  if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') return 'IPIP+VXLAN';
  if (pool.vxlanMode === 'Always') return 'VXLAN';
  if (pool.vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  if (pool.ipipMode === 'Always') return 'IPIP';
  if (pool.ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  return 'None';
}

export function poolFacts(model: ClusterModel): PoolFact[] | null {
  if (!model.ippools) return null;
  const vpcCidrs = model.vpcCidrs?.map(parseCidr).filter((c) => c !== undefined) ?? null;
  const blocks = model.ipamBlocks?.map((b) => ({ block: b, cidr: parseCidr(b.cidr ?? undefined) })) ?? null;
  return model.ippools.map((pool) => {
    const cidr = pool.ipVersion === 4 ? parseCidr(pool.cidr ?? undefined) : undefined;
    const sized = cidr && pool.blockSize >= cidr.prefix && pool.blockSize <= 32;
    const inPool = cidr && blocks ? blocks.filter((b) => b.cidr && cidrContains(cidr, b.cidr)) : null;
    const allocated = inPool ? inPool.reduce((sum, b) => sum + b.block.allocated, 0) : null;
    return {
      name: pool.name,
      cidr: pool.cidr,
      ipVersion: pool.ipVersion,
      blockSize: pool.blockSize,
      ipipMode: pool.ipipMode,
      vxlanMode: pool.vxlanMode,
      natOutgoing: pool.natOutgoing,
      disabled: pool.disabled,
      nodeSelector: pool.nodeSelector,
      encapsulation: poolEncapsulation(pool),
      routesWorkloads: !pool.disabled && pool.allowedUses.includes('Workload'),
      addresses: cidr ? cidr.size : null,
      addressesPerBlock: sized ? 2 ** (32 - pool.blockSize) : null,
      blocks: sized ? 2 ** (pool.blockSize - cidr.prefix) : null,
      blocksInUse: inPool ? inPool.length : null,
      allocated,
      utilisation: cidr && allocated !== null ? Math.round((allocated / cidr.size) * 10000) / 10000 : null,
      outsideVpc: cidr && vpcCidrs ? !vpcCidrs.some((v) => cidrContains(v, cidr)) : null,
      legacyFields: pool.legacyFields,
    };
  });
}

/** The pools that route pods, taken together: addresses, blocks (= the most nodes they can serve), allocation. */
export function ipamFacts(pools: PoolFact[] | null): IpamFact | null {
  if (!pools) return null;
  const routing = pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);
  const sum = (pick: (p: PoolFact) => number | null) =>
    routing.every((p) => pick(p) !== null) ? routing.reduce((total, p) => total + pick(p)!, 0) : null;
  const addresses = sum((p) => p.addresses);
  const allocated = sum((p) => p.allocated);
  const perBlock = [...new Set(routing.map((p) => p.addressesPerBlock))];
  return {
    pools: routing.length,
    addresses,
    addressesPerBlock: perBlock.length === 1 ? perBlock[0]! : null,
    blocks: sum((p) => p.blocks),
    blocksInUse: sum((p) => p.blocksInUse),
    allocated,
    utilisation: addresses && allocated !== null ? Math.round((allocated / addresses) * 10000) / 10000 : null,
  };
}
