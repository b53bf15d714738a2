/**
 * CAL-IPAM-01 — pools hold enough blocks for the nodes the cluster can grow to, with 20% headroom.
 *
 * Seed 001 "Key IPAM Facts": "IP Pool: Single pool with /16 CIDR, /26 block size per node" …
 * "Theoretical Max Nodes: ~1,024 nodes". Each node claims at least one block (2^(blockSize − prefix)
 * per pool); once every block is claimed, new nodes can only borrow addresses from other nodes'
 * blocks, and with strict affinity they get none.
 */
import { calicoDefaults } from '../../../reference/index.js';
import type { PoolFact } from '../../facts.js';
import { comment } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { freePoolCidr, ipPoolManifest } from './pool-manifest.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';

const HEADROOM = calicoDefaults.ipamHeadroom;

/** What each pool contributes, for evidence. */
const poolEvidence = (pool: PoolFact): Evidence => ({
  object: `IPPool ${pool.name}`,
  field: 'blocks',
  value: pool.blocks,
  note: pool.blocks === null ? `spec.cidr ${pool.cidr ?? '(none)'} with blockSize ${pool.blockSize} gives no usable blocks` : `${pool.cidr}, blockSize /${pool.blockSize}`,
});

export default defineRule({
  id: 'CAL-IPAM-01',
  title: 'Pools hold enough blocks for the nodes the cluster can grow to, with 20% headroom',
  area: 'IPAM',
  severities: ['high', 'medium'],
  severityNote: `high when the blocks are fewer than the nodes the cluster can grow to; medium when within the ${HEADROOM * 100}% headroom`,
  seed: '001 "Theoretical Max Nodes"',
  appliesWhen: calicoRoutesPods,
  evaluate({ facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    const nodesNow = need(facts.growth.nodesNow, 'kubernetes.nodes');
    const blocks = pools.reduce((sum, p) => sum + (p.blocks ?? 0), 0);
    const { maxNodes } = facts.growth;
    // Short of blocks for today's nodes is a finding whatever the node groups allow.
    if (blocks >= nodesNow && maxNodes === null) need(null, 'aws.nodegroups');
    const target = Math.max(nodesNow, maxNodes ?? 0);
    const wanted = Math.ceil(target * (1 + HEADROOM));
    const poolList = pools.length ? listSome(pools.map((p) => `${p.name} (${p.cidr}, /${p.blockSize})`)) : 'no enabled IPv4 pool';
    const growthEvidence: Evidence[] = [
      { object: 'cluster', field: 'nodes', value: nodesNow },
      ...(maxNodes !== null ? [{ object: 'cluster', field: 'maximum nodes', value: maxNodes, note: facts.growth.source }] : []),
    ];
    if (blocks >= wanted) {
      return {
        status: 'pass',
        summary: `${poolList} hold${pools.length === 1 ? 's' : ''} ${blocks} blocks: enough for the ${target} nodes the cluster can grow to plus ${HEADROOM * 100}% headroom (${wanted}).`,
        evidence: [...pools.map(poolEvidence), ...growthEvidence],
      };
    }
    const short = blocks < target;
    const like = [...pools].sort((a, b) => (b.blocks ?? 0) - (a.blocks ?? 0))[0];
    const blockSize = like?.blockSize ?? 26;
    const missing = wanted - blocks;
    const prefix = Math.max(blockSize - Math.ceil(Math.log2(missing)), 8);
    const taken = [...(facts.pools ?? []).map((p) => p.cidr), ...(facts.cluster.vpcCidrs ?? []), facts.cluster.serviceCidr].filter(
      (c): c is string => !!c,
    );
    const cidr = freePoolCidr(prefix, taken) ?? `FREE_CIDR_/${prefix}`;
    return {
      status: 'fail',
      severity: short ? 'high' : 'medium',
      summary: short
        ? `${poolList} hold${pools.length === 1 ? 's' : ''} ${blocks} blocks, fewer than the ${
            blocks < nodesNow
              ? `${nodesNow} nodes the cluster runs now${maxNodes !== null && maxNodes > nodesNow ? ` (it can grow to ${maxNodes})` : ''}`
              : `${target} nodes the cluster can grow to`
          }: nodes beyond ${blocks} get no block of their own and borrow addresses from other nodes' blocks, or none at all.`
        : `${poolList} hold${pools.length === 1 ? 's' : ''} ${blocks} blocks for up to ${target} nodes: less than the ${HEADROOM * 100}% headroom (${wanted} blocks).`,
      evidence: [...pools.map(poolEvidence), ...growthEvidence, { object: 'cluster', field: 'blocks wanted', value: wanted }],
      remediation: [
        comment`add a pool with at least ${missing} more /${blockSize} blocks (a /${prefix}); check ${cidr} is unused in your network (it overlaps no pool, VPC or service CIDR)`,
        ipPoolManifest(`${like?.name ?? 'default-ipv4-ippool'}-2`, cidr, like),
      ],
    };
  },
});
