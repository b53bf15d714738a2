/**
 * IP pools as Calico uses them: encapsulation, capacity in blocks per pool over the nodes its
 * `nodeSelector` selects, allocations, whether a disabled pool still routes pods, and whether the
 * VPC routes the pool's addresses back to the nodes.
 */
import type { ClusterModel, IpPool } from '../model.js';
import { cidrContains, cidrsOverlap, parseCidr, type Ipv4Cidr } from '../ipv4.js';
import { cidr6Contains, parseCidr6 } from '../ipv6.js';
import { selects } from '../selector.js';
import type { GrowthFact } from './growth.js';
import type { NodeFact } from './nodes.js';
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
  /** Hands out new pod addresses: enabled, for workloads. */
  routesWorkloads: boolean;
  /**
   * Disabled, yet pods still hold addresses from it (allocations in its IPAM blocks): Calico keeps
   * routing them, with the pool's encapsulation, until they restart. Null when disabled and the
   * IPAM blocks were not collected.
   */
  draining: boolean | null;
  /** Routes pod traffic now: hands out addresses, or drains. Null when a disabled pool's allocations are unknown. */
  carriesTraffic: boolean | null;
  /** `2^(32 − prefix)` addresses; `2^(blockSize − prefix)` blocks: one node needs at least one. */
  addresses: number | null;
  addressesPerBlock: number | null;
  blocks: number | null;
  blocksInUse: number | null;
  allocated: number | null;
  utilisation: number | null;
  outsideVpc: boolean | null;
  /** Nodes its `nodeSelector` selects now (IPv4 pools that hand out addresses; else null). */
  nodesSelected: number | null;
  /** The most nodes it may have to serve as the cluster grows; null when growth is unknown. */
  nodesMax: number | null;
  /**
   * Whether the VPC routes the pool's addresses back to the nodes: `true` when a route in every
   * collected route table sends them to a node; `false` when none does (outside the VPC, or inside a
   * VPC CIDR, where no ENI owns pod addresses); null when the route tables or VPC were not collected.
   */
  vpcRoutesBack: boolean | null;
  /** Why, in words, for evidence. */
  vpcRouteNote: string | null;
  legacyFields: string[];
}

/**
 * The nodes the pools that hand out addresses serve, grouped by which of those pools select them
 * (now, and the nodes each source of growth may add). A node may take blocks from any pool in its
 * set; a source's added nodes may land in any pool set its nodes show (the worst case for each).
 */
export interface IpamDemand {
  now: Array<{ pools: string[]; nodes: number }>;
  growth: Array<{ source: string; extra: number; poolSets: string[][] }>;
  /** Every source of nodes is bounded: the growth list is complete. */
  growthKnown: boolean;
}

/**
 * The pools that route pods (enabled, IPv4, for workloads) taken together: the IPAM key facts.
 * `blocks` is the most nodes they can serve (each node claims at least one); `addressesPerBlock`
 * is set when every pool uses the same block size.
 */
export type IpamFact = { pools: number; demand: IpamDemand | null } & Pick<PoolFact, 'addresses' | 'addressesPerBlock' | 'blocks' | 'blocksInUse' | 'allocated' | 'utilisation'>;

export function poolEncapsulation(pool: IpPool): PoolEncapsulation {
  if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') return 'IPIP+VXLAN';
  if (pool.vxlanMode === 'Always') return 'VXLAN';
  if (pool.vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  if (pool.ipipMode === 'Always') return 'IPIP';
  if (pool.ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  return 'None';
}

/** Pools that hand out pod addresses: enabled IPv4 workload pools. */
const handsOut = (pool: IpPool) => pool.ipVersion === 4 && !pool.disabled && pool.allowedUses.includes('Workload');

export function poolFacts(model: ClusterModel, nodes: NodeFact[] | null, growth: GrowthFact): PoolFact[] | null {
  if (!model.ippools) return null;
  const vpcCidrs = model.vpcCidrs?.map(parseCidr).filter((c) => c !== undefined) ?? null;
  // No IPAM block at all while pods hold pod-network addresses: the blocks were not (fully) read, so
  // allocation is unknown — never "0 allocated", which the running pods contradict.
  const poolRanges = model.ippools.map((p) => parseCidr(p.cidr ?? undefined)).filter((c) => c !== undefined);
  const blocksMissed =
    model.ipamBlocks?.length === 0 &&
    (model.pods ?? []).some((p) => {
      const address = !p.hostNetwork && p.podIP ? parseCidr(`${p.podIP}/32`) : undefined;
      return address !== undefined && poolRanges.some((range) => cidrContains(range, address));
    });
  const blocks = blocksMissed
    ? null
    : (model.ipamBlocks?.map((b) => ({ block: b, cidr: parseCidr(b.cidr ?? undefined), cidr6: parseCidr6(b.cidr ?? undefined) })) ?? null);
  const demand = ipamDemand(model, nodes, growth);
  const returnRoute = vpcReturnRoutes(model);
  return model.ippools.map((pool) => {
    const cidr = pool.ipVersion === 4 ? parseCidr(pool.cidr ?? undefined) : undefined;
    const sized = cidr && pool.blockSize >= cidr.prefix && pool.blockSize <= 32;
    const inPool = cidr && blocks ? blocks.filter((b) => b.cidr && cidrContains(cidr, b.cidr)) : null;
    const allocated = inPool ? inPool.reduce((sum, b) => sum + b.block.allocated, 0) : null;
    const cidr6 = pool.ipVersion === 6 ? parseCidr6(pool.cidr ?? undefined) : undefined;
    const allocated6 = cidr6 && blocks ? blocks.filter((b) => b.cidr6 && cidr6Contains(cidr6, b.cidr6)).reduce((sum, b) => sum + b.block.allocated, 0) : null;
    const forWorkloads = pool.allowedUses.includes('Workload');
    const held = pool.ipVersion === 6 ? allocated6 : allocated;
    const draining = !pool.disabled || !forWorkloads ? false : held === null ? null : held > 0;
    const routesWorkloads = !pool.disabled && forWorkloads;
    const serving = handsOut(pool) && demand;
    const outsideVpc = cidr && vpcCidrs ? !vpcCidrs.some((v) => cidrContains(v, cidr)) : null;
    const route = cidr ? returnRoute(cidr, inPool?.map((b) => b.cidr!) ?? null, outsideVpc) : { routed: null, note: null };
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
      routesWorkloads,
      draining,
      carriesTraffic: routesWorkloads ? true : draining,
      addresses: cidr ? cidr.size : null,
      addressesPerBlock: sized ? 2 ** (32 - pool.blockSize) : null,
      blocks: sized ? 2 ** (pool.blockSize - cidr.prefix) : null,
      blocksInUse: inPool ? inPool.length : null,
      allocated,
      utilisation: cidr && allocated !== null ? Math.round((allocated / cidr.size) * 10000) / 10000 : null,
      outsideVpc,
      nodesSelected: serving ? demand.now.filter((d) => d.pools.includes(pool.name)).reduce((sum, d) => sum + d.nodes, 0) : null,
      nodesMax:
        serving && demand.growthKnown
          ? demand.now.filter((d) => d.pools.includes(pool.name)).reduce((sum, d) => sum + d.nodes, 0) +
            demand.growth.filter((g) => g.poolSets.some((set) => set.includes(pool.name))).reduce((sum, g) => sum + g.extra, 0)
          : null,
      vpcRoutesBack: route.routed,
      vpcRouteNote: route.note,
      legacyFields: pool.legacyFields,
    };
  });
}

/** Which pools (that hand out addresses) select a node with these labels, as a sorted list. */
function selectingPools(pools: IpPool[], labels: Record<string, string>): string[] {
  return pools.filter((p) => selects(p.nodeSelector, labels)).map((p) => p.name).sort();
}

/** The nodes the address-handing pools serve, by pool set, now and as each source of nodes grows. */
function ipamDemand(model: ClusterModel, nodes: NodeFact[] | null, growth: GrowthFact): IpamDemand | null {
  if (!model.ippools || !model.nodes || !nodes) return null;
  const pools = model.ippools.filter(handsOut);
  const labelsOf = new Map(model.nodes.map((n) => [n.name, n.labels]));
  const now = new Map<string, { pools: string[]; nodes: number }>();
  const setsBySource = new Map<string, Map<string, string[]>>();
  for (const node of nodes) {
    const set = selectingPools(pools, labelsOf.get(node.name) ?? {});
    const key = set.join(',');
    const entry = now.get(key) ?? { pools: set, nodes: 0 };
    entry.nodes += 1;
    now.set(key, entry);
    if (node.group) {
      const sets = setsBySource.get(node.group) ?? new Map<string, string[]>();
      sets.set(key, set);
      setsBySource.set(node.group, sets);
    }
  }
  const growthUnits = growth.sources
    .filter((s) => s.limit !== null && s.limit > s.nodesNow)
    .map((s) => ({
      source: `${s.kind} ${s.name}`,
      extra: s.limit! - s.nodesNow,
      // A group with nodes adds nodes like them; an empty one, nodes with the labels it declares.
      poolSets: [...(setsBySource.get(s.id)?.values() ?? [selectingPools(pools, s.labels)])].filter((set) => set.length > 0),
    }))
    .filter((g) => g.poolSets.length > 0);
  return { now: [...now.values()].filter((d) => d.pools.length > 0), growth: growthUnits, growthKnown: growth.maxNodes !== null };
}

/**
 * Whether the VPC routes a pool's addresses back to the nodes. The VPC delivers an address inside
 * its CIDRs only to the ENI that owns it, and pod addresses from a Calico pool are owned by none;
 * an address outside its CIDRs leaves by the default route. Either way, replies reach a pod only
 * when a route sends its addresses to a node (an instance or one of its ENIs) — the whole pool, or
 * every block in use — in every route table collected for the cluster's subnets.
 */
function vpcReturnRoutes(model: ClusterModel) {
  const tables = model.routeTables;
  const nodeInstances = new Set((model.instances ?? []).map((i) => i.InstanceId));
  const nodeInterfaces = new Set((model.instances ?? []).flatMap((i) => (i.NetworkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId ?? '')).filter(Boolean));
  const routesToNodes =
    tables?.map((t) => ({
      id: t.RouteTableId,
      routes: (t.Routes ?? [])
        .filter((r) => (r.InstanceId && nodeInstances.has(r.InstanceId)) || (r.NetworkInterfaceId && nodeInterfaces.has(r.NetworkInterfaceId)))
        .map((r) => parseCidr(r.DestinationCidrBlock))
        .filter((c): c is Ipv4Cidr => c !== undefined),
    })).map((t) => ({ id: t.id, routes: routeIndex(t.routes) })) ?? null;
  const vpcCidrs = model.vpcCidrs?.map((text) => ({ text, cidr: parseCidr(text) })) ?? null;

  return (pool: Ipv4Cidr, blocksInUse: Array<Ipv4Cidr> | null, outsideVpc: boolean | null): { routed: boolean | null; note: string | null } => {
    const where =
      outsideVpc === true
        ? `outside the VPC's CIDRs (${(vpcCidrs ?? []).map((v) => v.text).join(', ')})`
        : outsideVpc === false
          ? `inside the VPC's CIDR ${vpcCidrs?.find((v) => v.cidr && cidrContains(v.cidr, pool))?.text ?? vpcCidrs?.find((v) => v.cidr && cidrsOverlap(v.cidr, pool))?.text ?? ''}, where no ENI owns pod addresses`
          : 'where the VPC could not be read';
    if (!routesToNodes || outsideVpc === null || model.instances === null) return { routed: null, note: `${where}; the route tables or instances were not collected` };
    if (!routesToNodes.length) return { routed: false, note: `${where}, and no route table was found` };
    const carries = (routes: RouteIndex) => routes.covers(pool) || (!!blocksInUse?.length && blocksInUse.every((block) => routes.covers(block)));
    const carrying = routesToNodes.filter((t) => carries(t.routes));
    if (carrying.length === routesToNodes.length) return { routed: true, note: `${where}, but routes in ${carrying.map((t) => t.id).join(', ')} send its addresses to the nodes` };
    const lacking = routesToNodes.filter((t) => !carries(t.routes)).map((t) => t.id);
    return { routed: false, note: `${where}, and no route in ${lacking.join(', ')} sends its addresses to a node` };
  };
}

interface RouteIndex {
  /** Some route's destination holds the whole range. */
  covers(range: Ipv4Cidr): boolean;
}

/** Routes by prefix length, so "does a route hold this block" costs one lookup per length, not one per route. */
function routeIndex(routes: Ipv4Cidr[]): RouteIndex {
  const byPrefix = new Map<number, Set<number>>();
  for (const route of routes) {
    const bases = byPrefix.get(route.prefix) ?? new Set<number>();
    bases.add(route.base);
    byPrefix.set(route.prefix, bases);
  }
  return {
    covers: (range) => {
      for (const [prefix, bases] of byPrefix) {
        if (prefix > range.prefix) continue;
        const size = 2 ** (32 - prefix);
        if (bases.has(range.base - (range.base % size))) return true;
      }
      return false;
    },
  };
}

/** The pools that route pods, taken together: addresses, blocks (= the most nodes they can serve), allocation, and the nodes they serve. */
export function ipamFacts(model: ClusterModel, pools: PoolFact[] | null, nodes: NodeFact[] | null, growth: GrowthFact): IpamFact | null {
  if (!pools) return null;
  const routing = pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);
  const sum = (pick: (p: PoolFact) => number | null) =>
    routing.every((p) => pick(p) !== null) ? routing.reduce((total, p) => total + pick(p)!, 0) : null;
  const addresses = sum((p) => p.addresses);
  const allocated = sum((p) => p.allocated);
  const perBlock = [...new Set(routing.map((p) => p.addressesPerBlock))];
  return {
    pools: routing.length,
    demand: ipamDemand(model, nodes, growth),
    addresses,
    addressesPerBlock: perBlock.length === 1 ? perBlock[0]! : null,
    blocks: sum((p) => p.blocks),
    blocksInUse: sum((p) => p.blocksInUse),
    allocated,
    utilisation: addresses && allocated !== null ? Math.round((allocated / addresses) * 10000) / 10000 : null,
  };
}
