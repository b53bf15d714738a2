/**
 * CAL-RT-05 — each node's Calico address carries its subnet's prefix length.
 *
 * Seed 000 "Upgrading from pre-v2.1": a node may have "incorrect host subnet information configured
 * (it will be /32 for the IPv4 management address). It is important that the subnet configuration
 * is correct prior to using the `cross-subnet` IPIP feature." Calico decides which peers share a
 * subnet from this prefix: with a /32 CrossSubnet encapsulates everything; with a prefix shorter than
 * the subnet's it sends unencapsulated packets to nodes in other subnets, which the VPC drops.
 * The rule applies with BGP off too: Felix makes the same decision for VXLAN CrossSubnet from the
 * same address, and a later switch to CrossSubnet (CAL-RT-02) relies on it — hence low, not
 * not_applicable, when no pool uses CrossSubnet today.
 */
import { parseCidr } from '../../ipv4.js';
import { cmd, json, note, value } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods, poolsCarryingTraffic } from '../applies.js';

export default defineRule({
  id: 'CAL-RT-05',
  title: "Each node's Calico address carries its subnet's prefix length",
  problem: "A node's Calico address has the wrong prefix length",
  why: 'Calico misjudges which nodes share a subnet, and encapsulates wrongly',
  area: 'RT',
  severities: ['high', 'low'],
  severityNote: 'high when any pool uses CrossSubnet (the prefix decides what is encapsulated); low otherwise',
  seed: '000 "Upgrading from pre-v2.1"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const pools = poolsCarryingTraffic(need(facts.pools, 'calico.ippools'));
    need(model.nodes, 'kubernetes.nodes');
    const nodes = need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances');
    if (nodes.some((n) => n.subnetId === null)) need(null, 'aws.instances');
    if (nodes.some((n) => n.subnetCidr === null)) need(null, 'aws.subnets');

    const annotated = nodes.filter((n) => n.calicoAddress);
    const unannotated = nodes.filter((n) => !n.calicoAddress);
    if (!annotated.length) {
      return {
        status: 'unknown',
        summary:
          facts.datastore.type === 'etcd'
            ? 'With the etcd datastore Calico keeps node addresses in its Node resources (spec.bgp.ipv4Address), which the snapshot does not hold.'
            : `None of the ${nodes.length} nodes carries the projectcalico.org/IPv4Address annotation yet.`,
        evidence: [{ object: 'kubernetes:nodes', field: 'metadata.annotations["projectcalico.org/IPv4Address"]', value: null, note: `absent on all ${nodes.length} nodes` }],
      };
    }

    const checked = annotated.map((node) => {
      const address = parseCidr(node.calicoAddress!);
      const subnet = parseCidr(node.subnetCidr!)!;
      return { node, address, subnet, ip: node.calicoAddress!.split('/')[0]! };
    });
    const wrong = checked.filter((c) => !c.address || c.address.prefix !== c.subnet.prefix);
    const crossSubnet = pools.filter((p) => p.ipipMode === 'CrossSubnet' || p.vxlanMode === 'CrossSubnet');
    const missingNote = unannotated.length
      ? ` ${unannotated.length} node${unannotated.length > 1 ? 's' : ''} (${listSome(unannotated.map((n) => n.name))}) carry no Calico address yet (calico-node has not started there).`
      : '';

    if (!wrong.length) {
      return {
        status: 'pass',
        summary: `All ${annotated.length} nodes with a Calico address carry their subnet's prefix length (e.g. ${checked[0]!.node.calicoAddress} in ${checked[0]!.node.subnetCidr}).${missingNote}`,
      };
    }

    const severity = crossSubnet.length ? 'high' : 'low';
    const hostRoutes = wrong.some((c) => c.address?.prefix === 32);
    const wider = wrong.some((c) => c.address && c.address.prefix < c.subnet.prefix);
    const effects = [
      hostRoutes ? 'a /32 makes Calico treat every other node as in another subnet' : null,
      wider ? 'a prefix shorter than the subnet makes it send unencapsulated packets to nodes in other subnets, which the VPC drops' : null,
    ]
      .filter(Boolean)
      .join('; ');
    const consequence = crossSubnet.length
      ? `${listSome(crossSubnet.map((p) => p.name))} use${crossSubnet.length > 1 ? '' : 's'} CrossSubnet, which decides what to encapsulate from this prefix${effects ? `: ${effects}` : ''}.`
      : 'No pool uses CrossSubnet today, so the prefix decides nothing yet; switching to CrossSubnet (CAL-RT-02) would rely on it.';
    const examples = listSome(wrong.map((c) => `${c.node.name}: ${c.node.calicoAddress} in ${c.node.subnetCidr}`), 2);
    const evidence: Evidence[] = wrong.map((c) => ({
      object: `Node ${c.node.name}`,
      field: 'metadata.annotations["projectcalico.org/IPv4Address"]',
      value: c.node.calicoAddress,
      note: `subnet ${c.node.subnetId} is ${c.node.subnetCidr}`,
    }));
    for (const pool of crossSubnet) {
      evidence.push({ object: `IPPool ${pool.name}`, field: pool.ipipMode === 'CrossSubnet' ? 'spec.ipipMode' : 'spec.vxlanMode', value: 'CrossSubnet' });
    }

    const namespace = facts.components?.find((c) => c.name === 'calico-node')?.namespace ?? (facts.calico.method === 'operator' ? 'calico-system' : 'kube-system');
    const stick =
      facts.calico.method === 'operator'
        ? cmd('kubectl', 'patch', 'installation', 'default', '--type', 'merge', '-p', json({ spec: { calicoNetwork: { nodeAddressAutodetectionV4: { kubernetes: 'NodeInternalIP' } } } }))
        : cmd('kubectl', '-n', value(namespace, 'namespace'), 'set', 'env', 'daemonset/calico-node', 'IP=autodetect', 'IP_AUTODETECTION_METHOD=kubernetes-internal-ip');
    const remediation = [
      ...wrong.map((c) =>
        cmd('calicoctl', 'patch', 'node', value(c.node.name, 'node name'), '--patch', json({ spec: { bgp: { ipv4Address: `${c.ip}/${c.subnet.prefix}` } } })),
      ),
      note("calico-node rewrites the address when it starts: make autodetection take the primary interface, whose prefix is the subnet's"),
      note('(an explicit IP without a prefix, or an interface with a /32, gives /32):'),
      stick,
    ];

    return {
      status: 'fail',
      severity,
      summary: `${wrong.length} of ${annotated.length} nodes ${wrong.length > 1 ? 'carry' : 'carries'} a Calico address whose prefix length differs from ${wrong.length > 1 ? 'their' : 'its'} subnet's (${examples}). ${consequence}${missingNote}`,
      evidence,
      remediation,
      objects: wrong.map((c) => ({ kind: 'Node', name: c.node.name })),
    };
  },
});
