/**
 * CAL-RT-01 — pod traffic can cross subnets.
 *
 * Seed 002 "Multi-Subnet Configuration": "when pods are communicating across the subnet boundary,
 * they are often met with a router that relies on the destination IP"; seed 000 "Routing Traffic
 * Across Different VPC Subnets": "you must also enable IPIP encapsulation". AWS's VPC router does
 * not know pod addresses, so a native pool whose nodes span subnets drops cross-subnet pod traffic.
 */
import { defineRule, listSome, shellQuote } from '../../rule.js';
import { selects } from '../../selector.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../shared.js';

export default defineRule({
  id: 'CAL-RT-01',
  title: 'Pod traffic can cross subnets',
  area: 'RT',
  severities: ['critical'],
  seed: '002 "Multi-Subnet Configuration"; 000 "Routing Traffic Across Different VPC Subnets"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    const native = pools.filter((p) => p.ipipMode === 'Never' && p.vxlanMode === 'Never');
    if (!native.length) {
      return { status: 'pass', summary: 'Every enabled pool encapsulates pod traffic that crosses a subnet boundary.' };
    }
    const nodes = need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances');
    const labelsByNode = new Map((model.nodes ?? []).map((n) => [n.name, n.labels]));
    const offending = native.flatMap((pool) => {
      const selected = nodes.filter((n) => selects(pool.nodeSelector, labelsByNode.get(n.name) ?? {}));
      if (selected.some((n) => n.subnetId === null)) need(null, 'aws.instances');
      const subnets = [...new Set(selected.map((n) => n.subnetId!))].sort();
      return subnets.length > 1 ? [{ pool, subnets }] : [];
    });
    if (!offending.length) {
      return {
        status: 'pass',
        summary: `Native pools (${listSome(native.map((p) => p.name))}) serve nodes in a single subnet, where the VPC delivers pod traffic between them.`,
      };
    }
    return {
      status: 'fail',
      severity: 'critical',
      summary: `${listSome(offending.map((o) => o.pool.name))} route pods natively (ipipMode and vxlanMode Never) while ${offending.length > 1 ? 'their' : 'its'} nodes span ${offending[0]!.subnets.length} subnets: the VPC router drops pod traffic between subnets.`,
      evidence: offending.flatMap(({ pool, subnets }) => [
        { object: `IPPool ${pool.name}`, field: 'spec.ipipMode', value: pool.ipipMode },
        { object: `IPPool ${pool.name}`, field: 'spec.vxlanMode', value: pool.vxlanMode },
        { object: `IPPool ${pool.name}`, field: 'nodes in subnets', value: subnets },
      ]),
      remediation: offending
        .map(
          ({ pool }) =>
            `calicoctl patch ippool ${shellQuote(pool.name)} --patch '{"spec":{"ipipMode":"CrossSubnet"}}'\n` +
            '# then allow IP-in-IP (IP protocol 4) between the node security groups (CAL-AWS-03)',
        )
        .join('\n'),
    };
  },
});
