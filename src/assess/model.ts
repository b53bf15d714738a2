/**
 * The normalised model: one shape for a cluster whatever the Calico API group, install method or
 * collector version. Rules read this (through facts), never raw API objects.
 *
 * `null` always means "not collected" and `[]` means "collected, none".
 */
import type { ClusterTarget } from '../target/index.js';
import type { SnapshotField } from '../snapshot/sources.js';
import type { CollectionError, Ec2Instance, Ec2RouteTable, Ec2SecurityGroup, Ec2Subnet, EksCluster } from '../snapshot/schema.js';

export type EncapsulationMode = 'Never' | 'Always' | 'CrossSubnet';

/** A reference to the API object a value came from, for evidence. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface IpPool {
  ref: ObjectRef;
  name: string;
  /** As written; `null` when absent. */
  cidr: string | null;
  ipVersion: 4 | 6;
  blockSize: number;
  ipipMode: EncapsulationMode;
  vxlanMode: EncapsulationMode;
  natOutgoing: boolean;
  disabled: boolean;
  nodeSelector: string;
  /** `Workload`, `Tunnel`, `LoadBalancer`: pools not used for workloads do not route pod traffic. */
  allowedUses: string[];
  /** Fields read from a legacy form (e.g. the pre-v3 `ipip` block), named for evidence. */
  legacyFields: string[];
}

export interface BgpConfiguration {
  ref: ObjectRef;
  /** The `default` BGPConfiguration exists; when it does not, Calico's defaults apply. */
  present: boolean;
  nodeToNodeMeshEnabled: boolean;
  asNumber: number;
  serviceClusterIPs: string[];
  serviceExternalIPs: string[];
  serviceLoadBalancerIPs: string[];
}

export interface BgpPeer {
  ref: ObjectRef;
  name: string;
  node: string | null;
  nodeSelector: string | null;
  peerSelector: string | null;
  peerIP: string | null;
  asNumber: number | null;
}

/**
 * A node whose `node.<name>` FelixConfiguration overrides the `default` one: the settings in force
 * there (default, then the node's object, then calico-node's `FELIX_*` env), and the fields it sets.
 */
export interface FelixNodeOverride {
  node: string;
  ref: ObjectRef;
  settings: FelixSettings;
  /** The `spec` fields the node's object sets, e.g. `wireguardEnabled`. */
  fields: string[];
}

/** Felix settings in force: the `default` FelixConfiguration overlaid by calico-node `FELIX_*` env. */
export interface FelixSettings {
  sources: ObjectRef[];
  bpfEnabled: boolean;
  nftablesMode: string;
  wireguardEnabled: boolean;
  wireguardEnabledV6: boolean;
  logSeverityScreen: string;
  prometheusMetricsEnabled: boolean;
  prometheusMetricsPort: number;
  flowLogsFileEnabled: boolean | null;
  flowLogsFlushInterval: string | null;
  awsSrcDstCheck: string;
  healthPort: number;
  vxlanVNI: number;
  vxlanPort: number;
  ipipMTU: number | null;
  vxlanMTU: number | null;
  /** VXLAN over IPv6 (IPv6 pools). */
  vxlanMTUV6: number | null;
  wireguardMTU: number | null;
  wireguardMTUV6: number | null;
  wireguardListeningPort: number;
  /** UDP port of WireGuard over IPv6 (default 51821). */
  wireguardListeningPortV6: number;
  typhaK8sServiceName: string | null;
  /** `Enabled`: Felix, not BIRD, programs IPIP routes, so IPIP works without BGP (default `Disabled`). */
  programClusterRoutes: string;
}

export interface Tier {
  ref: ObjectRef;
  name: string;
  /** `null` is Calico's "no order": evaluated last. */
  order: number | null;
  defaultAction: string;
}

/** A rule's `serviceAccounts` match: names and/or a selector over the ServiceAccounts' labels. */
export interface ServiceAccountMatch {
  names: string[];
  selector: string | null;
}

/** One side (source or destination) of a policy rule, field for field as Calico reads it. */
export interface EntityMatch {
  selector: string | null;
  notSelector: string | null;
  namespaceSelector: string | null;
  nets: string[];
  notNets: string[];
  /** Numbers, `"from:to"` ranges and named ports. */
  ports: Array<number | string>;
  notPorts: Array<number | string>;
  serviceAccounts: ServiceAccountMatch | null;
  services: { name: string; namespace: string | null } | null;
  /** Calico Enterprise domain names: the snapshot cannot resolve them. */
  domains: string[];
}

export interface PolicyRule {
  action: string;
  protocol: string | null;
  notProtocol: string | null;
  ipVersion: 4 | 6 | null;
  source: EntityMatch;
  destination: EntityMatch;
  /** An L7 (`http`) match: the snapshot cannot decide it. */
  http: boolean;
  /** Which rule of the object as written this one comes from (1-based), and its name where the API names rules. */
  index: number;
  name: string | null;
}

export type PolicyKind =
  | 'GlobalNetworkPolicy'
  | 'NetworkPolicy'
  | 'KubernetesNetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'ClusterNetworkPolicy';

export interface Policy {
  ref: ObjectRef;
  kind: PolicyKind;
  /** As the user wrote it (no tier or `knp.default.` prefix). */
  name: string;
  /** As Felix knows it: `knp.default.<name>`, `kanp.adminnetworkpolicy.<name>`, `<tier>.<name>`. */
  calicoName: string;
  namespace: string | null;
  tier: string;
  /** `null` is Calico's "no order": applied after every ordered policy. */
  order: number | null;
  /** The endpoint selector as Calico evaluates it (converted Kubernetes selectors included). */
  selector: string;
  namespaceSelector: string | null;
  serviceAccountSelector: string | null;
  types: Array<'Ingress' | 'Egress'>;
  ingress: PolicyRule[];
  egress: PolicyRule[];
  /** `preDNAT` or `doNotTrack`: Calico applies it to host endpoints only, never to pods. */
  hostEndpointsOnly: boolean;
}

/** A staged policy: what promoting it would do (set the policy of the same name, or delete it). */
export interface StagedPolicy {
  action: 'Set' | 'Delete';
  policy: Policy;
}

export interface NetworkSet {
  ref: ObjectRef;
  kind: 'GlobalNetworkSet' | 'NetworkSet';
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
  nets: string[];
  domains: string[];
}

/** A Service's endpoints as its EndpointSlices list them. */
export interface ServiceEndpoints {
  namespace: string;
  name: string;
  clusterIPs: string[];
  addresses: string[];
  ports: Array<{ name: string | null; port: number; protocol: string }>;
  /** Pods the endpoints point to (`targetRef`), as namespace/name. */
  pods: string[];
}

export interface IpamBlock {
  ref: ObjectRef;
  cidr: string | null;
  /** Node the block is affine to (`host:<node>`). */
  affinityNode: string | null;
  allocated: number;
}

export interface KubeNode {
  name: string;
  labels: Record<string, string>;
  instanceId: string | null;
  providerId: string | null;
  internalIp: string | null;
  ready: boolean | null;
  fargate: boolean;
  /** `kubernetes.io/os`: `linux`, `windows`, or null when unlabelled. */
  os: string | null;
  /** `InternalIP` addresses that are IPv6 (IPv6 and dual-stack clusters). */
  internalIpv6: string | null;
  /** `projectcalico.org/IPv4Address`: the node's BGP address with prefix length. */
  calicoIPv4Address: string | null;
  ipipTunnelAddress: string | null;
  vxlanTunnelAddress: string | null;
  wireguardAddress: string | null;
  /** `projectcalico.org/IPv6Address`: the node's IPv6 BGP address, when Calico has one. */
  calicoIPv6Address: string | null;
  asNumber: number | null;
  routeReflectorClusterId: string | null;
}

export interface Namespace {
  name: string;
  labels: Record<string, string>;
}

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  nodeName: string | null;
  hostNetwork: boolean;
  phase: string | null;
  podIP: string | null;
  /** The workload that runs it: its controller, a ReplicaSet named for its Deployment (`coredns-5d78c9869d` → `coredns`). */
  workload: string | null;
  /** Every address the pod holds (`status.podIPs`, else `podIP`). */
  podIPs: string[];
  /** `spec.serviceAccountName`; `null` when the snapshot did not keep it (an older collector). */
  serviceAccount: string | null;
  /** Named container ports; `null` when the snapshot did not keep containers (an older collector). */
  namedPorts: Array<{ name: string; port: number; protocol: string }> | null;
}

export interface Workload {
  ref: ObjectRef;
  kind: 'DaemonSet' | 'Deployment';
  name: string;
  namespace: string;
  desired: number;
  ready: number;
  available: number;
  image: string | null;
  env: Record<string, string>;
  /** Readiness probe command, e.g. `-bird-ready` reveals BIRD runs. */
  probes: string[];
}

export type InstallMethod = 'operator' | 'manifest' | 'unknown';
export type CalicoVariant = 'Calico' | 'Calico Enterprise';
export type CniPlugin = 'Calico' | 'AmazonVPC' | 'other';
export type DatastoreType = 'kubernetes' | 'etcd';

/** How Calico is installed and configured, from the `Installation` or the manifests' objects. */
export interface CalicoInstall {
  presence: 'present' | 'absent' | 'unknown';
  method: InstallMethod;
  variant: CalicoVariant;
  version: string | null;
  versionSource: string | null;
  cni: CniPlugin | null;
  cniSource: string | null;
  /** BGP (BIRD) runs: operator `calicoNetwork.bgp`, or `CALICO_NETWORKING_BACKEND=bird`. */
  bgpEnabled: boolean | null;
  bgpSource: string | null;
  datastore: DatastoreType | null;
  datastoreSource: string | null;
  /** Pod/tunnel MTU Calico was told to use; `0` means auto-detect; `null` not determinable. */
  mtu: number | null;
  mtuSource: string | null;
  dataplane: 'iptables' | 'nftables' | 'bpf' | null;
  dataplaneSource: string | null;
  typhaConfigured: boolean | null;
}

export interface Components {
  calicoNode: Workload | null;
  /** The Windows dataplane's DaemonSet (calico-node-windows), on clusters with Windows nodes. */
  calicoNodeWindows: Workload | null;
  typha: Workload | null;
  kubeControllers: Workload | null;
  csiNodeDriver: Workload | null;
  operator: Workload | null;
  awsNode: Workload | null;
  /** `null`: none found; `undefined`: PodDisruptionBudgets were not collected. */
  typhaPdb: ObjectRef | null | undefined;
}

/** Names the snapshot source behind each model list, and the collection errors that hid it. */
export type MissingSources = Record<string, CollectionError[]>;

/** A self-managed or managed node group's Auto Scaling group (DescribeAutoScalingGroups). */
export interface AutoScalingGroupModel {
  name: string;
  minSize: number | null;
  maxSize: number | null;
  desiredSize: number | null;
  instanceIds: string[];
  tags: Record<string, string>;
  /** `eks:nodegroup-name`: the managed node group behind it, or null for a self-managed group. */
  managedNodegroup: string | null;
}

/** A Karpenter NodePool (karpenter.sh/v1) as the growth facts read it. */
export interface KarpenterNodePool {
  ref: ObjectRef;
  name: string;
  /** `spec.limits` as written (Kubernetes quantities): `cpu`, `memory`, `nodes`, … */
  limits: Record<string, string>;
  /** `spec.replicas`: a static NodePool keeps exactly this many nodes. */
  replicas: number | null;
  /** `spec.template.metadata.labels`: labels every node it launches carries. */
  labels: Record<string, string>;
  requirements: Array<{ key: string; operator: string; values: string[] }>;
  /** `status.nodes`, when Karpenter reports it. */
  nodes: number | null;
}

export interface ClusterModel {
  target: ClusterTarget;
  collectedAt: string;
  apiGroup: string | null;
  kubernetesVersion: string | null;

  eks: EksCluster | null;
  nodegroups: Array<{
    name: string;
    maxSize: number | null;
    desiredSize: number | null;
    instanceTypes: string[];
    /** Kubernetes labels its nodes carry. */
    labels: Record<string, string>;
    /** Its Auto Scaling groups (`resources.autoScalingGroups`). */
    autoScalingGroups: string[];
  }> | null;
  /** Auto Scaling groups tagged with the cluster (self-managed node groups, and the groups behind managed ones). */
  autoScalingGroups: AutoScalingGroupModel[] | null;
  /** EKS Auto Mode (`computeConfig.enabled`) and its built-in node pools; null when the cluster was not described. */
  autoMode: { enabled: boolean; nodePools: string[] } | null;
  /** `kubernetesNetworkConfig.ipFamily`: `ipv4` or `ipv6`; null when unknown. */
  ipFamily: 'ipv4' | 'ipv6' | null;
  instances: Ec2Instance[] | null;
  securityGroups: Ec2SecurityGroup[] | null;
  subnets: Ec2Subnet[] | null;
  routeTables: Ec2RouteTable[] | null;
  vpcCidrs: string[] | null;
  vpcId: string | null;

  nodes: KubeNode[] | null;
  /** karpenter.sh/v1 NodePools; `[]` when Karpenter is not installed. */
  karpenterNodePools: KarpenterNodePool[] | null;
  namespaces: Namespace[] | null;
  pods: Pod[] | null;
  components: Components | null;
  install: CalicoInstall;

  ippools: IpPool[] | null;
  ipamBlocks: IpamBlock[] | null;
  bgpConfiguration: BgpConfiguration | null;
  bgpPeers: BgpPeer[] | null;
  felix: FelixSettings | null;
  /** Nodes with a `node.<name>` FelixConfiguration; empty when none (null when Felix was not collected). */
  felixNodes: FelixNodeOverride[] | null;
  tiers: Tier[] | null;
  /** Every enforced policy: Calico, Kubernetes and the Kubernetes admin policies Calico enforces; `null` when one of their lists was not collected. */
  policies: Policy[] | null;
  /** The lists whose absence made `policies` null (empty when it is known). */
  policyGaps: SnapshotField[];
  /** Staged policies (not enforced); `null` when not collected. */
  stagedPolicies: StagedPolicy[] | null;
  networkSets: NetworkSet[] | null;
  /** kube-dns and kubernetes as their EndpointSlices list them; `null` when not collected. */
  serviceEndpoints: ServiceEndpoints[] | null;
  hostEndpointCount: number | null;

  /** Collection errors recorded in the snapshot, for `unknown` evidence. */
  errors: CollectionError[];
  /** Snapshot fields that were not collected (`null` or absent). */
  notCollected: SnapshotField[];
}
