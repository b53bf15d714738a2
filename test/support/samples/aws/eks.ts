/** EKS objects as the AWS SDK v3 returns them: `DescribeCluster().cluster`, the node groups and the add-ons. */
import type { Cluster } from '../cluster.js';
import { awsId, awsTime, DAY, hexOf, kubeTime, MINUTE, numberOf, uuidOf } from '../deterministic.js';
import type { Json } from '../plan.js';
import { ALL_LOG_TYPES } from '../reference-data.js';

export function eksClusterObject(cluster: Cluster): Json {
  const { plan } = cluster;
  const eks = plan.eks;
  const created = awsTime(cluster.clusterCreatedMs);
  const oidc = hexOf(cluster.seed('oidc'), 32).toUpperCase();
  const disabled = ALL_LOG_TYPES.filter((t) => !eks.logTypes.includes(t));
  return {
    name: plan.name,
    arn: `${cluster.arnPrefix}:cluster/${plan.name}`,
    createdAt: created,
    version: eks.version,
    endpoint: `https://${oidc}.gr7.${plan.region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${plan.accountId}:role/${plan.name}-cluster-${kubeTime(cluster.clusterCreatedMs).replace(/\D/g, '')}00000001`,
    resourcesVpcConfig: {
      subnetIds: cluster.subnets.map((s) => s.id),
      securityGroupIds: [cluster.groups.additional.id],
      clusterSecurityGroupId: cluster.groups.cluster.id,
      vpcId: cluster.vpcId,
      endpointPublicAccess: eks.endpointPublicAccess,
      endpointPrivateAccess: eks.endpointPrivateAccess,
      // EKS reports the CIDRs even when the public endpoint is off.
      publicAccessCidrs: eks.publicAccessCidrs,
    },
    // An IPv6 cluster reports its IPv6 service range (EKS picks it from fd00::/8) and ipFamily ipv6.
    kubernetesNetworkConfig: plan.ipv6
      ? { serviceIpv6Cidr: plan.ipv6.serviceCidr, ipFamily: 'ipv6', elasticLoadBalancing: { enabled: false } }
      : { serviceIpv4Cidr: eks.serviceCidr, ipFamily: 'ipv4', elasticLoadBalancing: { enabled: false } },
    logging: {
      clusterLogging: [
        ...(eks.logTypes.length ? [{ types: eks.logTypes, enabled: true }] : []),
        ...(disabled.length ? [{ types: disabled, enabled: false }] : []),
      ],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${plan.region}.amazonaws.com/id/${oidc}` } },
    status: 'ACTIVE',
    clientRequestToken: uuidOf(cluster.seed('client-request-token')),
    platformVersion: cluster.release.platformVersion,
    tags: { 'terraform-aws-modules': 'eks' },
    ...(eks.kms
      ? { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${plan.region}:${plan.accountId}:key/${uuidOf(cluster.seed('kms'))}` } }] }
      : {}),
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    upgradePolicy: { supportType: 'EXTENDED' },
  };
}

export function nodegroupObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  // Only managed node groups are EKS node groups; self-managed groups and NodePools are not listed.
  return plan.nodegroups.filter((ng) => (ng.kind ?? 'managed') === 'managed').map((ng, i) => {
    const id = uuidOf(cluster.seed('nodegroup', ng.name));
    const created = awsTime(cluster.clusterCreatedMs + 14 * MINUTE + i * 61_000);
    return {
      nodegroupName: ng.name,
      nodegroupArn: `${cluster.arnPrefix}:nodegroup/${plan.name}/${ng.name}/${id}`,
      clusterName: plan.name,
      version: plan.eks.version,
      releaseVersion: `${cluster.release.patch}-${cluster.release.amiRelease}`,
      createdAt: created,
      modifiedAt: awsTime(cluster.now - 9 * DAY - numberOf(cluster.seed('ng-modified', ng.name), DAY)),
      status: 'ACTIVE',
      capacityType: ng.capacityType ?? 'ON_DEMAND',
      scalingConfig: { minSize: ng.minSize, maxSize: ng.maxSize, desiredSize: ng.desiredSize },
      instanceTypes: [ng.instanceType],
      subnets: ng.subnets.map((s) => cluster.subnets[s]!.id),
      amiType: 'AL2023_x86_64_STANDARD',
      nodeRole: `arn:aws:iam::${plan.accountId}:role/${ng.name}-eks-node-group-${kubeTime(cluster.clusterCreatedMs).replace(/\D/g, '')}00000002`,
      labels: ng.labels ?? {},
      resources: { autoScalingGroups: [{ name: cluster.asgName(ng) }] },
      health: { issues: [] },
      updateConfig: { maxUnavailablePercentage: 33 },
      launchTemplate: { name: `${ng.name}-${kubeTime(cluster.clusterCreatedMs).replace(/\D/g, '')}`, version: '1', id: awsId('lt', cluster.scope, i + 1) },
      tags: { Name: `${plan.name}-${ng.name}` },
    };
  });
}

export function addonObjects(cluster: Cluster): Json[] {
  const { plan } = cluster;
  const addons: Array<[string, string]> = [
    ['aws-ebs-csi-driver', 'v1.51.1-eksbuild.1'],
    ['coredns', cluster.release.coredns],
    ['eks-pod-identity-agent', 'v1.3.9-eksbuild.3'],
    ['kube-proxy', cluster.release.kubeProxy],
  ];
  if (cluster.calico?.cni !== 'Calico') addons.push(['vpc-cni', 'v1.20.4-eksbuild.2']);
  return addons.map(([name, version]) => ({
    addonName: name,
    clusterName: plan.name,
    status: 'ACTIVE',
    addonVersion: version,
    health: { issues: [] },
    addonArn: `${cluster.arnPrefix}:addon/${plan.name}/${name}/${uuidOf(cluster.seed('addon', name))}`,
    createdAt: awsTime(cluster.clusterCreatedMs + 20 * MINUTE),
    modifiedAt: awsTime(cluster.now - 12 * DAY - numberOf(cluster.seed('addon-modified', name), DAY)),
    tags: {},
  }));
}
