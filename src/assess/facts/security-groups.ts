/** Security groups: the exceptions Calico needs between nodes, whether they are admitted, and the groups the nodes carry. */
import { checkReachability, type NodeEndpoint, type Reachability, type Traffic } from '../sg-reachability.js';
import type { Facts } from '../facts.js';
import type { PoolFact } from './pools.js';
import type { SnapshotField } from '../../snapshot/sources.js';
import type { ClusterModel } from '../model.js';
import { calicoDefaults } from '../../reference/index.js';
import type { NodeFact } from './nodes.js';
import { selects } from '../selector.js';
export interface SgException {
  name: 'BGP' | 'IPIP' | 'VXLAN' | 'Typha' | 'WireGuard';
  traffic: Traffic;
  required: boolean | null;
  /** The node pairs that exchange the traffic, in words: `every pair of nodes`, `every node to the 2 route reflectors`. */
  scope: string;
  /** Fields whose absence widened the pairs checked beyond those that exchange the traffic: a refusal then proves nothing. */
  widenedBy: SnapshotField[];
  /** The nodes that receive the traffic; `null` = every node. */
  targets: string[] | null;
  reachability: Reachability | null;
}

/** A security group carried by a node, as the AWS-layer section lists it. */
export interface SecurityGroupFact {
  groupId: string;
  groupName: string | null;
  description: string | null;
  /** Nodes whose interfaces carry it. */
  nodes: number;
  /** Collected by DescribeSecurityGroups (else only its id is known, from the instance). */
  collected: boolean;
}

/** Which nodes exchange BGP sessions: all pairs with the mesh, else every node to the reflectors and peered nodes. */
export function bgpScope(model: ClusterModel, bgp: Facts['bgp']): { scope: string; widenedBy: SnapshotField[]; targets?: Set<string> } {
  if (bgp.meshEnabled === null) return { scope: 'every pair of nodes', widenedBy: ['calico.bgpConfigurations'] };
  if (bgp.meshEnabled) return { scope: 'every pair of nodes, node-to-node mesh', widenedBy: [] };
  if (!model.nodes || !model.bgpPeers) return { scope: 'every pair of nodes', widenedBy: model.nodes ? ['calico.bgpPeers'] : ['kubernetes.nodes'] };
  const peerSelectors = model.bgpPeers.map((p) => p.peerSelector).filter((s): s is string => !!s);
  const peered = model.nodes.filter((n) => n.routeReflectorClusterId !== null || peerSelectors.some((s) => selects(s, n.labels)));
  return {
    scope: peered.length
      ? `every node to the ${peered.length} route reflector or peered node${peered.length > 1 ? 's' : ''} with the mesh off`
      : 'no node-to-node BGP sessions: mesh off, no route reflector or peered node',
    widenedBy: [],
    targets: new Set(peered.map((n) => n.name)),
  };
}

export function sgFacts(
  model: ClusterModel,
  nodes: NodeFact[] | null,
  calicoNetworking: boolean | null,
  routing: PoolFact[] | null,
  encapsulation: Facts['encapsulation'],
  bgp: Facts['bgp'],
  typha: Facts['typha'],
  wireguard: boolean | null,
): SgException[] | null {
  if (!nodes || !model.securityGroups || !model.instances) return null;
  const endpoints: NodeEndpoint[] = nodes.map((n) => ({ name: n.name, privateIp: n.privateIp, groupIds: n.securityGroupIds, subnetId: n.subnetId }));
  const { ports } = calicoDefaults;
  const vxlanPort = model.felix?.vxlanPort ?? ports.vxlan;
  const wireguardPort = model.felix?.wireguardListeningPort ?? ports.wireguard;
  const routed = calicoNetworking === true;
  const routedOnly = (value: boolean | null | undefined) => (routed ? (value ?? null) : calicoNetworking === false ? false : null);
  // With CrossSubnet, nodes in one subnet exchange pod traffic unencapsulated: only pairs across subnets need the tunnel.
  const crossSubnetOnly = (mode: (p: PoolFact) => string) => {
    const using = (routing ?? []).filter((p) => mode(p) !== 'Never');
    return using.length > 0 && using.every((p) => mode(p) === 'CrossSubnet');
  };
  const tunnelScope = (acrossSubnetsOnly: boolean, field: string) =>
    acrossSubnetsOnly ? { scope: `nodes in different subnets, ${field} CrossSubnet`, acrossSubnetsOnly } : { scope: 'every pair of nodes', acrossSubnetsOnly };
  const typhaScope =
    typha.nodes === null
      ? { scope: 'every pair of nodes', widenedBy: ['kubernetes.pods'] as SnapshotField[] }
      : typha.nodes.length
        ? { scope: `every node to the ${typha.nodes.length} node${typha.nodes.length > 1 ? 's' : ''} running Typha`, widenedBy: [], targets: new Set(typha.nodes) }
        : { scope: 'every pair of nodes, as no Typha pod is scheduled and Typha may land on any node', widenedBy: [] };
  const specs: Array<Omit<SgException, 'reachability' | 'targets'> & { targets?: Set<string>; acrossSubnetsOnly?: boolean }> = [
    { name: 'BGP', traffic: { protocol: 'tcp', port: ports.bgp, label: `BGP (TCP ${ports.bgp})` }, required: routedOnly(bgp.enabled), ...bgpScope(model, bgp) },
    {
      name: 'IPIP',
      traffic: { protocol: '4', label: 'IP-in-IP (IP protocol 4)' },
      required: routedOnly(encapsulation?.ipip),
      widenedBy: [],
      ...tunnelScope(crossSubnetOnly((p) => p.ipipMode), 'ipipMode'),
    },
    {
      name: 'VXLAN',
      traffic: { protocol: 'udp', port: vxlanPort, label: `VXLAN (UDP ${vxlanPort})` },
      required: routedOnly(encapsulation?.vxlan),
      widenedBy: [],
      ...tunnelScope(crossSubnetOnly((p) => p.vxlanMode), 'vxlanMode'),
    },
    { name: 'Typha', traffic: { protocol: 'tcp', port: ports.typha, label: `Typha (TCP ${ports.typha})` }, required: typha.deployed, ...typhaScope },
    {
      name: 'WireGuard',
      traffic: { protocol: 'udp', port: wireguardPort, label: `WireGuard (UDP ${wireguardPort})` },
      required: wireguard,
      scope: 'every pair of nodes',
      widenedBy: [],
    },
  ];
  return specs.map(({ targets, acrossSubnetsOnly, ...spec }) => ({
    ...spec,
    targets: targets ? [...targets].sort() : null,
    reachability: checkReachability(endpoints, model.securityGroups!, spec.traffic, {
      ...(targets ? { targets } : {}),
      ...(acrossSubnetsOnly ? { acrossSubnetsOnly } : {}),
    }),
  }));
}

/** The security groups on the nodes' interfaces, with their names and descriptions when collected. */
export function securityGroupFacts(model: ClusterModel, nodes: NodeFact[] | null): SecurityGroupFact[] | null {
  if (!nodes || !model.instances) return null;
  const carriers = new Map<string, number>();
  for (const node of nodes) for (const id of node.securityGroupIds) carriers.set(id, (carriers.get(id) ?? 0) + 1);
  return [...carriers].sort((a, b) => a[0].localeCompare(b[0])).map(([groupId, count]) => {
    const group = model.securityGroups?.find((g) => g.GroupId === groupId);
    return { groupId, groupName: group?.GroupName ?? null, description: group?.Description ?? null, nodes: count, collected: !!group };
  });
}
