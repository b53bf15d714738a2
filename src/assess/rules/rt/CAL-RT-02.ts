/**
 * CAL-RT-02 — encapsulation is no heavier than the topology needs.
 *
 * Seed 002: "Use no encapsulation for single subnet clusters. Use IP-in-IP in CrossSubnet mode for
 * multi-subnet clusters" — with `Always` "you're taking an unnecessary hit to performance and
 * complexity for intra-subnet traffic". Seed 000: "encapsulation is only required for container
 * traffic that crosses a VPC subnet boundary". VXLAN has its own `CrossSubnet` mode (no BGP needed),
 * so a VXLAN `Always` pool is judged the same way. `CrossSubnet` in a single-subnet cluster
 * encapsulates nothing, so it is not flagged: it routes natively and stays right if a subnet is added.
 * The fix sends same-subnet pod packets unencapsulated, which EC2 drops while a node keeps its
 * source/destination check, so the remediation starts with that prerequisite (CAL-AWS-01).
 */
import type { Facts, PoolFact } from '../../facts.js';
import { cmd, comment, json, loop, note, pipeline, value, variable, type Step } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';

/** The `{"spec":{…}}` patch turning each `Always` mode of a pool into `CrossSubnet`. */
function crossSubnetPatch(pool: PoolFact): { spec: Record<string, string> } {
  const spec: Record<string, string> = {};
  if (pool.ipipMode === 'Always') spec['ipipMode'] = 'CrossSubnet';
  if (pool.vxlanMode === 'Always') spec['vxlanMode'] = 'CrossSubnet';
  return { spec };
}

const alwaysModes = (pool: PoolFact): string =>
  [pool.ipipMode === 'Always' ? 'ipipMode Always' : null, pool.vxlanMode === 'Always' ? 'vxlanMode Always' : null]
    .filter(Boolean)
    .join(', ');

/** Commands that turn the source/destination check off first, or a note that it already is. */
function srcDstPrerequisite(facts: Facts): Step[] {
  const nodes = facts.topology.nodes ?? [];
  const checked = nodes.filter((n) => n.srcDstCheck !== false);
  const ids = checked.map((n) => n.instanceId).filter((id): id is string => !!id);
  const turnOff = cmd('aws', 'ec2', 'modify-instance-attribute', '--region', value(facts.cluster.region, 'region'), '--instance-id', variable('id'), '--no-source-dest-check');
  const lines: Step[] = [
    note('1. Prerequisite (CAL-AWS-01): same-subnet pod packets will leave nodes unencapsulated, and EC2 drops them while a node keeps its source/destination check.'),
  ];
  if (!checked.length) {
    lines.push(comment`   SourceDestCheck is already false on all ${nodes.length} nodes.`);
  } else if (ids.length && ids.length <= 12) {
    lines.push(loop('id', ids.map((id) => value(id, 'instance id')), turnOff));
  } else {
    // Many nodes: take the instance ids from the nodes' providerID (aws:///<zone>/<instance id>) rather than list them.
    lines.push(
      comment`   ${checked.length} of ${nodes.length} nodes keep the check on (or it is unknown); on every node:`,
      loop('id', pipeline(cmd('kubectl', 'get', 'nodes', '-o', 'jsonpath={range .items[*]}{.spec.providerID}{"\\n"}{end}'), cmd('sed', 's|.*/||')), turnOff),
    );
  }
  if (facts.felix.awsSrcDstCheck !== 'Disable') {
    lines.push(
      note('   so new nodes are fixed too (calico-node needs ec2:ModifyNetworkInterfaceAttribute):'),
      cmd('calicoctl', 'patch', 'felixconfiguration', 'default', '--patch', json({ spec: { awsSrcDstCheck: 'Disable' } })),
    );
  }
  lines.push(note('   Node security groups must also admit the pod CIDRs: same-subnet packets will carry pod addresses.'));
  return lines;
}

export default defineRule({
  id: 'CAL-RT-02',
  title: 'Encapsulation is no heavier than the topology needs',
  problem: 'Encapsulation is heavier than the topology needs',
  why: 'every packet carries encapsulation it does not need',
  area: 'RT',
  severities: ['low'],
  seed: '002 "use no encapsulation for single subnet clusters", "IP-in-IP in CrossSubnet mode for multi-subnet clusters"; 000 cross-subnet IPIP',
  appliesWhen: calicoRoutesPods,
  evaluate({ facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    const encapsulating = pools.filter((p) => p.ipipMode !== 'Never' || p.vxlanMode !== 'Never');
    if (!encapsulating.length) {
      return {
        status: 'pass',
        summary: pools.length
          ? `No enabled pool encapsulates: ${pools.length > 1 ? `all ${pools.length} route` : `${pools[0]!.name} routes`} pod traffic natively.`
          : 'No enabled IPv4 pool hands out pod addresses, so nothing is encapsulated.',
      };
    }
    const always = encapsulating.filter((p) => p.ipipMode === 'Always' || p.vxlanMode === 'Always');
    if (!always.length) {
      return {
        status: 'pass',
        summary: `Every encapsulating pool (${listSome(encapsulating.map((p) => p.name))}) uses CrossSubnet: only traffic that crosses a subnet boundary is encapsulated.`,
      };
    }
    // Subnets are unknown when the nodes, or their instances, were not collected: name only what is missing.
    const missing = facts.topology.nodes ? (['aws.instances'] as const) : (['kubernetes.nodes', 'aws.instances'] as const);
    const subnets = need(facts.topology.subnets, ...missing);
    if (!subnets.length) {
      return { status: 'unknown', summary: 'No EC2 nodes were found, so the subnet layout the encapsulation should match is unknown.' };
    }
    const multiSubnet = subnets.length > 1;
    const names = listSome(always.map((p) => p.name));
    const verb = always.length > 1 ? 'encapsulate' : 'encapsulates';
    const modes = [...new Set(always.map(alwaysModes))].join('; ');
    const summary = multiSubnet
      ? `${names} ${verb} all pod traffic (${modes}) while nodes span ${subnets.length} subnets: CrossSubnet would encapsulate only traffic that crosses a subnet boundary and route same-subnet traffic natively.`
      : `${names} ${verb} all pod traffic (${modes}) although every node sits in subnet ${subnets[0]!.subnetId}: native routing would serve (CrossSubnet behaves natively there and stays right if nodes join another subnet).`;
    const evidence: Evidence[] = always.flatMap((pool) => [
      ...(pool.ipipMode === 'Always' ? [{ object: `IPPool ${pool.name}`, field: 'spec.ipipMode', value: pool.ipipMode }] : []),
      ...(pool.vxlanMode === 'Always' ? [{ object: `IPPool ${pool.name}`, field: 'spec.vxlanMode', value: pool.vxlanMode }] : []),
    ]);
    evidence.push({ object: 'node subnets', value: subnets.map((s) => `${s.subnetId} (${s.nodeCount} node${s.nodeCount === 1 ? '' : 's'})`) });
    const remediation = [
      ...srcDstPrerequisite(facts),
      note("2. Then encapsulate only across subnets (CrossSubnet needs each node's Calico address to carry its subnet prefix, CAL-RT-05):"),
      ...always.map((pool) => cmd('calicoctl', 'patch', 'ippool', value(pool.name, 'IPPool name'), '--patch', json(crossSubnetPatch(pool)))),
      ...(always.some((p) => p.ipipMode !== 'Never' && p.vxlanMode !== 'Never') ? [note('A pool with both IPIP and VXLAN on should keep only one (CAL-RT-03).')] : []),
      ...(facts.calico.method === 'operator'
        ? [note("A pool listed in the Installation's spec.calicoNetwork.ipPools: set its encapsulation (VXLANCrossSubnet or IPIPCrossSubnet) there too (kubectl edit installation default), or the operator may set it back.")]
        : []),
    ];
    return { status: 'fail', severity: 'low', summary, evidence, remediation };
  },
});
