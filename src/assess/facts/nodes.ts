/** Nodes: each node joined with its EC2 instance, subnet, Calico annotations and IPAM blocks. */
import type { ClusterModel } from '../model.js';
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
  /** The node's IPv6 address (IPv6 and dual-stack clusters): its InternalIP, else its instance's primary IPv6 address. */
  ipv6Address: string | null;
  /** Calico's own record of the node address (annotation), with prefix length. */
  calicoAddress: string | null;
  srcDstCheck: boolean | null;
  securityGroupIds: string[];
  tunnelAddress: string | null;
  podBlocks: string[];
  routeReflector: boolean;
  ready: boolean | null;
  nodegroup: string | null;
  /** `linux`, `windows`, or null when the node does not say. */
  os: string | null;
  /** The source of nodes it belongs to (`managed node group/workers`, `Karpenter NodePool/default`): see growth facts. */
  group: string | null;
}

export const instanceSecurityGroups = (instance: NonNullable<ClusterModel['instances']>[number]): string[] => {
  const fromInterfaces = (instance.NetworkInterfaces ?? []).flatMap((eni) => (eni.Groups ?? []).map((g) => g.GroupId ?? ''));
  const fromInstance = (instance.SecurityGroups ?? []).map((g) => g.GroupId ?? '');
  return [...new Set([...fromInterfaces, ...fromInstance].filter(Boolean))];
};

export function nodeFacts(model: ClusterModel): NodeFact[] | null {
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
      ipv6Address: instance.Ipv6Address ?? primary?.Ipv6Addresses?.find((a) => a.IsPrimaryIpv6)?.Ipv6Address ?? primary?.Ipv6Addresses?.[0]?.Ipv6Address ?? null,
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
          ipv6Address: node.internalIpv6 ?? ec2?.ipv6Address ?? null,
          calicoAddress: node.calicoIPv4Address,
          srcDstCheck: ec2?.srcDstCheck ?? null,
          securityGroupIds: ec2?.securityGroupIds ?? [],
          tunnelAddress: node.vxlanTunnelAddress ?? node.ipipTunnelAddress ?? null,
          podBlocks: blocksByNode.get(node.name) ?? [],
          routeReflector: node.routeReflectorClusterId !== null,
          ready: node.ready,
          nodegroup: node.labels['eks.amazonaws.com/nodegroup'] ?? null,
          os: node.os,
          group: null,
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
        os: instance.Platform === 'windows' ? 'windows' : instance.PlatformDetails?.startsWith('Windows') ? 'windows' : null,
        group: null,
      };
    });
  }
  return null;
}
