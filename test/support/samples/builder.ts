/**
 * Builds snapshots of imaginary EKS clusters running Calico, in the shapes the real APIs return:
 * EC2 objects as AWS SDK v3 `Describe*` returns them, EKS objects as `Describe*().cluster` etc.,
 * Kubernetes objects as the API server serves them, Calico objects in either API group.
 *
 * A cluster is described once as a `ClusterPlan`; `buildSnapshot` derives every object from it so
 * names, ids, addresses and counts agree across layers (node name = instance PrivateDnsName, pod IPs
 * inside the node's IPAM block, security groups referenced by instances exist, …). The same plan
 * can be emitted as `projectcalico.org/v3` (defaults filled in, as the Calico API server serves
 * them) or as raw `crd.projectcalico.org/v1` (defaults omitted, tier-prefixed policy names), so
 * tests can check both forms reach the same verdict.
 *
 * Everything here is pure and deterministic: no I/O, no clock, no randomness. Ids, suffixes and
 * timestamps are derived from hashes of stable seeds and from `collectedAt`.
 */
import { createHash } from 'node:crypto';
import type { CalicoApiGroup, Snapshot } from '../../../src/snapshot/schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../../../src/snapshot/sources.js';

type Json = Record<string, unknown>;

export const SAMPLE_COLLECTED_AT = '2026-11-23T02:00:00Z';
export const SAMPLE_ACCOUNT_ID = '111122223333';
export const SAMPLE_REGION = 'eu-west-2';
const COLLECTOR = { name: 'calico-eks-auditor', version: '0.1.0' } as const;
/** The role the auditor assumes in member accounts; named in AccessDenied messages. */
const AUDIT_ROLE = 'CalicoAuditReadOnly';

export interface BuildOptions {
  /** "Now" for every derived timestamp; defaults to SAMPLE_COLLECTED_AT. */
  collectedAt?: string;
  /** Form of the Calico resources (IPAM blocks are always raw v1); defaults to the plan's. */
  apiGroup?: CalicoApiGroup;
}

// ---------------------------------------------------------------------------------------------
// Deterministic ids, names and times

/** Up to 64 hex digits derived from a seed (SHA-256: stable across runs and platforms). */
const digest = (seed: string, length = 64): string => createHash('sha256').update(seed).digest('hex').slice(0, length);

function hexOf(seed: string, length: number): string {
  if (length <= 64) return digest(seed, length);
  let out = '';
  for (let round = 0; out.length < length; round++) out += digest(`${seed}#${round}`);
  return out.slice(0, length);
}

const numberOf = (seed: string, modulo: number): number => Number.parseInt(digest(seed, 12), 16) % modulo;

function uuidOf(seed: string): string {
  const h = digest(seed, 32);
  const variant = (8 + (Number.parseInt(h[16]!, 16) % 4)).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const KUBE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function kubeSuffix(seed: string, length: number): string {
  const h = hexOf(seed, length * 2);
  let out = '';
  for (let i = 0; i < length; i++) out += KUBE_ALPHABET[Number.parseInt(h.slice(i * 2, i * 2 + 2), 16) % KUBE_ALPHABET.length];
  return out;
}

/** AWS-style resource id, e.g. `i-0` + 12 hex fixed per cluster and kind + 4 hex counter (17 hex in all). */
const awsId = (prefix: string, scope: string, index: number): string =>
  `${prefix}-0${digest(`${prefix}/${scope}`).slice(0, 12)}${index.toString(16).padStart(4, '0')}`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
const kubeTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** ISO 8601 with milliseconds, as the AWS SDK's `Date` values serialise. */
const awsTime = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// IPv4 arithmetic

const ipToInt = (ip: string): number => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
const intToIp = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

function parseCidr(cidr: string): { base: number; prefix: number; size: number } {
  const [ip, length] = cidr.split('/');
  const prefix = Number(length);
  return { base: ipToInt(ip!), prefix, size: 2 ** (32 - prefix) };
}

const cidrContains = (cidr: string, ip: string): boolean => {
  const { base, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return value >= base && value < base + size;
};

/** `10.0.1.15` → `ip-10-0-1-15.eu-west-2.compute.internal` (the EC2 ip-name hostname). */
const privateDnsName = (ip: string, region: string): string =>
  `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

/** Lists sorted as the API server returns them: by namespace, then name (etcd key order). */
function sortByName<T extends Json>(objects: T[]): T[] {
  const keyed = objects.map((object) => {
    const metadata = (object['metadata'] ?? {}) as Json;
    return { key: `${String(metadata['namespace'] ?? '')}/${String(metadata['name'] ?? '')}`, object };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.object);
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A copy of `spec` without the fields whose value equals the given default. */
function withoutDefaults(spec: Json, defaults: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key in defaults && sameJson(defaults[key], value)) continue;
    out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The description of a cluster

export type EncapsulationMode = 'Always' | 'CrossSubnet' | 'Never';

export interface SubnetPlan {
  az: string;
  /** Account-specific AZ id, e.g. `euw2-az2`. */
  azId: string;
  cidr: string;
}

export interface NodegroupPlan {
  name: string;
  instanceType: string;
  minSize: number;
  maxSize: number;
  desiredSize: number;
  /** Indexes into `ClusterPlan.subnets`. */
  subnets: number[];
  capacityType?: 'ON_DEMAND' | 'SPOT';
}

export interface NodePlan {
  ip: string;
  /** Index into `ClusterPlan.subnets`; the IP must lie in it. */
  subnet: number;
  nodegroup: string;
  /** EC2 source/destination check on the instance and its interfaces. */
  sourceDestCheck: boolean;
  /** Kubelet Ready; defaults to true. A NotReady node also has its calico-node pod unready. */
  ready?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Prefix length Calico recorded in `projectcalico.org/IPv4Address`; defaults to the subnet's. */
  calicoAddressPrefix?: number;
}

export interface PoolPlan {
  name: string;
  cidr: string;
  blockSize: number;
  ipipMode: EncapsulationMode;
  vxlanMode: EncapsulationMode;
  natOutgoing: boolean;
  nodeSelector?: string;
  disabled?: boolean;
}

/** One inbound security group rule; `peer` is `self`, `cluster` (the cluster's additional SG) or a CIDR. */
export interface SgRulePlan {
  protocol: 'tcp' | 'udp' | 'icmp' | '-1' | '4';
  from?: number;
  to?: number;
  peer: 'self' | 'cluster' | string;
  description: string;
}

export interface SecurityGroupPlan {
  /** Suffix of the group name: `<cluster>-<suffix>-<timestamp id>`. */
  suffix: string;
  description: string;
  rules: SgRulePlan[];
}

export interface EksPlan {
  /** Kubernetes minor version, e.g. `1.33`. */
  version: string;
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
  /** Enabled control-plane log types; the rest are listed as disabled. */
  logTypes: string[];
  /** Secrets envelope-encrypted with a customer KMS key. */
  kms: boolean;
  serviceCidr: string;
  /** Age of the cluster at collection time. */
  ageDays: number;
}

export type WorkloadKind = 'Deployment' | 'DaemonSet' | 'StatefulSet';

/** An application workload; only its pods are collected (its namespace is not a Calico one). */
export interface AppPlan {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  replicas?: number;
  labels?: Record<string, string>;
  hostNetwork?: boolean;
}

/** A Calico (Global)NetworkPolicy in v3 form, without the tier prefix in its name. */
export interface CalicoPolicyPlan {
  name: string;
  tier?: string;
  namespace?: string;
  labels?: Record<string, string>;
  spec: Json;
}

export interface KubePolicyPlan {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  spec: Json;
}

export interface CalicoPlan {
  /** Open-source Calico version the cluster reports (`ClusterInformation.spec.calicoVersion`). */
  version: string;
  variant: 'Calico' | 'TigeraSecureEnterprise';
  /** Calico Enterprise release (`cnxVersion`, image tags) when the variant is Enterprise. */
  enterpriseVersion?: string;
  install: 'operator' | 'manifest';
  cni: 'Calico' | 'AmazonVPC';
  /** BIRD runs (operator `bgp: Enabled`, manifest `calico_backend: bird`). */
  bgp: boolean;
  /** Typha replicas; 0 means no Typha (manifest `typha_service_name: none`). */
  typhaReplicas: number;
  typhaPdb?: boolean;
  /** Pod/tunnel MTU Calico is told to use; 0 leaves it to auto-detection. */
  mtu: number;
  wireguard: boolean;
  pools: PoolPlan[];
  /** Spec of the `default` BGPConfiguration (v3 form), or null when none was created. */
  bgpConfiguration: Json | null;
  bgpPeers: Array<{ name: string; spec: Json }>;
  /** Spec of the `default` FelixConfiguration, v3 form (defaults written out). */
  felix: Json;
  /** Extra calico-node environment (manifest installs, e.g. `FELIX_AWSSRCDSTCHECK`). */
  calicoNodeEnv?: Record<string, string>;
  /** Tiers beyond the ones Calico creates (default, adminnetworkpolicy, baselineadminnetworkpolicy). */
  extraTiers?: Array<{ name: string; order: number; defaultAction?: 'Deny' | 'Pass' }>;
  globalPolicies: CalicoPolicyPlan[];
  networkPolicies: CalicoPolicyPlan[];
  globalNetworkSets?: Array<{ name: string; labels: Record<string, string>; nets: string[] }>;
  /** Form the plan is published in when the caller does not choose. */
  apiGroup: CalicoApiGroup;
}

export interface ClusterPlan {
  name: string;
  accountId: string;
  region: string;
  vpcCidr: string;
  subnets: SubnetPlan[];
  /** The VPC has an S3 gateway endpoint routed from the private route tables. */
  s3GatewayEndpoint?: boolean;
  nodegroups: NodegroupPlan[];
  nodes: NodePlan[];
  /** Inbound rules of the node security group every node carries. */
  nodeSecurityGroupRules: SgRulePlan[];
  /** Further groups carried by every node (shared, never per node). */
  extraNodeSecurityGroups?: SecurityGroupPlan[];
  eks: EksPlan;
  calico: CalicoPlan | null;
  /** Application namespaces (system and Calico namespaces are added from the install). */
  namespaces: string[];
  apps: AppPlan[];
  kubernetesNetworkPolicies: KubePolicyPlan[];
  /** Snapshot fields the collector was denied; each becomes `null` plus one `errors` entry. */
  denied?: SnapshotField[];
}

// ---------------------------------------------------------------------------------------------
// Reference data the builder needs to look real

interface InstanceTypeInfo {
  vcpu: number;
  memoryMiB: number;
  /** ENIs and IPv4 addresses per ENI: the VPC CNI's max-pods formula uses them. */
  enis: number;
  ipsPerEni: number;
}

const INSTANCE_TYPES: Record<string, InstanceTypeInfo> = {
  'm5.large': { vcpu: 2, memoryMiB: 8192, enis: 3, ipsPerEni: 10 },
  'm5.xlarge': { vcpu: 4, memoryMiB: 16384, enis: 4, ipsPerEni: 15 },
  'm6i.large': { vcpu: 2, memoryMiB: 8192, enis: 3, ipsPerEni: 10 },
  'm6i.xlarge': { vcpu: 4, memoryMiB: 16384, enis: 4, ipsPerEni: 15 },
  'm6i.2xlarge': { vcpu: 8, memoryMiB: 32768, enis: 4, ipsPerEni: 15 },
};

const instanceType = (name: string): InstanceTypeInfo => {
  const info = INSTANCE_TYPES[name];
  if (!info) throw new Error(`builder has no data for instance type ${name}`);
  return info;
};

/** Per EKS minor version: the patch the control plane and AMIs run, and the add-on builds. */
interface EksRelease {
  patch: string;
  platformVersion: string;
  amiRelease: string;
  kubeProxy: string;
  coredns: string;
}

const EKS_RELEASES: Record<string, EksRelease> = {
  '1.32': { patch: '1.32.13', platformVersion: 'eks.31', amiRelease: '20251103', kubeProxy: 'v1.32.9-eksbuild.4', coredns: 'v1.11.4-eksbuild.24' },
  '1.33': { patch: '1.33.9', platformVersion: 'eks.24', amiRelease: '20251103', kubeProxy: 'v1.33.5-eksbuild.2', coredns: 'v1.12.1-eksbuild.6' },
  '1.34': { patch: '1.34.5', platformVersion: 'eks.12', amiRelease: '20251103', kubeProxy: 'v1.34.1-eksbuild.3', coredns: 'v1.12.4-eksbuild.1' },
  '1.35': { patch: '1.35.2', platformVersion: 'eks.6', amiRelease: '20251103', kubeProxy: 'v1.35.0-eksbuild.2', coredns: 'v1.12.4-eksbuild.3' },
};

const eksRelease = (version: string): EksRelease => {
  const release = EKS_RELEASES[version];
  if (!release) throw new Error(`builder has no data for EKS ${version}`);
  return release;
};

/** The Amazon EKS ECR account serving add-on images in eu-west-2 (and most regions). */
const EKS_ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`;

const OS_IMAGE = 'Amazon Linux 2023.9.20251103';
const KERNEL = '6.1.156-177.286.amzn2023.x86_64';
const CONTAINERD = 'containerd://1.7.27';

/** Operator release bundled with each Calico minor release. */
const OPERATOR_VERSIONS: Record<string, string> = { '3.29': 'v1.36.11', '3.30': 'v1.38.8', '3.31': 'v1.40.4' };

const ALL_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Namespaces EKS creates in every cluster. */
const KUBE_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

// ---------------------------------------------------------------------------------------------
// Kubernetes object pieces, with the defaults the API server fills in

type Probe = { exec: string[] } | { http: { path: string; port: number; host?: string; scheme?: string } } | { tcp: number };

function probe(kind: Probe, options: { period?: number; timeout?: number; initialDelay?: number; failure?: number } = {}): Json {
  const handler: Json =
    'exec' in kind
      ? { exec: { command: kind.exec } }
      : 'http' in kind
        ? { httpGet: { ...(kind.http.host ? { host: kind.http.host } : {}), path: kind.http.path, port: kind.http.port, scheme: kind.http.scheme ?? 'HTTP' } }
        : { tcpSocket: { port: kind.tcp } };
  return {
    ...handler,
    failureThreshold: options.failure ?? 3,
    ...(options.initialDelay !== undefined ? { initialDelaySeconds: options.initialDelay } : {}),
    periodSeconds: options.period ?? 10,
    successThreshold: 1,
    timeoutSeconds: options.timeout ?? 1,
  };
}

type EnvSource = string | { configMap: string; key: string } | { field: string };

const env = (entries: Array<[string, EnvSource]>): Json[] =>
  entries.map(([name, source]) =>
    typeof source === 'string'
      ? { name, value: source }
      : 'configMap' in source
        ? { name, valueFrom: { configMapKeyRef: { key: source.key, name: source.configMap } } }
        : { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: source.field } } },
  );

function container(name: string, image: string, fields: Json = {}): Json {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...fields,
  };
}

function podSpec(fields: Json): Json {
  return {
    dnsPolicy: fields['hostNetwork'] ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    ...fields,
  };
}

const CRITICAL_TOLERATIONS = [
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { effect: 'NoSchedule', operator: 'Exists' },
  { effect: 'NoExecute', operator: 'Exists' },
];

/** A system workload whose apps/v1 object is collected, with the pods it runs. */
interface WorkloadDef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** Selector labels, also on every pod. */
  selector: Record<string, string>;
  objectLabels?: Record<string, string>;
  objectAnnotations?: Record<string, string>;
  ownerReferences?: Json[];
  replicas?: number;
  hostNetwork?: boolean;
  /** `template.spec` without `hostNetwork` (added from the field above). */
  spec: Json;
  templateAnnotations?: Record<string, string>;
  /** Deployment `strategy` / DaemonSet `updateStrategy`. */
  strategy?: Json;
  /** Collected as an apps/v1 object (its namespace is one the collector lists). */
  collected: boolean;
}

/** A pod as the snapshot keeps it, before trimming to the collected fields. */
interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  owner: { apiVersion: string; kind: string; name: string; uid: string };
  nodeName: string;
  hostNetwork: boolean;
  ip: string;
  ready: boolean;
}

interface BlockState {
  cidr: string;
  base: number;
  size: number;
  node: string;
  allocations: Array<number | null>;
  attributes: Json[];
}

interface SubnetInfo {
  plan: SubnetPlan;
  index: number;
  id: string;
  routeTableId: string;
  natGatewayId: string;
  prefix: number;
  /** Next candidate address for VPC CNI secondary IPs. */
  nextSecondary: number;
  used: Set<number>;
}

interface NodeInfo {
  plan: NodePlan;
  index: number;
  name: string;
  ip: string;
  subnet: SubnetInfo;
  nodegroup: NodegroupPlan;
  instanceId: string;
  launchMs: number;
  ready: boolean;
  blocks: BlockState[];
  /** VPC CNI: addresses per ENI (first of ENI 0 is the node's primary address). */
  eniAddresses: string[][];
  nextEniAddress: number;
  tunnels: { ipip?: string; vxlan?: string; wireguard?: string };
}

/** A Calico resource described once, in v3 terms; `emitCalico` renders it in either group. */
interface CalicoResource {
  kind: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Policies only. */
  tier?: string;
  spec: Json;
  status?: Json;
}

// ---------------------------------------------------------------------------------------------
// From plan to snapshot

const COLLECTED_NAMESPACES = new Set(['kube-system', 'calico-system', 'tigera-operator']);

const minorOf = (version: string): string => /^v?(\d+\.\d+)/.exec(version)?.[1] ?? version;

/** Encapsulation overheads Calico subtracts from the network MTU (AWS jumbo frames: 9001). */
function autoDetectedMtu(calico: CalicoPlan): number {
  const network = 9001;
  if (calico.wireguard) return network - 60;
  if (calico.pools.some((p) => p.vxlanMode !== 'Never')) return network - 50;
  if (calico.pools.some((p) => p.ipipMode !== 'Never')) return network - 20;
  return network;
}

/** The operator's name for a pool's encapsulation. */
function operatorEncapsulation(pool: PoolPlan): string {
  if (pool.ipipMode === 'Always') return 'IPIP';
  if (pool.ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  if (pool.vxlanMode === 'Always') return 'VXLAN';
  if (pool.vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  return 'None';
}

/** Enough of Calico's selector language to place nodes in pools: `all()`, `k == 'v'`, `has(k)`, `!has(k)`. */
function nodeSelected(selector: string | undefined, labels: Record<string, string>): boolean {
  const source = (selector ?? 'all()').trim();
  if (source === '' || source === 'all()') return true;
  const equals = /^([\w./-]+)\s*==\s*['"]([^'"]*)['"]$/.exec(source);
  if (equals) return labels[equals[1]!] === equals[2];
  const has = /^(!?)has\(([\w./-]+)\)$/.exec(source);
  if (has) return (has[1] === '!') !== (has[2]! in labels);
  throw new Error(`builder cannot place nodes with pool selector ${source}`);
}

/** Go's `time.Time.String()` in UTC, as Calico writes IPAM attribute timestamps. */
const goTime = (ms: number): string => `${kubeTime(ms).replace('T', ' ').replace('Z', '')}.${String((ms % 1000) * 1_000_000 + 123_456).padStart(9, '0')} +0000 UTC`;

class SnapshotBuilder {
  private readonly now: number;
  private readonly scope: string;
  private readonly clusterCreatedMs: number;
  private readonly release: EksRelease;
  private readonly calico: CalicoPlan | null;
  private readonly apiGroup: CalicoApiGroup | null;
  private readonly subnets: SubnetInfo[];
  private readonly nodes: NodeInfo[];
  private readonly poolCursors: number[];
  private readonly blocks: BlockState[] = [];
  private readonly pods: PodInfo[] = [];
  private readonly podNames = new Set<string>();
  private readonly groups: {
    cluster: { id: string; name: string };
    additional: { id: string; name: string };
    node: { id: string; name: string };
    extra: Array<{ id: string; name: string; plan: SecurityGroupPlan }>;
  };

  constructor(
    private readonly plan: ClusterPlan,
    options: BuildOptions,
  ) {
    this.now = Date.parse(options.collectedAt ?? SAMPLE_COLLECTED_AT);
    if (Number.isNaN(this.now)) throw new Error(`collectedAt ${options.collectedAt} is not a timestamp`);
    this.scope = `${plan.accountId}/${plan.region}/${plan.name}`;
    this.clusterCreatedMs = this.now - plan.eks.ageDays * DAY - numberOf(`${this.scope}/created`, DAY);
    this.release = eksRelease(plan.eks.version);
    this.calico = plan.calico;
    this.apiGroup = plan.calico ? (options.apiGroup ?? plan.calico.apiGroup) : null;
    this.poolCursors = (plan.calico?.pools ?? []).map(() => 0);

    // Terraform's name_prefix suffix: creation time to the 0.1 ms, then a counter (26 digits).
    const stamp = (seed: string) =>
      `${kubeTime(this.clusterCreatedMs).replace(/\D/g, '')}${String(numberOf(seed, 10_000)).padStart(4, '0')}0000000${numberOf(seed, 9) + 1}`;
    this.groups = {
      cluster: { id: awsId('sg', this.scope, 1), name: `eks-cluster-sg-${plan.name}-${String(numberOf(`${this.scope}/clustersg`, 1e10)).padStart(10, '0')}` },
      additional: { id: awsId('sg', this.scope, 2), name: `${plan.name}-cluster-${stamp('cluster')}` },
      node: { id: awsId('sg', this.scope, 3), name: `${plan.name}-node-${stamp('node')}` },
      extra: (plan.extraNodeSecurityGroups ?? []).map((extra, i) => ({
        id: awsId('sg', this.scope, 4 + i),
        name: `${plan.name}-${extra.suffix}-${stamp(extra.suffix)}`,
        plan: extra,
      })),
    };

    this.subnets = plan.subnets.map((subnet, index) => {
      const cidr = parseCidr(subnet.cidr);
      if (!cidrContains(plan.vpcCidr, intToIp(cidr.base))) throw new Error(`subnet ${subnet.cidr} lies outside VPC ${plan.vpcCidr}`);
      return {
        plan: subnet,
        index,
        id: awsId('subnet', this.scope, index + 1),
        routeTableId: awsId('rtb', this.scope, index + 1),
        natGatewayId: awsId('nat', this.scope, index + 1),
        prefix: cidr.prefix,
        // VPC CNI secondary addresses start a quarter into the subnet, clear of the node addresses we pick.
        nextSecondary: cidr.base + Math.floor(cidr.size / 4) + 10,
        used: new Set<number>(),
      };
    });

    const nodegroups = new Map(plan.nodegroups.map((ng) => [ng.name, ng]));
    const names = new Set<string>();
    this.nodes = plan.nodes.map((node, index) => {
      const subnet = this.subnets[node.subnet];
      if (!subnet) throw new Error(`node ${node.ip} names subnet ${node.subnet}, which the plan lacks`);
      if (!cidrContains(subnet.plan.cidr, node.ip)) throw new Error(`node ${node.ip} lies outside its subnet ${subnet.plan.cidr}`);
      const nodegroup = nodegroups.get(node.nodegroup);
      if (!nodegroup) throw new Error(`node ${node.ip} names nodegroup ${node.nodegroup}, which the plan lacks`);
      const name = privateDnsName(node.ip, plan.region);
      if (names.has(name)) throw new Error(`two nodes have address ${node.ip}`);
      names.add(name);
      subnet.used.add(ipToInt(node.ip));
      const ageDays = Math.max(1, Math.min(plan.eks.ageDays - 1, 3 + numberOf(`${this.scope}/${name}/age`, 40)));
      return {
        plan: node,
        index,
        name,
        ip: node.ip,
        subnet,
        nodegroup,
        instanceId: awsId('i', this.scope, index + 1),
        launchMs: this.now - ageDays * DAY - numberOf(`${this.scope}/${name}/launch`, DAY),
        ready: node.ready ?? true,
        blocks: [],
        eniAddresses: [],
        nextEniAddress: 0,
        tunnels: {},
      };
    });
  }

  // -- small helpers -------------------------------------------------------------------------

  private seed(...parts: string[]): string {
    return [this.scope, ...parts].join('/');
  }

  /** A creation time in the cluster's life; `early` objects were made with the cluster. */
  private createdMs(seed: string, early = false): number {
    const life = this.now - this.clusterCreatedMs;
    const offset = early ? numberOf(seed, 2 * HOUR) + 5 * MINUTE : numberOf(seed, Math.max(HOUR, Math.floor(life * 0.8)));
    return this.clusterCreatedMs + offset;
  }

  private meta(kind: string, name: string, namespace: string | undefined, extra: Json = {}, early = true): Json {
    const seed = this.seed(kind, namespace ?? '', name);
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: uuidOf(seed),
      resourceVersion: String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000)),
      creationTimestamp: kubeTime(this.createdMs(seed, early)),
      ...extra,
    };
  }

  private get arnPrefix(): string {
    return `arn:aws:eks:${this.plan.region}:${this.plan.accountId}`;
  }

  private get isCalicoCni(): boolean {
    return this.calico?.cni === 'Calico';
  }

  private get calicoNamespace(): string {
    return this.calico?.install === 'operator' ? 'calico-system' : 'kube-system';
  }

  private get enterprise(): boolean {
    return this.calico?.variant === 'TigeraSecureEnterprise';
  }

  // -- addresses -------------------------------------------------------------------------------

  private allocateBlock(node: NodeInfo): BlockState {
    const calico = this.calico!;
    const labels = this.nodeLabels(node);
    const poolIndex = calico.pools.findIndex((p) => !p.disabled && nodeSelected(p.nodeSelector, labels));
    const pool = calico.pools[poolIndex];
    if (!pool) throw new Error(`no enabled pool selects node ${node.name}`);
    const cidr = parseCidr(pool.cidr);
    const size = 2 ** (32 - pool.blockSize);
    const cursor = this.poolCursors[poolIndex]!;
    if ((cursor + 1) * size > cidr.size) throw new Error(`pool ${pool.name} (${pool.cidr}) has no free /${pool.blockSize} block left`);
    this.poolCursors[poolIndex] = cursor + 1;
    const block: BlockState = {
      cidr: `${intToIp(cidr.base + cursor * size)}/${pool.blockSize}`,
      base: cidr.base + cursor * size,
      size,
      node: node.name,
      allocations: new Array<number | null>(size).fill(null),
      attributes: [],
    };
    node.blocks.push(block);
    this.blocks.push(block);
    return block;
  }

  /** Calico IPAM: the next free ordinal in the node's affine blocks, claiming a new block when full. */
  private allocateCalicoAddress(node: NodeInfo, attribute: Json): string {
    let block = node.blocks.find((b) => b.allocations.includes(null));
    block ??= this.allocateBlock(node);
    const ordinal = block.allocations.indexOf(null);
    block.allocations[ordinal] = block.attributes.length;
    block.attributes.push(attribute);
    return intToIp(block.base + ordinal);
  }

  /** VPC CNI: the primary ENI keeps its primary address; ipamd hands out the secondaries in order. */
  private prepareEniAddresses(node: NodeInfo): void {
    const info = instanceType(node.nodegroup.instanceType);
    const take = (count: number): string[] => {
      const out: string[] = [];
      const subnet = node.subnet;
      const { base, size } = parseCidr(subnet.plan.cidr);
      while (out.length < count) {
        const candidate = subnet.nextSecondary++;
        if (candidate >= base + size - 1) throw new Error(`subnet ${subnet.plan.cidr} is out of addresses`);
        if (subnet.used.has(candidate)) continue;
        subnet.used.add(candidate);
        out.push(intToIp(candidate));
      }
      return out;
    };
    // WARM_ENI_TARGET=1: the primary ENI plus one warm ENI, each filled with secondary addresses.
    node.eniAddresses = [[node.ip, ...take(info.ipsPerEni - 1)], take(info.ipsPerEni)];
  }

  private podAddress(node: NodeInfo, namespace: string, name: string, hostNetwork: boolean): string {
    if (hostNetwork) return node.ip;
    if (this.isCalicoCni) {
      const containerId = digest(this.seed('container', namespace, name));
      return this.allocateCalicoAddress(node, {
        handle_id: `k8s-pod-network.${containerId}`,
        secondary: {
          namespace,
          node: node.name,
          pod: name,
          timestamp: goTime(Math.max(node.launchMs, this.now - numberOf(this.seed('pod', namespace, name), 20 * DAY)) + 2 * MINUTE),
        },
      });
    }
    if (this.calico?.cni === 'AmazonVPC' || !this.calico) {
      if (!node.eniAddresses.length) this.prepareEniAddresses(node);
      const secondaries = node.eniAddresses.flat().slice(1);
      const address = secondaries[node.nextEniAddress++];
      if (!address) throw new Error(`node ${node.name} has no free VPC CNI address for ${namespace}/${name}`);
      return address;
    }
    throw new Error('unreachable');
  }

  /** Tunnel and WireGuard addresses, claimed first in each node's block as calico-node does at start-up. */
  private allocateTunnels(): void {
    const calico = this.calico;
    if (!calico || !this.isCalicoCni) return;
    const ipip = calico.pools.some((p) => !p.disabled && p.ipipMode !== 'Never');
    const vxlan = calico.pools.some((p) => !p.disabled && p.vxlanMode !== 'Never');
    for (const node of this.nodes) {
      const tunnel = (kind: string, type: string) =>
        this.allocateCalicoAddress(node, { handle_id: `${kind}-tunnel-addr-${node.name}`, secondary: { node: node.name, type } });
      if (ipip) node.tunnels.ipip = tunnel('ipip', 'ipipTunnelAddress');
      if (vxlan) node.tunnels.vxlan = tunnel('vxlan', 'vxlanTunnelAddress');
      if (calico.wireguard) node.tunnels.wireguard = tunnel('wireguard', 'wireguardTunnelAddress');
    }
  }

  // -- scheduling ------------------------------------------------------------------------------

  private schedule(kind: WorkloadKind, namespace: string, name: string, replicas: number): Array<{ node: NodeInfo; podName: string }> {
    const seed = this.seed(kind, namespace, name);
    if (kind === 'DaemonSet') {
      return this.nodes.map((node) => ({ node, podName: this.uniquePodName(namespace, (salt) => `${name}-${kubeSuffix(`${seed}/${node.name}${salt}`, 5)}`) }));
    }
    const ready = this.nodes.filter((n) => n.ready);
    const pool = ready.length ? ready : this.nodes;
    // Spread replicas as anti-affinity would, from a start that differs per workload.
    const start = numberOf(`${seed}/start`, pool.length);
    const step = Math.max(1, Math.floor(pool.length / Math.max(1, replicas)));
    const hash = kubeSuffix(`${seed}/rs`, 10);
    return Array.from({ length: replicas }, (_, i) => ({
      node: pool[(start + i * step) % pool.length]!,
      podName: kind === 'StatefulSet' ? `${name}-${i}` : this.uniquePodName(namespace, (salt) => `${name}-${hash}-${kubeSuffix(`${seed}/${i}${salt}`, 5)}`),
    }));
  }

  /** Five random characters collide now and then at thousands of pods; the API server would retry, so do we. */
  private uniquePodName(namespace: string, make: (salt: string) => string): string {
    for (let attempt = 0; ; attempt++) {
      const name = make(attempt ? `#${attempt}` : '');
      const key = `${namespace}/${name}`;
      if (!this.podNames.has(key)) {
        this.podNames.add(key);
        return name;
      }
    }
  }

  /** Creates the pods of a workload (assigning addresses) and returns them. */
  private runWorkload(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    selector: Record<string, string>,
    replicas: number,
    hostNetwork: boolean,
  ): PodInfo[] {
    const seed = this.seed(kind, namespace, name);
    const uid = uuidOf(seed);
    const rsHash = kubeSuffix(`${seed}/rs`, 10);
    const revision = kubeSuffix(`${seed}/revision`, 10);
    const pods: PodInfo[] = [];
    for (const [i, { node, podName }] of this.schedule(kind, namespace, name, replicas).entries()) {
      const labels: Record<string, string> = { ...selector };
      let owner: PodInfo['owner'];
      if (kind === 'Deployment') {
        labels['pod-template-hash'] = rsHash;
        owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${rsHash}`, uid: uuidOf(`${seed}/replicaset`) };
      } else if (kind === 'DaemonSet') {
        Object.assign(labels, { 'controller-revision-hash': revision, 'pod-template-generation': '1' });
        owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid };
      } else {
        Object.assign(labels, {
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': `${name}-${revision}`,
          'statefulset.kubernetes.io/pod-name': podName,
        });
        owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid };
      }
      const pod: PodInfo = {
        namespace,
        name: podName,
        labels,
        owner,
        nodeName: node.name,
        hostNetwork,
        ip: this.podAddress(node, namespace, podName, hostNetwork),
        ready: node.ready,
      };
      pods.push(pod);
      this.pods.push(pod);
    }
    return pods;
  }

  // -- system workloads ------------------------------------------------------------------------

  private kubeSystemWorkloads(): WorkloadDef[] {
    const ecr = EKS_ECR(this.plan.region);
    const linuxOnly = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
                { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid', 'auto'] },
              ],
            },
          ],
        },
      },
    };
    const defs: WorkloadDef[] = [
      {
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'kube-proxy',
        selector: { 'k8s-app': 'kube-proxy' },
        objectLabels: { 'eks.amazonaws.com/component': 'kube-proxy', 'k8s-app': 'kube-proxy' },
        hostNetwork: true,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          affinity: linuxOnly,
          containers: [
            container('kube-proxy', `${ecr}/eks/kube-proxy:${this.release.kubeProxy.replace('-eksbuild', '-minimal-eksbuild')}`, {
              command: ['kube-proxy', '--v=2', '--config=/var/lib/kube-proxy-config/config', '--hostname-override=$(NODE_NAME)'],
              env: env([['NODE_NAME', { field: 'spec.nodeName' }]]),
              resources: { requests: { cpu: '100m' } },
              securityContext: { privileged: true },
            }),
          ],
          priorityClassName: 'system-node-critical',
          serviceAccount: 'kube-proxy',
          serviceAccountName: 'kube-proxy',
          tolerations: [{ operator: 'Exists' }],
        },
      },
      {
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'coredns',
        selector: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' },
        objectLabels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
        replicas: 2,
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          affinity: linuxOnly,
          containers: [
            container('coredns', `${ecr}/eks/coredns:${this.release.coredns}`, {
              args: ['-conf', '/etc/coredns/Corefile'],
              livenessProbe: probe({ http: { path: '/health', port: 8080 } }, { initialDelay: 60, timeout: 5, failure: 5 }),
              readinessProbe: probe({ http: { path: '/ready', port: 8181 } }),
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
              ],
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
            }),
          ],
          priorityClassName: 'system-cluster-critical',
          serviceAccount: 'coredns',
          serviceAccountName: 'coredns',
          tolerations: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }],
        },
      },
      {
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'ebs-csi-controller',
        selector: { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        objectLabels: { 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/managed-by': 'EKS', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        replicas: 2,
        collected: true,
        spec: {
          containers: [
            container('ebs-plugin', `${ecr}/eks/aws-ebs-csi-driver:v1.51.1`, {
              args: ['controller', '--endpoint=$(CSI_ENDPOINT)', '--batching=true', '--logging-format=text', '--v=2'],
              env: env([['CSI_ENDPOINT', 'unix:///var/lib/csi/sockets/pluginproxy/csi.sock'], ['CSI_NODE_NAME', { field: 'spec.nodeName' }]]),
              livenessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
              readinessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
            }),
            container('csi-provisioner', `${ecr}/eks/csi-provisioner:v5.3.0-eks-1-34-5`, {
              args: ['--timeout=60s', '--csi-address=$(ADDRESS)', '--v=2', '--feature-gates=Topology=true', '--extra-create-metadata', '--leader-election=true'],
              env: env([['ADDRESS', '/var/lib/csi/sockets/pluginproxy/csi.sock']]),
            }),
          ],
          priorityClassName: 'system-cluster-critical',
          serviceAccount: 'ebs-csi-controller-sa',
          serviceAccountName: 'ebs-csi-controller-sa',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists', tolerationSeconds: 300 }],
        },
      },
      {
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'ebs-csi-node',
        selector: { app: 'ebs-csi-node', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        objectLabels: { 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/managed-by': 'EKS', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          affinity: linuxOnly,
          containers: [
            container('ebs-plugin', `${ecr}/eks/aws-ebs-csi-driver:v1.51.1`, {
              args: ['node', '--endpoint=$(CSI_ENDPOINT)', '--csi-mount-point-prefix=/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/', '--logging-format=text', '--v=2'],
              env: env([['CSI_ENDPOINT', 'unix:/csi/csi.sock'], ['CSI_NODE_NAME', { field: 'spec.nodeName' }]]),
              livenessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
              securityContext: { privileged: true, readOnlyRootFilesystem: true },
            }),
            container('node-driver-registrar', `${ecr}/eks/csi-node-driver-registrar:v2.14.0-eks-1-34-5`, {
              args: ['--csi-address=$(ADDRESS)', '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)', '--v=2'],
              env: env([
                ['ADDRESS', '/csi/csi.sock'],
                ['DRIVER_REG_SOCK_PATH', '/var/lib/kubelet/plugins/ebs.csi.aws.com/csi.sock'],
              ]),
            }),
          ],
          priorityClassName: 'system-node-critical',
          serviceAccount: 'ebs-csi-node-sa',
          serviceAccountName: 'ebs-csi-node-sa',
          tolerations: [{ operator: 'Exists' }],
        },
      },
      {
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'eks-pod-identity-agent',
        selector: { 'app.kubernetes.io/instance': 'eks-pod-identity-agent', 'app.kubernetes.io/name': 'eks-pod-identity-agent' },
        objectLabels: { 'app.kubernetes.io/instance': 'eks-pod-identity-agent', 'app.kubernetes.io/name': 'eks-pod-identity-agent', 'app.kubernetes.io/version': '0.1.29' },
        hostNetwork: true,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          affinity: linuxOnly,
          containers: [
            container('eks-pod-identity-agent', `${ecr}/eks/eks-pod-identity-agent:0.1.29`, {
              args: ['--port', '80', '--cluster-name', this.plan.name, '--probe-port', '2703'],
              command: ['/go-runner', '/eks-pod-identity-agent', 'server'],
              livenessProbe: probe({ http: { host: 'localhost', path: '/healthz', port: 2703 } }, { initialDelay: 30, timeout: 10 }),
              readinessProbe: probe({ http: { host: 'localhost', path: '/readyz', port: 2703 } }, { initialDelay: 1, timeout: 10, failure: 30 }),
              securityContext: { capabilities: { add: ['CAP_NET_BIND_SERVICE'] } },
            }),
          ],
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists' }],
        },
      },
    ];
    if (this.calico?.cni !== 'Calico') {
      // The VPC CNI is the pod network unless Calico replaced it.
      defs.push({
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'aws-node',
        selector: { 'k8s-app': 'aws-node' },
        objectLabels: { 'app.kubernetes.io/instance': 'aws-vpc-cni', 'app.kubernetes.io/name': 'aws-node', 'app.kubernetes.io/version': 'v1.20.4', 'k8s-app': 'aws-node' },
        hostNetwork: true,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          affinity: linuxOnly,
          initContainers: [
            container('aws-vpc-cni-init', `${ecr}/amazon-k8s-cni-init:v1.20.4-eksbuild.2`, {
              env: env([['DISABLE_TCP_EARLY_DEMUX', 'false'], ['ENABLE_IPv6', 'false']]),
              securityContext: { privileged: true },
            }),
          ],
          containers: [
            container('aws-node', `${ecr}/amazon-k8s-cni:v1.20.4-eksbuild.2`, {
              env: env([
                ['ADDITIONAL_ENI_TAGS', '{}'],
                ['ANNOTATE_POD_IP', 'true'],
                ['AWS_VPC_CNI_NODE_PORT_SUPPORT', 'true'],
                ['AWS_VPC_ENI_MTU', '9001'],
                ['AWS_VPC_K8S_CNI_EXTERNALSNAT', 'false'],
                ['AWS_VPC_K8S_CNI_LOGLEVEL', 'DEBUG'],
                ['AWS_VPC_K8S_CNI_LOG_FILE', '/host/var/log/aws-routed-eni/ipamd.log'],
                ['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'prng'],
                ['AWS_VPC_K8S_CNI_VETHPREFIX', 'eni'],
                ['CLUSTER_NAME', this.plan.name],
                ['ENABLE_IPv4', 'true'],
                ['ENABLE_IPv6', 'false'],
                ['ENABLE_POD_ENI', 'false'],
                ['ENABLE_PREFIX_DELEGATION', 'false'],
                ['MY_NODE_NAME', { field: 'spec.nodeName' }],
                ['NETWORK_POLICY_ENFORCING_MODE', 'standard'],
                ['VPC_CNI_VERSION', 'v1.20.4'],
                ['WARM_ENI_TARGET', '1'],
                ['WARM_PREFIX_TARGET', '1'],
              ]),
              livenessProbe: probe({ exec: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, { initialDelay: 60, timeout: 10 }),
              readinessProbe: probe({ exec: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, { initialDelay: 1, timeout: 10 }),
              ports: [{ containerPort: 61678, hostPort: 61678, name: 'metrics', protocol: 'TCP' }],
              resources: { requests: { cpu: '25m' } },
              securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
            }),
            container('aws-eks-nodeagent', `${ecr}/amazon/aws-network-policy-agent:v1.2.7-eksbuild.1`, {
              args: ['--enable-ipv6=false', '--enable-network-policy=false', '--enable-cloudwatch-logs=false', '--enable-policy-event-logs=false', '--log-file=/var/log/aws-routed-eni/network-policy-agent.log', '--metrics-bind-addr=:8162', '--health-probe-bind-addr=:8163', '--conntrack-cache-cleanup-period=300'],
              env: env([['MY_NODE_NAME', { field: 'spec.nodeName' }]]),
              resources: { requests: { cpu: '25m' } },
              securityContext: { capabilities: { add: ['NET_ADMIN'] }, privileged: true },
            }),
          ],
          priorityClassName: 'system-node-critical',
          serviceAccount: 'aws-node',
          serviceAccountName: 'aws-node',
          terminationGracePeriodSeconds: 10,
          tolerations: [{ operator: 'Exists' }],
        },
      });
    }
    return defs;
  }

  /** Image of a Calico component: Enterprise images live under quay.io/tigera with their own tags. */
  private calicoImage(component: 'node' | 'cni' | 'typha' | 'kube-controllers' | 'csi' | 'node-driver-registrar' | 'apiserver' | 'goldmane' | 'whisker'): string {
    const calico = this.calico!;
    if (this.enterprise) {
      const name = component === 'node' ? 'cnx-node' : component === 'apiserver' ? 'cnx-apiserver' : component;
      return `quay.io/tigera/${name}:${calico.enterpriseVersion ?? calico.version}`;
    }
    // The 3.31 manifests moved from docker.io to quay.io; the operator has long pulled from quay.io.
    const registry = calico.install === 'operator' || minorOf(calico.version) >= '3.31' ? 'quay.io' : 'docker.io';
    return `${registry}/calico/${component}:${calico.version}`;
  }

  private manifestWorkloads(): WorkloadDef[] {
    const calico = this.calico!;
    const pool = calico.pools[0];
    const cm = (key: string): EnvSource => ({ configMap: 'calico-config', key });
    const bird = calico.bgp;
    const typha = calico.typhaReplicas > 0;
    const hostPath = (name: string, path: string, type?: string) => ({ hostPath: { path, type: type ?? '' }, name });
    const nodeEnv: Array<[string, EnvSource]> = [
      ['DATASTORE_TYPE', 'kubernetes'],
      ...(typha ? [['FELIX_TYPHAK8SSERVICENAME', cm('typha_service_name')] as [string, EnvSource]] : []),
      ['WAIT_FOR_DATASTORE', 'true'],
      ['NODENAME', { field: 'spec.nodeName' }],
      ['CALICO_NETWORKING_BACKEND', cm('calico_backend')],
      ['CLUSTER_TYPE', 'k8s,bgp'],
      ['IP', 'autodetect'],
      ['CALICO_IPV4POOL_IPIP', pool?.ipipMode ?? 'Always'],
      ['CALICO_IPV4POOL_VXLAN', pool?.vxlanMode ?? 'Never'],
      ['CALICO_IPV6POOL_VXLAN', 'Never'],
      ['FELIX_IPINIPMTU', cm('veth_mtu')],
      ['FELIX_VXLANMTU', cm('veth_mtu')],
      ['FELIX_WIREGUARDMTU', cm('veth_mtu')],
      ...(pool ? [['CALICO_IPV4POOL_CIDR', pool.cidr] as [string, EnvSource]] : []),
      ['CALICO_DISABLE_FILE_LOGGING', 'true'],
      ['FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'],
      ['FELIX_IPV6SUPPORT', 'false'],
      ['FELIX_HEALTHENABLED', 'true'],
      ...Object.entries(calico.calicoNodeEnv ?? {}),
    ];
    const bpfInit =
      minorOf(calico.version) >= '3.31'
        ? container('ebpf-bootstrap', this.calicoImage('node'), {
            command: ['calico-node', '-init', '-best-effort'],
            securityContext: { privileged: true },
            volumeMounts: [
              { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
              { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
              { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
            ],
          })
        : container('mount-bpffs', this.calicoImage('node'), {
            command: ['calico-node', '-init', '-best-effort'],
            securityContext: { privileged: true },
            volumeMounts: [
              { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
              { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
              { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
            ],
          });
    const defs: WorkloadDef[] = [
      {
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'calico-node',
        selector: { 'k8s-app': 'calico-node' },
        objectLabels: { 'k8s-app': 'calico-node' },
        hostNetwork: true,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          containers: [
            container('calico-node', this.calicoImage('node'), {
              env: env(nodeEnv),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
              livenessProbe: probe({ exec: ['/bin/calico-node', '-felix-live', ...(bird ? ['-bird-live'] : [])] }, { initialDelay: 10, timeout: 10, failure: 6 }),
              readinessProbe: probe({ exec: ['/bin/calico-node', '-felix-ready', ...(bird ? ['-bird-ready'] : [])] }, { timeout: 10 }),
              resources: { requests: { cpu: '250m' } },
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
                { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
                { mountPath: '/run/xtables.lock', name: 'xtables-lock' },
                { mountPath: '/var/run/calico', name: 'var-run-calico' },
                { mountPath: '/var/lib/calico', name: 'var-lib-calico' },
                { mountPath: '/var/run/nodeagent', name: 'policysync' },
                { mountPath: '/sys/fs/bpf', name: 'bpffs' },
                { mountPath: '/var/log/calico/cni', name: 'cni-log-dir', readOnly: true },
              ],
            }),
          ],
          initContainers: [
            container('upgrade-ipam', this.calicoImage('cni'), {
              command: ['/opt/cni/bin/calico-ipam', '-upgrade'],
              env: env([['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }], ['CALICO_NETWORKING_BACKEND', cm('calico_backend')]]),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/var/lib/cni/networks', name: 'host-local-net-dir' },
                { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
              ],
            }),
            container('install-cni', this.calicoImage('cni'), {
              command: ['/opt/cni/bin/install'],
              env: env([
                ['CNI_CONF_NAME', '10-calico.conflist'],
                ['CNI_NETWORK_CONFIG', cm('cni_network_config')],
                ['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }],
                ['CNI_MTU', cm('veth_mtu')],
                ['SLEEP', 'false'],
              ]),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
                { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
              ],
            }),
            bpfInit,
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-node-critical',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccount: 'calico-node',
          serviceAccountName: 'calico-node',
          terminationGracePeriodSeconds: 0,
          tolerations: [
            { effect: 'NoSchedule', operator: 'Exists' },
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { effect: 'NoExecute', operator: 'Exists' },
          ],
          volumes: [
            hostPath('lib-modules', '/lib/modules'),
            hostPath('var-run-calico', '/var/run/calico', 'DirectoryOrCreate'),
            hostPath('var-lib-calico', '/var/lib/calico', 'DirectoryOrCreate'),
            hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
            hostPath('sys-fs', '/sys/fs/', 'DirectoryOrCreate'),
            hostPath('bpffs', '/sys/fs/bpf', 'Directory'),
            hostPath('nodeproc', '/proc'),
            hostPath('cni-bin-dir', '/opt/cni/bin', 'DirectoryOrCreate'),
            hostPath('cni-net-dir', '/etc/cni/net.d'),
            hostPath('cni-log-dir', '/var/log/calico/cni'),
            hostPath('host-local-net-dir', '/var/lib/cni/networks'),
            hostPath('policysync', '/var/run/nodeagent', 'DirectoryOrCreate'),
          ],
        },
      },
      {
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'calico-kube-controllers',
        selector: { 'k8s-app': 'calico-kube-controllers' },
        objectLabels: { 'k8s-app': 'calico-kube-controllers' },
        replicas: 1,
        strategy: { type: 'Recreate' },
        collected: true,
        spec: {
          containers: [
            container('calico-kube-controllers', this.calicoImage('kube-controllers'), {
              env: env([['ENABLED_CONTROLLERS', 'node,loadbalancer'], ['DATASTORE_TYPE', 'kubernetes']]),
              livenessProbe: probe({ exec: ['/usr/bin/check-status', '-l'] }, { initialDelay: 10, timeout: 10, failure: 6 }),
              readinessProbe: probe({ exec: ['/usr/bin/check-status', '-r'] }),
              securityContext: { runAsNonRoot: true },
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-cluster-critical',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccount: 'calico-kube-controllers',
          serviceAccountName: 'calico-kube-controllers',
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
            { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
          ],
        },
      },
    ];
    if (typha) {
      defs.push({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'calico-typha',
        selector: { 'k8s-app': 'calico-typha' },
        objectLabels: { 'k8s-app': 'calico-typha' },
        replicas: calico.typhaReplicas,
        hostNetwork: true,
        templateAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
        strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          containers: [
            container('calico-typha', this.calicoImage('typha'), {
              env: env([
                ['TYPHA_LOGSEVERITYSCREEN', 'info'],
                ['TYPHA_LOGFILEPATH', 'none'],
                ['TYPHA_LOGSEVERITYSYS', 'none'],
                ['TYPHA_CONNECTIONREBALANCINGMODE', 'kubernetes'],
                ['TYPHA_DATASTORETYPE', 'kubernetes'],
                ['TYPHA_HEALTHENABLED', 'true'],
                ['TYPHA_SHUTDOWNTIMEOUTSECS', '300'],
              ]),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9098 } }, { period: 30, initialDelay: 30, timeout: 10 }),
              ports: [{ containerPort: 5473, hostPort: 5473, name: 'calico-typha', protocol: 'TCP' }],
              readinessProbe: probe({ http: { host: 'localhost', path: '/readiness', port: 9098 } }, { timeout: 10 }),
              securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-cluster-critical',
          securityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccount: 'calico-node',
          serviceAccountName: 'calico-node',
          terminationGracePeriodSeconds: 300,
          tolerations: CRITICAL_TOLERATIONS,
        },
      });
    }
    return defs;
  }

  private operatorWorkloads(): WorkloadDef[] {
    const calico = this.calico!;
    const minor = minorOf(calico.version);
    const operatorVersion = OPERATOR_VERSIONS[minor] ?? 'v1.40.4';
    const installationOwner = [
      {
        apiVersion: 'operator.tigera.io/v1',
        blockOwnerDeletion: true,
        controller: true,
        kind: 'Installation',
        name: 'default',
        uid: uuidOf(this.seed('Installation', '', 'default')),
      },
    ];
    const hashes = (...names: string[]) => Object.fromEntries(names.map((n) => [`hash.operator.tigera.io/${n}`, hexOf(this.seed('hash', n), 40)]));
    const calicoCni = calico.cni === 'Calico';
    const backend = !calicoCni ? 'none' : calico.bgp ? 'bird' : 'vxlan';
    const mtu = calico.mtu ? String(calico.mtu) : null;
    const nodeEnv: Array<[string, EnvSource]> = [
      ['DATASTORE_TYPE', 'kubernetes'],
      ['WAIT_FOR_DATASTORE', 'true'],
      ['CLUSTER_TYPE', `k8s,operator,ecs${calicoCni ? ',bgp' : ''}`],
      ['CALICO_DISABLE_FILE_LOGGING', 'false'],
      ['FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'],
      ['FELIX_HEALTHENABLED', 'true'],
      ['FELIX_HEALTHPORT', '9099'],
      ['NODENAME', { field: 'spec.nodeName' }],
      ['NAMESPACE', { field: 'metadata.namespace' }],
      ['FELIX_TYPHAK8SNAMESPACE', 'calico-system'],
      ['FELIX_TYPHAK8SSERVICENAME', 'calico-typha'],
      ['FELIX_TYPHACAFILE', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
      ['FELIX_TYPHACERTFILE', '/node-certs/tls.crt'],
      ['FELIX_TYPHAKEYFILE', '/node-certs/tls.key'],
      ['FIPS_MODE_ENABLED', 'false'],
      ['NO_DEFAULT_POOLS', 'true'],
      ['FELIX_TYPHACN', 'typha-server'],
      ...(calicoCni ? [['CALICO_MANAGE_CNI', 'true'] as [string, EnvSource]] : []),
      ['CALICO_NETWORKING_BACKEND', backend],
      ['IP', 'autodetect'],
      ['IP_AUTODETECTION_METHOD', 'first-found'],
      ['IP6', 'none'],
      ['FELIX_IPV6SUPPORT', 'false'],
      ...(mtu
        ? ([
            ['FELIX_IPINIPMTU', mtu],
            ['FELIX_VXLANMTU', mtu],
            ['FELIX_WIREGUARDMTU', mtu],
          ] as Array<[string, EnvSource]>)
        : []),
      ...(calicoCni
        ? []
        : ([
            ['FELIX_INTERFACEPREFIX', 'eni'],
            ['FELIX_IPTABLESMANGLEALLOWACTION', 'Return'],
            ['FELIX_ROUTESOURCE', 'WorkloadIPs'],
            ['FELIX_BPFEXTTOSERVICECONNMARK', '0x80'],
          ] as Array<[string, EnvSource]>)),
      ...(this.enterprise
        ? ([
            ['FELIX_PROMETHEUSREPORTERENABLED', 'true'],
            ['FELIX_PROMETHEUSREPORTERPORT', '9081'],
            ['FELIX_FLOWLOGSFILEENABLED', 'true'],
            ['FELIX_FLOWLOGSFILEINCLUDELABELS', 'true'],
            ['FELIX_FLOWLOGSFILEINCLUDEPOLICIES', 'true'],
            ['FELIX_FLOWLOGSENABLENETWORKSETS', 'true'],
            ['FELIX_DNSLOGSFILEENABLED', 'true'],
            ['FELIX_DNSLOGSFILEPERNODELIMIT', '1000'],
          ] as Array<[string, EnvSource]>)
        : []),
    ];
    const bpfInit = container('ebpf-bootstrap', this.calicoImage('node'), {
      command: ['calico-node', '-init', '-best-effort'],
      securityContext: { capabilities: { drop: ['ALL'] }, privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
      volumeMounts: [
        { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
        { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
        { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
      ],
    });
    const cniInit = container('install-cni', this.calicoImage('cni'), {
      command: ['/opt/cni/bin/install'],
      env: env([
        ['CNI_CONF_NAME', '10-calico.conflist'],
        ['SLEEP', 'false'],
        ['CNI_NET_DIR', '/etc/cni/net.d'],
        ['CNI_NETWORK_CONFIG', { configMap: 'cni-config', key: 'config' }],
        ['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }],
      ]),
      securityContext: { privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 },
    });

    const defs: WorkloadDef[] = [
      {
        kind: 'Deployment',
        namespace: 'tigera-operator',
        name: 'tigera-operator',
        selector: { name: 'tigera-operator' },
        objectLabels: { 'k8s-app': 'tigera-operator' },
        replicas: 1,
        hostNetwork: true,
        collected: true,
        spec: {
          containers: [
            container('tigera-operator', `quay.io/tigera/operator:${operatorVersion}`, {
              args: ['-manage-crds=true'],
              command: ['operator'],
              env: env([
                ['WATCH_NAMESPACE', ''],
                ['POD_NAME', { field: 'metadata.name' }],
                ['OPERATOR_NAME', 'tigera-operator'],
                ['TIGERA_OPERATOR_INIT_IMAGE_VERSION', operatorVersion],
              ]),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          serviceAccount: 'tigera-operator',
          serviceAccountName: 'tigera-operator',
          tolerations: [{ effect: 'NoExecute', operator: 'Exists' }, { effect: 'NoSchedule', operator: 'Exists' }],
        },
      },
      {
        kind: 'DaemonSet',
        namespace: 'calico-system',
        name: 'calico-node',
        selector: { 'k8s-app': 'calico-node' },
        objectLabels: { 'app.kubernetes.io/name': 'calico-node', 'k8s-app': 'calico-node' },
        ownerReferences: installationOwner,
        hostNetwork: true,
        templateAnnotations: hashes('cni-config', 'system', 'tigera-ca-private', 'node-certs'),
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          containers: [
            container('calico-node', this.calicoImage('node'), {
              env: env(nodeEnv),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
              livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9099 } }, { timeout: 10 }),
              readinessProbe: probe({ exec: ['/bin/calico-node', ...(calico.bgp ? ['-bird-ready'] : []), '-felix-ready'] }, { timeout: 10 }),
              securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] }, privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
            }),
          ],
          initContainers: calicoCni ? [cniInit, bpfInit] : [bpfInit],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-node-critical',
          serviceAccount: 'calico-node',
          serviceAccountName: 'calico-node',
          terminationGracePeriodSeconds: 5,
          tolerations: CRITICAL_TOLERATIONS,
        },
      },
      {
        kind: 'DaemonSet',
        namespace: 'calico-system',
        name: 'csi-node-driver',
        selector: { 'k8s-app': 'csi-node-driver' },
        objectLabels: { 'app.kubernetes.io/name': 'csi-node-driver', 'k8s-app': 'csi-node-driver' },
        ownerReferences: installationOwner,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          containers: [
            container('calico-csi', this.calicoImage('csi'), {
              args: ['--nodeid=$(KUBE_NODE_NAME)', '--loglevel=$(LOG_LEVEL)'],
              env: env([['LOG_LEVEL', 'warn'], ['KUBE_NODE_NAME', { field: 'spec.nodeName' }]]),
              securityContext: { privileged: true },
            }),
            container('csi-node-driver-registrar', this.calicoImage('node-driver-registrar'), {
              args: ['--v=5', '--csi-address=$(ADDRESS)', '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)'],
              env: env([
                ['ADDRESS', '/csi/csi.sock'],
                ['DRIVER_REG_SOCK_PATH', '/var/lib/kubelet/plugins/csi.tigera.io/csi.sock'],
                ['KUBE_NODE_NAME', { field: 'spec.nodeName' }],
              ]),
              securityContext: { privileged: true },
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          serviceAccount: 'csi-node-driver',
          serviceAccountName: 'csi-node-driver',
          tolerations: CRITICAL_TOLERATIONS,
        },
      },
      {
        kind: 'Deployment',
        namespace: 'calico-system',
        name: 'calico-typha',
        selector: { 'k8s-app': 'calico-typha' },
        objectLabels: { 'app.kubernetes.io/name': 'calico-typha', 'k8s-app': 'calico-typha' },
        ownerReferences: installationOwner,
        replicas: calico.typhaReplicas,
        hostNetwork: true,
        templateAnnotations: hashes('system', 'tigera-ca-private', 'typha-certs'),
        strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: 1 }, type: 'RollingUpdate' },
        collected: true,
        spec: {
          containers: [
            container('calico-typha', this.calicoImage('typha'), {
              env: env([
                ['TYPHA_LOGSEVERITYSCREEN', 'info'],
                ['TYPHA_LOGFILEPATH', 'none'],
                ['TYPHA_LOGSEVERITYSYS', 'none'],
                ['TYPHA_CONNECTIONREBALANCINGMODE', 'kubernetes'],
                ['TYPHA_DATASTORETYPE', 'kubernetes'],
                ['TYPHA_HEALTHENABLED', 'true'],
                ['TYPHA_HEALTHPORT', '9098'],
                ['TYPHA_K8SNAMESPACE', 'calico-system'],
                ['TYPHA_CAFILE', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
                ['TYPHA_SERVERCERTFILE', '/typha-certs/tls.crt'],
                ['TYPHA_SERVERKEYFILE', '/typha-certs/tls.key'],
                ['TYPHA_FIPSMODEENABLED', 'false'],
                ['TYPHA_SHUTDOWNTIMEOUTSECS', '300'],
                ['TYPHA_CLIENTCN', 'typha-client'],
              ]),
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9098 } }, { timeout: 10 }),
              ports: [{ containerPort: 5473, hostPort: 5473, name: 'calico-typha', protocol: 'TCP' }],
              readinessProbe: probe({ http: { host: 'localhost', path: '/readiness', port: 9098 } }, { timeout: 10 }),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-cluster-critical',
          serviceAccount: 'calico-typha',
          serviceAccountName: 'calico-typha',
          terminationGracePeriodSeconds: 300,
          tolerations: CRITICAL_TOLERATIONS,
        },
      },
      {
        kind: 'Deployment',
        namespace: 'calico-system',
        name: 'calico-kube-controllers',
        selector: { 'k8s-app': 'calico-kube-controllers' },
        objectLabels: { 'app.kubernetes.io/name': 'calico-kube-controllers', 'k8s-app': 'calico-kube-controllers' },
        ownerReferences: installationOwner,
        replicas: 1,
        templateAnnotations: hashes('tigera-ca-private'),
        strategy: { type: 'Recreate' },
        collected: true,
        spec: {
          containers: [
            container('calico-kube-controllers', this.calicoImage('kube-controllers'), {
              env: env([
                ['KUBE_CONTROLLERS_CONFIG_NAME', 'default'],
                ['DATASTORE_TYPE', 'kubernetes'],
                ['ENABLED_CONTROLLERS', 'node,loadbalancer'],
                ['DISABLE_KUBE_CONTROLLERS_CONFIG_API', 'false'],
                ['CA_CRT_PATH', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
              ]),
              livenessProbe: probe({ exec: ['/usr/bin/check-status', '-l'] }, { initialDelay: 10, timeout: 10, failure: 6 }),
              readinessProbe: probe({ exec: ['/usr/bin/check-status', '-r'] }, { timeout: 10 }),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsGroup: 999, runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: 'RuntimeDefault' } },
            }),
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-cluster-critical',
          serviceAccount: 'calico-kube-controllers',
          serviceAccountName: 'calico-kube-controllers',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }],
        },
      },
    ];

    if (!this.enterprise) {
      // The API server moved into calico-system in 3.31. On EKS with Calico CNI it runs on the host
      // network: the EKS control plane cannot reach overlay pod addresses.
      const apiserverNamespace = minor >= '3.31' ? 'calico-system' : 'calico-apiserver';
      const simple = (name: string, component: 'apiserver' | 'goldmane' | 'whisker', replicas: number, hostNetwork: boolean, namespace = 'calico-system'): WorkloadDef => ({
        kind: 'Deployment',
        namespace,
        name,
        selector: { 'k8s-app': name },
        objectLabels: { 'app.kubernetes.io/name': name, 'k8s-app': name },
        ownerReferences: [{ ...installationOwner[0]!, kind: component === 'apiserver' ? 'APIServer' : component === 'goldmane' ? 'Goldmane' : 'Whisker', uid: uuidOf(this.seed(component, 'default')) }],
        replicas,
        hostNetwork,
        collected: COLLECTED_NAMESPACES.has(namespace),
        spec: {
          containers: [container(name === 'calico-apiserver' ? 'calico-apiserver' : name, this.calicoImage(component), {})],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          serviceAccount: name,
          serviceAccountName: name,
          tolerations: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }],
        },
      });
      defs.push(simple('calico-apiserver', 'apiserver', 2, calicoCni, apiserverNamespace));
      if (minor >= '3.30') defs.push(simple('goldmane', 'goldmane', 1, false), simple('whisker', 'whisker', 1, false));
    }
    return defs;
  }

  // -- Kubernetes objects ----------------------------------------------------------------------

  private workloadObject(def: WorkloadDef, pods: PodInfo[]): Json {
    const seed = this.seed(def.kind, def.namespace, def.name);
    const template = {
      metadata: {
        ...(def.templateAnnotations ? { annotations: def.templateAnnotations } : {}),
        creationTimestamp: null,
        labels: { ...def.selector },
      },
      spec: podSpec({ ...def.spec, ...(def.hostNetwork ? { hostNetwork: true } : {}) }),
    };
    const ready = pods.filter((p) => p.ready).length;
    const since = kubeTime(this.createdMs(seed, true) + 3 * MINUTE);
    const metadata = this.meta(def.kind, def.name, def.namespace, {
      generation: 1,
      labels: def.objectLabels ?? { ...def.selector },
      ...(def.ownerReferences ? { ownerReferences: def.ownerReferences } : {}),
    });
    if (def.kind === 'DaemonSet') {
      const desired = pods.length;
      return {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { ...metadata, annotations: { 'deprecated.daemonset.template.generation': '1', ...(def.objectAnnotations ?? {}) } },
        spec: {
          revisionHistoryLimit: 10,
          selector: { matchLabels: { ...def.selector } },
          template,
          updateStrategy: def.strategy ?? { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        },
        status: {
          currentNumberScheduled: desired,
          desiredNumberScheduled: desired,
          numberAvailable: ready,
          numberMisscheduled: 0,
          numberReady: ready,
          ...(desired > ready ? { numberUnavailable: desired - ready } : {}),
          observedGeneration: 1,
          updatedNumberScheduled: desired,
        },
      };
    }
    const replicas = def.replicas ?? 1;
    const rsName = `${def.name}-${kubeSuffix(`${seed}/rs`, 10)}`;
    return {
      apiVersion: 'apps/v1',
      kind: def.kind,
      metadata: { ...metadata, annotations: { 'deployment.kubernetes.io/revision': '1', ...(def.objectAnnotations ?? {}) } },
      spec: {
        progressDeadlineSeconds: 600,
        replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { ...def.selector } },
        strategy: def.strategy ?? { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template,
      },
      status: {
        availableReplicas: ready,
        conditions: [
          {
            lastTransitionTime: since,
            lastUpdateTime: since,
            message: ready >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
            reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            status: ready >= replicas ? 'True' : 'False',
            type: 'Available',
          },
          {
            lastTransitionTime: since,
            lastUpdateTime: since,
            message: `ReplicaSet "${rsName}" has successfully progressed.`,
            reason: 'NewReplicaSetAvailable',
            status: 'True',
            type: 'Progressing',
          },
        ],
        observedGeneration: 1,
        readyReplicas: ready,
        replicas,
        updatedReplicas: replicas,
      },
    };
  }

  /** A Pod trimmed to the fields the snapshot keeps. */
  private podObject(pod: PodInfo): Json {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: pod.namespace,
        labels: pod.labels,
        ownerReferences: [{ ...pod.owner, blockOwnerDeletion: true, controller: true }],
      },
      spec: { nodeName: pod.nodeName, ...(pod.hostNetwork ? { hostNetwork: true } : {}) },
      status: { phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
    };
  }

  private pdbObject(namespace: string, name: string, selector: Record<string, string>, pods: PodInfo[], owner?: Json[]): Json {
    const healthy = pods.filter((p) => p.ready).length;
    const desiredHealthy = Math.max(0, pods.length - 1);
    const since = kubeTime(this.createdMs(this.seed('PodDisruptionBudget', namespace, name), true) + 4 * MINUTE);
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: this.meta('PodDisruptionBudget', name, namespace, {
        generation: 1,
        labels: { ...selector },
        ...(owner ? { ownerReferences: owner } : {}),
      }),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...selector } } },
      status: {
        conditions: [
          {
            lastTransitionTime: since,
            message: '',
            observedGeneration: 1,
            reason: healthy > desiredHealthy ? 'SufficientPods' : 'InsufficientPods',
            status: healthy > desiredHealthy ? 'True' : 'False',
            type: 'DisruptionAllowed',
          },
        ],
        currentHealthy: healthy,
        desiredHealthy,
        disruptionsAllowed: Math.max(0, healthy - desiredHealthy),
        expectedPods: pods.length,
        observedGeneration: 1,
      },
    };
  }

  private nodeLabels(node: NodeInfo): Record<string, string> {
    const { plan: cluster } = this;
    const az = node.subnet.plan.az;
    const type = node.nodegroup.instanceType;
    const capacity = node.nodegroup.capacityType ?? 'ON_DEMAND';
    return {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': type,
      'beta.kubernetes.io/os': 'linux',
      'eks.amazonaws.com/capacityType': capacity,
      'eks.amazonaws.com/nodegroup': node.nodegroup.name,
      'eks.amazonaws.com/nodegroup-image': awsId('ami', `${cluster.region}/al2023/${this.release.patch}`, 1),
      'eks.amazonaws.com/sourceLaunchTemplateId': awsId('lt', this.scope, this.plan.nodegroups.indexOf(node.nodegroup) + 1),
      'eks.amazonaws.com/sourceLaunchTemplateVersion': '1',
      'failure-domain.beta.kubernetes.io/region': cluster.region,
      'failure-domain.beta.kubernetes.io/zone': az,
      'k8s.io/cloud-provider-aws': hexOf(this.seed('cloud-provider-aws'), 32),
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': node.name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': type,
      'topology.ebs.csi.aws.com/zone': az,
      'topology.k8s.aws/zone-id': node.subnet.plan.azId,
      'topology.kubernetes.io/region': cluster.region,
      'topology.kubernetes.io/zone': az,
      ...(node.plan.labels ?? {}),
    };
  }

  /** The per-node data Calico keeps as annotations with the Kubernetes datastore. */
  private calicoAnnotations(node: NodeInfo): Record<string, string> {
    const calico = this.calico;
    if (!calico) return {};
    const out: Record<string, string> = {
      'projectcalico.org/IPv4Address': `${node.ip}/${node.plan.calicoAddressPrefix ?? node.subnet.prefix}`,
    };
    if (node.tunnels.ipip) out['projectcalico.org/IPv4IPIPTunnelAddr'] = node.tunnels.ipip;
    if (node.tunnels.vxlan) {
      out['projectcalico.org/IPv4VXLANTunnelAddr'] = node.tunnels.vxlan;
      const mac = hexOf(this.seed('vxlan-mac', node.name), 10).match(/../g)!;
      out['projectcalico.org/VXLANTunnelMACAddr'] = ['66', ...mac].join(':');
    }
    if (calico.wireguard) {
      if (node.tunnels.wireguard) out['projectcalico.org/IPv4WireguardInterfaceAddr'] = node.tunnels.wireguard;
      out['projectcalico.org/WireguardPublicKey'] = Buffer.from(hexOf(this.seed('wg-public-key', node.name), 64), 'hex').toString('base64');
    }
    return out;
  }

  private nodeObject(node: NodeInfo): Json {
    const info = instanceType(node.nodegroup.instanceType);
    const maxPods = this.isCalicoCni ? 110 : info.enis * (info.ipsPerEni - 1) + 2;
    const memoryKi = info.memoryMiB * 1024 - 470_000 - numberOf(this.seed('mem', node.name), 4096);
    const reservedMemKi = (255 + 11 * maxPods) * 1024 + 100 * 1024;
    const cpuReserved = info.vcpu <= 2 ? 70 : info.vcpu <= 4 ? 80 : 90;
    const created = node.launchMs + 38_000 + numberOf(this.seed('registered', node.name), 20_000);
    const heartbeat = kubeTime(this.now - numberOf(this.seed('heartbeat', node.name), 4 * MINUTE));
    const since = kubeTime(created);
    const readySince = kubeTime(node.ready ? created + 21_000 : this.now - 47 * MINUTE);
    const condition = (type: string, status: string, reason: string, message: string, transition = since) => ({
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: transition,
      message,
      reason,
      status,
      type,
    });
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        annotations: {
          'alpha.kubernetes.io/provided-node-ip': node.ip,
          'csi.volume.kubernetes.io/nodeid': JSON.stringify({ 'ebs.csi.aws.com': node.instanceId }),
          'node.alpha.kubernetes.io/ttl': '0',
          ...this.calicoAnnotations(node),
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          ...(node.plan.annotations ?? {}),
        },
        creationTimestamp: kubeTime(created),
        labels: this.nodeLabels(node),
        name: node.name,
        resourceVersion: String(1_000_000 + numberOf(this.seed('node-rv', node.name), 90_000_000)),
        uid: uuidOf(this.seed('Node', node.name)),
      },
      spec: { providerID: `aws:///${node.subnet.plan.az}/${node.instanceId}` },
      status: {
        addresses: [
          { address: node.ip, type: 'InternalIP' },
          { address: node.name, type: 'InternalDNS' },
          { address: node.name, type: 'Hostname' },
        ],
        allocatable: {
          cpu: `${info.vcpu * 1000 - cpuReserved}m`,
          'ephemeral-storage': '95491281146',
          'hugepages-1Gi': '0',
          'hugepages-2Mi': '0',
          memory: `${memoryKi - reservedMemKi}Ki`,
          pods: String(maxPods),
        },
        capacity: {
          cpu: String(info.vcpu),
          'ephemeral-storage': '104779756Ki',
          'hugepages-1Gi': '0',
          'hugepages-2Mi': '0',
          memory: `${memoryKi}Ki`,
          pods: String(maxPods),
        },
        conditions: [
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          node.ready
            ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', readySince)
            : condition('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', readySince),
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          bootID: uuidOf(this.seed('boot', node.name)),
          containerRuntimeVersion: CONTAINERD,
          kernelVersion: KERNEL,
          kubeProxyVersion: '',
          kubeletVersion: `v${this.release.patch}-eks-${hexOf(`kubelet/${this.release.patch}`, 7)}`,
          machineID: hexOf(this.seed('machine', node.name), 32),
          operatingSystem: 'linux',
          osImage: OS_IMAGE,
          systemUUID: `ec2${uuidOf(this.seed('system-uuid', node.name)).slice(3)}`,
        },
      },
    };
  }

  private namespaceObject(name: string): Json {
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
    if (name === 'calico-system' || name === 'tigera-operator' || name === 'calico-apiserver') {
      Object.assign(labels, { name, 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest' });
    }
    const system = KUBE_NAMESPACES.includes(name);
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: this.meta('Namespace', name, undefined, { labels }, system || COLLECTED_NAMESPACES.has(name)),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }

  /** The manifests' `calico-config`, as `kubectl apply` left it (placeholders filled in on the node). */
  private calicoConfigMap(): Json {
    const calico = this.calico!;
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: this.meta('ConfigMap', 'calico-config', 'kube-system'),
      data: {
        calico_backend: calico.bgp ? 'bird' : calico.cni === 'Calico' ? 'vxlan' : 'none',
        cni_network_config: [
          '{',
          '  "name": "k8s-pod-network",',
          '  "cniVersion": "1.0.0",',
          '  "plugins": [',
          '    {',
          '      "type": "calico",',
          '      "log_level": "info",',
          '      "log_file_path": "/var/log/calico/cni/cni.log",',
          '      "datastore_type": "kubernetes",',
          '      "nodename": "__KUBERNETES_NODE_NAME__",',
          '      "mtu": __CNI_MTU__,',
          '      "ipam": {',
          '          "type": "calico-ipam"',
          '      },',
          '      "policy": {',
          '          "type": "k8s"',
          '      },',
          '      "kubernetes": {',
          '          "kubeconfig": "__KUBECONFIG_FILEPATH__"',
          '      }',
          '    },',
          '    {',
          '      "type": "portmap",',
          '      "snat": true,',
          '      "capabilities": {"portMappings": true}',
          '    }',
          '  ]',
          '}',
        ].join('\n'),
        typha_service_name: calico.typhaReplicas > 0 ? 'calico-typha' : 'none',
        veth_mtu: String(calico.mtu),
      },
    };
  }

  private kubePolicyObject(policy: KubePolicyPlan): Json {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: this.meta('NetworkPolicy', policy.name, policy.namespace, { generation: 1, ...(policy.labels ? { labels: policy.labels } : {}) }, false),
      spec: policy.spec,
    };
  }

  // -- AWS objects ------------------------------------------------------------------------------

  private get vpcId(): string {
    return awsId('vpc', this.scope, 1);
  }

  private clusterTags(): Array<{ Key: string; Value: string }> {
    return [{ Key: `kubernetes.io/cluster/${this.plan.name}`, Value: 'owned' }];
  }

  private instanceObject(node: NodeInfo): Json {
    const { plan } = this;
    const info = instanceType(node.nodegroup.instanceType);
    const nodegroupIndex = plan.nodegroups.indexOf(node.nodegroup) + 1;
    const launch = awsTime(node.launchMs);
    const groups = [this.groups.node, ...this.groups.extra].map((g) => ({ GroupId: g.id, GroupName: g.name }));
    const asgName = `eks-${node.nodegroup.name}-${uuidOf(this.seed('nodegroup', node.nodegroup.name)).replaceAll('-', '').slice(0, 8)}-${uuidOf(this.seed('asg', node.nodegroup.name))}`;
    const mac = (i: number) => ['06', ...hexOf(this.seed('mac', node.name, String(i)), 10).match(/../g)!].join(':');
    const eniAddresses = this.calico?.cni === 'Calico' ? [[node.ip]] : node.eniAddresses.length ? node.eniAddresses : [[node.ip]];
    const interfaces = eniAddresses.map((addresses, deviceIndex) => {
      const eniId = awsId('eni', this.scope, node.index * 4 + deviceIndex + 1);
      return {
        Attachment: {
          AttachTime: awsTime(node.launchMs + (deviceIndex ? 95_000 : 0)),
          AttachmentId: awsId('eni-attach', this.scope, node.index * 4 + deviceIndex + 1),
          DeleteOnTermination: true,
          DeviceIndex: deviceIndex,
          Status: 'attached',
          NetworkCardIndex: 0,
        },
        Description: deviceIndex ? `aws-K8S-${node.instanceId}` : '',
        Groups: groups,
        Ipv6Addresses: [],
        MacAddress: mac(deviceIndex),
        NetworkInterfaceId: eniId,
        OwnerId: plan.accountId,
        PrivateDnsName: privateDnsName(addresses[0]!, plan.region),
        PrivateIpAddress: addresses[0]!,
        PrivateIpAddresses: addresses.map((address, i) => ({
          Primary: i === 0,
          PrivateDnsName: privateDnsName(address, plan.region),
          PrivateIpAddress: address,
        })),
        SourceDestCheck: node.plan.sourceDestCheck,
        Status: 'in-use',
        SubnetId: node.subnet.id,
        VpcId: this.vpcId,
        InterfaceType: 'interface',
        Operator: { Managed: false },
      };
    });
    return {
      Architecture: 'x86_64',
      AmiLaunchIndex: 0,
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: { AttachTime: launch, DeleteOnTermination: true, Status: 'attached', VolumeId: awsId('vol', this.scope, node.index + 1) },
        },
      ],
      BootMode: 'uefi-preferred',
      CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
      ClientToken: `fleet-${uuidOf(this.seed('fleet', node.name))}`,
      CpuOptions: { CoreCount: info.vcpu / 2, ThreadsPerCore: 2 },
      CurrentInstanceBootMode: 'legacy-bios',
      EbsOptimized: true,
      EnaSupport: true,
      EnclaveOptions: { Enabled: false },
      HibernationOptions: { Configured: false },
      Hypervisor: 'xen',
      IamInstanceProfile: {
        Arn: `arn:aws:iam::${plan.accountId}:instance-profile/eks-${uuidOf(this.seed('profile', node.nodegroup.name))}`,
        Id: `AIPA${hexOf(this.seed('profile-id', node.nodegroup.name), 17).toUpperCase()}`,
      },
      ImageId: awsId('ami', `${plan.region}/al2023/${this.release.patch}`, 1),
      InstanceId: node.instanceId,
      InstanceType: node.nodegroup.instanceType,
      LaunchTime: launch,
      MaintenanceOptions: { AutoRecovery: 'default', RebootMigration: 'default' },
      MetadataOptions: {
        HttpEndpoint: 'enabled',
        HttpProtocolIpv6: 'disabled',
        HttpPutResponseHopLimit: 2,
        HttpTokens: 'required',
        InstanceMetadataTags: 'disabled',
        State: 'applied',
      },
      Monitoring: { State: 'disabled' },
      NetworkInterfaces: interfaces,
      NetworkPerformanceOptions: { BandwidthWeighting: 'default' },
      Operator: { Managed: false },
      Placement: { AvailabilityZone: node.subnet.plan.az, GroupName: '', Tenancy: 'default' },
      PlatformDetails: 'Linux/UNIX',
      PrivateDnsName: node.name,
      PrivateDnsNameOptions: { EnableResourceNameDnsAAAARecord: false, EnableResourceNameDnsARecord: false, HostnameType: 'ip-name' },
      PrivateIpAddress: node.ip,
      ProductCodes: [],
      PublicDnsName: '',
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      SecurityGroups: groups,
      SourceDestCheck: node.plan.sourceDestCheck,
      State: { Code: 16, Name: 'running' },
      StateTransitionReason: '',
      SubnetId: node.subnet.id,
      Tags: [
        { Key: 'aws:autoscaling:groupName', Value: asgName },
        { Key: 'aws:ec2:fleet-id', Value: `fleet-${uuidOf(this.seed('fleet-id', node.nodegroup.name))}` },
        { Key: 'aws:ec2launchtemplate:id', Value: awsId('lt', this.scope, nodegroupIndex) },
        { Key: 'aws:ec2launchtemplate:version', Value: '1' },
        { Key: 'aws:eks:cluster-name', Value: plan.name },
        { Key: 'eks:cluster-name', Value: plan.name },
        { Key: 'eks:nodegroup-name', Value: node.nodegroup.name },
        { Key: 'k8s.io/cluster-autoscaler/enabled', Value: 'true' },
        { Key: `k8s.io/cluster-autoscaler/${plan.name}`, Value: 'owned' },
        ...this.clusterTags(),
        { Key: 'Name', Value: `${plan.name}-${node.nodegroup.name}` },
      ],
      UsageOperation: 'RunInstances',
      UsageOperationUpdateTime: launch,
      VirtualizationType: 'hvm',
      VpcId: this.vpcId,
    };
  }

  private securityGroupObjects(): Json[] {
    const { plan } = this;
    const owner = plan.accountId;
    const egressAll = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'Allow all egress' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }];
    /** AWS merges the sources of rules with the same protocol and ports into one permission. */
    const permissions = (selfId: string, rules: SgRulePlan[]): Json[] => {
      const merged = new Map<string, Json & { IpRanges: Json[]; UserIdGroupPairs: Json[] }>();
      for (const rule of rules) {
        const key = `${rule.protocol}/${rule.from ?? ''}/${rule.to ?? ''}`;
        let permission = merged.get(key);
        if (!permission) {
          const ports = rule.protocol === '-1' || rule.protocol === '4' ? {} : { FromPort: rule.from ?? -1, ToPort: rule.to ?? rule.from ?? -1 };
          permission = { ...ports, IpProtocol: rule.protocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
          merged.set(key, permission);
        }
        if (rule.peer === 'self' || rule.peer === 'cluster') {
          const groupId = rule.peer === 'self' ? selfId : this.groups.additional.id;
          permission.UserIdGroupPairs.push({ Description: rule.description, GroupId: groupId, UserId: owner });
        } else {
          permission.IpRanges.push({ CidrIp: rule.peer, Description: rule.description });
        }
      }
      return [...merged.values()];
    };
    const group = (id: string, name: string, description: string, ingress: Json[], tags: Array<{ Key: string; Value: string }>): Json => ({
      Description: description,
      GroupName: name,
      IpPermissions: ingress,
      OwnerId: owner,
      GroupId: id,
      IpPermissionsEgress: egressAll,
      Tags: tags,
      VpcId: this.vpcId,
      SecurityGroupArn: `arn:aws:ec2:${plan.region}:${owner}:security-group/${id}`,
    });
    const { cluster, additional, node, extra } = this.groups;
    return [
      group(
        cluster.id,
        cluster.name,
        'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
        [{ IpProtocol: '-1', IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: cluster.id, UserId: owner }] }],
        [
          { Key: 'Name', Value: cluster.name },
          { Key: 'aws:eks:cluster-name', Value: plan.name },
          ...this.clusterTags(),
        ],
      ),
      group(
        additional.id,
        additional.name,
        'EKS cluster security group',
        [
          {
            FromPort: 443,
            IpProtocol: 'tcp',
            IpRanges: [],
            Ipv6Ranges: [],
            PrefixListIds: [],
            ToPort: 443,
            UserIdGroupPairs: [{ Description: 'Node groups to cluster API', GroupId: node.id, UserId: owner }],
          },
        ],
        [{ Key: 'Name', Value: `${plan.name}-cluster` }],
      ),
      group(node.id, node.name, 'EKS node shared security group', permissions(node.id, plan.nodeSecurityGroupRules), [
        { Key: 'Name', Value: `${plan.name}-node` },
        ...this.clusterTags(),
      ]),
      ...extra.map((g) => group(g.id, g.name, g.plan.description, permissions(g.id, g.plan.rules), [{ Key: 'Name', Value: `${plan.name}-${g.plan.suffix}` }])),
    ];
  }

  private subnetObjects(): Json[] {
    const { plan } = this;
    return this.subnets.map((subnet) => ({
      AvailabilityZoneId: subnet.plan.azId,
      MapCustomerOwnedIpOnLaunch: false,
      OwnerId: plan.accountId,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      Tags: [
        { Key: 'kubernetes.io/role/internal-elb', Value: '1' },
        { Key: 'Name', Value: `${plan.name}-private-${subnet.plan.az}` },
        { Key: `kubernetes.io/cluster/${plan.name}`, Value: 'shared' },
      ],
      SubnetArn: `arn:aws:ec2:${plan.region}:${plan.accountId}:subnet/${subnet.id}`,
      EnableDns64: false,
      Ipv6Native: false,
      PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
      BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
      SubnetId: subnet.id,
      State: 'available',
      VpcId: this.vpcId,
      CidrBlock: subnet.plan.cidr,
      // Five addresses per subnet are AWS's; the rest of the used ones are node and pod ENI addresses.
      AvailableIpAddressCount: parseCidr(subnet.plan.cidr).size - 5 - subnet.used.size,
      AvailabilityZone: subnet.plan.az,
      DefaultForAz: false,
      MapPublicIpOnLaunch: false,
    }));
  }

  private routeTableObjects(): Json[] {
    const { plan } = this;
    return this.subnets.map((subnet) => ({
      Associations: [
        {
          Main: false,
          RouteTableAssociationId: awsId('rtbassoc', this.scope, subnet.index + 1),
          RouteTableId: subnet.routeTableId,
          SubnetId: subnet.id,
          AssociationState: { State: 'associated' },
        },
      ],
      PropagatingVgws: [],
      RouteTableId: subnet.routeTableId,
      Routes: [
        { DestinationCidrBlock: plan.vpcCidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
        ...(plan.s3GatewayEndpoint
          ? [{ DestinationPrefixListId: 'pl-7ca54015', GatewayId: awsId('vpce', this.scope, 1), Origin: 'CreateRoute', State: 'active' }]
          : []),
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: subnet.natGatewayId, Origin: 'CreateRoute', State: 'active' },
      ],
      Tags: [{ Key: 'Name', Value: `${plan.name}-private-${subnet.plan.az}` }],
      VpcId: this.vpcId,
      OwnerId: plan.accountId,
    }));
  }

  private vpcObject(): Json {
    const { plan } = this;
    return {
      OwnerId: plan.accountId,
      InstanceTenancy: 'default',
      CidrBlockAssociationSet: [
        { AssociationId: awsId('vpc-cidr-assoc', this.scope, 1), CidrBlock: plan.vpcCidr, CidrBlockState: { State: 'associated' } },
      ],
      IsDefault: false,
      BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
      Tags: [{ Key: 'Name', Value: plan.name }],
      VpcId: this.vpcId,
      State: 'available',
      CidrBlock: plan.vpcCidr,
      DhcpOptionsId: awsId('dopt', this.scope, 1),
    };
  }

  private eksClusterObject(): Json {
    const { plan } = this;
    const eks = plan.eks;
    const created = awsTime(this.clusterCreatedMs);
    const oidc = hexOf(this.seed('oidc'), 32).toUpperCase();
    const disabled = ALL_LOG_TYPES.filter((t) => !eks.logTypes.includes(t));
    return {
      name: plan.name,
      arn: `${this.arnPrefix}:cluster/${plan.name}`,
      createdAt: created,
      version: eks.version,
      endpoint: `https://${oidc}.gr7.${plan.region}.eks.amazonaws.com`,
      roleArn: `arn:aws:iam::${plan.accountId}:role/${plan.name}-cluster-${kubeTime(this.clusterCreatedMs).replace(/\D/g, '')}00000001`,
      resourcesVpcConfig: {
        subnetIds: this.subnets.map((s) => s.id),
        securityGroupIds: [this.groups.additional.id],
        clusterSecurityGroupId: this.groups.cluster.id,
        vpcId: this.vpcId,
        endpointPublicAccess: eks.endpointPublicAccess,
        endpointPrivateAccess: eks.endpointPrivateAccess,
        // EKS reports the CIDRs even when the public endpoint is off.
        publicAccessCidrs: eks.publicAccessCidrs,
      },
      kubernetesNetworkConfig: { serviceIpv4Cidr: eks.serviceCidr, ipFamily: 'ipv4', elasticLoadBalancing: { enabled: false } },
      logging: {
        clusterLogging: [
          ...(eks.logTypes.length ? [{ types: eks.logTypes, enabled: true }] : []),
          ...(disabled.length ? [{ types: disabled, enabled: false }] : []),
        ],
      },
      identity: { oidc: { issuer: `https://oidc.eks.${plan.region}.amazonaws.com/id/${oidc}` } },
      status: 'ACTIVE',
      clientRequestToken: uuidOf(this.seed('client-request-token')),
      platformVersion: this.release.platformVersion,
      tags: { 'terraform-aws-modules': 'eks' },
      ...(eks.kms
        ? { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${plan.region}:${plan.accountId}:key/${uuidOf(this.seed('kms'))}` } }] }
        : {}),
      health: { issues: [] },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      upgradePolicy: { supportType: 'EXTENDED' },
    };
  }

  private nodegroupObjects(): Json[] {
    const { plan } = this;
    return plan.nodegroups.map((ng, i) => {
      const id = uuidOf(this.seed('nodegroup', ng.name));
      const created = awsTime(this.clusterCreatedMs + 14 * MINUTE + i * 61_000);
      return {
        nodegroupName: ng.name,
        nodegroupArn: `${this.arnPrefix}:nodegroup/${plan.name}/${ng.name}/${id}`,
        clusterName: plan.name,
        version: plan.eks.version,
        releaseVersion: `${this.release.patch}-${this.release.amiRelease}`,
        createdAt: created,
        modifiedAt: awsTime(this.now - 9 * DAY - numberOf(this.seed('ng-modified', ng.name), DAY)),
        status: 'ACTIVE',
        capacityType: ng.capacityType ?? 'ON_DEMAND',
        scalingConfig: { minSize: ng.minSize, maxSize: ng.maxSize, desiredSize: ng.desiredSize },
        instanceTypes: [ng.instanceType],
        subnets: ng.subnets.map((s) => this.subnets[s]!.id),
        amiType: 'AL2023_x86_64_STANDARD',
        nodeRole: `arn:aws:iam::${plan.accountId}:role/${ng.name}-eks-node-group-${kubeTime(this.clusterCreatedMs).replace(/\D/g, '')}00000002`,
        labels: {},
        resources: { autoScalingGroups: [{ name: `eks-${ng.name}-${id}` }] },
        health: { issues: [] },
        updateConfig: { maxUnavailablePercentage: 33 },
        launchTemplate: { name: `${ng.name}-${kubeTime(this.clusterCreatedMs).replace(/\D/g, '')}`, version: '1', id: awsId('lt', this.scope, i + 1) },
        tags: { Name: `${plan.name}-${ng.name}` },
      };
    });
  }

  private addonObjects(): Json[] {
    const { plan } = this;
    const addons: Array<[string, string]> = [
      ['aws-ebs-csi-driver', 'v1.51.1-eksbuild.1'],
      ['coredns', this.release.coredns],
      ['eks-pod-identity-agent', 'v1.3.9-eksbuild.3'],
      ['kube-proxy', this.release.kubeProxy],
    ];
    if (this.calico?.cni !== 'Calico') addons.push(['vpc-cni', 'v1.20.4-eksbuild.2']);
    return addons.map(([name, version]) => ({
      addonName: name,
      clusterName: plan.name,
      status: 'ACTIVE',
      addonVersion: version,
      health: { issues: [] },
      addonArn: `${this.arnPrefix}:addon/${plan.name}/${name}/${uuidOf(this.seed('addon', name))}`,
      createdAt: awsTime(this.clusterCreatedMs + 20 * MINUTE),
      modifiedAt: awsTime(this.now - 12 * DAY - numberOf(this.seed('addon-modified', name), DAY)),
      tags: {},
    }));
  }

  /** The error a collector records when a read is refused, worded as each API words it. */
  private deniedError(field: SnapshotField): { source: string; code: string; message: string } {
    const { plan } = this;
    const source = SNAPSHOT_SOURCES[field];
    const principal = `arn:aws:sts::${plan.accountId}:assumed-role/${AUDIT_ROLE}/calico-eks-auditor`;
    if (source.startsWith('ec2:')) {
      return {
        source,
        code: 'UnauthorizedOperation',
        message: `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ${source} because no identity-based policy allows the ${source} action`,
      };
    }
    if (source.startsWith('eks:')) {
      return {
        source,
        code: 'AccessDeniedException',
        message: `User: ${principal} is not authorized to perform: ${source} on resource: ${this.arnPrefix}:cluster/${plan.name} because no identity-based policy allows the ${source} action`,
      };
    }
    const resource = source.slice(source.indexOf(':') + 1);
    return {
      source,
      code: 'Forbidden',
      message: `${resource} is forbidden: User "calico-eks-auditor" cannot list resource "${resource}" in API group "" at the cluster scope`,
    };
  }

  // -- Calico objects ---------------------------------------------------------------------------

  private installationObject(): Json | null {
    const calico = this.calico;
    if (!calico || calico.install !== 'operator') return null;
    const calicoCni = calico.cni === 'Calico';
    const variant = calico.variant;
    const cni = calicoCni ? { ipam: { type: 'Calico' }, type: 'Calico' } : { ipam: { type: 'AmazonVPC' }, type: 'AmazonVPC' };
    const pools = calico.pools.map((p) => ({
      blockSize: p.blockSize,
      cidr: p.cidr,
      encapsulation: operatorEncapsulation(p),
      name: p.name,
      natOutgoing: p.natOutgoing ? 'Enabled' : 'Disabled',
      nodeSelector: p.nodeSelector ?? 'all()',
    }));
    const bgp = calico.bgp ? 'Enabled' : 'Disabled';
    const spec: Json = {
      calicoNetwork: calicoCni
        ? { bgp, ipPools: pools, linuxDataplane: 'Iptables', ...(calico.mtu ? { mtu: calico.mtu } : {}) }
        : { bgp: 'Disabled', linuxDataplane: 'Iptables' },
      cni,
      kubernetesProvider: 'EKS',
      ...(variant === 'TigeraSecureEnterprise' ? { variant } : {}),
    };
    // What the operator resolved from the spec and its defaults for EKS.
    const computed: Json = {
      calicoNetwork: calicoCni
        ? {
            bgp,
            hostPorts: 'Enabled',
            ipPools: pools.map((p) => ({ allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic', disableBGPExport: false, ...p })),
            linuxDataplane: 'Iptables',
            linuxPolicySetupTimeoutSeconds: 0,
            multiInterfaceMode: 'None',
            ...(calico.mtu ? { mtu: calico.mtu } : {}),
            nodeAddressAutodetectionV4: { firstFound: true },
            windowsDataplane: 'Disabled',
          }
        : { bgp: 'Disabled', linuxDataplane: 'Iptables', linuxPolicySetupTimeoutSeconds: 0, windowsDataplane: 'Disabled' },
      cni,
      controlPlaneReplicas: 2,
      fipsMode: 'Disabled',
      flexVolumePath: 'None',
      kubeletVolumePluginPath: '/var/lib/kubelet',
      kubernetesProvider: 'EKS',
      logging: { cni: { logFileMaxAgeDays: 30, logFileMaxCount: 10, logFileMaxSize: '100Mi', logSeverity: 'Info' } },
      nodeUpdateStrategy: { rollingUpdate: { maxUnavailable: 1 }, type: 'RollingUpdate' },
      nonPrivileged: 'Disabled',
      variant,
    };
    const since = kubeTime(this.now - 9 * DAY - numberOf(this.seed('installation-ready'), DAY));
    return {
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: this.meta('Installation', 'default', undefined, { finalizers: ['tigera.io/operator-cleanup'], generation: 3 }),
      spec,
      status: {
        calicoVersion: variant === 'TigeraSecureEnterprise' ? (calico.enterpriseVersion ?? calico.version) : calico.version,
        computed,
        conditions: [
          { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'True', type: 'Ready' },
          { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'False', type: 'Progressing' },
          { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'False', type: 'Degraded' },
        ],
        imageSet: '',
        mtu: calicoCni ? calico.mtu || autoDetectedMtu(calico) : 9001,
        variant,
      },
    };
  }

  private calicoResources(): Record<CalicoList, CalicoResource[]> {
    const calico = this.calico!;
    const operator = calico.install === 'operator';
    const clusterType = ['typha', 'kdd', 'k8s', ...(operator ? ['operator', 'ecs'] : []), ...(calico.cni === 'Calico' ? ['bgp'] : [])];
    if (!operator && calico.typhaReplicas === 0) clusterType.shift();
    const kubeControllers = {
      controllers: {
        loadBalancer: { assignIPs: 'AllServices' },
        node: { hostEndpoint: { autoCreate: 'Disabled' }, leakGracePeriod: '15m0s', reconcilerPeriod: '5m0s', syncLabels: 'Enabled' },
      },
      etcdV3CompactionPeriod: '10m0s',
      healthChecks: 'Enabled',
      logSeverityScreen: 'Info',
      prometheusMetricsPort: 9094,
    };
    const builtInTiers = [
      { name: 'adminnetworkpolicy', order: 1_000, defaultAction: 'Pass' as const },
      { name: 'default', order: 1_000_000, defaultAction: 'Deny' as const },
      ...(minorOf(calico.version) >= '3.30' ? [{ name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' as const }] : []),
    ];
    const tiers = [...builtInTiers, ...(calico.extraTiers ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    const policy = (kind: 'GlobalNetworkPolicy' | 'NetworkPolicy') => (p: CalicoPolicyPlan): CalicoResource => ({
      kind,
      name: p.name,
      ...(p.namespace ? { namespace: p.namespace } : {}),
      ...(p.labels ? { labels: p.labels } : {}),
      tier: p.tier ?? 'default',
      spec: p.spec,
    });
    return {
      clusterInformations: [
        {
          kind: 'ClusterInformation',
          name: 'default',
          spec: {
            calicoVersion: calico.version,
            clusterGUID: hexOf(this.seed('cluster-guid'), 32),
            clusterType: clusterType.join(','),
            ...(calico.variant === 'TigeraSecureEnterprise' ? { cnxVersion: calico.enterpriseVersion } : {}),
            datastoreReady: true,
            variant: calico.variant,
          },
        },
      ],
      ippools: calico.pools.map((p) => ({
        kind: 'IPPool',
        name: p.name,
        spec: {
          allowedUses: ['Workload', 'Tunnel'],
          assignmentMode: 'Automatic',
          blockSize: p.blockSize,
          cidr: p.cidr,
          ...(p.disabled ? { disabled: true } : {}),
          ipipMode: p.ipipMode,
          natOutgoing: p.natOutgoing,
          nodeSelector: p.nodeSelector ?? 'all()',
          vxlanMode: p.vxlanMode,
        },
      })),
      bgpConfigurations: calico.bgpConfiguration ? [{ kind: 'BGPConfiguration', name: 'default', spec: calico.bgpConfiguration }] : [],
      bgpPeers: calico.bgpPeers.map((p) => ({ kind: 'BGPPeer', name: p.name, spec: p.spec })),
      felixConfigurations: [{ kind: 'FelixConfiguration', name: 'default', spec: calico.felix }],
      kubeControllersConfigurations: [
        {
          kind: 'KubeControllersConfiguration',
          name: 'default',
          spec: kubeControllers,
          status: {
            environmentVars: { DATASTORE_TYPE: 'kubernetes', ENABLED_CONTROLLERS: 'node,loadbalancer' },
            runningConfig: { controllers: kubeControllers.controllers, etcdV3CompactionPeriod: '10m0s', healthChecks: 'Enabled', logSeverityScreen: 'Info' },
          },
        },
      ],
      tiers: tiers.map((t) => ({ kind: 'Tier', name: t.name, spec: { defaultAction: t.defaultAction ?? 'Deny', order: t.order } })),
      globalNetworkPolicies: calico.globalPolicies.map(policy('GlobalNetworkPolicy')),
      networkPolicies: calico.networkPolicies.map(policy('NetworkPolicy')),
      globalNetworkSets: (calico.globalNetworkSets ?? []).map((s) => ({ kind: 'GlobalNetworkSet', name: s.name, labels: s.labels, spec: { nets: s.nets } })),
      networkSets: [],
      hostEndpoints: [],
    };
  }

  /** One Calico resource in the chosen API group. */
  private emitCalico(resource: CalicoResource): Json {
    const isPolicy = resource.kind === 'GlobalNetworkPolicy' || resource.kind === 'NetworkPolicy';
    const tier = resource.tier ?? 'default';
    const seed = this.seed('calico', resource.kind, resource.namespace ?? '', resource.name);
    const created = kubeTime(this.createdMs(seed, !isPolicy));
    const uid = uuidOf(seed);
    const resourceVersion = String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000));
    const namespace = resource.namespace ? { namespace: resource.namespace } : {};
    if (this.apiGroup === 'projectcalico.org/v3') {
      // Before Calico 3.32 the v3 API names policies outside the default tier `<tier>.<name>`.
      const name = isPolicy && tier !== 'default' && !resource.name.startsWith('knp.') ? `${tier}.${resource.name}` : resource.name;
      const labels = { ...(resource.labels ?? {}), ...(isPolicy ? { 'projectcalico.org/tier': tier } : {}) };
      return {
        apiVersion: 'projectcalico.org/v3',
        kind: resource.kind,
        metadata: { creationTimestamp: created, ...(Object.keys(labels).length ? { labels } : {}), name, ...namespace, resourceVersion, uid },
        spec: isPolicy ? v3PolicySpec(resource.spec, tier) : resource.spec,
        ...(resource.status ? { status: resource.status } : {}),
      };
    }
    // Raw custom resources: the v3 metadata rides in an annotation, policy names carry their tier.
    const v3Metadata = { uid, creationTimestamp: created, ...(resource.labels ? { labels: resource.labels } : {}) };
    return {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: resource.kind,
      metadata: {
        annotations: { 'projectcalico.org/metadata': JSON.stringify(v3Metadata) },
        creationTimestamp: created,
        generation: 1,
        ...(resource.labels ? { labels: resource.labels } : {}),
        name: isPolicy ? `${tier}.${resource.name}` : resource.name,
        ...namespace,
        resourceVersion,
        uid: uuidOf(`${seed}/crd`),
      },
      spec: isPolicy ? rawPolicySpec(resource.spec, tier) : withoutDefaults(resource.spec, RAW_OMITTED_DEFAULTS[resource.kind] ?? {}),
      ...(resource.status ? { status: resource.status } : {}),
    };
  }

  /** Calico's own copies of Kubernetes policies, which the v3 API lists as `knp.default.<name>`. */
  private convertedKubernetesPolicies(): CalicoResource[] {
    return this.plan.kubernetesNetworkPolicies.map((np) => ({
      kind: 'NetworkPolicy',
      name: `knp.default.${np.name}`,
      namespace: np.namespace,
      tier: 'default',
      spec: kubernetesPolicyAsCalico(np.spec),
    }));
  }

  private ipamBlockObject(block: BlockState): Json {
    const allocated = block.allocations.flatMap((slot, ordinal) => (slot === null ? [] : [ordinal]));
    const seed = this.seed('IPAMBlock', block.cidr);
    return {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPAMBlock',
      metadata: {
        creationTimestamp: kubeTime(this.createdMs(seed)),
        generation: allocated.length + 1,
        name: block.cidr.replace(/[./]/g, '-'),
        resourceVersion: String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000)),
        uid: uuidOf(seed),
      },
      spec: {
        affinity: `host:${block.node}`,
        allocations: block.allocations,
        attributes: block.attributes,
        cidr: block.cidr,
        deleted: false,
        sequenceNumber: allocated.length,
        sequenceNumberForAllocation: Object.fromEntries(allocated.map((ordinal, i) => [String(ordinal), i])),
        strictAffinity: false,
        unallocated: block.allocations.flatMap((slot, ordinal) => (slot === null ? [ordinal] : [])),
      },
    };
  }

  // -- assembly ---------------------------------------------------------------------------------

  build(): Snapshot {
    const { plan, calico } = this;
    if (calico?.cni === 'AmazonVPC' || !calico) for (const node of this.nodes) this.prepareEniAddresses(node);
    this.allocateTunnels();

    const defs = [...this.kubeSystemWorkloads(), ...(calico ? (calico.install === 'operator' ? this.operatorWorkloads() : this.manifestWorkloads()) : [])];
    const podsOf = new Map<WorkloadDef, PodInfo[]>();
    for (const def of defs) {
      podsOf.set(def, this.runWorkload(def.kind, def.namespace, def.name, def.selector, def.replicas ?? 1, def.hostNetwork ?? false));
    }
    for (const app of plan.apps) {
      this.runWorkload(app.kind, app.namespace, app.name, app.labels ?? { 'app.kubernetes.io/name': app.name }, app.replicas ?? 1, app.hostNetwork ?? false);
    }

    const collected = defs.filter((d) => d.collected);
    const objectsOf = (kind: WorkloadKind) => sortByName(collected.filter((d) => d.kind === kind).map((d) => this.workloadObject(d, podsOf.get(d)!)));
    const podsNamed = (namespace: string, name: string) => podsOf.get(defs.find((d) => d.namespace === namespace && d.name === name)!) ?? [];

    const pdbs = [
      this.pdbObject('kube-system', 'coredns', { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' }, podsNamed('kube-system', 'coredns')),
      this.pdbObject('kube-system', 'ebs-csi-controller', { app: 'ebs-csi-controller' }, podsNamed('kube-system', 'ebs-csi-controller')),
    ];
    if (calico && calico.typhaReplicas > 0 && calico.typhaPdb !== false) {
      const owner =
        calico.install === 'operator'
          ? [{ apiVersion: 'operator.tigera.io/v1', blockOwnerDeletion: true, controller: true, kind: 'Installation', name: 'default', uid: uuidOf(this.seed('Installation', '', 'default')) }]
          : undefined;
      pdbs.push(this.pdbObject(this.calicoNamespace, 'calico-typha', { 'k8s-app': 'calico-typha' }, podsNamed(this.calicoNamespace, 'calico-typha'), owner));
    }
    if (calico?.install === 'manifest') {
      pdbs.push(this.pdbObject('kube-system', 'calico-kube-controllers', { 'k8s-app': 'calico-kube-controllers' }, podsNamed('kube-system', 'calico-kube-controllers')));
    }

    const namespaceNames = new Set([...KUBE_NAMESPACES, ...plan.namespaces, ...this.pods.map((p) => p.namespace)]);
    for (const policy of plan.kubernetesNetworkPolicies) {
      if (!namespaceNames.has(policy.namespace)) throw new Error(`policy ${policy.namespace}/${policy.name} is in a namespace the plan lacks`);
    }

    let calicoSection: Json;
    if (calico) {
      const resources = this.calicoResources();
      if (this.apiGroup === 'projectcalico.org/v3') resources.networkPolicies.push(...this.convertedKubernetesPolicies());
      const lists = Object.fromEntries(
        CALICO_LISTS.map((list) => [list, sortByName(resources[list].map((r) => this.emitCalico(r)))]),
      );
      calicoSection = {
        apiGroup: this.apiGroup,
        installation: this.installationObject(),
        ...lists,
        ipamBlocks: this.blocks.map((b) => this.ipamBlockObject(b)).sort((a, b) => (String((a['metadata'] as Json)['name']) < String((b['metadata'] as Json)['name']) ? -1 : 1)),
      };
      // Keep the contract's field order: ipamBlocks sits after ippools.
      calicoSection = Object.fromEntries(
        ['apiGroup', 'installation', 'clusterInformations', 'ippools', 'ipamBlocks', ...CALICO_LISTS.filter((l) => !['clusterInformations', 'ippools'].includes(l))].map((key) => [
          key,
          calicoSection[key],
        ]),
      );
    } else {
      calicoSection = { apiGroup: null, installation: null, ipamBlocks: [], ...Object.fromEntries(CALICO_LISTS.map((l) => [l, []])) };
    }

    const [major, minor] = plan.eks.version.split('.');
    const snapshot: Record<string, Json | unknown> = {
      schemaVersion: 1,
      collectedAt: kubeTime(this.now),
      collector: { ...COLLECTOR },
      target: { accountId: plan.accountId, region: plan.region, clusterName: plan.name },
      aws: {
        cluster: this.eksClusterObject(),
        nodegroups: this.nodegroupObjects(),
        addons: this.addonObjects(),
        instances: this.nodes.map((n) => this.instanceObject(n)),
        securityGroups: this.securityGroupObjects(),
        subnets: this.subnetObjects(),
        routeTables: this.routeTableObjects(),
        vpc: this.vpcObject(),
      },
      kubernetes: {
        // EKS reports its minor version with a `+` suffix.
        serverVersion: {
          major,
          minor: `${minor}+`,
          emulationMajor: major,
          emulationMinor: minor,
          minCompatibilityMajor: major,
          minCompatibilityMinor: String(Number(minor) - 1),
          gitVersion: `v${this.release.patch}-eks-${hexOf(`apiserver/${this.release.patch}`, 7)}`,
          gitCommit: hexOf(`apiserver-commit/${this.release.patch}`, 40),
          gitTreeState: 'clean',
          buildDate: kubeTime(Date.parse('2025-10-01T00:00:00Z') + numberOf(`build/${this.release.patch}`, 300) * DAY),
          goVersion: 'go1.24.9',
          compiler: 'gc',
          platform: 'linux/amd64',
        },
        nodes: sortByName(this.nodes.map((n) => this.nodeObject(n))),
        namespaces: sortByName([...namespaceNames].map((n) => this.namespaceObject(n))),
        pods: sortByName(this.pods.map((p) => this.podObject(p))),
        networkPolicies: sortByName(plan.kubernetesNetworkPolicies.map((p) => this.kubePolicyObject(p))),
        daemonSets: objectsOf('DaemonSet'),
        deployments: objectsOf('Deployment'),
        podDisruptionBudgets: sortByName(pdbs),
        configMaps: calico?.install === 'manifest' ? [this.calicoConfigMap()] : [],
      },
      calico: calicoSection,
      errors: [] as Json[],
    };
    // Denied reads: the list is `null` and one error says why.
    for (const field of plan.denied ?? []) {
      const [section, key] = field.split('.') as [string, string];
      (snapshot[section] as Json)[key] = null;
      (snapshot['errors'] as Json[]).push(this.deniedError(field));
    }
    return snapshot as unknown as Snapshot;
  }
}

// ---------------------------------------------------------------------------------------------
// Calico API-group forms

const CALICO_LISTS = [
  'clusterInformations',
  'ippools',
  'bgpConfigurations',
  'bgpPeers',
  'felixConfigurations',
  'kubeControllersConfigurations',
  'tiers',
  'globalNetworkPolicies',
  'networkPolicies',
  'globalNetworkSets',
  'networkSets',
  'hostEndpoints',
] as const;
type CalicoList = (typeof CALICO_LISTS)[number];

/** Fields the raw CRDs leave out when they hold Calico's default (the v3 API server writes them out). */
const RAW_OMITTED_DEFAULTS: Record<string, Json> = {
  IPPool: { ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], disabled: false, assignmentMode: 'Automatic' },
  BGPConfiguration: { nodeToNodeMeshEnabled: true, logSeverityScreen: 'Info' },
  FelixConfiguration: {
    bpfEnabled: false,
    logSeverityScreen: 'Info',
    healthPort: 9099,
    vxlanVNI: 4096,
    vxlanPort: 4789,
    wireguardEnabled: false,
    prometheusMetricsEnabled: false,
    awsSrcDstCheck: 'DoNothing',
    nftablesMode: 'Disabled',
    wireguardListeningPort: 51820,
  },
  Tier: { defaultAction: 'Deny' },
};

const rules = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/**
 * The `types` Calico assumes when a policy leaves them out. Only the unambiguous cases are used
 * to drop `types` from raw objects: an egress-only policy keeps its explicit `types`.
 */
function typesImplied(spec: Json): string[] | null {
  const ingress = rules(spec['ingress']).length > 0;
  const egress = rules(spec['egress']).length > 0;
  if (!egress) return ['Ingress'];
  if (ingress) return ['Ingress', 'Egress'];
  return null;
}

/** The v3 API server writes empty entity matches and the policy's tier out in full. */
function v3PolicySpec(spec: Json, tier: string): Json {
  const out: Json = { ...spec, tier };
  if (!out['types']) out['types'] = typesImplied(spec) ?? ['Egress'];
  for (const direction of ['ingress', 'egress']) {
    if (Array.isArray(spec[direction])) {
      out[direction] = rules(spec[direction]).map((rule) => ({ ...rule, destination: rule['destination'] ?? {}, source: rule['source'] ?? {} }));
    }
  }
  return out;
}

/** Raw policies as written with kubectl: no default tier, no implied types, no empty matches. */
function rawPolicySpec(spec: Json, tier: string): Json {
  const out: Json = { ...spec };
  if (tier !== 'default') out['tier'] = tier;
  else delete out['tier'];
  if (out['types'] && sameJson(out['types'], typesImplied(spec))) delete out['types'];
  for (const direction of ['ingress', 'egress']) {
    if (!Array.isArray(spec[direction])) continue;
    out[direction] = rules(spec[direction]).map((rule) => {
      const trimmed: Json = { ...rule };
      for (const side of ['source', 'destination']) {
        const match = trimmed[side];
        if (match && typeof match === 'object' && Object.keys(match).length === 0) delete trimmed[side];
      }
      return trimmed;
    });
  }
  return out;
}

/** A Kubernetes label selector in Calico's selector syntax (`all()` when empty). */
function labelSelectorAsCalico(selector: unknown, pods: boolean): string {
  const parts = pods ? ["projectcalico.org/orchestrator == 'k8s'"] : [];
  const s = (selector ?? {}) as Json;
  for (const [key, value] of Object.entries((s['matchLabels'] ?? {}) as Record<string, string>)) parts.push(`${key} == '${value}'`);
  for (const expression of rules(s['matchExpressions'])) {
    const key = String(expression['key']);
    const values = ((expression['values'] ?? []) as string[]).map((v) => `'${v}'`).join(', ');
    const operator = String(expression['operator']);
    if (operator === 'In') parts.push(`${key} in { ${values} }`);
    else if (operator === 'NotIn') parts.push(`${key} not in { ${values} }`);
    else if (operator === 'Exists') parts.push(`has(${key})`);
    else if (operator === 'DoesNotExist') parts.push(`! has(${key})`);
  }
  return parts.length ? parts.join(' && ') : 'all()';
}

/** Roughly what Calico's policy converter makes of a networking.k8s.io/v1 NetworkPolicy spec. */
function kubernetesPolicyAsCalico(spec: Json): Json {
  const convert = (list: unknown, peerField: 'from' | 'to', direction: 'ingress' | 'egress'): Json[] =>
    rules(list).flatMap((rule) => {
      const peers: Array<Json | undefined> = rules(rule[peerField]).length ? rules(rule[peerField]) : [undefined];
      const byProtocol = new Map<string, unknown[]>();
      for (const port of rules(rule['ports'])) {
        const protocol = String(port['protocol'] ?? 'TCP');
        byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), ...(port['port'] !== undefined ? [port['port']] : [])]);
      }
      const protocols: Array<[string | undefined, unknown[]]> = byProtocol.size ? [...byProtocol] : [[undefined, []]];
      return peers.flatMap((peer) =>
        protocols.map(([protocol, ports]) => {
          const peerMatch: Json = {};
          const ipBlock = peer?.['ipBlock'] as Json | undefined;
          if (ipBlock) {
            peerMatch['nets'] = [ipBlock['cidr']];
            if (Array.isArray(ipBlock['except'])) peerMatch['notNets'] = ipBlock['except'];
          } else if (peer) {
            if (peer['namespaceSelector']) peerMatch['namespaceSelector'] = labelSelectorAsCalico(peer['namespaceSelector'], false);
            peerMatch['selector'] = labelSelectorAsCalico(peer['podSelector'], true);
          }
          const portMatch: Json = ports.length ? { ports } : {};
          return {
            action: 'Allow',
            ...(protocol ? { protocol } : {}),
            ...(direction === 'ingress'
              ? { destination: portMatch, source: peerMatch }
              : { destination: { ...peerMatch, ...portMatch }, source: {} }),
          };
        }),
      );
    });
  const types = (spec['policyTypes'] as string[] | undefined) ?? (rules(spec['egress']).length ? ['Ingress', 'Egress'] : ['Ingress']);
  return {
    ...(types.includes('Egress') ? { egress: convert(spec['egress'], 'to', 'egress') } : {}),
    ...(types.includes('Ingress') ? { ingress: convert(spec['ingress'], 'from', 'ingress') } : {}),
    order: 1000,
    selector: labelSelectorAsCalico(spec['podSelector'], true),
    types,
  };
}

/** Builds the snapshot a plan describes. */
export function buildSnapshot(plan: ClusterPlan, options: BuildOptions = {}): Snapshot {
  return new SnapshotBuilder(plan, options).build();
}

// ---------------------------------------------------------------------------------------------
// Building blocks shared by the sample plans

const EU_WEST_2 = {
  a: { az: 'eu-west-2a', azId: 'euw2-az2' },
  b: { az: 'eu-west-2b', azId: 'euw2-az3' },
  c: { az: 'eu-west-2c', azId: 'euw2-az1' },
} as const;

/** Node security group rules, named as the terraform-aws-eks module and Calico's AWS guide name them. */
export const SG_RULES = {
  apiFromCluster: { protocol: 'tcp', from: 443, to: 443, peer: 'cluster', description: 'Cluster API to node groups' },
  kubeletFromCluster: { protocol: 'tcp', from: 10250, to: 10250, peer: 'cluster', description: 'Cluster API to node kubelets' },
  dnsTcp: { protocol: 'tcp', from: 53, to: 53, peer: 'self', description: 'Node to node CoreDNS' },
  dnsUdp: { protocol: 'udp', from: 53, to: 53, peer: 'self', description: 'Node to node CoreDNS UDP' },
  ephemeral: { protocol: 'tcp', from: 1025, to: 65535, peer: 'self', description: 'Node to node ingress on ephemeral ports' },
  bgp: { protocol: 'tcp', from: 179, to: 179, peer: 'self', description: 'Calico BGP between nodes' },
  ipip: { protocol: '4', peer: 'self', description: 'Calico IP-in-IP between nodes' },
  vxlan: { protocol: 'udp', from: 4789, to: 4789, peer: 'self', description: 'Calico VXLAN between nodes' },
  typha: { protocol: 'tcp', from: 5473, to: 5473, peer: 'self', description: 'calico-node to Calico Typha' },
  wireguard: { protocol: 'udp', from: 51820, to: 51820, peer: 'self', description: 'Calico WireGuard between nodes' },
} as const satisfies Record<string, SgRulePlan>;

const BASE_NODE_RULES: SgRulePlan[] = [SG_RULES.apiFromCluster, SG_RULES.kubeletFromCluster, SG_RULES.dnsTcp, SG_RULES.dnsUdp];

/** The `default` FelixConfiguration calico-node writes at first start, plus the cluster's own settings. */
const felixSpec = (own: Json): Json => ({
  bpfConnectTimeLoadBalancing: 'TCP',
  bpfHostNetworkedNATWithoutCTLB: 'Enabled',
  bpfLogLevel: '',
  floatingIPs: 'Disabled',
  logSeverityScreen: 'Info',
  reportingInterval: '0s',
  ...own,
});

const pool = (name: string, cidr: string, ipipMode: EncapsulationMode, vxlanMode: EncapsulationMode, blockSize = 26): PoolPlan => ({
  name,
  cidr,
  blockSize,
  ipipMode,
  vxlanMode,
  natOutgoing: true,
});

const deploy = (namespace: string, name: string, replicas: number, labels?: Record<string, string>): AppPlan => ({
  kind: 'Deployment',
  namespace,
  name,
  replicas,
  ...(labels ? { labels } : {}),
});

const nsSelector = (namespace: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': namespace } });

/** `podSelector: {}` policies letting a namespace talk to itself, as most teams start. */
const sameNamespacePolicy = (namespace: string): KubePolicyPlan => ({
  namespace,
  name: 'allow-same-namespace',
  spec: {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: {} }] }],
    egress: [{ to: [{ podSelector: {} }] }],
  },
});

const allowFromNamespace = (namespace: string, from: string, app: string, port: number): KubePolicyPlan => ({
  namespace,
  name: `allow-from-${from}`,
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: nsSelector(from) }], ports: [{ port, protocol: 'TCP' }] }],
  },
});

const allowEgressToNamespaces = (namespace: string, name: string, app: string, targets: string[], port: number): KubePolicyPlan => ({
  namespace,
  name,
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
    policyTypes: ['Egress'],
    egress: [{ to: targets.map((t) => ({ namespaceSelector: nsSelector(t) })), ports: [{ port, protocol: 'TCP' }] }],
  },
});

/**
 * Seed 002's `global-deny-all`: deny by default, order 2000 so Kubernetes policies (order 1000)
 * win, with kube-system and DNS (UDP and TCP) allowed.
 */
export const GLOBAL_DENY_ALL: CalicoPolicyPlan = {
  name: 'global-deny-all',
  spec: {
    order: 2000,
    selector: 'all()',
    types: ['Ingress', 'Egress'],
    egress: [
      { action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" } },
      { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } },
    ],
    ingress: [{ action: 'Allow', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" } }],
  },
};

/** `count` distinct addresses spread through a subnet, clear of its first 16 and last 16. */
function spreadAddresses(cidr: string, count: number, stride: number): string[] {
  const { base, size } = parseCidr(cidr);
  const usable = size - 32;
  if (count > usable) throw new Error(`${cidr} cannot hold ${count} nodes`);
  // A stride coprime with the usable range visits every address once before repeating.
  let step = stride;
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  while (gcd(step, usable) !== 1) step++;
  return Array.from({ length: count }, (_, i) => intToIp(base + 16 + ((i * step) % usable)));
}

// ---------------------------------------------------------------------------------------------
// The sample fleet

/**
 * a. Seed 001's cluster: Calico Enterprise by the operator, VXLAN overlay with BGP off, Typha 2/2,
 * five tiers, two allow-all global policies, no WireGuard, public endpoint open to the world.
 */
export function enterpriseVxlanPlan(): ClusterPlan {
  const appNamespaces = ['argo', 'argocd', 'cert-manager', 'external-dns', 'monitoring'];
  const tigeraNamespaces = ['tigera-compliance', 'tigera-fluentd', 'tigera-intrusion-detection', 'tigera-policy-recommendation', 'tigera-prometheus', 'tigera-system'];
  const k8sApp = (namespace: string, name: string, replicas: number): AppPlan => deploy(namespace, name, replicas, { 'k8s-app': name });
  return {
    name: 'enterprise-vxlan',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.1.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.1.4.0/23' },
      { ...EU_WEST_2.b, cidr: '10.1.6.0/23' },
      { ...EU_WEST_2.c, cidr: '10.1.8.0/23' },
    ],
    s3GatewayEndpoint: true,
    nodegroups: [{ name: 'general', instanceType: 'm5.xlarge', minSize: 3, maxSize: 6, desiredSize: 4, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.1.4.211', subnet: 0, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.6.167', subnet: 1, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.8.75', subnet: 2, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.8.85', subnet: 2, nodegroup: 'general', sourceDestCheck: true },
    ],
    // VXLAN Always encapsulates every packet, so the source/destination check can stay on.
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.vxlan, SG_RULES.typha],
    eks: {
      version: '1.32',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit'],
      kms: false,
      serviceCidr: '172.20.0.0/16',
      ageDays: 540,
    },
    calico: {
      version: 'v3.30.4',
      variant: 'TigeraSecureEnterprise',
      enterpriseVersion: 'v3.21.4',
      install: 'operator',
      cni: 'Calico',
      bgp: false,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'Never', 'Always')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false },
      bgpPeers: [],
      felix: felixSpec({
        bpfEnabled: false,
        flowLogsFileEnabled: true,
        flowLogsFlushInterval: '15s',
        healthPort: 9099,
        prometheusMetricsEnabled: true,
        vxlanVNI: 4096,
        wireguardEnabled: false,
      }),
      extraTiers: [
        { name: 'allow-tigera', order: 100, defaultAction: 'Pass' },
        { name: 'namespace-isolation', order: 10_000, defaultAction: 'Pass' },
      ],
      globalPolicies: [
        {
          name: 'default-allow-all-dns',
          spec: {
            order: 1,
            selector: 'all()',
            types: ['Egress'],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
              { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } },
            ],
          },
        },
        {
          name: 'default-allow-all',
          spec: { order: 10_000, selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] },
        },
      ],
      networkPolicies: [
        // Namespace isolation: same-namespace and monitoring traffic passes on to the default tier.
        ...appNamespaces.map(
          (namespace): CalicoPolicyPlan => ({
            name: 'isolate-namespace',
            tier: 'namespace-isolation',
            namespace,
            spec: {
              order: 100,
              selector: 'all()',
              types: ['Ingress'],
              ingress: [
                { action: 'Pass', source: { namespaceSelector: `kubernetes.io/metadata.name == '${namespace}'` } },
                { action: 'Pass', source: { namespaceSelector: "kubernetes.io/metadata.name in {'monitoring', 'tigera-prometheus'}" } },
                { action: 'Deny' },
              ],
            },
          }),
        ),
        // Calico Enterprise's own policies: a default deny per Tigera namespace plus what each needs.
        ...['calico-system', ...tigeraNamespaces].map(
          (namespace): CalicoPolicyPlan => ({
            name: 'default-deny',
            tier: 'allow-tigera',
            namespace,
            spec: { order: 10_000, selector: 'all()', types: ['Ingress', 'Egress'] },
          }),
        ),
        {
          name: 'kube-controller-access',
          tier: 'allow-tigera',
          namespace: 'calico-system',
          spec: {
            order: 1,
            selector: "k8s-app == 'calico-kube-controllers'",
            types: ['Ingress', 'Egress'],
            ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9094] }, source: { namespaceSelector: "projectcalico.org/name == 'tigera-prometheus'" } }],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['172.20.0.1/32'], ports: [443] } }, { action: 'Pass' }],
          },
        },
        {
          name: 'calico-node-alertmanager',
          tier: 'allow-tigera',
          namespace: 'tigera-prometheus',
          spec: {
            order: 1,
            selector: "app == 'alertmanager' && alertmanager == 'calico-node-alertmanager'",
            types: ['Ingress', 'Egress'],
            ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9093] } }],
            egress: [{ action: 'Pass' }],
          },
        },
        {
          name: 'compliance-access',
          tier: 'allow-tigera',
          namespace: 'tigera-compliance',
          spec: {
            order: 1,
            selector: "k8s-app in {'compliance-controller', 'compliance-snapshotter'}",
            types: ['Egress'],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443, 6443] } }, { action: 'Pass' }],
          },
        },
        {
          name: 'intrusion-detection-access',
          tier: 'allow-tigera',
          namespace: 'tigera-intrusion-detection',
          spec: {
            order: 1,
            selector: "k8s-app == 'intrusion-detection-controller'",
            types: ['Egress'],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }, { action: 'Pass' }],
          },
        },
      ],
      globalNetworkSets: [
        {
          name: 'threatfeed.alienvault.ipthreatfeeds',
          labels: { 'tigera.io/threatfeed': 'alienvault.ipthreatfeeds' },
          nets: ['192.0.2.17/32', '198.51.100.0/26', '203.0.113.200/32'],
        },
      ],
      apiGroup: 'projectcalico.org/v3',
    },
    namespaces: [...appNamespaces, ...tigeraNamespaces],
    apps: [
      deploy('argo', 'argo-server', 1),
      deploy('argo', 'workflow-controller', 1),
      deploy('argocd', 'argocd-server', 2),
      deploy('argocd', 'argocd-repo-server', 2),
      { kind: 'StatefulSet', namespace: 'argocd', name: 'argocd-application-controller', replicas: 1 },
      deploy('argocd', 'argocd-redis', 1),
      deploy('argocd', 'argocd-dex-server', 1),
      deploy('argocd', 'argocd-applicationset-controller', 1),
      deploy('argocd', 'argocd-notifications-controller', 1),
      deploy('cert-manager', 'cert-manager', 1),
      deploy('cert-manager', 'cert-manager-cainjector', 1),
      deploy('cert-manager', 'cert-manager-webhook', 1),
      deploy('external-dns', 'external-dns', 1),
      deploy('monitoring', 'kube-prometheus-stack-grafana', 1),
      deploy('monitoring', 'kube-prometheus-stack-kube-state-metrics', 1),
      deploy('monitoring', 'kube-prometheus-stack-operator', 1),
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus-kube-prometheus-stack-prometheus', replicas: 1 },
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'kube-prometheus-stack-prometheus-node-exporter', hostNetwork: true },
      { kind: 'Deployment', namespace: 'tigera-system', name: 'tigera-apiserver', replicas: 2, hostNetwork: true, labels: { 'k8s-app': 'tigera-apiserver' } },
      k8sApp('tigera-compliance', 'compliance-controller', 1),
      k8sApp('tigera-compliance', 'compliance-snapshotter', 1),
      k8sApp('tigera-intrusion-detection', 'intrusion-detection-controller', 1),
      k8sApp('tigera-policy-recommendation', 'tigera-policy-recommendation', 1),
      k8sApp('tigera-prometheus', 'calico-prometheus-operator', 1),
      { kind: 'StatefulSet', namespace: 'tigera-prometheus', name: 'prometheus-calico-node-prometheus', replicas: 1, labels: { app: 'prometheus', prometheus: 'calico-node-prometheus' } },
      { kind: 'StatefulSet', namespace: 'tigera-prometheus', name: 'alertmanager-calico-node-alertmanager', replicas: 1, labels: { app: 'alertmanager', alertmanager: 'calico-node-alertmanager' } },
      { kind: 'DaemonSet', namespace: 'tigera-fluentd', name: 'fluentd-node', labels: { 'k8s-app': 'fluentd-node' } },
    ],
    // Argo CD ships these with its install manifest.
    kubernetesNetworkPolicies: [
      {
        namespace: 'argocd',
        name: 'argocd-server-network-policy',
        spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-server' } }, policyTypes: ['Ingress'], ingress: [{}] },
      },
      {
        namespace: 'argocd',
        name: 'argocd-repo-server-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-repo-server' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: ['argocd-server', 'argocd-application-controller', 'argocd-notifications-controller', 'argocd-applicationset-controller'].map((app) => ({
                podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
              })),
              ports: [{ port: 8081, protocol: 'TCP' }],
            },
            { from: [{ namespaceSelector: {} }], ports: [{ port: 8084, protocol: 'TCP' }] },
          ],
        },
      },
      {
        namespace: 'argocd',
        name: 'argocd-redis-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-redis' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: ['argocd-server', 'argocd-repo-server', 'argocd-application-controller'].map((app) => ({
                podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
              })),
              ports: [{ port: 6379, protocol: 'TCP' }],
            },
          ],
        },
      },
      {
        namespace: 'argocd',
        name: 'argocd-application-controller-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-application-controller' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 8082, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}

/**
 * b. Seed 002's reference architecture on EKS: Kubernetes datastore, manifest install with Typha
 * (3 replicas and a PodDisruptionBudget), IP-in-IP CrossSubnet over three subnets with every
 * source/destination check off, MTU sized for WireGuard on jumbo frames, a global default deny
 * refined by namespace policies, private API endpoint, audit logging and KMS.
 */
export function referenceCrossSubnetPlan(): ClusterPlan {
  const apps = ['catalog', 'ingress-nginx', 'monitoring', 'orders', 'payments', 'storefront'];
  return {
    name: 'reference-crosssubnet',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.0.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.0.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.0.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.0.32.0/20' },
    ],
    s3GatewayEndpoint: true,
    nodegroups: [{ name: 'workers', instanceType: 'm5.large', minSize: 6, maxSize: 12, desiredSize: 6, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.0.1.15', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.9.200', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.17.42', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.22.131', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.33.87', subnet: 2, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.40.12', subnet: 2, nodegroup: 'workers', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha, SG_RULES.wireguard],
    eks: {
      // 1.35 rather than 1.33: at the collection date 1.33 is out of EKS standard support.
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 320,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 3,
      // 9001 jumbo frames less WireGuard's 60 bytes.
      mtu: 8941,
      wireguard: true,
      pools: [pool('default-ipv4-ippool', '172.16.0.0/16', 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true, wireguardEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: apps,
    apps: [
      deploy('ingress-nginx', 'ingress-nginx-controller', 2),
      deploy('storefront', 'storefront-web', 3),
      deploy('catalog', 'catalog-api', 3),
      deploy('catalog', 'catalog-search', 2),
      deploy('orders', 'orders-api', 3),
      deploy('orders', 'orders-worker', 2),
      deploy('payments', 'payments-api', 2),
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus', replicas: 1 },
      deploy('monitoring', 'grafana', 1),
      deploy('monitoring', 'kube-state-metrics', 1),
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true },
    ],
    kubernetesNetworkPolicies: [
      ...apps.map(sameNamespacePolicy),
      allowFromNamespace('storefront', 'ingress-nginx', 'storefront-web', 8080),
      allowEgressToNamespaces('storefront', 'allow-egress-to-apis', 'storefront-web', ['catalog', 'orders'], 8080),
      allowFromNamespace('catalog', 'storefront', 'catalog-api', 8080),
      allowFromNamespace('orders', 'storefront', 'orders-api', 8080),
      allowEgressToNamespaces('orders', 'allow-egress-to-payments', 'orders-api', ['payments'], 8443),
      allowFromNamespace('payments', 'orders', 'payments-api', 8443),
      {
        namespace: 'ingress-nginx',
        name: 'allow-ingress-from-vpc',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx-controller' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }],
          egress: [{ to: [{ namespaceSelector: nsSelector('storefront') }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        },
      },
      {
        namespace: 'monitoring',
        name: 'allow-scrape-egress',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080, protocol: 'TCP' }, { port: 9091, protocol: 'TCP' }, { port: 9100, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}

/**
 * c. Native routing (no encapsulation) across three subnets while EC2 still checks source and
 * destination: Felix is told to switch the check off (`FELIX_AWSSRCDSTCHECK=Disable`) but cannot.
 */
export function nativeMultiSubnetSrcDstPlan(): ClusterPlan {
  return {
    name: 'native-multisubnet-srcdst',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.2.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.2.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.2.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.2.32.0/20' },
    ],
    nodegroups: [{ name: 'batch-workers', instanceType: 'm5.large', minSize: 3, maxSize: 8, desiredSize: 5, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.2.3.41', subnet: 0, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.11.8', subnet: 0, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.18.77', subnet: 1, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.25.190', subnet: 1, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.36.14', subnet: 2, nodegroup: 'batch-workers', sourceDestCheck: true },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp],
    eks: {
      version: '1.34',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['198.51.100.0/24'],
      logTypes: [],
      kms: false,
      serviceCidr: '172.20.0.0/16',
      ageDays: 210,
    },
    calico: {
      version: 'v3.30.3',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 0,
      mtu: 9001,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'Never', 'Never')],
      // Nobody created a BGPConfiguration: Calico's defaults (mesh on, AS 64512) apply.
      bgpConfiguration: null,
      bgpPeers: [],
      felix: felixSpec({}),
      calicoNodeEnv: { FELIX_AWSSRCDSTCHECK: 'Disable' },
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: ['analytics', 'batch'],
    apps: [
      deploy('batch', 'job-runner', 2),
      deploy('batch', 'report-builder', 1),
      deploy('analytics', 'spark-operator', 1),
      deploy('analytics', 'analytics-api', 2),
    ],
    kubernetesNetworkPolicies: [],
  };
}

/**
 * d. 120 nodes on the node-to-node mesh without Typha, IP-in-IP Always across three subnets,
 * node groups able to reach 150 nodes; one node has stopped reporting.
 */
export function mesh120NoTyphaPlan(): ClusterPlan {
  const subnets = [
    { ...EU_WEST_2.a, cidr: '10.3.0.0/19' },
    { ...EU_WEST_2.b, cidr: '10.3.32.0/19' },
    { ...EU_WEST_2.c, cidr: '10.3.64.0/19' },
  ];
  const nodegroups = subnets.map((s, i) => ({
    name: `workers-${s.az.slice(-1)}`,
    instanceType: 'm6i.xlarge',
    minSize: 30,
    maxSize: 50,
    desiredSize: 40,
    subnets: [i],
  }));
  const nodes: NodePlan[] = subnets.flatMap((s, i) =>
    spreadAddresses(s.cidr, 40, 53 + i * 6).map((ip, j) => ({
      ip,
      subnet: i,
      nodegroup: nodegroups[i]!.name,
      sourceDestCheck: true,
      ...(i === 1 && j === 17 ? { ready: false } : {}),
    })),
  );
  return {
    name: 'mesh-120-no-typha',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.3.0.0/16',
    subnets,
    s3GatewayEndpoint: true,
    nodegroups,
    nodes,
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.ephemeral, SG_RULES.bgp, SG_RULES.ipip],
    extraNodeSecurityGroups: [
      {
        suffix: 'node-monitoring',
        description: 'Prometheus scraping of node exporters and Felix',
        rules: [
          { protocol: 'tcp', from: 9100, to: 9100, peer: '10.3.0.0/16', description: 'node-exporter from the VPC' },
          { protocol: 'tcp', from: 9091, to: 9091, peer: '10.3.0.0/16', description: 'Felix metrics from the VPC' },
        ],
      },
    ],
    eks: {
      version: '1.33',
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ALL_LOG_TYPES,
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 700,
    },
    calico: {
      version: 'v3.31.4',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 0,
      mtu: 8981,
      wireguard: false,
      // 10.244.0.0/18 holds 256 blocks of /26.
      pools: [pool('default-ipv4-ippool', '10.244.0.0/18', 'Always', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ prometheusMetricsEnabled: true }),
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: ['data-pipeline', 'monitoring', 'platform', 'recommendations', 'search'],
    apps: [
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true },
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus', replicas: 2 },
      deploy('monitoring', 'grafana', 1),
      deploy('monitoring', 'kube-state-metrics', 1),
      deploy('platform', 'api-gateway', 6),
      deploy('platform', 'auth-service', 4),
      deploy('platform', 'config-service', 2),
      deploy('search', 'search-api', 8),
      deploy('search', 'indexer', 4),
      deploy('recommendations', 'recs-api', 6),
      deploy('recommendations', 'recs-model-server', 10),
      deploy('data-pipeline', 'kafka-connect', 6),
      deploy('data-pipeline', 'stream-processor', 12),
      deploy('data-pipeline', 'etl-scheduler', 1),
    ],
    kubernetesNetworkPolicies: [sameNamespacePolicy('platform'), allowFromNamespace('search', 'platform', 'search-api', 8080)],
  };
}

/**
 * e. The AWS VPC CNI networks pods; Calico (operator, `cni.type: AmazonVPC`) only enforces policy.
 * No IP pools, no IPAM blocks, pods on VPC addresses.
 */
export function vpcCniPolicyOnlyPlan(): ClusterPlan {
  return {
    name: 'vpc-cni-policy-only',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.4.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.4.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.4.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.4.32.0/20' },
    ],
    nodegroups: [{ name: 'default', instanceType: 'm5.large', minSize: 3, maxSize: 9, desiredSize: 3, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.4.5.20', subnet: 0, nodegroup: 'default', sourceDestCheck: true },
      { ip: '10.4.21.133', subnet: 1, nodegroup: 'default', sourceDestCheck: true },
      { ip: '10.4.40.77', subnet: 2, nodegroup: 'default', sourceDestCheck: true },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.ephemeral],
    eks: {
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ALL_LOG_TYPES,
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 150,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'operator',
      cni: 'AmazonVPC',
      bgp: false,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      pools: [],
      bgpConfiguration: null,
      bgpPeers: [],
      felix: felixSpec({ healthPort: 9099, prometheusMetricsEnabled: true, routeTableRange: { max: 99, min: 65 } }),
      globalPolicies: [
        {
          name: 'deny-instance-metadata',
          spec: { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] },
        },
        {
          name: 'default-deny',
          spec: {
            order: 2000,
            namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system', 'tigera-operator'}",
            selector: 'all()',
            types: ['Ingress', 'Egress'],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
              { action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
            ],
          },
        },
      ],
      networkPolicies: [],
      apiGroup: 'projectcalico.org/v3',
    },
    namespaces: ['api', 'web'],
    apps: [deploy('web', 'frontend', 2), deploy('api', 'api-server', 3), deploy('api', 'queue-worker', 2)],
    kubernetesNetworkPolicies: [
      {
        namespace: 'web',
        name: 'frontend',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.4.0.0/16' } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
          egress: [{ to: [{ namespaceSelector: nsSelector('api') }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        },
      },
      allowFromNamespace('api', 'web', 'api-server', 8080),
      {
        namespace: 'api',
        name: 'allow-https-egress',
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.4.0.0/16'] } }], ports: [{ port: 443, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}

/** f. The collector's role may not read EC2: every EC2 list is `null` with its error; the rest was read. */
export function ec2DeniedPlan(): ClusterPlan {
  return {
    name: 'ec2-denied',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.5.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.5.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.5.16.0/20' },
    ],
    nodegroups: [{ name: 'workers', instanceType: 'm5.large', minSize: 2, maxSize: 6, desiredSize: 4, subnets: [0, 1] }],
    nodes: [
      { ip: '10.5.4.12', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.9.201', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.20.33', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.27.150', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha],
    eks: {
      version: '1.34',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
      logTypes: ['audit'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 120,
    },
    calico: {
      version: 'v3.31.5',
      variant: 'Calico',
      install: 'operator',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 2,
      // The 1440 copied from generic docs: far below what jumbo frames allow with IP-in-IP (8981).
      mtu: 1440,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ healthPort: 9099 }),
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'projectcalico.org/v3',
    },
    namespaces: ['ledger', 'reporting'],
    apps: [deploy('ledger', 'ledger-api', 2), deploy('ledger', 'ledger-worker', 1), deploy('reporting', 'report-api', 1)],
    kubernetesNetworkPolicies: [sameNamespacePolicy('ledger')],
    denied: ['aws.instances', 'aws.securityGroups', 'aws.subnets', 'aws.routeTables', 'aws.vpc'],
  };
}

/** The built-in fleet: file name (without `.json`) → plan. */
export const SAMPLE_PLANS = {
  'enterprise-vxlan': enterpriseVxlanPlan,
  'reference-crosssubnet': referenceCrossSubnetPlan,
  'native-multisubnet-srcdst': nativeMultiSubnetSrcDstPlan,
  'mesh-120-no-typha': mesh120NoTyphaPlan,
  'vpc-cni-policy-only': vpcCniPolicyOnlyPlan,
  'ec2-denied': ec2DeniedPlan,
} as const satisfies Record<string, () => ClusterPlan>;

export type SampleName = keyof typeof SAMPLE_PLANS;

export const buildSample = (name: SampleName, options?: BuildOptions): Snapshot => buildSnapshot(SAMPLE_PLANS[name](), options);

export const buildEnterpriseVxlan = (options?: BuildOptions): Snapshot => buildSnapshot(enterpriseVxlanPlan(), options);
export const buildReferenceCrossSubnet = (options?: BuildOptions): Snapshot => buildSnapshot(referenceCrossSubnetPlan(), options);
export const buildNativeMultiSubnetSrcDst = (options?: BuildOptions): Snapshot => buildSnapshot(nativeMultiSubnetSrcDstPlan(), options);
export const buildMesh120NoTypha = (options?: BuildOptions): Snapshot => buildSnapshot(mesh120NoTyphaPlan(), options);
export const buildVpcCniPolicyOnly = (options?: BuildOptions): Snapshot => buildSnapshot(vpcCniPolicyOnlyPlan(), options);
export const buildEc2Denied = (options?: BuildOptions): Snapshot => buildSnapshot(ec2DeniedPlan(), options);

/** Samples also published in the other Calico API group, outside the fleet, for equivalence tests. */
export const SAMPLE_VARIANTS: ReadonlyArray<{ file: string; sample: SampleName; apiGroup: CalicoApiGroup }> = [
  { file: 'enterprise-vxlan.crd-v1.json', sample: 'enterprise-vxlan', apiGroup: 'crd.projectcalico.org/v1' },
  { file: 'reference-crosssubnet.v3.json', sample: 'reference-crosssubnet', apiGroup: 'projectcalico.org/v3' },
];

// ---------------------------------------------------------------------------------------------
// Scaled clusters for benchmarks

export interface ScaledClusterOptions extends BuildOptions {
  name?: string;
  /** Pods per node, counting the per-node DaemonSet pods; about 20 by default. */
  podsPerNode?: number;
}

/**
 * The reference architecture at any size: route reflectors instead of the mesh (one per subnet),
 * Typha scaled one replica per 200 nodes (at least 3), a pool sized for the node groups'
 * maximum plus headroom, ~20 pods per node, and a handful of security groups shared by all nodes.
 */
export function scaledClusterPlan(nodeCount: number, options: ScaledClusterOptions = {}): ClusterPlan {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 16_000) throw new RangeError(`nodeCount must be an integer from 1 to 16000, not ${nodeCount}`);
  const name = options.name ?? `scaled-${nodeCount}`;
  const podsPerNode = options.podsPerNode ?? 20;
  const subnets = [
    { ...EU_WEST_2.a, cidr: '10.0.0.0/18' },
    { ...EU_WEST_2.b, cidr: '10.0.64.0/18' },
    { ...EU_WEST_2.c, cidr: '10.0.128.0/18' },
  ];
  const perSubnet = [0, 1, 2].map((i) => Math.floor(nodeCount / 3) + (i < nodeCount % 3 ? 1 : 0));
  const nodegroups = subnets.map((s, i) => ({
    name: `workers-${s.az.slice(-1)}`,
    instanceType: 'm6i.2xlarge',
    minSize: perSubnet[i]!,
    maxSize: Math.max(1, Math.ceil((nodeCount * 1.25) / 3)),
    desiredSize: perSubnet[i]!,
    subnets: [i],
  }));
  const nodes: NodePlan[] = subnets.flatMap((s, i) =>
    spreadAddresses(s.cidr, perSubnet[i]!, 7).map((ip, j) => ({
      ip,
      subnet: i,
      nodegroup: nodegroups[i]!.name,
      sourceDestCheck: false,
      // The first node of each subnet reflects routes for the others.
      ...(j === 0 ? { labels: { 'route-reflector': 'true' }, annotations: { 'projectcalico.org/RouteReflectorClusterID': '244.0.0.1' } } : {}),
    })),
  );
  // Blocks for every node the node groups can hold, with room for extra blocks on busy nodes and 50% headroom.
  const maxNodes = nodegroups.reduce((sum, ng) => sum + ng.maxSize, 0);
  const blocksPerNode = Math.ceil((podsPerNode + 4) / 64);
  const poolPrefix = Math.max(8, Math.min(20, 26 - Math.ceil(Math.log2(maxNodes * blocksPerNode * 1.5))));

  // Per-node DaemonSet pods: calico-node, kube-proxy, ebs-csi-node, eks-pod-identity-agent, node-exporter.
  const appPods = Math.max(0, nodeCount * (podsPerNode - 5) - 7 - Math.max(3, Math.min(20, Math.ceil(nodeCount / 200))));
  const teams = Math.min(50, Math.max(2, Math.ceil(nodeCount / 100)));
  const namespaces = Array.from({ length: teams }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  const apps: AppPlan[] = [{ kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true }];
  const workloadsPerTeam = 3;
  const total = teams * workloadsPerTeam;
  for (let w = 0; w < total; w++) {
    const replicas = Math.floor(appPods / total) + (w < appPods % total ? 1 : 0);
    if (replicas > 0) apps.push(deploy(namespaces[Math.floor(w / workloadsPerTeam)]!, `service-${String((w % workloadsPerTeam) + 1)}`, replicas));
  }

  return {
    name,
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.0.0.0/16',
    subnets,
    s3GatewayEndpoint: true,
    nodegroups,
    nodes,
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha, SG_RULES.wireguard],
    extraNodeSecurityGroups: [
      {
        suffix: 'node-monitoring',
        description: 'Prometheus scraping of node exporters and Felix',
        rules: [
          { protocol: 'tcp', from: 9100, to: 9100, peer: '10.0.0.0/16', description: 'node-exporter from the VPC' },
          { protocol: 'tcp', from: 9091, to: 9091, peer: '10.0.0.0/16', description: 'Felix metrics from the VPC' },
        ],
      },
    ],
    eks: {
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      // Clear of the VPC and of pools up to 172.16.0.0/12.
      serviceCidr: '10.100.0.0/16',
      ageDays: 400,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: Math.max(3, Math.min(20, Math.ceil(nodeCount / 200))),
      mtu: 8941,
      wireguard: true,
      pools: [pool('default-ipv4-ippool', `172.16.0.0/${Math.max(12, poolPrefix)}`, 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false },
      // Seed 002's global route reflection: workers peer with reflectors, reflectors with each other.
      bgpPeers: [
        { name: 'node-peer-to-rr', spec: { nodeSelector: '!has(route-reflector)', peerSelector: 'has(route-reflector)' } },
        { name: 'rr-to-rr-peer', spec: { nodeSelector: 'has(route-reflector)', peerSelector: 'has(route-reflector)' } },
      ],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true, wireguardEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL],
      networkPolicies: [],
      apiGroup: options.apiGroup ?? 'crd.projectcalico.org/v1',
    },
    namespaces: ['monitoring', ...namespaces],
    apps,
    kubernetesNetworkPolicies: namespaces.map(sameNamespacePolicy),
  };
}

/** A valid snapshot of an N-node cluster (deterministic), for benchmarks up to thousands of nodes. */
export function buildScaledCluster(nodeCount: number, options: ScaledClusterOptions = {}): Snapshot {
  return buildSnapshot(scaledClusterPlan(nodeCount, options), options);
}
