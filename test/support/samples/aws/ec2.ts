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

function clusterTags(cluster: Cluster): Array<{ Key: string; Value: string }> {
  return [{ Key: `kubernetes.io/cluster/${cluster.plan.name}`, Value: 'owned' }];
}

export function instanceObject(cluster: Cluster, node: NodeInfo): Json {
  const { plan } = cluster;
  const info = instanceType(node.nodegroup.instanceType);
  const nodegroupIndex = plan.nodegroups.indexOf(node.nodegroup) + 1;
  const launch = awsTime(node.launchMs);
  const groups = [cluster.groups.node, ...cluster.groups.extra].map((g) => ({ GroupId: g.id, GroupName: g.name }));
  const asgName = `eks-${node.nodegroup.name}-${uuidOf(cluster.seed('nodegroup', node.nodegroup.name)).replaceAll('-', '').slice(0, 8)}-${uuidOf(cluster.seed('asg', node.nodegroup.name))}`;
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
    ],
    UsageOperation: 'RunInstances',
    UsageOperationUpdateTime: launch,
    VirtualizationType: 'hvm',
    VpcId: cluster.vpcId,
  };
}

export function securityGroupObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
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
        const groupId = rule.peer === 'self' ? selfId : cluster.groups.additional.id;
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
      ...(plan.s3GatewayEndpoint
        ? [{ DestinationPrefixListId: 'pl-7ca54015', GatewayId: awsId('vpce', cluster.scope, 1), Origin: 'CreateRoute', State: 'active' }]
        : []),
      { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: subnet.natGatewayId, Origin: 'CreateRoute', State: 'active' },
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
    IsDefault: false,
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    Tags: [{ Key: 'Name', Value: plan.name }],
    VpcId: cluster.vpcId,
    State: 'available',
    CidrBlock: plan.vpcCidr,
    DhcpOptionsId: awsId('dopt', cluster.scope, 1),
  };
}
