/** The labels a node carries: what kubelet, EKS and the AWS cloud provider set, then the plan's own. Calico picks a node's IP pool by them. */
import type { Cluster, NodeInfo } from '../cluster.js';
import { awsId, hexOf } from '../deterministic.js';
import { instanceType } from '../reference-data.js';

export function nodeLabels(cluster: Cluster, node: NodeInfo): Record<string, string> {
  const { plan } = cluster;
  const az = node.subnet.plan.az;
  const type = node.nodegroup.instanceType;
  const capacity = node.nodegroup.capacityType ?? 'ON_DEMAND';
  const kind = node.nodegroup.kind ?? 'managed';
  const os = node.nodegroup.os ?? 'linux';
  // EKS labels managed nodes with their group; Karpenter labels its nodes with the NodePool; a self-managed node carries only its kubelet's --node-labels.
  const source: Record<string, string> =
    kind === 'managed'
      ? {
          'eks.amazonaws.com/capacityType': capacity,
          'eks.amazonaws.com/nodegroup': node.nodegroup.name,
          'eks.amazonaws.com/nodegroup-image': awsId('ami', `${plan.region}/al2023/${cluster.release.patch}`, 1),
          'eks.amazonaws.com/sourceLaunchTemplateId': awsId('lt', cluster.scope, plan.nodegroups.indexOf(node.nodegroup) + 1),
          'eks.amazonaws.com/sourceLaunchTemplateVersion': '1',
        }
      : kind === 'karpenter'
        ? {
            'karpenter.k8s.aws/ec2nodeclass': 'default',
            'karpenter.k8s.aws/instance-category': type.split('.')[0]!.replace(/\d.*$/, ''),
            'karpenter.k8s.aws/instance-cpu': String(instanceType(type).vcpu),
            'karpenter.k8s.aws/instance-family': type.split('.')[0]!,
            'karpenter.k8s.aws/instance-size': type.split('.')[1]!,
            'karpenter.sh/capacity-type': capacity === 'SPOT' ? 'spot' : 'on-demand',
            'karpenter.sh/initialized': 'true',
            'karpenter.sh/nodepool': node.nodegroup.name,
            'karpenter.sh/registered': 'true',
          }
        : {};
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': type,
    'beta.kubernetes.io/os': os,
    ...source,
    ...(node.nodegroup.labels ?? {}),
    'failure-domain.beta.kubernetes.io/region': plan.region,
    'failure-domain.beta.kubernetes.io/zone': az,
    'k8s.io/cloud-provider-aws': hexOf(cluster.seed('cloud-provider-aws'), 32),
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': os,
    'node.kubernetes.io/instance-type': type,
    'topology.ebs.csi.aws.com/zone': az,
    'topology.k8s.aws/zone-id': node.subnet.plan.azId,
    'topology.kubernetes.io/region': plan.region,
    'topology.kubernetes.io/zone': az,
    ...(node.plan.labels ?? {}),
  };
}
