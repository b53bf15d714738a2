/** The per-cluster report's view, section 2. Cluster architecture overview. */
import { joinMarkdown, markdown } from '../escape.js';
import type { Facts, NodeFact } from '../../assess/facts.js';
import { type Fact, growthLine, NODE_TABLE_LIMIT, onOff, plural, type SectionChecks, verdictLine } from './format.js';
import type { Assessment } from '../../assess/assess.js';
export function tunnelOrBlock(node: NodeFact, facts: Facts): string {
  const parts: string[] = [];
  if (node.tunnelAddress) parts.push(`tunnel ${node.tunnelAddress}`);
  if (node.podBlocks.length) parts.push(`block${node.podBlocks.length > 1 ? 's' : ''} ${node.podBlocks.join(', ')}`);
  if (parts.length) return parts.join('; ');
  return facts.calicoNetworking === false ? 'none: VPC CNI addresses' : 'none recorded';
}

/** `on`, `off`, or `on (must be off)` where pod traffic leaves the nodes unencapsulated. */
export const srcDstText = (node: NodeFact, mustBeOff: boolean): string =>
  node.srcDstCheck === true && mustBeOff ? 'on (must be off)' : onOff(node.srcDstCheck, 'on', 'off', 'not collected');

/** `managed node group/workers` → `workers (managed)`: the node's source, short enough for a table cell. */
export function groupText(node: NodeFact): string {
  if (!node.group) return node.nodegroup ?? 'none known';
  const [kind, ...name] = node.group.split('/');
  const short: Record<string, string> = {
    'managed node group': 'managed',
    'self-managed Auto Scaling group': 'self-managed ASG',
    'Karpenter NodePool': 'Karpenter',
    'EKS Auto Mode NodePool': 'Auto Mode',
    'no known group': 'no known group',
  };
  return `${name.join('/')} (${short[kind!] ?? kind})`;
}

export function nodeRows(facts: Facts, mustBeOff: boolean) {
  const nodes = facts.topology.nodes ?? [];
  return nodes.map((n) => ({
    name: n.name,
    marks: [n.os === 'windows' ? 'Windows' : '', n.routeReflector ? 'route reflector' : '', n.ready === false ? 'not ready' : ''].filter(Boolean).join(', '),
    group: groupText(n),
    instanceType: n.instanceType ?? 'n/a',
    availabilityZone: n.availabilityZone ?? 'n/a',
    subnet: n.subnetId ?? 'not collected',
    address: [n.calicoAddress ?? n.privateIp, n.ipv6Address].filter(Boolean).join('; ') || 'n/a',
    srcDstCheck: srcDstText(n, mustBeOff),
    tunnel: tunnelOrBlock(n, facts),
  }));
}

export function subnetRows(facts: Facts) {
  return (facts.topology.subnets ?? []).map((s) => ({
    subnetId: s.subnetId,
    cidr: s.cidr ?? 'n/a',
    availabilityZone: s.availabilityZone ?? 'n/a',
    nodes: s.nodeCount,
  }));
}

/** The pools that route pods now: enabled ones, and disabled ones whose pods still hold addresses. */
export function routingPools(facts: Facts) {
  return (facts.pools ?? []).filter((p) => p.carriesTraffic === true && p.ipVersion === 4);
}

export function poolEncapsulationText(pool: NonNullable<Facts['pools']>[number]): string {
  if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') return `IP-in-IP ${pool.ipipMode} and VXLAN ${pool.vxlanMode}`;
  if (pool.vxlanMode !== 'Never') return `VXLAN ${pool.vxlanMode}`;
  if (pool.ipipMode !== 'Never') return `IP-in-IP ${pool.ipipMode}`;
  return 'none (native routing)';
}

export function bgpStatus(bgp: Facts['bgp']): string {
  switch (bgp.mode) {
    case 'off':
      return 'DISABLED';
    case 'mesh':
      return 'NODE-TO-NODE MESH';
    case 'route-reflectors':
      return 'ROUTE REFLECTORS';
    case 'peers':
      return 'EXPLICIT PEERS';
    case 'no-peering':
      return 'ON, WITHOUT PEERING';
    default:
      return 'NOT DETERMINED';
  }
}

export function architectureView(assessment: Assessment, checks: SectionChecks) {
  const mustBeOff = assessment.facts.srcDstCheckMustBeOff === true;
  const { facts } = assessment;
  const pools = routingPools(facts);
  const keyFacts: Fact[] = [];
  keyFacts.push({ label: 'CNI mode', value: markdown`${facts.cni.label}${facts.cni.source ? markdown` (${facts.cni.source})` : markdown``}` });
  if (facts.calicoNetworking) {
    keyFacts.push({
      label: 'Encapsulation',
      value: pools.length
        ? joinMarkdown(pools.map((p) => markdown`${poolEncapsulationText(p)} on ${p.name}${p.draining ? ' (disabled, still routing the pods that hold its addresses)' : ''}`), '; ')
        : markdown`no pool routes pods`,
    });
  } else if (facts.calicoNetworking === false) {
    keyFacts.push({ label: 'Encapsulation', value: markdown`none by Calico: pods use VPC addresses` });
  }
  // Where BGP and the dataplane are set is told by their own sections (4, 7) and report.json.
  keyFacts.push({ label: 'BGP', value: markdown`${bgpStatus(facts.bgp).toLowerCase()}` });
  const { typha } = facts;
  keyFacts.push({
    label: 'Typha',
    value:
      typha.deployed === true
        ? markdown`${typha.ready ?? 'n/a'} of ${typha.desired ?? 'n/a'} replicas ready; PodDisruptionBudget ${onOff(typha.podDisruptionBudget, 'present', 'absent', 'not collected')}`
        : typha.deployed === false
          ? markdown`not deployed`
          : markdown`not determined (workloads not collected)`,
  });
  keyFacts.push({
    label: 'Datastore',
    value: facts.datastore.type ? markdown`${facts.datastore.type === 'kubernetes' ? 'Kubernetes API' : 'etcd'} (${facts.datastore.source ?? 'n/a'})` : markdown`not determined`,
  });
  keyFacts.push({ label: 'Dataplane', value: facts.dataplane.mode ? markdown`${facts.dataplane.mode}` : markdown`not determined` });
  if (facts.pools) {
    keyFacts.push({
      label: 'IP pools',
      value: facts.pools.length
        ? joinMarkdown(facts.pools.map((p) => markdown`${p.name} ${p.cidr ?? 'no CIDR'}, /${p.blockSize} blocks${p.disabled ? ' (disabled)' : ''}`), '; ')
        : markdown`none`,
    });
    const nat = pools.map((p) => markdown`${p.natOutgoing ? 'enabled' : 'disabled'} on ${p.name}`);
    if (nat.length) keyFacts.push({ label: 'NAT outgoing', value: joinMarkdown(nat, '; ') });
  } else {
    keyFacts.push({ label: 'IP pools', value: markdown`not collected` });
  }
  const { mtu } = facts;
  if (facts.calicoNetworking && mtu.configured !== null) {
    const configured = mtu.configured === 0 ? markdown`auto-detected` : markdown`${mtu.configured} (${mtu.configuredSource ?? 'n/a'})`;
    const path =
      mtu.expected === null
        ? markdown``
        : mtu.overhead === 0
          ? markdown`; the path allows ${mtu.expected} (network MTU ${mtu.networkMtu ?? 'n/a'}, no encapsulation overhead)`
          : markdown`; the path allows ${mtu.expected} (network MTU ${mtu.networkMtu ?? 'n/a'} minus ${mtu.overheadReason ?? 'n/a'})`;
    keyFacts.push({ label: 'MTU', value: markdown`${configured}${path}` });
  }
  if (facts.growth.nodesNow !== null) keyFacts.push({ label: 'Nodes', value: growthLine(facts) });
  const { cluster } = facts;
  if (cluster.ipFamily === 'ipv6' || cluster.dualStack) {
    keyFacts.push({
      label: 'IP family',
      value:
        cluster.ipFamily === 'ipv6'
          ? markdown`IPv6 (EKS ipFamily ipv6): Calico's traffic between nodes (Typha${facts.calicoNetworking ? ', BGP, VXLAN' : ''}, WireGuard) runs over the nodes' IPv6 addresses`
          : markdown`dual stack: Calico pools hand out IPv4 and IPv6 addresses`,
    });
  }
  keyFacts.push({
    label: 'Kubernetes',
    value: markdown`${facts.cluster.kubernetesVersion ?? 'version not determined'}${facts.cluster.platformVersion ? markdown` on EKS platform ${facts.cluster.platformVersion}` : markdown``}${facts.cluster.serviceCidr ? markdown`, service CIDR ${facts.cluster.serviceCidr}` : markdown``}`,
  });

  const nodes = facts.topology.nodes;
  const listed = nodes && nodes.length <= NODE_TABLE_LIMIT;
  return {
    keyFacts,
    nodes: listed ? nodeRows(facts, mustBeOff) : null,
    subnets: !listed && facts.topology.subnets ? subnetRows(facts) : null,
    nodesNote: !nodes
      ? markdown`The nodes were not collected (neither the Kubernetes nodes nor the EC2 instances).`
      : listed
        ? null
        : markdown`With ${plural(nodes.length, 'node')} the table below is per subnet; report.json lists every node with the same columns.`,
    routingVerdicts: verdictLine('Routing rules', checks.inAreas('RT')),
    eksVerdicts: verdictLine('EKS control-plane rules', checks.inAreas('EKS')),
  };
}
