/**
 * Facts: what the cluster is, derived once from the model and shown in every report — topology,
 * CNI mode, encapsulation, BGP, Typha, datastore, dataplane, MTU, version, tiers, pool capacity,
 * growth limits, and which traffic the security groups admit between nodes. Facts describe; rules
 * judge. A fact that needs data that was not collected is `null`.
 */
import { type IpamFact, ipamFacts, type PoolFact, poolFacts } from './facts/pools.js';
import { mtuFacts } from './facts/mtu.js';
import type { CalicoInstall, ClusterModel, Tier } from './model.js';
import { type SecurityGroupFact, securityGroupFacts, type SgException, sgFacts } from './facts/security-groups.js';
import { workloadFacts, type WorkloadsFact } from './facts/workloads.js';
import { type RouteTableFact, routeTableFacts } from './facts/route-tables.js';
import { componentFacts, enterpriseComponentFacts } from './facts/components.js';
import { type NodeFact, nodeFacts } from './facts/nodes.js';
import { type GrowthFact, growthFacts } from './facts/growth.js';
import { cniFacts, type CniMode } from './facts/cni.js';
import { policyFacts, type ReachFact } from './facts/policy.js';
import type { Reach } from './reach/analysis.js';
import { bgpFacts } from './facts/bgp.js';
import { felixNodeObjects, felixOverrides } from './facts/felix.js';
export { CNI_MODE_LABELS, type CniMode } from './facts/cni.js';
export type { NodeFact } from './facts/nodes.js';
export type { GrowthFact, GrowthSource } from './facts/growth.js';
export type { IpamDemand, IpamFact, PoolEncapsulation, PoolFact } from './facts/pools.js';
export type { RouteTableFact } from './facts/route-tables.js';
export type { SecurityGroupFact, SgException } from './facts/security-groups.js';
export type { WorkloadsFact } from './facts/workloads.js';
export type { ReachFact } from './facts/policy.js';
export type { Reach } from './reach/analysis.js';

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
    /** `ipv4` or `ipv6` (EKS `kubernetesNetworkConfig.ipFamily`): node-to-node traffic uses this family. */
    ipFamily: 'ipv4' | 'ipv6' | null;
    /** Calico's pools hand out both IPv4 and IPv6 addresses. */
    dualStack: boolean;
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
    /** Windows nodes (they run calico-node-windows, not calico-node). */
    windowsNodeCount: number;
    subnets: Array<{ subnetId: string; cidr: string | null; availabilityZone: string | null; nodeCount: number }> | null;
    availabilityZones: string[] | null;
    multiSubnet: boolean | null;
  };
  growth: GrowthFact;
  pools: PoolFact[] | null;
  ipam: IpamFact | null;
  encapsulation: {
    ipip: boolean;
    vxlan: boolean;
    /** Some pod traffic leaves nodes unencapsulated (a pool `Never`/`Never`, or `CrossSubnet` within a subnet). */
    unencapsulated: boolean;
    crossSubnet: boolean;
    /** An IPv6 pool uses VXLAN: tunnelled over IPv6 between nodes, 70 bytes of overhead. */
    vxlanIpv6: boolean;
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
  wireguard: {
    /** On cluster-wide (IPv4 or IPv6), by the `default` FelixConfiguration or calico-node's environment. */
    enabled: boolean | null;
    /** Nodes whose own FelixConfiguration turns it the other way. */
    exceptNodes: string[];
  };
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
    /** Nodes with their own `node.<name>` FelixConfiguration, and the fields it sets. */
    nodeOverrides: Array<{ node: string; object: string; fields: string[] }>;
  };
  policy: {
    tiers: Tier[] | null;
    globalPolicies: number | null;
    namespacedCalicoPolicies: number | null;
    kubernetesPolicies: number | null;
    /** AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy Calico enforces. */
    adminPolicies: number | null;
    /** Staged policies (not enforced). */
    stagedPolicies: number | null;
    /** The policies that deny a namespace created tomorrow both ways (CAL-POL-01's probe). */
    defaultDeny: string | null;
    /** What a namespace created tomorrow with no policy of its own gets, on a port no rule names, and which policy decides. */
    newNamespace: { ingress: Reach; ingressBy: string | null; egress: Reach; egressBy: string | null; port: string } | null;
    /** Global policies that allow all traffic for all endpoints (CAL-POL-02). */
    allowAll: string[];
    model: string | null;
    /** The namespace × namespace reachability matrix and key flows; null when policies or pods were not collected. */
    reach: ReachFact | null;
  };
  components: {
    name: string;
    namespace: string | null;
    kind: string;
    desired: number | null;
    ready: number | null;
    healthy: boolean | null;
  }[] | null;
  /** Calico Enterprise's own components found running (seed 001 lists them); `null` when pods were not collected. */
  enterpriseComponents: Array<{ component: string; namespace: string; pods: number }> | null;
  sgExceptions: SgException[] | null;
  securityGroups: SecurityGroupFact[] | null;
  /** `null` when route tables, instances, subnets or pools were not collected, or a node subnet has no table. */
  routeTables: RouteTableFact[] | null;
  workloads: WorkloadsFact | null;
}

/** Derives every fact once. Never throws on odd data: a fact it cannot establish is `null`. */
export function deriveFacts(model: ClusterModel): Facts {
  const nodes = nodeFacts(model);
  // Growth also records on each node the group it belongs to, which pool capacity reads.
  const growth = growthFacts(model, nodes);
  const pools = poolFacts(model, nodes, growth);
  const cni = cniFacts(model, pools);
  const calicoNetworking =
    cni.mode === null ? (model.install.presence === 'absent' ? false : null) : cni.mode.startsWith('calico-');

  // Pools that route pod traffic now: enabled ones, and disabled ones whose pods still hold addresses.
  const routing = pools?.filter((p) => p.carriesTraffic === true && p.ipVersion === 4) ?? null;
  const undecided = pools?.filter((p) => p.carriesTraffic === null && p.ipVersion === 4) ?? [];
  const encapsulationOf = (list: PoolFact[]) => ({
    ipip: list.some((p) => p.ipipMode !== 'Never'),
    vxlan: list.some((p) => p.vxlanMode !== 'Never'),
    unencapsulated: list.some((p) => (p.ipipMode === 'Never' && p.vxlanMode === 'Never') || p.ipipMode === 'CrossSubnet' || p.vxlanMode === 'CrossSubnet'),
    crossSubnet: list.some((p) => p.ipipMode === 'CrossSubnet' || p.vxlanMode === 'CrossSubnet'),
  });
  const ipv6Pools = pools?.filter((p) => p.carriesTraffic === true && p.ipVersion === 6) ?? [];
  let encapsulation: Facts['encapsulation'] = null;
  if (calicoNetworking && routing) {
    const known = encapsulationOf(routing);
    // A disabled pool whose allocations were not read decides nothing only if it would add nothing.
    const widened = encapsulationOf([...routing, ...undecided]);
    if (JSON.stringify(known) === JSON.stringify(widened)) encapsulation = { ...known, vxlanIpv6: ipv6Pools.some((p) => p.vxlanMode !== 'Never') };
  } else if (calicoNetworking === false) {
    encapsulation = { ipip: false, vxlan: false, unencapsulated: false, crossSubnet: false, vxlanIpv6: false };
  }

  const subnetIds = nodes ? nodes.map((n) => n.subnetId) : null;
  const knownSubnets = subnetIds && subnetIds.every((s) => s !== null) ? subnetIds : null;
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
  const typhaPodNodes =
    model.pods && typhaWorkload
      ? [...new Set(model.pods.filter((p) => p.labels['k8s-app'] === 'calico-typha' && p.nodeName).map((p) => p.nodeName!))]
      : null;
  // Ready replicas, yet no Typha pod among the pods read: the pod list missed them, so where Typha
  // runs is unknown — not "nowhere", which would contradict the replicas the Deployment reports.
  const typhaNodes = typhaPodNodes?.length === 0 && (typhaWorkload?.ready ?? 0) > 0 ? null : typhaPodNodes;
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
      ipFamily: model.ipFamily,
      dualStack: !!pools?.some((p) => p.ipVersion === 4 && p.carriesTraffic) && !!pools?.some((p) => p.ipVersion === 6 && p.carriesTraffic),
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
      windowsNodeCount: nodes?.filter((n) => n.os === 'windows').length ?? 0,
      subnets,
      availabilityZones: nodes ? [...new Set(nodes.map((n) => n.availabilityZone).filter((z): z is string => !!z))].sort() : null,
      multiSubnet: subnets ? subnets.length > 1 : null,
    },
    growth,
    pools,
    ipam: ipamFacts(model, pools, nodes, growth),
    encapsulation,
    bgp,
    typha,
    datastore: { type: model.install.datastore, source: model.install.datastoreSource },
    dataplane: { mode: model.install.dataplane, source: model.install.dataplaneSource },
    wireguard: { enabled: wireguard, exceptNodes: felixOverrides(model, (f) => f.wireguardEnabled || f.wireguardEnabledV6).map((o) => o.node) },
    mtu: mtuFacts(model, nodes, encapsulation, wireguard),
    felix: {
      logSeverityScreen: model.felix?.logSeverityScreen ?? null,
      prometheusMetricsEnabled: model.felix?.prometheusMetricsEnabled ?? null,
      flowLogs: model.felix ? (model.felix.flowLogsFileEnabled ?? (model.felix.flowLogsFlushInterval ? true : null)) : null,
      healthPort: model.felix?.healthPort ?? null,
      vxlanVNI: model.felix?.vxlanVNI ?? null,
      awsSrcDstCheck: model.felix?.awsSrcDstCheck ?? null,
      nodeOverrides: felixNodeObjects(model),
    },
    policy: policyFacts(model),
    components: componentFacts(model),
    enterpriseComponents: enterpriseComponentFacts(model),
    sgExceptions: sgFacts(model, nodes, calicoNetworking, routing, encapsulation, bgp, typha, wireguard, ipv6Pools),
    securityGroups: securityGroupFacts(model, nodes),
    routeTables: routeTableFacts(model, subnets, pools),
    workloads: workloadFacts(model),
  };
}
