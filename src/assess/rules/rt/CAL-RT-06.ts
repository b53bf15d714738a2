/**
 * CAL-RT-06 — pools whose CIDR lies outside the VPC NAT outgoing traffic.
 *
 * Seed 000 "Enabling Workload-to-WAN Traffic": "To allow Calico networked containers to reach
 * resources outside of AWS, you must configure outgoing NAT on your Calico IP pool. AWS will perform
 * outbound NAT on any traffic which has the source address of an EC2 virtual machine instance."
 * Seed 001: "NAT Outgoing: Enabled for internet-bound traffic". A pod address outside the VPC is
 * unknown to the VPC's gateways, so without NAT the replies never come back.
 */
import { cmd, json, note, value } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';

export default defineRule({
  id: 'CAL-RT-06',
  title: 'Pools outside the VPC NAT outgoing traffic',
  area: 'RT',
  severities: ['high'],
  seed: '000 "Enabling Workload-to-WAN Traffic"; 001 "NAT Outgoing: Enabled"',
  appliesWhen: calicoRoutesPods,
  evaluate({ facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    if (!pools.length) return { status: 'pass', summary: 'No enabled IPv4 pool hands out pod addresses, so no pod traffic needs outgoing NAT.' };
    const vpcCidrs = need(facts.cluster.vpcCidrs, 'aws.vpc');
    const outside = pools.filter((p) => p.outsideVpc === true);
    const unreadable = pools.filter((p) => p.outsideVpc === null);
    const withoutNat = outside.filter((p) => !p.natOutgoing);
    const unreadableNote = unreadable.length ? ` The CIDR of ${listSome(unreadable.map((p) => p.name))} could not be read.` : '';

    if (!withoutNat.length) {
      return {
        status: 'pass',
        summary: outside.length
          ? `Every pool outside the VPC (${listSome(outside.map((p) => `${p.name} ${p.cidr}`))}) has natOutgoing: true.${unreadableNote}`
          : `No enabled pool lies outside the VPC (${vpcCidrs.join(', ')}).${unreadableNote}`,
        evidence: outside.map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.natOutgoing', value: true })),
      };
    }
    return {
      status: 'fail',
      severity: 'high',
      summary: `${listSome(withoutNat.map((p) => `${p.name} (${p.cidr})`))} ${withoutNat.length > 1 ? 'lie' : 'lies'} outside the VPC (${vpcCidrs.join(', ')}) without natOutgoing: ${withoutNat.length > 1 ? 'their' : 'its'} pods' traffic to anything beyond the nodes (VPC services, the internet) leaves with a pod source address that nothing outside the cluster routes back.`,
      evidence: withoutNat.flatMap((p) => [
        { object: `IPPool ${p.name}`, field: 'spec.cidr', value: p.cidr, note: `outside the VPC${facts.cluster.vpcId ? ` ${facts.cluster.vpcId}` : ''} (${vpcCidrs.join(', ')})` },
        { object: `IPPool ${p.name}`, field: 'spec.natOutgoing', value: false },
      ]),
      remediation: [
        ...withoutNat.map((p) => cmd('calicoctl', 'patch', 'ippool', value(p.name, 'IPPool name'), '--patch', json({ spec: { natOutgoing: true } }))),
        ...(facts.calico.method === 'operator'
          ? [note('Operator installs: a pool listed in Installation default spec.calicoNetwork.ipPools is managed by the operator; set natOutgoing: Enabled there instead: kubectl edit installation default')]
          : []),
      ],
    };
  },
});
