/**
 * The snapshot contract (version 1): the JSON document collectors write and the assessment reads.
 *
 * Objects keep the shape their API returned them, so the schemas below type only the fields the
 * audit reads and let every other field pass through untouched (`looseObject`). Inside Calico
 * objects nothing is typed beyond `metadata`: a Calico spec with odd types is still a snapshot,
 * and the normaliser copes with it. A list is `null` when it was not collected (an entry in
 * `errors` says why) and `[]` when it was collected and is empty.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { clusterTargetSchema } from '../target/index.js';

export const SNAPSHOT_SCHEMA_VERSION = 1 as const;

const stringMap = z.record(z.string(), z.string());

/** Kubernetes `metadata`: only the fields the audit reads are typed. */
export const objectMeta = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  ownerReferences: z.array(z.looseObject({ kind: z.string().optional(), name: z.string().optional() })).nullish(),
});

/** Any Kubernetes object as the API server serves it; `spec` and `status` are left to the normaliser. */
export const kubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMeta.optional(),
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});
export type KubeObject = z.infer<typeof kubeObject>;

/** A list that may not have been collected. */
const collected = <T extends z.ZodType>(item: T) => z.array(item).nullish();

const tag = z.looseObject({ Key: z.string().optional(), Value: z.string().optional() });
const groupIdentifier = z.looseObject({ GroupId: z.string().optional(), GroupName: z.string().optional() });

/** EC2 Instance as DescribeInstances returns it (PascalCase). */
export const ec2Instance = z.looseObject({
  InstanceId: z.string(),
  InstanceType: z.string().optional(),
  /** `windows` on Windows instances (absent on Linux). */
  Platform: z.string().optional(),
  PlatformDetails: z.string().optional(),
  PrivateIpAddress: z.string().optional(),
  PrivateDnsName: z.string().optional(),
  /** The primary IPv6 address, on instances launched with one (IPv6 clusters). */
  Ipv6Address: z.string().optional(),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  SourceDestCheck: z.boolean().optional(),
  Placement: z.looseObject({ AvailabilityZone: z.string().optional() }).optional(),
  SecurityGroups: z.array(groupIdentifier).optional(),
  NetworkInterfaces: z
    .array(
      z.looseObject({
        NetworkInterfaceId: z.string().optional(),
        SubnetId: z.string().optional(),
        PrivateIpAddress: z.string().optional(),
        Ipv6Addresses: z.array(z.looseObject({ Ipv6Address: z.string().optional(), IsPrimaryIpv6: z.boolean().optional() })).optional(),
        SourceDestCheck: z.boolean().optional(),
        Groups: z.array(groupIdentifier).optional(),
        Attachment: z.looseObject({ DeviceIndex: z.number().optional() }).optional(),
      }),
    )
    .optional(),
  Tags: z.array(tag).optional(),
});
export type Ec2Instance = z.infer<typeof ec2Instance>;

const ipPermission = z.looseObject({
  IpProtocol: z.string().optional(),
  FromPort: z.number().optional(),
  ToPort: z.number().optional(),
  IpRanges: z.array(z.looseObject({ CidrIp: z.string().optional(), Description: z.string().optional() })).optional(),
  Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: z.string().optional(), Description: z.string().optional() })).optional(),
  UserIdGroupPairs: z.array(z.looseObject({ GroupId: z.string().optional(), UserId: z.string().optional() })).optional(),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string().optional() })).optional(),
});
export type Ec2IpPermission = z.infer<typeof ipPermission>;

/** EC2 SecurityGroup as DescribeSecurityGroups returns it. */
export const ec2SecurityGroup = z.looseObject({
  GroupId: z.string(),
  GroupName: z.string().optional(),
  Description: z.string().optional(),
  VpcId: z.string().optional(),
  OwnerId: z.string().optional(),
  IpPermissions: z.array(ipPermission).optional(),
  IpPermissionsEgress: z.array(ipPermission).optional(),
  Tags: z.array(tag).optional(),
});
export type Ec2SecurityGroup = z.infer<typeof ec2SecurityGroup>;

/** EC2 Subnet as DescribeSubnets returns it. */
const ipv6CidrAssociation = z.looseObject({ Ipv6CidrBlock: z.string().optional() });

export const ec2Subnet = z.looseObject({
  SubnetId: z.string(),
  CidrBlock: z.string().optional(),
  Ipv6CidrBlockAssociationSet: z.array(ipv6CidrAssociation).optional(),
  AvailabilityZone: z.string().optional(),
  VpcId: z.string().optional(),
  Tags: z.array(tag).optional(),
});
export type Ec2Subnet = z.infer<typeof ec2Subnet>;

/** EC2 RouteTable as DescribeRouteTables returns it. */
export const ec2RouteTable = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string().optional(),
  Associations: z
    .array(z.looseObject({ Main: z.boolean().optional(), SubnetId: z.string().optional(), RouteTableId: z.string().optional() }))
    .optional(),
  Routes: z
    .array(
      z.looseObject({
        DestinationCidrBlock: z.string().optional(),
        DestinationIpv6CidrBlock: z.string().optional(),
        GatewayId: z.string().optional(),
        InstanceId: z.string().optional(),
        NetworkInterfaceId: z.string().optional(),
        NatGatewayId: z.string().optional(),
        TransitGatewayId: z.string().optional(),
        VpcPeeringConnectionId: z.string().optional(),
        State: z.string().optional(),
      }),
    )
    .optional(),
  Tags: z.array(tag).optional(),
});
export type Ec2RouteTable = z.infer<typeof ec2RouteTable>;

/** EC2 Vpc as DescribeVpcs returns it. */
export const ec2Vpc = z.looseObject({
  VpcId: z.string(),
  CidrBlock: z.string().optional(),
  CidrBlockAssociationSet: z.array(z.looseObject({ CidrBlock: z.string().optional() })).optional(),
  Ipv6CidrBlockAssociationSet: z.array(ipv6CidrAssociation).optional(),
});
export type Ec2Vpc = z.infer<typeof ec2Vpc>;

/** EKS DescribeCluster().cluster (camelCase). */
export const eksCluster = z.looseObject({
  name: z.string().optional(),
  arn: z.string().optional(),
  version: z.string().optional(),
  platformVersion: z.string().optional(),
  status: z.string().optional(),
  endpoint: z.string().optional(),
  resourcesVpcConfig: z
    .looseObject({
      vpcId: z.string().optional(),
      subnetIds: z.array(z.string()).optional(),
      securityGroupIds: z.array(z.string()).optional(),
      clusterSecurityGroupId: z.string().optional(),
      endpointPublicAccess: z.boolean().optional(),
      endpointPrivateAccess: z.boolean().optional(),
      publicAccessCidrs: z.array(z.string()).optional(),
    })
    .optional(),
  kubernetesNetworkConfig: z
    .looseObject({ serviceIpv4Cidr: z.string().optional(), serviceIpv6Cidr: z.string().optional(), ipFamily: z.string().optional() })
    .optional(),
  /** EKS Auto Mode: EKS launches and scales the nodes itself. */
  computeConfig: z.looseObject({ enabled: z.boolean().optional(), nodePools: z.array(z.string()).optional() }).optional(),
  logging: z
    .looseObject({
      clusterLogging: z.array(z.looseObject({ types: z.array(z.string()).optional(), enabled: z.boolean().optional() })).optional(),
    })
    .optional(),
  encryptionConfig: z
    .array(
      z.looseObject({
        resources: z.array(z.string()).optional(),
        provider: z.looseObject({ keyArn: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type EksCluster = z.infer<typeof eksCluster>;

/** EKS DescribeNodegroup().nodegroup. */
export const eksNodegroup = z.looseObject({
  nodegroupName: z.string().optional(),
  status: z.string().optional(),
  instanceTypes: z.array(z.string()).optional(),
  subnets: z.array(z.string()).optional(),
  scalingConfig: z
    .looseObject({ minSize: z.number().optional(), maxSize: z.number().optional(), desiredSize: z.number().optional() })
    .optional(),
  /** Kubernetes labels the group's nodes carry. */
  labels: z.record(z.string(), z.string()).optional(),
  resources: z.looseObject({ autoScalingGroups: z.array(z.looseObject({ name: z.string().optional() })).optional() }).optional(),
});
export type EksNodegroup = z.infer<typeof eksNodegroup>;

/**
 * Auto Scaling DescribeAutoScalingGroups().AutoScalingGroups[] (PascalCase): the groups tagged
 * `kubernetes.io/cluster/<name>`, self-managed node groups and the groups behind managed ones.
 */
export const autoScalingGroup = z.looseObject({
  AutoScalingGroupName: z.string().optional(),
  MinSize: z.number().optional(),
  MaxSize: z.number().optional(),
  DesiredCapacity: z.number().optional(),
  Instances: z.array(z.looseObject({ InstanceId: z.string().optional(), InstanceType: z.string().optional(), LifecycleState: z.string().optional() })).optional(),
  Tags: z
    .array(z.looseObject({ Key: z.string().optional(), Value: z.string().optional(), ResourceId: z.string().optional(), PropagateAtLaunch: z.boolean().optional() }))
    .optional(),
});
export type AutoScalingGroup = z.infer<typeof autoScalingGroup>;

/** EKS DescribeAddon().addon. */
export const eksAddon = z.looseObject({
  addonName: z.string().optional(),
  addonVersion: z.string().optional(),
  status: z.string().optional(),
});

export const collectionError = z.looseObject({
  source: z.string(),
  code: z.string(),
  message: z.string(),
});
export type CollectionError = z.infer<typeof collectionError>;

export const CALICO_API_GROUPS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'] as const;
export type CalicoApiGroup = (typeof CALICO_API_GROUPS)[number];

export const snapshotSchema = z.looseObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  collectedAt: z.iso.datetime({ offset: true }),
  collector: z.looseObject({ name: z.string(), version: z.string() }),
  target: z.looseObject(clusterTargetSchema.shape),
  aws: z.looseObject({
    cluster: eksCluster.nullish(),
    nodegroups: collected(eksNodegroup),
    addons: collected(eksAddon),
    instances: collected(ec2Instance),
    securityGroups: collected(ec2SecurityGroup),
    subnets: collected(ec2Subnet),
    routeTables: collected(ec2RouteTable),
    vpc: ec2Vpc.nullish(),
    autoScalingGroups: collected(autoScalingGroup),
  }),
  kubernetes: z.looseObject({
    serverVersion: z
      .looseObject({ major: z.string().optional(), minor: z.string().optional(), gitVersion: z.string().optional() })
      .nullish(),
    nodes: collected(kubeObject),
    namespaces: collected(kubeObject),
    pods: collected(kubeObject),
    networkPolicies: collected(kubeObject),
    daemonSets: collected(kubeObject),
    deployments: collected(kubeObject),
    podDisruptionBudgets: collected(kubeObject),
    configMaps: collected(kubeObject),
    // Added after version 1 shipped: absent from older snapshots (read as not collected).
    services: collected(kubeObject),
    endpointSlices: collected(kubeObject),
    adminNetworkPolicies: collected(kubeObject),
    baselineAdminNetworkPolicies: collected(kubeObject),
    karpenterNodePools: collected(kubeObject),
  }),
  calico: z.looseObject({
    apiGroup: z.enum(CALICO_API_GROUPS).nullish(),
    installation: kubeObject.nullish(),
    clusterInformations: collected(kubeObject),
    ippools: collected(kubeObject),
    ipamBlocks: collected(kubeObject),
    bgpConfigurations: collected(kubeObject),
    bgpPeers: collected(kubeObject),
    felixConfigurations: collected(kubeObject),
    kubeControllersConfigurations: collected(kubeObject),
    tiers: collected(kubeObject),
    globalNetworkPolicies: collected(kubeObject),
    networkPolicies: collected(kubeObject),
    globalNetworkSets: collected(kubeObject),
    networkSets: collected(kubeObject),
    hostEndpoints: collected(kubeObject),
    stagedGlobalNetworkPolicies: collected(kubeObject),
    stagedNetworkPolicies: collected(kubeObject),
    stagedKubernetesNetworkPolicies: collected(kubeObject),
  }),
  errors: z.array(collectionError),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
