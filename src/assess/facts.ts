/**
 * Facts: what the cluster is, derived once from the model and shown in every report — topology,
 * CNI mode, encapsulation, BGP, Typha, datastore, dataplane, MTU, version, tiers, pool capacity,
 * growth limits, and which traffic the security groups admit between nodes. Facts describe; rules
 * judge. A fact that needs data that was not collected is `null`.
 */
import { awsNetwork, calicoDefaults, isSystemNamespace, supportsJumboFrames } from '../reference/index.js';
import { cidrContains, parseCidr } from './ipv4.js';
import type { CalicoInstall, ClusterModel, IpPool, Pod, Tier } from './model.js';
import { allowAllPolicies, allowsEverything, defaultDenyCandidates, findDefaultDeny, namespacesWithoutPolicy, podNetworkPods } from './policy-analysis.js';
import type { Ec2RouteTable } from '../snapshot/schema.js';
import { checkReachability, type NodeEndpoint, type Reachability, type Traffic } from './sg-reachability.js';
import { selects } from './selector.js';
import type { SnapshotField } from '../snapshot/sources.js';

export interface NodeFact {
  name: string;
  instanceId: string | null;
  /** The EC2 `Name` tag. */
  instanceName: string | null;
  instanceType: string | null;
  availabilityZone: string | null;
  subnetId: string | null;
  subnetCidr: string | null;
  privateIp: string | null;
  /** Calico's own record of the node address (annotation), with prefix length. */
  calicoAddress: string | null;
  srcDstCheck: boolean | null;
  securityGroupIds: string[];
  tunnelAddress: string | null;
  podBlocks: string[];
  routeReflector: boolean;
  ready: boolean | null;
  nodegroup: string | null;
}

export type CniMode =
  | 'calico-vxlan'
  | 'calico-vxlan-crosssubnet'
  | 'calico-ipip'
  | 'calico-ipip-crosssubnet'
  | 'calico-native'
  | 'calico-mixed'
  | 'calico-no-pools'
  | 'aws-vpc-cni-policy-only'
  | 'other-cni-policy-only'
  | 'no-calico';

export const CNI_MODE_LABELS: Record<CniMode, string> = {
  'calico-vxlan': 'Calico VXLAN overlay',
  'calico-vxlan-crosssubnet': 'Calico VXLAN across subnets, native within a subnet',
  'calico-ipip': 'Calico IP-in-IP overlay',
  'calico-ipip-crosssubnet': 'Calico IP-in-IP across subnets, native within a subnet (CrossSubnet)',
  'calico-native': 'Calico native routing (no encapsulation)',
  'calico-mixed': 'Calico with pools of different encapsulations',
  'calico-no-pools': 'Calico CNI with no enabled IPv4 pool',
  'aws-vpc-cni-policy-only': 'AWS VPC CNI, Calico for network policy only',
  'other-cni-policy-only': 'Another CNI plugin, Calico for network policy only',
  'no-calico': 'Calico not found',
};

export type PoolEncapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None' | 'IPIP+VXLAN';

export interface PoolFact {
  name: string;
  cidr: string | null;
  ipVersion: 4 | 6;
  blockSize: number;
  ipipMode: string;
  vxlanMode: string;
  natOutgoing: boolean;
  disabled: boolean;
  nodeSelector: string;
  encapsulation: PoolEncapsulation;
  /** Routes pod traffic: enabled, for workloads. */
  routesWorkloads: boolean;
  /** `2^(32 − prefix)` addresses; `2^(blockSize − prefix)` blocks: one node needs at least one. */
  addresses: number | null;
  addressesPerBlock: number | null;
  blocks: number | null;
  blocksInUse: number | null;
  allocated: number | null;
  utilisation: number | null;
  outsideVpc: boolean | null;
  legacyFields: string[];
}

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

/**
 * The pools that route pods (enabled, IPv4, for workloads) taken together: the IPAM key facts.
 * `blocks` is the most nodes they can serve (each node claims at least one); `addressesPerBlock`
 * is set when every pool uses the same block size.
 */
export type IpamFact = { pools: number } & Pick<PoolFact, 'addresses' | 'addressesPerBlock' | 'blocks' | 'blocksInUse' | 'allocated' | 'utilisation'>;

/** Pods on the pod network (not host-network), running or about to. */
export interface WorkloadsFact {
  pods: number;
  hostNetworkPods: number;
  byNamespace: Array<{
    namespace: string;
    pods: number;
    system: boolean;
    /** Kubernetes and Calico policies in the namespace. */
    policies: number | null;
    /** Some policy that constrains traffic (not an allow-everything global) selects its pods; `null` = policies not collected. */
    selected: boolean | null;
  }>;
  /** Busiest first. */
  byNode: Array<{ node: string; pods: number }>;
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

/** A VPC route table serving the nodes' subnets, and the pod routes it holds. */
export interface RouteTableFact {
  routeTableId: string;
  main: boolean;
  /** Node subnets it serves. */
  subnets: string[];
  routes: number;
  /** Routes to pod addresses (inside a pool) or to a node instance / interface. */
  podRoutes: number;
  /** The first few pod routes, destination and target. */
  podRouteSamples: Array<{ destination: string | null; target: string }>;
}

export interface Facts {
  cluster: {
    name: string;
    accountId: string;
    region: string;
    collectedAt: string;
    kubernetesVersion: string | null;
    platformVersion: string | null;
    vpcId: string | null;
    vpcCidrs: string[] | null;
    serviceCidr: string | null;
  };
  calico: Pick<CalicoInstall, 'presence' | 'method' | 'variant' | 'version' | 'versionSource'> & { apiGroup: string | null };
  cni: { mode: CniMode | null; label: string; plugin: CalicoInstall['cni']; source: string | null };
  /** Calico routes and allocates pod addresses (not policy-only, not absent). */
  calicoNetworking: boolean | null;
  /**
   * EC2's source/destination check must be off on every node: Calico routes pods and some pod
   * traffic leaves the nodes unencapsulated (what CAL-AWS-01 applies to).
   */
  srcDstCheckMustBeOff: boolean | null;
  topology: {
    nodes: NodeFact[] | null;
    nodeCount: number | null;
    fargateNodeCount: number;
    subnets: Array<{ subnetId: string; cidr: string | null; availabilityZone: string | null; nodeCount: number }> | null;
    availabilityZones: string[] | null;
    multiSubnet: boolean | null;
  };
  growth: { nodesNow: number | null; maxNodes: number | null; source: string };
  pools: PoolFact[] | null;
  ipam: IpamFact | null;
  encapsulation: {
    ipip: boolean;
    vxlan: boolean;
    /** Some pod traffic leaves nodes unencapsulated (a pool `Never`/`Never`, or `CrossSubnet` within a subnet). */
    unencapsulated: boolean;
    crossSubnet: boolean;
  } | null;
  bgp: {
    enabled: boolean | null;
    source: string | null;
    mode: 'mesh' | 'route-reflectors' | 'peers' | 'no-peering' | 'off' | null;
    meshEnabled: boolean | null;
    asNumber: number | null;
    peers: Array<{ name: string; scope: string; peerIP: string | null; peerSelector: string | null; asNumber: number | null }> | null;
    routeReflectors: string[] | null;
    serviceClusterIPs: string[];
    serviceExternalIPs: string[];
  };
  typha: {
    configured: boolean | null;
    deployed: boolean | null;
    desired: number | null;
    ready: number | null;
    podDisruptionBudget: boolean | null;
    nodes: string[] | null;
  };
  datastore: { type: CalicoInstall['datastore']; source: string | null };
  dataplane: { mode: CalicoInstall['dataplane']; source: string | null };
  wireguard: { enabled: boolean | null };
  mtu: {
    networkMtu: number | null;
    networkMtuReason: string | null;
    overhead: number | null;
    overheadReason: string | null;
    expected: number | null;
    /** `0` = Calico auto-detects. */
    configured: number | null;
    configuredSource: string | null;
  };
  felix: {
    logSeverityScreen: string | null;
    prometheusMetricsEnabled: boolean | null;
    flowLogs: boolean | null;
    healthPort: number | null;
    vxlanVNI: number | null;
    awsSrcDstCheck: string | null;
  };
  policy: {
    tiers: Tier[] | null;
    globalPolicies: number | null;
    namespacedCalicoPolicies: number | null;
    kubernetesPolicies: number | null;
    defaultDeny: string | null;
    defaultDenyCandidates: Array<{ name: string; shortfalls: string[] }>;
    allowAll: string[];
    model: string | null;
  };
  components: {
    name: string;
    namespace: string | null;
    kind: string;
    desired: number | null;
    ready: number | null;
    healthy: boolean | null;
  }[] | null;
  sgExceptions: SgException[] | null;
  securityGroups: SecurityGroupFact[] | null;
  /** `null` when route tables, instances, subnets or pools were not collected, or a node subnet has no table. */
  routeTables: RouteTableFact[] | null;
  workloads: WorkloadsFact | null;
}

const instanceSecurityGroups = (instance: NonNullable<ClusterModel['instances']>[number]): string[] => {
  const fromInterfaces = (instance.NetworkInterfaces ?? []).flatMap((eni) => (eni.Groups ?? []).map((g) => g.GroupId ?? ''));
  const fromInstance = (instance.SecurityGroups ?? []).map((g) => g.GroupId ?? '');
  return [...new Set([...fromInterfaces, ...fromInstance].filter(Boolean))];
};

function nodeFacts(model: ClusterModel): NodeFact[] | null {
  const instancesById = new Map((model.instances ?? []).map((i) => [i.InstanceId, i]));
  const instancesByDns = new Map((model.instances ?? []).filter((i) => i.PrivateDnsName).map((i) => [i.PrivateDnsName!, i]));
  const subnetsById = new Map((model.subnets ?? []).map((s) => [s.SubnetId, s]));
  const blocksByNode = new Map<string, string[]>();
  for (const block of model.ipamBlocks ?? []) {
    if (block.affinityNode && block.cidr) blocksByNode.set(block.affinityNode, [...(blocksByNode.get(block.affinityNode) ?? []), block.cidr]);
  }

  const fromInstance = (instanceId: string | null, name: string) => {
    const instance = (instanceId ? instancesById.get(instanceId) : undefined) ?? instancesByDns.get(name);
    if (!instance) return null;
    const subnetId = instance.SubnetId ?? instance.NetworkInterfaces?.[0]?.SubnetId ?? null;
    const primary = instance.NetworkInterfaces?.find((eni) => eni.Attachment?.DeviceIndex === 0) ?? instance.NetworkInterfaces?.[0];
    return {
      instanceId: instance.InstanceId,
      instanceName: instance.Tags?.find((t) => t.Key === 'Name')?.Value ?? null,
      instanceType: instance.InstanceType ?? null,
      availabilityZone: instance.Placement?.AvailabilityZone ?? (subnetId ? subnetsById.get(subnetId)?.AvailabilityZone : undefined) ?? null,
      subnetId,
      subnetCidr: (subnetId ? subnetsById.get(subnetId)?.CidrBlock : undefined) ?? null,
      privateIp: instance.PrivateIpAddress ?? primary?.PrivateIpAddress ?? null,
      srcDstCheck: instance.SourceDestCheck ?? primary?.SourceDestCheck ?? null,
      securityGroupIds: instanceSecurityGroups(instance),
    };
  };

  if (model.nodes) {
    return model.nodes
      .filter((n) => !n.fargate)
      .map((node) => {
        const ec2 = model.instances ? fromInstance(node.instanceId, node.name) : null;
        return {
          name: node.name,
          instanceId: ec2?.instanceId ?? node.instanceId,
          instanceName: ec2?.instanceName ?? null,
          instanceType: ec2?.instanceType ?? node.labels['node.kubernetes.io/instance-type'] ?? null,
          availabilityZone: ec2?.availabilityZone ?? node.labels['topology.kubernetes.io/zone'] ?? null,
          subnetId: ec2?.subnetId ?? null,
          subnetCidr: ec2?.subnetCidr ?? null,
          privateIp: ec2?.privateIp ?? node.internalIp,
          calicoAddress: node.calicoIPv4Address,
          srcDstCheck: ec2?.srcDstCheck ?? null,
          securityGroupIds: ec2?.securityGroupIds ?? [],
          tunnelAddress: node.vxlanTunnelAddress ?? node.ipipTunnelAddress ?? null,
          podBlocks: blocksByNode.get(node.name) ?? [],
          routeReflector: node.routeReflectorClusterId !== null,
          ready: node.ready,
          nodegroup: node.labels['eks.amazonaws.com/nodegroup'] ?? null,
        };
      });
  }
  // An AWS-only snapshot (the Kubernetes API was unreachable): the instances are the nodes.
  if (model.instances) {
    return model.instances.map((instance) => {
      const ec2 = fromInstance(instance.InstanceId, '')!;
      return {
        name: instance.PrivateDnsName || instance.InstanceId,
        ...ec2,
        calicoAddress: null,
        tunnelAddress: null,
        podBlocks: [],
        routeReflector: false,
        ready: null,
        nodegroup: instance.Tags?.find((t) => t.Key === 'eks:nodegroup-name')?.Value ?? null,
      };
    });
  }
  return null;
}

function poolEncapsulation(pool: IpPool): PoolEncapsulation {
  if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') return 'IPIP+VXLAN';
  if (pool.vxlanMode === 'Always') return 'VXLAN';
  if (pool.vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  if (pool.ipipMode === 'Always') return 'IPIP';
  if (pool.ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  return 'None';
}

function poolFacts(model: ClusterModel): PoolFact[] | null {
  if (!model.ippools) return null;
  const vpcCidrs = model.vpcCidrs?.map(parseCidr).filter((c) => c !== undefined) ?? null;
  const blocks = model.ipamBlocks?.map((b) => ({ block: b, cidr: parseCidr(b.cidr ?? undefined) })) ?? null;
  return model.ippools.map((pool) => {
    const cidr = pool.ipVersion === 4 ? parseCidr(pool.cidr ?? undefined) : undefined;
    const sized = cidr && pool.blockSize >= cidr.prefix && pool.blockSize <= 32;
    const inPool = cidr && blocks ? blocks.filter((b) => b.cidr && cidrContains(cidr, b.cidr)) : null;
    const allocated = inPool ? inPool.reduce((sum, b) => sum + b.block.allocated, 0) : null;
    return {
      name: pool.name,
      cidr: pool.cidr,
      ipVersion: pool.ipVersion,
      blockSize: pool.blockSize,
      ipipMode: pool.ipipMode,
      vxlanMode: pool.vxlanMode,
      natOutgoing: pool.natOutgoing,
      disabled: pool.disabled,
      nodeSelector: pool.nodeSelector,
      encapsulation: poolEncapsulation(pool),
      routesWorkloads: !pool.disabled && pool.allowedUses.includes('Workload'),
      addresses: cidr ? cidr.size : null,
      addressesPerBlock: sized ? 2 ** (32 - pool.blockSize) : null,
      blocks: sized ? 2 ** (pool.blockSize - cidr.prefix) : null,
      blocksInUse: inPool ? inPool.length : null,
      allocated,
      utilisation: cidr && allocated !== null ? Math.round((allocated / cidr.size) * 10000) / 10000 : null,
      outsideVpc: cidr && vpcCidrs ? !vpcCidrs.some((v) => cidrContains(v, cidr)) : null,
      legacyFields: pool.legacyFields,
    };
  });
}

function cniFacts(model: ClusterModel, pools: PoolFact[] | null): Facts['cni'] {
  const { install } = model;
  const make = (mode: CniMode | null) => ({
    mode,
    label: mode ? CNI_MODE_LABELS[mode] : 'not determined (data not collected)',
    plugin: install.cni,
    source: install.cniSource,
  });
  if (install.presence === 'absent') return make('no-calico');
  if (install.cni === 'AmazonVPC') return make('aws-vpc-cni-policy-only');
  if (install.cni === 'other') return make('other-cni-policy-only');
  if (install.cni !== 'Calico' || !pools) return make(null);
  const routing = pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);
  const kinds = new Set(routing.map((p) => p.encapsulation));
  if (kinds.size === 0) return make('calico-no-pools');
  if (kinds.size > 1) return make('calico-mixed');
  const only = [...kinds][0]!;
  const byEncapsulation: Record<PoolEncapsulation, CniMode> = {
    VXLAN: 'calico-vxlan',
    VXLANCrossSubnet: 'calico-vxlan-crosssubnet',
    IPIP: 'calico-ipip',
    IPIPCrossSubnet: 'calico-ipip-crosssubnet',
    None: 'calico-native',
    'IPIP+VXLAN': 'calico-mixed',
  };
  return make(byEncapsulation[only]);
}

function growthFacts(model: ClusterModel, nodes: NodeFact[] | null): Facts['growth'] {
  const nodesNow = nodes?.length ?? null;
  if (!model.nodegroups || nodesNow === null) {
    return { nodesNow, maxNodes: null, source: 'node groups were not collected' };
  }
  const managed = new Set(model.nodegroups.map((ng) => ng.name));
  const unmanaged = (nodes ?? []).filter((n) => !n.nodegroup || !managed.has(n.nodegroup)).length;
  const groupMax = model.nodegroups.reduce((sum, ng) => sum + (ng.maxSize ?? ng.desiredSize ?? 0), 0);
  const maxNodes = Math.max(nodesNow, groupMax + unmanaged);
  return {
    nodesNow,
    maxNodes,
    source: model.nodegroups.length
      ? `sum of managed node groups' maxSize (${groupMax})${unmanaged ? ` plus ${unmanaged} nodes outside them` : ''}`
      : 'no managed node groups: the current node count',
  };
}

function mtuFacts(model: ClusterModel, nodes: NodeFact[] | null, encapsulation: Facts['encapsulation'], wireguard: boolean | null): Facts['mtu'] {
  const types = [...new Set((nodes ?? []).map((n) => n.instanceType).filter((t): t is string => !!t))];
  let networkMtu: number | null = null;
  let networkMtuReason: string | null = null;
  if (types.length) {
    const small = types.filter((t) => !supportsJumboFrames(t));
    networkMtu = small.length ? awsNetwork.standardMtu : awsNetwork.jumboFrameMtu;
    networkMtuReason = small.length
      ? `${small.join(', ')} ${small.length > 1 ? 'do' : 'does'} not support jumbo frames`
      : `every node type (${types.join(', ')}) supports ${awsNetwork.jumboFrameMtu}-byte jumbo frames inside the VPC`;
  }
  let overhead: number | null = null;
  let overheadReason: string | null = null;
  let configured: number | null = null;
  let configuredSource: string | null = null;
  if (encapsulation && wireguard !== null) {
    const { encapsulationOverhead } = calicoDefaults;
    const candidates: Array<[number, string, number | null]> = [[0, 'native routing', null]];
    if (encapsulation.ipip) candidates.push([encapsulationOverhead.IPIP, 'IP-in-IP', model.felix?.ipipMTU ?? null]);
    if (encapsulation.vxlan) candidates.push([encapsulationOverhead.VXLAN, 'VXLAN', model.felix?.vxlanMTU ?? null]);
    if (wireguard) candidates.push([encapsulationOverhead.WireGuard, 'WireGuard', model.felix?.wireguardMTU ?? null]);
    const [bytes, reason, specific] = candidates.reduce((a, b) => (b[0] > a[0] ? b : a));
    overhead = bytes;
    overheadReason = `${reason}${bytes ? ` (${bytes} bytes)` : ''}`;
    if (specific) {
      const field = reason === 'IP-in-IP' ? 'ipipMTU' : reason === 'VXLAN' ? 'vxlanMTU' : 'wireguardMTU';
      const envNames = field === 'ipipMTU' ? ['FELIX_IPINIPMTU', 'FELIX_IPIPMTU'] : [`FELIX_${field.toUpperCase()}`];
      const envName = model.felix?.sources.find((s) => s.kind === 'calico-node env' && envNames.includes(s.name))?.name;
      configured = specific;
      // Operators and manifests hand their MTU to Felix through calico-node env: name the setting a person edits.
      configuredSource = !envName
        ? `FelixConfiguration ${field}`
        : model.install.mtu === specific && model.install.mtuSource
          ? model.install.mtuSource
          : `calico-node ${envName}`;
    } else {
      configured = model.install.mtu;
      configuredSource = model.install.mtuSource;
    }
  }
  return {
    networkMtu,
    networkMtuReason,
    overhead,
    overheadReason,
    expected: networkMtu !== null && overhead !== null ? networkMtu - overhead : null,
    configured,
    configuredSource,
  };
}

function bgpFacts(model: ClusterModel): Facts['bgp'] {
  const enabled = model.install.presence === 'absent' ? false : model.install.bgpEnabled;
  const config = model.bgpConfiguration;
  const routeReflectors = model.nodes ? model.nodes.filter((n) => n.routeReflectorClusterId !== null).map((n) => n.name) : null;
  const peers =
    model.bgpPeers?.map((p) => ({
      name: p.name,
      scope: p.node ? `node ${p.node}` : p.nodeSelector ? `nodes matching ${p.nodeSelector}` : 'every node',
      peerIP: p.peerIP,
      peerSelector: p.peerSelector,
      asNumber: p.asNumber,
    })) ?? null;
  let mode: Facts['bgp']['mode'] = null;
  if (enabled === false) mode = 'off';
  else if (enabled && config) {
    if (config.nodeToNodeMeshEnabled) mode = 'mesh';
    else if (routeReflectors?.length) mode = 'route-reflectors';
    else if (peers?.length) mode = 'peers';
    else if (peers && routeReflectors) mode = 'no-peering';
  }
  return {
    enabled,
    source: model.install.presence === 'absent' ? 'Calico not found' : model.install.bgpSource,
    mode,
    meshEnabled: config?.nodeToNodeMeshEnabled ?? null,
    asNumber: config?.asNumber ?? null,
    peers,
    routeReflectors,
    serviceClusterIPs: config?.serviceClusterIPs ?? [],
    serviceExternalIPs: config?.serviceExternalIPs ?? [],
  };
}

function policyFacts(model: ClusterModel): Facts['policy'] {
  const { policies, namespaces } = model;
  const tiers = model.tiers ? [...model.tiers].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.name.localeCompare(b.name)) : null;
  const count = (kind: string) => (policies ? policies.filter((p) => p.kind === kind).length : null);
  const defaultDeny = policies ? findDefaultDeny(policies, namespaces, model.tiers) : null;
  const allowAll = policies ? allowAllPolicies(policies, namespaces).map((a) => a.policy.name) : [];
  let model_: string | null = null;
  if (policies) {
    const parts: string[] = [];
    if (tiers && tiers.length > 1) parts.push(`${tiers.length} tiers`);
    if (defaultDeny) parts.push(`global default deny (${defaultDeny.name})`);
    else if (allowAll.length) parts.push(`global default allow (${allowAll.join(', ')})`);
    else parts.push('no global default deny');
    const namespaced = (count('NetworkPolicy') ?? 0) + (count('KubernetesNetworkPolicy') ?? 0);
    parts.push(namespaced ? `${namespaced} namespaced polic${namespaced === 1 ? 'y' : 'ies'}` : 'no namespaced policies');
    model_ = parts.join(', ');
  }
  return {
    tiers,
    globalPolicies: count('GlobalNetworkPolicy'),
    namespacedCalicoPolicies: count('NetworkPolicy'),
    kubernetesPolicies: count('KubernetesNetworkPolicy'),
    defaultDeny: defaultDeny?.name ?? null,
    defaultDenyCandidates: policies
      ? defaultDenyCandidates(policies, namespaces, model.tiers).map((c) => ({ name: c.policy.name, shortfalls: c.shortfalls }))
      : [],
    allowAll,
    model: model_,
  };
}

function componentFacts(model: ClusterModel): Facts['components'] {
  const { components } = model;
  if (!components) return null;
  const rows: NonNullable<Facts['components']> = [];
  const add = (name: string, workload: (typeof components)['calicoNode']) => {
    if (!workload) return;
    rows.push({
      name,
      namespace: workload.namespace,
      kind: workload.kind,
      desired: workload.desired,
      ready: workload.ready,
      healthy: workload.desired > 0 && workload.ready >= workload.desired,
    });
  };
  add('calico-node', components.calicoNode);
  add('calico-typha', components.typha);
  add('calico-kube-controllers', components.kubeControllers);
  add('csi-node-driver', components.csiNodeDriver);
  add('tigera-operator', components.operator);
  add('aws-node', components.awsNode);
  return rows;
}

/** Which nodes exchange BGP sessions: all pairs with the mesh, else every node to the reflectors and peered nodes. */
function bgpScope(model: ClusterModel, bgp: Facts['bgp']): { scope: string; widenedBy: SnapshotField[]; targets?: Set<string> } {
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

function sgFacts(
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

/** The pools that route pods, taken together: addresses, blocks (= the most nodes they can serve), allocation. */
function ipamFacts(pools: PoolFact[] | null): IpamFact | null {
  if (!pools) return null;
  const routing = pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);
  const sum = (pick: (p: PoolFact) => number | null) =>
    routing.every((p) => pick(p) !== null) ? routing.reduce((total, p) => total + pick(p)!, 0) : null;
  const addresses = sum((p) => p.addresses);
  const allocated = sum((p) => p.allocated);
  const perBlock = [...new Set(routing.map((p) => p.addressesPerBlock))];
  return {
    pools: routing.length,
    addresses,
    addressesPerBlock: perBlock.length === 1 ? perBlock[0]! : null,
    blocks: sum((p) => p.blocks),
    blocksInUse: sum((p) => p.blocksInUse),
    allocated,
    utilisation: addresses && allocated !== null ? Math.round((allocated / addresses) * 10000) / 10000 : null,
  };
}

/** Pods on the pod network by namespace (with policy coverage) and by node; host-network pods counted apart. */
function workloadFacts(model: ClusterModel): WorkloadsFact | null {
  if (!model.pods) return null;
  const onNetwork = podNetworkPods(model.pods);
  const byNamespace = new Map<string, Pod[]>();
  const byNode = new Map<string, number>();
  for (const pod of onNetwork) {
    byNamespace.set(pod.namespace, [...(byNamespace.get(pod.namespace) ?? []), pod]);
    if (pod.nodeName) byNode.set(pod.nodeName, (byNode.get(pod.nodeName) ?? 0) + 1);
  }
  const { policies } = model;
  const names = [...byNamespace.keys()].sort();
  let uncovered: Set<string> | null = null;
  if (policies) {
    const labels = new Map([...byNamespace].map(([ns, pods]) => [ns, pods.map((p) => p.labels)]));
    const namespaces = names.map(
      (name) => model.namespaces?.find((n) => n.name === name) ?? { name, labels: { 'kubernetes.io/metadata.name': name } },
    );
    uncovered = new Set(namespacesWithoutPolicy(policies.filter((p) => !allowsEverything(p)), namespaces, labels));
  }
  return {
    pods: onNetwork.length,
    hostNetworkPods: model.pods.filter((p) => p.hostNetwork).length,
    byNamespace: names.map((namespace) => ({
      namespace,
      pods: byNamespace.get(namespace)!.length,
      system: isSystemNamespace(namespace),
      policies: policies ? policies.filter((p) => p.namespace === namespace).length : null,
      selected: uncovered ? !uncovered.has(namespace) : null,
    })),
    byNode: [...byNode].map(([node, pods]) => ({ node, pods })).sort((a, b) => b.pods - a.pods || a.node.localeCompare(b.node)),
  };
}

/** The security groups on the nodes' interfaces, with their names and descriptions when collected. */
function securityGroupFacts(model: ClusterModel, nodes: NodeFact[] | null): SecurityGroupFact[] | null {
  if (!nodes || !model.instances) return null;
  const carriers = new Map<string, number>();
  for (const node of nodes) for (const id of node.securityGroupIds) carriers.set(id, (carriers.get(id) ?? 0) + 1);
  return [...carriers].sort((a, b) => a[0].localeCompare(b[0])).map(([groupId, count]) => {
    const group = model.securityGroups?.find((g) => g.GroupId === groupId);
    return { groupId, groupName: group?.GroupName ?? null, description: group?.Description ?? null, nodes: count, collected: !!group };
  });
}

type Route = NonNullable<Ec2RouteTable['Routes']>[number];
const ROUTE_SAMPLES = 5;

/**
 * The route table each node subnet uses (its explicit association, else the VPC's main table) and
 * the pod routes in it: a route into a pool, or to a node instance or interface (VPC-routed pods).
 */
function routeTableFacts(model: ClusterModel, subnets: Facts['topology']['subnets'], pools: PoolFact[] | null): RouteTableFact[] | null {
  const { routeTables, instances } = model;
  if (!routeTables || !subnets || !pools || !instances) return null;
  const main = routeTables.find((t) => (t.Associations ?? []).some((a) => a.Main) && (!model.vpcId || !t.VpcId || t.VpcId === model.vpcId));
  const tables = new Map<string, { table: Ec2RouteTable; subnets: string[] }>();
  for (const { subnetId } of subnets) {
    const table = routeTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ?? main;
    if (!table) return null;
    const entry = tables.get(table.RouteTableId) ?? { table, subnets: [] };
    entry.subnets.push(subnetId);
    tables.set(table.RouteTableId, entry);
  }
  const poolCidrs = pools.map((p) => parseCidr(p.cidr ?? undefined)).filter((c) => c !== undefined);
  const nodeInstances = new Set(instances.map((i) => i.InstanceId));
  const nodeInterfaces = new Set(instances.flatMap((i) => (i.NetworkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId ?? '')).filter(Boolean));
  const isPodRoute = (route: Route) => {
    const destination = parseCidr(route.DestinationCidrBlock);
    if (destination && poolCidrs.some((pool) => cidrContains(pool, destination))) return true;
    return (!!route.InstanceId && nodeInstances.has(route.InstanceId)) || (!!route.NetworkInterfaceId && nodeInterfaces.has(route.NetworkInterfaceId));
  };
  return [...tables.values()]
    .map(({ table, subnets: served }) => {
      const podRoutes = (table.Routes ?? []).filter(isPodRoute);
      return {
        routeTableId: table.RouteTableId,
        main: (table.Associations ?? []).some((a) => a.Main),
        subnets: served,
        routes: (table.Routes ?? []).length,
        podRoutes: podRoutes.length,
        podRouteSamples: podRoutes.slice(0, ROUTE_SAMPLES).map((r) => ({
          destination: r.DestinationCidrBlock ?? null,
          target: r.InstanceId ?? r.NetworkInterfaceId ?? r.GatewayId ?? '?',
        })),
      };
    })
    .sort((a, b) => b.podRoutes - a.podRoutes);
}

/** Derives every fact once. Never throws on odd data: a fact it cannot establish is `null`. */
export function deriveFacts(model: ClusterModel): Facts {
  const nodes = nodeFacts(model);
  const pools = poolFacts(model);
  const cni = cniFacts(model, pools);
  const calicoNetworking =
    cni.mode === null ? (model.install.presence === 'absent' ? false : null) : cni.mode.startsWith('calico-');

  const routing = pools?.filter((p) => p.routesWorkloads && p.ipVersion === 4) ?? null;
  const encapsulation =
    calicoNetworking && routing
      ? {
          ipip: routing.some((p) => p.ipipMode !== 'Never'),
          vxlan: routing.some((p) => p.vxlanMode !== 'Never'),
          unencapsulated: routing.some(
            (p) => (p.ipipMode === 'Never' && p.vxlanMode === 'Never') || p.ipipMode === 'CrossSubnet' || p.vxlanMode === 'CrossSubnet',
          ),
          crossSubnet: routing.some((p) => p.ipipMode === 'CrossSubnet' || p.vxlanMode === 'CrossSubnet'),
        }
      : calicoNetworking === false
        ? { ipip: false, vxlan: false, unencapsulated: false, crossSubnet: false }
        : null;

  const subnetIds = nodes ? nodes.map((n) => n.subnetId) : null;
  const knownSubnets = subnetIds && subnetIds.every((s) => s !== null) ? (subnetIds as string[]) : null;
  const subnets = knownSubnets
    ? [...new Set(knownSubnets)].sort().map((subnetId) => {
        const subnet = model.subnets?.find((s) => s.SubnetId === subnetId);
        const inSubnet = nodes!.filter((n) => n.subnetId === subnetId);
        return {
          subnetId,
          cidr: subnet?.CidrBlock ?? null,
          availabilityZone: subnet?.AvailabilityZone ?? inSubnet[0]?.availabilityZone ?? null,
          nodeCount: inSubnet.length,
        };
      })
    : null;

  const wireguard = model.felix ? model.felix.wireguardEnabled || model.felix.wireguardEnabledV6 : null;
  const bgp = bgpFacts(model);
  const typhaWorkload = model.components?.typha ?? null;
  const typhaNodes =
    model.pods && typhaWorkload
      ? [...new Set(model.pods.filter((p) => p.labels['k8s-app'] === 'calico-typha' && p.nodeName).map((p) => p.nodeName!))]
      : null;
  const typha: Facts['typha'] = {
    configured: model.install.typhaConfigured,
    deployed: model.components ? typhaWorkload !== null && typhaWorkload.desired > 0 : null,
    desired: typhaWorkload?.desired ?? null,
    ready: typhaWorkload?.ready ?? null,
    podDisruptionBudget: model.components && model.components.typhaPdb !== undefined ? model.components.typhaPdb !== null : null,
    nodes: typhaNodes,
  };

  return {
    cluster: {
      name: model.target.clusterName,
      accountId: model.target.accountId,
      region: model.target.region,
      collectedAt: model.collectedAt,
      kubernetesVersion: model.kubernetesVersion,
      platformVersion: model.eks?.platformVersion ?? null,
      vpcId: model.vpcId,
      vpcCidrs: model.vpcCidrs,
      serviceCidr: model.eks?.kubernetesNetworkConfig?.serviceIpv4Cidr ?? null,
    },
    calico: {
      presence: model.install.presence,
      method: model.install.method,
      variant: model.install.variant,
      version: model.install.version,
      versionSource: model.install.versionSource,
      apiGroup: model.apiGroup,
    },
    cni,
    calicoNetworking,
    srcDstCheckMustBeOff:
      model.install.presence === 'absent' || calicoNetworking === false ? false : calicoNetworking && encapsulation ? encapsulation.unencapsulated : null,
    topology: {
      nodes,
      nodeCount: nodes?.length ?? null,
      fargateNodeCount: model.nodes?.filter((n) => n.fargate).length ?? 0,
      subnets,
      availabilityZones: nodes ? [...new Set(nodes.map((n) => n.availabilityZone).filter((z): z is string => !!z))].sort() : null,
      multiSubnet: subnets ? subnets.length > 1 : null,
    },
    growth: growthFacts(model, nodes),
    pools,
    ipam: ipamFacts(pools),
    encapsulation,
    bgp,
    typha,
    datastore: { type: model.install.datastore, source: model.install.datastoreSource },
    dataplane: { mode: model.install.dataplane, source: model.install.dataplaneSource },
    wireguard: { enabled: wireguard },
    mtu: mtuFacts(model, nodes, encapsulation, wireguard),
    felix: {
      logSeverityScreen: model.felix?.logSeverityScreen ?? null,
      prometheusMetricsEnabled: model.felix?.prometheusMetricsEnabled ?? null,
      flowLogs: model.felix ? (model.felix.flowLogsFileEnabled ?? (model.felix.flowLogsFlushInterval ? true : null)) : null,
      healthPort: model.felix?.healthPort ?? null,
      vxlanVNI: model.felix?.vxlanVNI ?? null,
      awsSrcDstCheck: model.felix?.awsSrcDstCheck ?? null,
    },
    policy: policyFacts(model),
    components: componentFacts(model),
    sgExceptions: sgFacts(model, nodes, calicoNetworking, routing, encapsulation, bgp, typha, wireguard),
    securityGroups: securityGroupFacts(model, nodes),
    routeTables: routeTableFacts(model, subnets, pools),
    workloads: workloadFacts(model),
  };
}
