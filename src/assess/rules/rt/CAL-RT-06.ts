/**
 * CAL-RT-06 — pools the VPC cannot route back to the nodes NAT outgoing traffic.
 *
 * Seed 000 "Enabling Workload-to-WAN Traffic": "To allow Calico networked containers to reach
 * resources outside of AWS, you must configure outgoing NAT on your Calico IP pool. AWS will perform
 * outbound NAT on any traffic which has the source address of an EC2 virtual machine instance."
 * Seed 001: "NAT Outgoing: Enabled for internet-bound traffic". A reply to a pod address reaches the
 * pod only if the VPC routes that address to its node: outside the VPC's CIDRs it leaves by the
 * default route, and inside them (a secondary CIDR added for pods, say) the VPC delivers only to the
 * ENI that owns an address — and no ENI owns a Calico pod address. So a pool needs `natOutgoing`
 * unless routes in the VPC send its addresses to the nodes. Disabled pools whose pods still hold
 * addresses count: those pods still send traffic.
 */
import type { PoolFact } from '../../facts.js';
import { cmd, comment, json, note, value } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods, poolsCarryingTraffic } from '../applies.js';

const label = (p: PoolFact) => `${p.name} (${p.cidr}${p.draining ? ', disabled but still holding pod addresses' : ''})`;

export default defineRule({
  id: 'CAL-RT-06',
  title: 'Pools outside the VPC NAT outgoing traffic',
  problem: 'A pool outside the VPC does not NAT outgoing traffic',
  why: 'replies to pod traffic that leaves the VPC have no route back',
  area: 'RT',
  severities: ['high'],
  seed: '000 "Enabling Workload-to-WAN Traffic"; 001 "NAT Outgoing: Enabled"',
  appliesWhen: calicoRoutesPods,
  evaluate({ facts, need }) {
    const all = need(facts.pools, 'calico.ippools');
    const pools = poolsCarryingTraffic(all);
    if (all.some((p) => p.ipVersion === 4 && p.carriesTraffic === null && !p.natOutgoing)) need(null, 'calico.ipamBlocks');
    if (!pools.length) return { status: 'pass', summary: 'No IPv4 pool routes pods, so no pod traffic needs outgoing NAT.' };
    const vpcCidrs = need(facts.cluster.vpcCidrs, 'aws.vpc');
    const withoutNat = pools.filter((p) => !p.natOutgoing);
    const unreadable = pools.filter((p) => p.outsideVpc === null);
    const unreadableNote = unreadable.length ? ` The CIDR of ${listSome(unreadable.map((p) => p.name))} could not be read.` : '';
    const stranded = withoutNat.filter((p) => p.vpcRoutesBack === false);
    const undecided = withoutNat.filter((p) => p.vpcRoutesBack === null && p.outsideVpc !== null);
    const natted = pools.filter((p) => p.natOutgoing);

    if (!stranded.length) {
      if (undecided.length) need(null, 'aws.routeTables', 'aws.instances');
      const routed = withoutNat.filter((p) => p.vpcRoutesBack === true);
      const parts = [
        natted.length
          ? `${listSome(natted.map((p) => `${p.name} (${p.cidr}${p.outsideVpc ? ', outside the VPC' : p.outsideVpc === false ? ', inside the VPC' : ''})`))} ${natted.length > 1 ? 'NAT' : 'NATs'} outgoing traffic to the node's address`
          : null,
        routed.length ? `the VPC routes ${listSome(routed.map(label))} back to the nodes (${routed.map((p) => p.vpcRouteNote).join('; ')})` : null,
      ].filter(Boolean);
      return {
        status: 'pass',
        summary: `Replies to every pod find their way back: ${parts.join(', and ')}.${unreadableNote}`,
        evidence: [
          ...natted.map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.natOutgoing', value: true })),
          ...routed.map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.cidr', value: p.cidr, note: p.vpcRouteNote ?? undefined })),
        ],
      };
    }
    const several = stranded.length > 1;
    const evidence: Evidence[] = stranded.flatMap((p) => [
      { object: `IPPool ${p.name}`, field: 'spec.cidr', value: p.cidr, note: `${p.vpcRouteNote ?? ''}${facts.cluster.vpcId ? ` (VPC ${facts.cluster.vpcId}: ${vpcCidrs.join(', ')})` : ''}` },
      { object: `IPPool ${p.name}`, field: 'spec.natOutgoing', value: false },
      ...(p.draining ? [{ object: `IPPool ${p.name}`, field: 'spec.disabled', value: true, note: `${p.allocated} addresses still allocated to pods` }] : []),
    ]);
    const outside = stranded.filter((p) => p.outsideVpc);
    const inside = stranded.filter((p) => !p.outsideVpc);
    const where = [
      outside.length ? `${listSome(outside.map(label))} ${outside.length > 1 ? 'lie' : 'lies'} outside the VPC (${vpcCidrs.join(', ')})` : null,
      inside.length ? `${listSome(inside.map(label))} ${inside.length > 1 ? 'lie' : 'lies'} inside the VPC's CIDRs, where no ENI owns pod addresses` : null,
    ]
      .filter(Boolean)
      .join(', and ');
    return {
      status: 'fail',
      severity: 'high',
      summary: `${where}; no VPC route sends ${several ? 'their' : 'its'} addresses to the nodes and natOutgoing is off: ${several ? 'their' : 'its'} pods' traffic to anything beyond the nodes (VPC services, the internet) leaves with a pod source address that nothing routes back.`,
      evidence,
      objects: stranded.map((p) => ({ kind: 'IPPool', name: p.name })),
      remediation: [
        ...stranded.map((p) => cmd('calicoctl', 'patch', 'ippool', value(p.name, 'IPPool name'), '--patch', json({ spec: { natOutgoing: true } }))),
        comment`(or route the pool to the nodes in every route table of the VPC, as a routable pod network: each node block to its node)`,
        ...(facts.calico.method === 'operator'
          ? [note("A pool listed in the Installation's spec.calicoNetwork.ipPools: set natOutgoing: Enabled there too (kubectl edit installation default), or the operator may set it back.")]
          : []),
      ],
    };
  },
});
