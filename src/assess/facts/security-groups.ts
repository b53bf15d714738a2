/** Security groups: the exceptions Calico needs between nodes, whether they are admitted, and the groups the nodes carry. */
import { checkReachability, mergeReachability, type NodeEndpoint, type Reachability, type Traffic } from '../sg-reachability.js';
import type { Facts } from '../facts.js';
import type { PoolFact } from './pools.js';
import type { SnapshotField } from '../../snapshot/sources.js';
import type { ClusterModel } from '../model.js';
import { calicoDefaults } from '../../reference/index.js';
import type { NodeFact } from './nodes.js';
import { selects } from '../selector.js';
import { felixOverrides } from './felix.js';
export interface SgException {
  name: 'BGP' | 'IPIP' | 'VXLAN' | 'Typha' | 'WireGuard';
  /** The address family the nodes exchange it over: an exception may be needed over IPv4 and IPv6 both. */
  family: 4 | 6;
  traffic: Traffic;
  required: boolean | null;
  /** The node pairs that exchange the traffic, in words: `every pair of nodes`, `every node to the 2 route reflectors`. */
  scope: string;
  /** Fields whose absence widened the pairs checked beyond those that exchange the traffic: a refusal then proves nothing. */
  widenedBy: SnapshotField[];
  /** The nodes that receive the traffic (for BGP without the mesh: the reflectors and peered nodes, both ways); `null` = every node. */
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

/**
 * Which nodes exchange BGP sessions: all pairs with the mesh, else every node with the reflectors
 * and peered nodes. Either side of a session may open it — Calico makes one side passive by
 * comparing the peers' addresses as text, and node-scoped BGPPeers leave both sides active (confd
 * bird.cfg.template, "passive on; # Peering is unidirectional, peer will connect to us.") — so
 * TCP 179 must pass both ways: clients to reflectors and reflectors to clients.
 */
export function bgpScope(model: ClusterModel, bgp: Facts['bgp']): { scope: string; widenedBy: SnapshotField[]; peered?: Set<string> } {
  if (bgp.meshEnabled === null) return { scope: 'every pair of nodes', widenedBy: ['calico.bgpConfigurations'] };
  if (bgp.meshEnabled) return { scope: 'every pair of nodes, node-to-node mesh, both directions', widenedBy: [] };
  if (!model.nodes || !model.bgpPeers) return { scope: 'every pair of nodes', widenedBy: model.nodes ? ['calico.bgpPeers'] : ['kubernetes.nodes'] };
  const peerSelectors = model.bgpPeers.map((p) => p.peerSelector).filter((s): s is string => !!s);
  const peered = model.nodes.filter((n) => n.routeReflectorClusterId !== null || peerSelectors.some((s) => selects(s, n.labels)));
  return {
    scope: peered.length
      ? `every node to and from the ${peered.length} route reflector or peered node${peered.length > 1 ? 's' : ''} with the mesh off`
      : 'no node-to-node BGP sessions: mesh off, no route reflector or peered node',
    widenedBy: [],
    peered: new Set(peered.map((n) => n.name)),
  };
}

type ExceptionSpec = Omit<SgException, 'reachability' | 'targets'> & { targets?: Set<string>; acrossSubnetsOnly?: boolean; peered?: Set<string> };

const familyLabel = (label: string, family: 4 | 6) => (family === 6 ? label.replace(/\)$/, ', IPv6)') : label);

export function sgFacts(
  model: ClusterModel,
  nodes: NodeFact[] | null,
  calicoNetworking: boolean | null,
  routing: PoolFact[] | null,
  encapsulation: Facts['encapsulation'],
  bgp: Facts['bgp'],
  typha: Facts['typha'],
  wireguard: boolean | null,
  ipv6Pools: PoolFact[],
): SgException[] | null {
  if (!nodes || !model.securityGroups || !model.instances) return null;
  const endpoints: NodeEndpoint[] = nodes.map((n) => ({ name: n.name, privateIp: n.privateIp, ipv6: n.ipv6Address, groupIds: n.securityGroupIds, subnetId: n.subnetId }));
  const { ports } = calicoDefaults;
  const vxlanPort = model.felix?.vxlanPort ?? ports.vxlan;
  const wireguardPort = model.felix?.wireguardListeningPort ?? ports.wireguard;
  const wireguardPortV6 = model.felix?.wireguardListeningPortV6 ?? ports.wireguardV6;
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
  // Host-networked Calico traffic runs over the cluster's address family: IPv6 in an IPv6 cluster.
  const clusterFamily: 4 | 6 = model.ipFamily === 'ipv6' ? 6 : 4;
  const v6Vxlan = ipv6Pools.filter((p) => p.vxlanMode !== 'Never');
  const v6CrossSubnetOnly = v6Vxlan.length > 0 && v6Vxlan.every((p) => p.vxlanMode === 'CrossSubnet');
  const felix = model.felix;
  const bgpFamilies: Array<4 | 6> = [...(ipv6Pools.length && !(routing ?? []).length ? [] : [4 as const]), ...(ipv6Pools.length ? [6 as const] : [])];
  const specs: ExceptionSpec[] = [
    ...bgpFamilies.map((family) => ({
      name: 'BGP' as const,
      family,
      traffic: { protocol: 'tcp' as const, port: ports.bgp, family, label: familyLabel(`BGP (TCP ${ports.bgp})`, family) },
      required: routedOnly(bgp.enabled),
      ...bgpScope(model, bgp),
    })),
    {
      name: 'IPIP',
      family: 4,
      traffic: { protocol: '4', family: 4, label: 'IP-in-IP (IP protocol 4)' },
      required: routedOnly(encapsulation?.ipip),
      widenedBy: [],
      ...tunnelScope(crossSubnetOnly((p) => p.ipipMode), 'ipipMode'),
    },
    {
      name: 'VXLAN',
      family: 4,
      traffic: { protocol: 'udp', port: vxlanPort, family: 4, label: `VXLAN (UDP ${vxlanPort})` },
      required: routedOnly(encapsulation?.vxlan),
      widenedBy: [],
      ...tunnelScope(crossSubnetOnly((p) => p.vxlanMode), 'vxlanMode'),
    },
    ...(encapsulation?.vxlanIpv6
      ? [
          {
            name: 'VXLAN' as const,
            family: 6 as const,
            traffic: { protocol: 'udp' as const, port: vxlanPort, family: 6 as const, label: `VXLAN (UDP ${vxlanPort}, IPv6)` },
            required: routedOnly(true),
            widenedBy: [],
            ...tunnelScope(v6CrossSubnetOnly, 'vxlanMode'),
          },
        ]
      : []),
    {
      name: 'Typha',
      family: clusterFamily,
      traffic: { protocol: 'tcp', port: ports.typha, family: clusterFamily, label: familyLabel(`Typha (TCP ${ports.typha})`, clusterFamily) },
      required: typha.deployed,
      ...typhaScope,
    },
    ...(felix?.wireguardEnabledV6 && !felix.wireguardEnabled
      ? []
      : [
          {
            name: 'WireGuard' as const,
            family: 4 as const,
            traffic: { protocol: 'udp' as const, port: wireguardPort, family: 4 as const, label: `WireGuard (UDP ${wireguardPort})` },
            // On anywhere: the nodes that run it exchange it (a node.<name> FelixConfiguration may turn it on alone).
            required: felix ? felix.wireguardEnabled || felixOverrides(model, (f) => f.wireguardEnabled).some((o) => o.value) : wireguard,
            scope: 'every pair of nodes',
            widenedBy: [],
          },
        ]),
    ...(felix?.wireguardEnabledV6 || felixOverrides(model, (f) => f.wireguardEnabledV6).some((o) => o.value)
      ? [
          {
            name: 'WireGuard' as const,
            family: 6 as const,
            traffic: { protocol: 'udp' as const, port: wireguardPortV6, family: 6 as const, label: `WireGuard (UDP ${wireguardPortV6}, IPv6)` },
            required: true,
            scope: 'every pair of nodes',
            widenedBy: [],
          },
        ]
      : []),
  ];
  const reflectors = new Set((model.nodes ?? []).filter((n) => n.routeReflectorClusterId !== null).map((n) => n.name));
  return specs.map(({ targets, acrossSubnetsOnly, peered, ...spec }) => {
    const check = (options: Parameters<typeof checkReachability>[3]) => checkReachability(endpoints, model.securityGroups!, spec.traffic, options);
    const reflectorsOnly = !!peered && [...peered].every((name) => reflectors.has(name));
    const [toPeer, fromPeer] = reflectorsOnly ? ['client → route reflector', 'route reflector → client'] : ['node → BGP peer', 'BGP peer → node'];
    const reachability = peered
      ? mergeReachability([
          { direction: toPeer, reachability: check({ targets: peered }) },
          { direction: fromPeer, reachability: check({ sources: peered }) },
        ])
      : check({ ...(targets ? { targets } : {}), ...(acrossSubnetsOnly ? { acrossSubnetsOnly } : {}) });
    return { ...spec, targets: (peered ?? targets) ? [...(peered ?? targets)!].sort() : null, reachability };
  });
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
