/**
 * The description of an imaginary EKS cluster running Calico: one `ClusterPlan` from which
 * `buildSnapshot` derives every object, so names, ids, addresses and counts agree across layers.
 */
import type { CalicoApiGroup } from '../../../src/snapshot/schema.js';
import type { SnapshotField } from '../../../src/snapshot/sources.js';

/** A JSON object as the APIs return it; the builder writes objects field by field, in API order. */
export type Json = Record<string, unknown>;

/** "Now" for every sample unless a caller picks another time. */
export const SAMPLE_COLLECTED_AT = '2026-11-23T02:00:00Z';

export interface BuildOptions {
  /** "Now" for every derived timestamp; defaults to SAMPLE_COLLECTED_AT. */
  collectedAt?: string;
  /** Form of the Calico resources (IPAM blocks are always raw v1); defaults to the plan's. */
  apiGroup?: CalicoApiGroup;
}

export type EncapsulationMode = 'Always' | 'CrossSubnet' | 'Never';

export interface SubnetPlan {
  az: string;
  /** Account-specific AZ id, e.g. `euw2-az2`. */
  azId: string;
  cidr: string;
  /** IPv6 clusters: the subnet's /64. */
  ipv6Cidr?: string;
}

/**
 * A source of nodes: an EKS managed node group (the default), a self-managed Auto Scaling group
 * (tagged `kubernetes.io/cluster/<name>`, as eksctl and terraform-aws-eks tag them), or a Karpenter
 * NodePool (karpenter.sh/v1), whose nodes come from no Auto Scaling group at all.
 */
export interface NodegroupPlan {
  name: string;
  kind?: 'managed' | 'self-managed' | 'karpenter';
  instanceType: string;
  minSize: number;
  /** Managed and self-managed groups; a NodePool is bounded by `limits` instead. */
  maxSize: number;
  desiredSize: number;
  /** Indexes into `ClusterPlan.subnets`. */
  subnets: number[];
  capacityType?: 'ON_DEMAND' | 'SPOT';
  /** Kubernetes labels its nodes carry (managed: DescribeNodegroup `labels`; NodePool: `spec.template.metadata.labels`). */
  labels?: Record<string, string>;
  /** Karpenter: `spec.limits` as written (`cpu`, `memory`, `nodes`); none means no limits. */
  limits?: Record<string, string>;
  /** Karpenter: `spec.template.spec.requirements` beyond the architecture, OS and capacity type. */
  requirements?: Array<{ key: string; operator: string; values: string[] }>;
  /** The OS its nodes run; Windows nodes run calico-node-windows. */
  os?: 'linux' | 'windows';
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
  /** Indexes into `ClusterPlan.extraNodeSecurityGroups` this node carries; all of them by default. */
  extraGroups?: number[];
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
  /**
   * A disabled pool mid-migration: pods of these workloads (`namespace/name`) started before it was
   * disabled and still hold its addresses, in blocks of their nodes.
   */
  drainingWorkloads?: string[];
}

/** One inbound security group rule; `peer` is `self`, `cluster` (the cluster's additional SG) or a CIDR. */
export interface SgRulePlan {
  protocol: 'tcp' | 'udp' | 'icmp' | '-1' | '4';
  from?: number;
  to?: number;
  peer: 'self' | 'cluster' | `${number}.${number}.${number}.${number}/${number}` | `${string}:${string}/${number}`;
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
  /** `spec.serviceAccountName`; `default` unless given. */
  serviceAccount?: string;
  /** Container ports; one named `http` on TCP 8080 unless given. */
  ports?: Array<{ name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }>;
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
  /** Staged policies (not enforced), v3 form without the tier prefix. */
  stagedPolicies?: Array<{ kind: 'StagedGlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedKubernetesNetworkPolicy'; name: string; tier?: string; namespace?: string; spec: Json }>;
  /** Form the plan is published in when the caller does not choose. */
  apiGroup: CalicoApiGroup;
}

export interface ClusterPlan {
  name: string;
  accountId: string;
  region: string;
  vpcCidr: string;
  /** An IPv6 cluster: the VPC and subnets carry IPv6 ranges, nodes IPv6 addresses, EKS ipFamily ipv6. */
  ipv6?: { vpcCidr: string; serviceCidr: string };
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
  /**
   * The Kubernetes admin policy API (policy.networking.k8s.io/v1alpha1) when its CRDs are installed:
   * AdminNetworkPolicy and BaselineAdminNetworkPolicy specs by name. Absent: not installed, which
   * the collector records as an absent API.
   */
  adminNetworkPolicies?: { admin: Array<{ name: string; spec: Json }>; baseline: Array<{ name: string; spec: Json }> };
  /** Snapshot fields the collector was denied; each becomes `null` plus one `errors` entry. */
  denied?: SnapshotField[];
}
