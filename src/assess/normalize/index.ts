/** Snapshot → normalised cluster model: the single place raw API shapes are read. */
import type { KubeObject, Snapshot } from '../../snapshot/schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../../snapshot/sources.js';
import type { ClusterModel, Policy } from '../model.js';
import {
  isConvertedKubernetesPolicy,
  normalizeBgpConfiguration,
  normalizeBgpPeer,
  normalizeCalicoPolicy,
  normalizeFelix,
  normalizeFelixNodes,
  normalizeIpamBlock,
  normalizeIpPool,
  normalizeKubernetesPolicy,
  normalizeTier,
} from './calico.js';
import { detectInstall } from './install.js';
import { findComponents, normalizeNamespace, normalizeNode, normalizePod } from './kubernetes.js';
import { normalizeAutoScalingGroup, normalizeKarpenterNodePool } from './growth.js';
import { integer, labelMap, strings, text } from './read.js';

/** Maps a list that may not have been collected; `undefined` (an older collector) counts as not collected. */
const each = <T>(items: KubeObject[] | null | undefined, convert: (item: KubeObject) => T): T[] | null =>
  items == null ? null : items.map(convert);

const hasError = (snapshot: Snapshot, source: string) => snapshot.errors.some((e) => e.source === source);

export function normalize(snapshot: Snapshot): ClusterModel {
  const { aws, kubernetes: kube, calico } = snapshot;

  const configMaps = kube.configMaps ?? null;
  const components =
    kube.daemonSets != null && kube.deployments != null
      ? findComponents(kube.daemonSets, kube.deployments, kube.podDisruptionBudgets ?? null, configMaps ?? [])
      : null;

  const felix =
    calico.felixConfigurations != null ? normalizeFelix(calico.felixConfigurations, components?.calicoNode?.env ?? {}) : null;
  const felixNodes =
    calico.felixConfigurations != null ? normalizeFelixNodes(calico.felixConfigurations, components?.calicoNode?.env ?? {}) : null;
  const tiers = each(calico.tiers, normalizeTier);

  const calicoListsMissing = [calico.ippools, calico.felixConfigurations, calico.clusterInformations].every((l) => l == null);
  const installationUnread = calico.installation == null && hasError(snapshot, SNAPSHOT_SOURCES['calico.installation']);
  const install = detectInstall({
    apiGroup: calico.apiGroup ?? null,
    installation: installationUnread ? undefined : (calico.installation ?? null),
    components,
    configMaps,
    clusterInformations: calico.clusterInformations ?? null,
    tierNames: tiers?.map((t) => t.name) ?? null,
    felix,
    calicoListsMissing,
  });

  // Calico policies and Kubernetes policies form one list: policy rules see everything enforced.
  let policies: Policy[] | null = null;
  if (calico.globalNetworkPolicies != null && calico.networkPolicies != null && kube.networkPolicies != null) {
    policies = [
      ...calico.globalNetworkPolicies.map((p) => normalizeCalicoPolicy(p, 'GlobalNetworkPolicy')),
      ...calico.networkPolicies.filter((p) => !isConvertedKubernetesPolicy(p)).map((p) => normalizeCalicoPolicy(p, 'NetworkPolicy')),
      ...kube.networkPolicies.map(normalizeKubernetesPolicy),
    ];
  }

  const vpc = aws.vpc ?? null;
  const vpcCidrs = vpc
    ? [...new Set([vpc.CidrBlock, ...(vpc.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter((c): c is string => !!c))]
    : null;

  return {
    target: { ...snapshot.target },
    collectedAt: snapshot.collectedAt,
    apiGroup: calico.apiGroup ?? null,
    kubernetesVersion: kubernetesVersion(snapshot),

    eks: aws.cluster ?? null,
    nodegroups:
      aws.nodegroups?.map((ng) => ({
        name: ng.nodegroupName ?? '(unnamed)',
        maxSize: integer(ng.scalingConfig?.maxSize) ?? null,
        desiredSize: integer(ng.scalingConfig?.desiredSize) ?? null,
        instanceTypes: strings(ng.instanceTypes),
        labels: labelMap(ng.labels),
        autoScalingGroups: (ng.resources?.autoScalingGroups ?? []).map((g) => g.name).filter((n): n is string => !!n),
      })) ?? null,
    autoScalingGroups: aws.autoScalingGroups?.map(normalizeAutoScalingGroup) ?? null,
    autoMode: aws.cluster ? { enabled: aws.cluster.computeConfig?.enabled === true, nodePools: strings(aws.cluster.computeConfig?.nodePools) } : null,
    ipFamily: ipFamilyOf(aws.cluster?.kubernetesNetworkConfig?.ipFamily),
    instances: aws.instances ?? null,
    securityGroups: aws.securityGroups ?? null,
    subnets: aws.subnets ?? null,
    routeTables: aws.routeTables ?? null,
    vpcCidrs,
    vpcId: vpc?.VpcId ?? aws.cluster?.resourcesVpcConfig?.vpcId ?? null,

    nodes: each(kube.nodes, normalizeNode),
    karpenterNodePools: each(kube.karpenterNodePools, normalizeKarpenterNodePool),
    namespaces: each(kube.namespaces, normalizeNamespace),
    pods: each(kube.pods, normalizePod),
    components,
    install,

    ippools: each(calico.ippools, normalizeIpPool),
    ipamBlocks: each(calico.ipamBlocks, normalizeIpamBlock),
    bgpConfiguration: calico.bgpConfigurations != null ? normalizeBgpConfiguration(calico.bgpConfigurations) : null,
    bgpPeers: each(calico.bgpPeers, normalizeBgpPeer),
    felix,
    felixNodes,
    tiers,
    policies,
    hostEndpointCount: calico.hostEndpoints?.length ?? null,

    errors: snapshot.errors,
    notCollected: notCollected(snapshot),
  };
}

function notCollected(snapshot: Snapshot): SnapshotField[] {
  return (Object.keys(SNAPSHOT_SOURCES) as SnapshotField[]).filter((field) => {
    const [section, key] = field.split('.') as [keyof Snapshot, string];
    const value = (snapshot[section] as Record<string, unknown> | undefined)?.[key];
    // A manifest install has no Installation: null there means "none" unless its read failed.
    if (field === 'calico.installation') return value == null && hasError(snapshot, SNAPSHOT_SOURCES[field]);
    return value == null;
  });
}

const ipFamilyOf = (value: string | undefined): 'ipv4' | 'ipv6' | null => {
  const family = value?.toLowerCase();
  return family === 'ipv4' || family === 'ipv6' ? family : null;
};

/** `1.31` from the API server's version, else from the EKS cluster. */
function kubernetesVersion(snapshot: Snapshot): string | null {
  const server = snapshot.kubernetes.serverVersion;
  const major = text(server?.major)?.replace(/\D/g, '');
  const minor = text(server?.minor)?.replace(/\D/g, '');
  if (major && minor) return `${major}.${minor}`;
  return text(snapshot.aws.cluster?.version) ?? null;
}
