/**
 * EC2 objects as the AWS SDK v3 `Describe*` calls return them: the nodes' instances and their
 * interfaces, the security groups, subnets, route tables and VPC. Also the VPC CNI's secondary
 * addresses, which live on the instances' interfaces.
 */
import type { Cluster, NodeInfo } from '../cluster.js';
import { awsId, awsTime, hexOf, uuidOf } from '../deterministic.js';
import { intToIp, parseCidr, privateDnsName } from '../ipv4.js';
import type { Json, SgRulePlan } from '../plan.js';
import { instanceType } from '../reference-data.js';

/** VPC CNI: the primary ENI keeps its primary address; ipamd hands out the secondaries in order. */
export function prepareEniAddresses(node: NodeInfo): void {
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

/** VPC CNI: a pod's address, the node's next unused secondary address. */
export function allocateEniAddress(node: NodeInfo, namespace: string, name: string): string {
  if (!node.eniAddresses.length) prepareEniAddresses(node);
  const secondaries = node.eniAddresses.flat().slice(1);
  const address = secondaries[node.nextEniAddress++];
  if (!address) throw new Error(`node ${node.name} has no free VPC CNI address for ${namespace}/${name}`);
  return address;
}

/** VPC CNI in an IPv6 cluster: a pod's address comes from the node's delegated /80 prefix. */
export function allocateIpv6PodAddress(node: NodeInfo): string {
  if (!node.ipv6Prefix) throw new Error(`node ${node.name} has no IPv6 prefix`);
  return `${node.ipv6Prefix.split('::/')[0]}::${(node.nextIpv6Pod++).toString(16)}`;
}

function clusterTags(cluster: Cluster): Array<{ Key: string; Value: string }> {
  return [{ Key: `kubernetes.io/cluster/${cluster.plan.name}`, Value: 'owned' }];
}

export function instanceObject(cluster: Cluster, node: NodeInfo): Json {
  const { plan } = cluster;
  const info = instanceType(node.nodegroup.instanceType);
  const nodegroupIndex = plan.nodegroups.indexOf(node.nodegroup) + 1;
  const launch = awsTime(node.launchMs);
  const extra = node.plan.extraGroups ? node.plan.extraGroups.map((i) => cluster.groups.extra[i]!) : cluster.groups.extra;
  const groups = [cluster.groups.node, ...extra].map((g) => ({ GroupId: g.id, GroupName: g.name }));
  const kind = node.nodegroup.kind ?? 'managed';
  const asgName = cluster.asgName(node.nodegroup);
  const mac = (i: number) => ['06', ...hexOf(cluster.seed('mac', node.name, String(i)), 10).match(/../g)!].join(':');
  const eniAddresses = cluster.calico?.cni === 'Calico' ? [[node.ip]] : node.eniAddresses.length ? node.eniAddresses : [[node.ip]];
  const interfaces = eniAddresses.map((addresses, deviceIndex) => {
    const eniId = awsId('eni', cluster.scope, node.index * 4 + deviceIndex + 1);
    return {
      Attachment: {
        AttachTime: awsTime(node.launchMs + (deviceIndex ? 95_000 : 0)),
        AttachmentId: awsId('eni-attach', cluster.scope, node.index * 4 + deviceIndex + 1),
        DeleteOnTermination: true,
        DeviceIndex: deviceIndex,
        Status: 'attached',
        NetworkCardIndex: 0,
      },
      Description: deviceIndex ? `aws-K8S-${node.instanceId}` : '',
      Groups: groups,
      Ipv6Addresses: deviceIndex === 0 && node.ipv6 ? [{ Ipv6Address: node.ipv6, IsPrimaryIpv6: false }] : [],
      ...(deviceIndex === 0 && node.ipv6Prefix ? { Ipv6Prefixes: [{ Ipv6Prefix: node.ipv6Prefix }] } : {}),
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
      VpcId: cluster.vpcId,
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
        Ebs: { AttachTime: launch, DeleteOnTermination: true, Status: 'attached', VolumeId: awsId('vol', cluster.scope, node.index + 1) },
      },
    ],
    BootMode: 'uefi-preferred',
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    ClientToken: `fleet-${uuidOf(cluster.seed('fleet', node.name))}`,
    CpuOptions: { CoreCount: info.vcpu / 2, ThreadsPerCore: 2 },
    CurrentInstanceBootMode: 'legacy-bios',
    EbsOptimized: true,
    EnaSupport: true,
    EnclaveOptions: { Enabled: false },
    HibernationOptions: { Configured: false },
    Hypervisor: 'xen',
    IamInstanceProfile: {
      Arn: `arn:aws:iam::${plan.accountId}:instance-profile/eks-${uuidOf(cluster.seed('profile', node.nodegroup.name))}`,
      Id: `AIPA${hexOf(cluster.seed('profile-id', node.nodegroup.name), 17).toUpperCase()}`,
    },
    ImageId: awsId('ami', `${plan.region}/al2023/${cluster.release.patch}`, 1),
    InstanceId: node.instanceId,
    InstanceType: node.nodegroup.instanceType,
    LaunchTime: launch,
    MaintenanceOptions: { AutoRecovery: 'default', RebootMigration: 'default' },
    MetadataOptions: {
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: node.ipv6 ? 'enabled' : 'disabled',
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
    Tags: instanceTags(cluster, node, kind, asgName, nodegroupIndex),
    UsageOperation: 'RunInstances',
    UsageOperationUpdateTime: launch,
    VirtualizationType: 'hvm',
    VpcId: cluster.vpcId,
    ...(node.ipv6 ? { Ipv6Address: node.ipv6 } : {}),
  };
}

/** The tags each kind of node group puts on its instances: EKS's, the Auto Scaling group's, or Karpenter's. */
function instanceTags(cluster: Cluster, node: NodeInfo, kind: string, asgName: string, nodegroupIndex: number): Array<{ Key: string; Value: string }> {
  const { plan } = cluster;
  if (kind === 'karpenter') {
    const claim = `${node.nodegroup.name}-${kubeSuffixOf(cluster, node)}`;
    return [
      { Key: 'aws:ec2:fleet-id', Value: `fleet-${uuidOf(cluster.seed('fleet-id', node.name))}` },
      { Key: 'aws:ec2launchtemplate:id', Value: awsId('lt', cluster.scope, nodegroupIndex) },
      { Key: 'aws:ec2launchtemplate:version', Value: '1' },
      { Key: 'eks:eks-cluster-name', Value: plan.name },
      { Key: 'karpenter.k8s.aws/ec2nodeclass', Value: 'default' },
      { Key: 'karpenter.sh/nodeclaim', Value: claim },
      { Key: 'karpenter.sh/nodepool', Value: node.nodegroup.name },
      ...clusterTags(cluster),
      { Key: 'Name', Value: claim },
    ];
  }
  if (kind === 'self-managed') {
    return [
      { Key: 'aws:autoscaling:groupName', Value: asgName },
      { Key: 'aws:ec2launchtemplate:id', Value: awsId('lt', cluster.scope, nodegroupIndex) },
      { Key: 'aws:ec2launchtemplate:version', Value: '1' },
      ...clusterTags(cluster),
      { Key: 'Name', Value: `${plan.name}-${node.nodegroup.name}` },
    ];
  }
  return [
    { Key: 'aws:autoscaling:groupName', Value: asgName },
    { Key: 'aws:ec2:fleet-id', Value: `fleet-${uuidOf(cluster.seed('fleet-id', node.nodegroup.name))}` },
    { Key: 'aws:ec2launchtemplate:id', Value: awsId('lt', cluster.scope, nodegroupIndex) },
    { Key: 'aws:ec2launchtemplate:version', Value: '1' },
    { Key: 'aws:eks:cluster-name', Value: plan.name },
    { Key: 'eks:cluster-name', Value: plan.name },
    { Key: 'eks:nodegroup-name', Value: node.nodegroup.name },
    { Key: 'k8s.io/cluster-autoscaler/enabled', Value: 'true' },
    { Key: `k8s.io/cluster-autoscaler/${plan.name}`, Value: 'owned' },
    ...clusterTags(cluster),
    { Key: 'Name', Value: `${plan.name}-${node.nodegroup.name}` },
  ];
}

/** The five-character suffix Karpenter gives a NodeClaim (and its node), derived from the node. */
export const kubeSuffixOf = (cluster: Cluster, node: NodeInfo): string => hexOf(cluster.seed('nodeclaim', node.name), 5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!);

/**
 * The Auto Scaling groups tagged with the cluster, as DescribeAutoScalingGroups returns them: the
 * groups EKS creates behind managed node groups (tagged `eks:nodegroup-name`) and self-managed ones.
 */
export function autoScalingGroupObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  return plan.nodegroups
    .filter((ng) => (ng.kind ?? 'managed') !== 'karpenter')
    .map((ng) => {
      const index = plan.nodegroups.indexOf(ng) + 1;
      const name = cluster.asgName(ng);
      const managed = (ng.kind ?? 'managed') === 'managed';
      const tag = (Key: string, Value: string) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: true });
      const template = { LaunchTemplateId: awsId('lt', cluster.scope, index), LaunchTemplateName: `${plan.name}-${ng.name}`, Version: '1' };
      const members = cluster.nodes.filter((n) => n.nodegroup === ng);
      return {
        AutoScalingGroupName: name,
        AutoScalingGroupARN: `arn:aws:autoscaling:${plan.region}:${plan.accountId}:autoScalingGroup:${uuidOf(cluster.seed('asg-id', ng.name))}:autoScalingGroupName/${name}`,
        ...(managed
          ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: template, Overrides: [{ InstanceType: ng.instanceType }] }, InstancesDistribution: { OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 100, SpotAllocationStrategy: 'lowest-price' } } }
          : { LaunchTemplate: template }),
        MinSize: ng.minSize,
        MaxSize: ng.maxSize,
        DesiredCapacity: ng.desiredSize,
        DefaultCooldown: 300,
        AvailabilityZones: [...new Set(ng.subnets.map((i) => cluster.subnets[i]!.plan.az))].sort(),
        LoadBalancerNames: [],
        TargetGroupARNs: [],
        HealthCheckType: 'EC2',
        HealthCheckGracePeriod: managed ? 15 : 300,
        Instances: members.map((n) => ({
          InstanceId: n.instanceId,
          InstanceType: ng.instanceType,
          AvailabilityZone: n.subnet.plan.az,
          LifecycleState: 'InService',
          HealthStatus: 'Healthy',
          LaunchTemplate: template,
          ProtectedFromScaleIn: false,
        })),
        CreatedTime: awsTime(cluster.clusterCreatedMs + 14 * 60_000 + index * 61_000),
        SuspendedProcesses: [],
        VPCZoneIdentifier: ng.subnets.map((i) => cluster.subnets[i]!.id).join(','),
        EnabledMetrics: [],
        Tags: [
          ...(managed
            ? [tag('eks:cluster-name', plan.name), tag('eks:nodegroup-name', ng.name), tag('k8s.io/cluster-autoscaler/enabled', 'true'), tag(`k8s.io/cluster-autoscaler/${plan.name}`, 'owned')]
            : Object.entries(ng.labels ?? {}).map(([key, value]) => ({ ...tag(`k8s.io/cluster-autoscaler/node-template/label/${key}`, value), PropagateAtLaunch: false }))),
          tag(`kubernetes.io/cluster/${plan.name}`, 'owned'),
          tag('Name', `${plan.name}-${ng.name}`),
        ].sort((a, b) => (a.Key < b.Key ? -1 : 1)),
        TerminationPolicies: managed ? ['AllocationStrategy', 'OldestLaunchTemplate', 'OldestInstance'] : ['Default'],
        NewInstancesProtectedFromScaleIn: false,
        ServiceLinkedRoleARN: `arn:aws:iam::${plan.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
        CapacityRebalance: managed,
        TrafficSources: [],
      };
    });
}

export function securityGroupObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  const owner = plan.accountId;
  const egressAll = [
    {
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'Allow all egress' }],
      Ipv6Ranges: plan.ipv6 ? [{ CidrIpv6: '::/0', Description: 'Allow all egress' }] : [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
  ];
  /** AWS merges the sources of rules with the same protocol and ports into one permission. */
  const permissions = (selfId: string, rules: SgRulePlan[]): Json[] => {
    const merged = new Map<string, Json & { IpRanges: Json[]; Ipv6Ranges: Json[]; UserIdGroupPairs: Json[] }>();
    for (const rule of rules) {
      const key = `${rule.protocol}/${rule.from ?? ''}/${rule.to ?? ''}`;
      let permission = merged.get(key);
      if (!permission) {
        const ports = rule.protocol === '-1' || rule.protocol === '4' ? {} : { FromPort: rule.from ?? -1, ToPort: rule.to ?? rule.from ?? -1 };
        permission = { ...ports, IpProtocol: rule.protocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
        merged.set(key, permission);
      }
      if (rule.peer === 'self' || rule.peer === 'cluster') {
        const groupId = rule.peer === 'self' ? selfId : cluster.groups.additional.id;
        permission.UserIdGroupPairs.push({ Description: rule.description, GroupId: groupId, UserId: owner });
      } else if (rule.peer.includes(':')) {
        permission.Ipv6Ranges.push({ CidrIpv6: rule.peer, Description: rule.description });
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
    VpcId: cluster.vpcId,
    SecurityGroupArn: `arn:aws:ec2:${plan.region}:${owner}:security-group/${id}`,
  });
  const { cluster: clusterGroup, additional, node, extra } = cluster.groups;
  return [
    group(
      clusterGroup.id,
      clusterGroup.name,
      'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
      [{ IpProtocol: '-1', IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: clusterGroup.id, UserId: owner }] }],
      [
        { Key: 'Name', Value: clusterGroup.name },
        { Key: 'aws:eks:cluster-name', Value: plan.name },
        ...clusterTags(cluster),
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
      ...clusterTags(cluster),
    ]),
    ...extra.map((g) => group(g.id, g.name, g.plan.description, permissions(g.id, g.plan.rules), [{ Key: 'Name', Value: `${plan.name}-${g.plan.suffix}` }])),
  ];
}

export function subnetObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  return cluster.subnets.map((subnet) => ({
    AvailabilityZoneId: subnet.plan.azId,
    MapCustomerOwnedIpOnLaunch: false,
    OwnerId: plan.accountId,
    AssignIpv6AddressOnCreation: !!subnet.plan.ipv6Cidr,
    Ipv6CidrBlockAssociationSet: subnet.plan.ipv6Cidr
      ? [{ AssociationId: awsId('subnet-cidr-assoc', cluster.scope, subnet.index + 1), Ipv6CidrBlock: subnet.plan.ipv6Cidr, Ipv6CidrBlockState: { State: 'associated' }, Ipv6AddressAttribute: 'public', IpSource: 'amazon' }]
      : [],
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
    VpcId: cluster.vpcId,
    CidrBlock: subnet.plan.cidr,
    // Five addresses per subnet are AWS's; the rest of the used ones are node and pod ENI addresses.
    AvailableIpAddressCount: parseCidr(subnet.plan.cidr).size - 5 - subnet.used.size,
    AvailabilityZone: subnet.plan.az,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
  }));
}

export function routeTableObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  return cluster.subnets.map((subnet) => ({
    Associations: [
      {
        Main: false,
        RouteTableAssociationId: awsId('rtbassoc', cluster.scope, subnet.index + 1),
        RouteTableId: subnet.routeTableId,
        SubnetId: subnet.id,
        AssociationState: { State: 'associated' },
      },
    ],
    PropagatingVgws: [],
    RouteTableId: subnet.routeTableId,
    Routes: [
      { DestinationCidrBlock: plan.vpcCidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      ...(plan.ipv6 ? [{ DestinationIpv6CidrBlock: plan.ipv6.vpcCidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }] : []),
      ...(plan.s3GatewayEndpoint
        ? [{ DestinationPrefixListId: 'pl-7ca54015', GatewayId: awsId('vpce', cluster.scope, 1), Origin: 'CreateRoute', State: 'active' }]
        : []),
      { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: subnet.natGatewayId, Origin: 'CreateRoute', State: 'active' },
      ...(plan.ipv6 ? [{ DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: awsId('eigw', cluster.scope, 1), Origin: 'CreateRoute', State: 'active' }] : []),
    ],
    Tags: [{ Key: 'Name', Value: `${plan.name}-private-${subnet.plan.az}` }],
    VpcId: cluster.vpcId,
    OwnerId: plan.accountId,
  }));
}

export function vpcObject(cluster: Cluster): Json {
  const { plan } = cluster;
  return {
    OwnerId: plan.accountId,
    InstanceTenancy: 'default',
    CidrBlockAssociationSet: [
      { AssociationId: awsId('vpc-cidr-assoc', cluster.scope, 1), CidrBlock: plan.vpcCidr, CidrBlockState: { State: 'associated' } },
    ],
    ...(plan.ipv6
      ? {
          Ipv6CidrBlockAssociationSet: [
            {
              AssociationId: awsId('vpc-cidr-assoc', cluster.scope, 100),
              Ipv6CidrBlock: plan.ipv6.vpcCidr,
              Ipv6CidrBlockState: { State: 'associated' },
              NetworkBorderGroup: plan.region,
              Ipv6Pool: 'Amazon',
              Ipv6AddressAttribute: 'public',
              IpSource: 'amazon',
            },
          ],
        }
      : {}),
    IsDefault: false,
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    Tags: [{ Key: 'Name', Value: plan.name }],
    VpcId: cluster.vpcId,
    State: 'available',
    CidrBlock: plan.vpcCidr,
    DhcpOptionsId: awsId('dopt', cluster.scope, 1),
  };
}
