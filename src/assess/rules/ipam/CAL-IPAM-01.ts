/**
 * CAL-IPAM-01 — pools hold enough blocks for the nodes the cluster can grow to, with 20% headroom.
 *
 * Seed 001 "Key IPAM Facts": "IP Pool: Single pool with /16 CIDR, /26 block size per node" …
 * "Theoretical Max Nodes: ~1,024 nodes". Each node claims at least one block (2^(blockSize − prefix)
 * per pool); once every block is claimed, new nodes can only borrow addresses from other nodes'
 * blocks, and with strict affinity they get none.
 *
 * Capacity is per pool: a pool's blocks serve only the nodes its `nodeSelector` selects (seed 002's
 * routable and non-routable pools), so a full routable pool is short even when the other pool has
 * blocks to spare. Every set of pools must hold at least as many blocks as the nodes that only
 * those pools select (each node takes blocks from any pool that selects it): with one pool, or pools
 * that all select every node, this is the plain total. Growth counts every source of nodes; when one
 * cannot be bounded, today's nodes are judged and the growth part stays unknown.
 */
import { calicoDefaults } from '../../../reference/index.js';
import type { IpamDemand, PoolFact } from '../../facts.js';
import { comment } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { freePoolCidr, ipPoolManifest } from './pool-manifest.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';
import { growthEvidence, growthUnknownReason } from '../growth.js';

const HEADROOM = calicoDefaults.ipamHeadroom;
/** Beyond this many pools, only single pools, connected groups and the whole set are checked (2^n sets otherwise). */
const MAX_POOLS_FOR_EVERY_SET = 12;

/** The set of pools whose blocks fall furthest short of the nodes only they serve. */
interface Shortfall {
  pools: PoolFact[];
  blocks: number;
  nodes: number;
  wanted: number;
}

/** Nodes that only pools in `set` select: today's, plus (with growth) what each source may add there. */
function demandWithin(demand: IpamDemand, set: Set<string>, withGrowth: boolean): number {
  const inSet = (pools: string[]) => pools.every((p) => set.has(p));
  const now = demand.now.filter((d) => inSet(d.pools)).reduce((sum, d) => sum + d.nodes, 0);
  if (!withGrowth) return now;
  return now + demand.growth.filter((g) => g.poolSets.some(inSet)).reduce((sum, g) => sum + g.extra, 0);
}

/** Every subset of pools worth checking: all of them for a few pools, else each pool, each overlapping group, and all. */
function poolSets(pools: PoolFact[], demand: IpamDemand): PoolFact[][] {
  if (pools.length <= MAX_POOLS_FOR_EVERY_SET) {
    const sets: PoolFact[][] = [];
    for (let mask = 1; mask < 2 ** pools.length; mask++) sets.push(pools.filter((_, i) => mask & (2 ** i)));
    return sets;
  }
  const groups = [...demand.now.map((d) => d.pools), ...demand.growth.flatMap((g) => g.poolSets)];
  return [...pools.map((p) => [p]), ...groups.map((names) => pools.filter((p) => names.includes(p.name))), pools];
}

/** The worst shortfall of blocks against `headroom`, or null when every set of pools has enough. */
function worstShortfall(pools: PoolFact[], demand: IpamDemand, withGrowth: boolean, headroom: number): Shortfall | null {
  let worst: Shortfall | null = null;
  for (const set of poolSets(pools, demand)) {
    const nodes = demandWithin(demand, new Set(set.map((p) => p.name)), withGrowth);
    if (!nodes) continue;
    const blocks = set.reduce((sum, p) => sum + (p.blocks ?? 0), 0);
    const wanted = Math.ceil(nodes * (1 + headroom));
    if (blocks >= wanted) continue;
    // The largest gap; on a tie, the fewest pools (the most specific advice).
    if (!worst || wanted - blocks > worst.wanted - worst.blocks || (wanted - blocks === worst.wanted - worst.blocks && set.length < worst.pools.length)) {
      worst = { pools: set, blocks, nodes, wanted };
    }
  }
  return worst;
}

/** What each pool contributes and serves, for evidence. */
const poolEvidence = (pool: PoolFact): Evidence => ({
  object: `IPPool ${pool.name}`,
  field: 'blocks',
  value: pool.blocks,
  note:
    (pool.blocks === null ? `spec.cidr ${pool.cidr ?? '(none)'} with blockSize ${pool.blockSize} gives no usable blocks` : `${pool.cidr}, blockSize /${pool.blockSize}`) +
    `; nodeSelector ${pool.nodeSelector} selects ${pool.nodesSelected ?? 'an unknown number of'} node${pool.nodesSelected === 1 ? '' : 's'} now` +
    (pool.nodesMax !== null && pool.nodesMax !== pool.nodesSelected ? `, up to ${pool.nodesMax} as the cluster grows` : ''),
});

const describe = (set: PoolFact[]) => listSome(set.map((p) => `${p.name} (${p.cidr}, /${p.blockSize}${p.nodeSelector !== 'all()' ? `, ${p.nodeSelector}` : ''})`));

export default defineRule({
  id: 'CAL-IPAM-01',
  title: 'Pools hold enough blocks for the nodes the cluster can grow to, with 20% headroom',
  problem: 'Pools are too small for the nodes the cluster can grow to',
  why: 'the pools run out of blocks before the cluster reaches its size',
  area: 'IPAM',
  severities: ['high', 'medium'],
  severityNote: `high when a pool (or set of pools) holds fewer blocks than the nodes it selects can grow to; medium when within the ${HEADROOM * 100}% headroom`,
  seed: '001 "Theoretical Max Nodes"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    const nodesNow = need(facts.growth.nodesNow, 'kubernetes.nodes');
    const demand = need(facts.ipam?.demand, 'kubernetes.nodes', 'calico.ippools');
    const { growth } = facts;
    const growthKnown = demand.growthKnown;

    // Today's nodes first: short of blocks for them is a finding whatever growth allows.
    const shortNow = worstShortfall(pools, demand, false, 0);
    const shortGrowth = worstShortfall(pools, demand, true, 0);
    const tightNow = worstShortfall(pools, demand, false, HEADROOM);
    const tightGrowth = worstShortfall(pools, demand, true, HEADROOM);
    const growthEvidenceList: Evidence[] = [{ object: 'cluster', field: 'nodes', value: nodesNow }, ...growthEvidence(model, growth)];

    // The bounded sources' growth is a floor for what the cluster can reach: a shortfall it shows stands even when other sources are unbounded.
    const failing = shortNow ?? shortGrowth ?? tightNow ?? tightGrowth;
    if (!failing) {
      if (!growthKnown) {
        return {
          status: 'unknown',
          summary: `${describe(pools)} hold${pools.length === 1 ? 's' : ''} enough blocks for today's ${nodesNow} nodes with ${HEADROOM * 100}% headroom, but how far the cluster can grow is unknown: ${growthUnknownReason(model, growth)}.`,
          evidence: [...pools.map(poolEvidence), ...growthEvidenceList],
        };
      }
      const blocks = pools.reduce((sum, p) => sum + (p.blocks ?? 0), 0);
      const target = growth.maxNodes ?? nodesNow;
      return {
        status: 'pass',
        summary:
          pools.length > 1 && pools.some((p) => p.nodeSelector !== 'all()')
            ? `Each pool holds enough blocks for the nodes its nodeSelector selects as the cluster grows to ${target}, plus ${HEADROOM * 100}% headroom: ${listSome(pools.map((p) => `${p.name} ${p.blocks} blocks for up to ${p.nodesMax ?? p.nodesSelected} nodes`))}.`
            : `${describe(pools)} hold${pools.length === 1 ? 's' : ''} ${blocks} blocks: enough for the ${target} nodes the cluster can grow to plus ${HEADROOM * 100}% headroom (${Math.ceil(target * (1 + HEADROOM))}).`,
        evidence: [...pools.map(poolEvidence), ...growthEvidenceList],
      };
    }

    const short = failing === shortNow || failing === shortGrowth;
    const today = failing === shortNow || failing === tightNow;
    const set = failing.pools;
    const several = set.length > 1;
    const whose = set.every((p) => p.nodeSelector === 'all()') ? '' : ` (the nodes ${several ? 'their nodeSelectors select' : 'its nodeSelector selects'})`;
    const reach = today ? `the ${failing.nodes} nodes ${several ? 'they serve' : 'it serves'} now${whose}` : `the ${failing.nodes} nodes ${several ? 'they serve' : 'it serves'}${whose} as the cluster grows`;
    const like = [...set].sort((a, b) => (b.blocks ?? 0) - (a.blocks ?? 0))[0];
    const blockSize = like?.blockSize ?? 26;
    const missing = failing.wanted - failing.blocks;
    const prefix = Math.max(blockSize - Math.ceil(Math.log2(Math.max(missing, 1))), 8);
    const taken = [...(facts.pools ?? []).map((p) => p.cidr), ...(facts.cluster.vpcCidrs ?? []), facts.cluster.serviceCidr].filter((c): c is string => !!c);
    const cidr = freePoolCidr(prefix, taken) ?? `FREE_CIDR_/${prefix}`;
    const unknownNote = !growthKnown && today ? ` How far the cluster can grow is unknown besides (${growthUnknownReason(model, growth)}).` : '';
    return {
      status: 'fail',
      severity: short ? 'high' : 'medium',
      summary: short
        ? `${describe(set)} hold${several ? '' : 's'} ${failing.blocks} blocks, fewer than ${reach}: nodes beyond ${failing.blocks} get no block of their own and borrow addresses from other nodes' blocks, or none at all.${unknownNote}`
        : `${describe(set)} hold${several ? '' : 's'} ${failing.blocks} blocks for ${reach}: less than the ${HEADROOM * 100}% headroom (${failing.wanted} blocks).${unknownNote}`,
      evidence: [...pools.map(poolEvidence), ...growthEvidenceList, { object: 'cluster', field: 'blocks wanted', value: failing.wanted, note: `for ${failing.nodes} nodes in ${set.map((p) => p.name).join(', ')}` }],
      remediation: [
        comment`add a pool with at least ${missing} more /${blockSize} blocks (a /${prefix}) for the same nodes; check ${cidr} is unused in your network (it overlaps no pool, VPC or service CIDR)`,
        ipPoolManifest(`${like?.name ?? 'default-ipv4-ippool'}-2`, cidr, like),
      ],
    };
  },
});
