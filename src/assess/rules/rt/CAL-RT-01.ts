/**
 * CAL-RT-01 — pod traffic can cross subnets.
 *
 * Seed 002 "Multi-Subnet Configuration": "when pods are communicating across the subnet boundary,
 * they are often met with a router that relies on the destination IP"; seed 000 "Routing Traffic
 * Across Different VPC Subnets": "you must also enable IPIP encapsulation". AWS's VPC router does
 * not know pod addresses, so once nodes span subnets, a native pool's pods are unreachable from
 * every other subnet — wherever the pool's own nodes sit, since any pod may send to them.
 */
import { cmd, json, note, value, type Step } from '../../remediation.js';
import { admitFirst } from '../aws/security-group-exception.js';
import { defineRule, listSome } from '../../rule.js';
import { calicoRoutesPods, poolsCarryingTraffic } from '../applies.js';

/**
 * What must hold before a pool switches to IP-in-IP: the node groups admitting IP protocol 4 (the
 * rules the groups lack today, from the cluster's own security groups), or else every tunnelled
 * packet is dropped the moment the pool changes.
 */
function ipipFirst(admit: Step[] | null): Step[] {
  if (admit === null) {
    return [note('First make sure the node security groups admit IP-in-IP (IP protocol 4) between nodes (CAL-AWS-03): the groups were not all read.')];
  }
  if (!admit.length) return [note('The node security groups already admit IP-in-IP (IP protocol 4): switch the pool.')];
  return [note('1. Admit IP-in-IP (IP protocol 4) between the nodes first: the groups refuse it today, and tunnelled traffic would be dropped.'), ...admit, note('2. Then encapsulate pod traffic between subnets:')];
}

export default defineRule({
  id: 'CAL-RT-01',
  title: 'Pod traffic can cross subnets',
  problem: 'Pod traffic cannot cross subnets',
  why: 'pods on different subnets cannot reach each other',
  // IP protocol 4 must pass before pods are tunnelled; CrossSubnet leaves same-subnet traffic bare, which the src/dst check drops.
  after: ['CAL-AWS-03', 'CAL-AWS-01'],
  area: 'RT',
  severities: ['critical'],
  seed: '002 "Multi-Subnet Configuration"; 000 "Routing Traffic Across Different VPC Subnets"',
  appliesWhen: calicoRoutesPods,
  evaluate(context) {
    const { facts, need } = context;
    // A disabled pool whose pods still hold its addresses routes them as before.
    const pools = poolsCarryingTraffic(need(facts.pools, 'calico.ippools'));
    const native = pools.filter((p) => p.ipipMode === 'Never' && p.vxlanMode === 'Never');
    if (!native.length) {
      return { status: 'pass', summary: 'Every enabled pool encapsulates pod traffic that crosses a subnet boundary.' };
    }
    const subnets = need(facts.topology.subnets, 'aws.instances', 'kubernetes.nodes');
    const names = listSome(native.map((p) => (p.draining ? `${p.name} (disabled, still holding pod addresses)` : p.name)));
    if (subnets.length <= 1) {
      return {
        status: 'pass',
        summary: `${names} ${native.length > 1 ? 'route' : 'routes'} pods natively, and every node sits in one subnet, where the VPC delivers pod traffic between nodes.`,
        evidence: [{ object: 'cluster nodes', field: 'subnets', value: subnets.map((s) => s.subnetId) }],
      };
    }
    const subnetList = subnets.map((s) => `${s.subnetId}${s.cidr ? ` (${s.cidr})` : ''}`);
    return {
      status: 'fail',
      severity: 'critical',
      summary: `${names} ${native.length > 1 ? 'route' : 'routes'} pods natively (ipipMode and vxlanMode Never) while the nodes span ${subnets.length} subnets: the VPC router does not know pod addresses and drops pod traffic between subnets.`,
      evidence: [
        ...native.flatMap((pool) => [
          { object: `IPPool ${pool.name}`, field: 'spec.ipipMode', value: pool.ipipMode },
          { object: `IPPool ${pool.name}`, field: 'spec.vxlanMode', value: pool.vxlanMode },
        ]),
        { object: 'cluster nodes', field: 'subnets', value: subnetList },
      ],
      remediation: [
        ...ipipFirst(admitFirst(context, 'IPIP')),
        ...native.map((pool) => cmd('calicoctl', 'patch', 'ippool', value(pool.name, 'IPPool name'), '--patch', json({ spec: { ipipMode: 'CrossSubnet' } }))),
        ...(facts.topology.nodes?.some((n) => n.srcDstCheck === true)
          ? [note('CrossSubnet sends traffic within a subnet unencapsulated: turn the source/destination check off on every node too (CAL-AWS-01).')]
          : []),
      ],
      verify: [
        note('every pool that routes pods shows IPIPMODE CrossSubnet (or Always):'),
        cmd('calicoctl', 'get', 'ippool', '-o', 'wide'),
        note('and the node groups admit IP protocol 4 from each other:'),
        cmd('aws', 'ec2', 'describe-security-groups', '--region', value(facts.cluster.region, 'region'), '--query', "SecurityGroups[].{id:GroupId,ipip:IpPermissions[?IpProtocol=='4']}"),
      ],
    };
  },
});
