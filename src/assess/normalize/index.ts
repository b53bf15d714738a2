/** Snapshot → normalised cluster model: the single place raw API shapes are read. */
import type { KubeObject, Snapshot } from '../../snapshot/schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../../snapshot/sources.js';
import type { ClusterModel, Policy, StagedPolicy, Tier } from '../model.js';
import { normalizeBgpConfiguration, normalizeBgpPeer, normalizeFelix, normalizeFelixNodes, normalizeIpamBlock, normalizeIpPool, normalizeTier } from './calico.js';
import { detectInstall } from './install.js';
import { findComponents, normalizeNamespace, normalizeNode, normalizePod, serviceEndpoints } from './kubernetes.js';
import {
  isConvertedKubernetesPolicy,
  normalizeAdminPolicy,
  normalizeCalicoPolicy,
  normalizeKubernetesPolicy,
  normalizeNetworkSet,
  normalizeStagedPolicy,
} from './policy.js';
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

  const { policies, policyGaps } = enforcedPolicies(snapshot, tiers);
  const staged = [calico.stagedGlobalNetworkPolicies, calico.stagedNetworkPolicies, calico.stagedKubernetesNetworkPolicies];
  const stagedSources = ['calico.stagedGlobalNetworkPolicies', 'calico.stagedNetworkPolicies', 'calico.stagedKubernetesNetworkPolicies'] as const;
  const stagedPolicies: StagedPolicy[] | null = staged.every((list, i) => list != null || apiAbsent(snapshot, stagedSources[i]!))
    ? staged.flatMap((list) => (list ?? []).map(normalizeStagedPolicy))
    : null;

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
    policyGaps,
    stagedPolicies,
    networkSets:
      calico.globalNetworkSets != null && calico.networkSets != null
        ? [...calico.globalNetworkSets.map((o) => normalizeNetworkSet(o, 'GlobalNetworkSet')), ...calico.networkSets.map((o) => normalizeNetworkSet(o, 'NetworkSet'))]
        : null,
    serviceEndpoints: kube.services != null && kube.endpointSlices != null ? serviceEndpoints(kube.services, kube.endpointSlices) : null,
    hostEndpointCount: calico.hostEndpoints?.length ?? null,

    errors: snapshot.errors,
    notCollected: notCollected(snapshot),
  };
}

/** A list whose API is not served (its CRDs are not installed): the collector's 404, recorded as `NotFound`. No object of it can exist. */
function apiAbsent(snapshot: Snapshot, field: SnapshotField): boolean {
  return snapshot.errors.some((e) => e.source === SNAPSHOT_SOURCES[field] && e.code === 'NotFound');
}

/** The tiers Calico creates for the Kubernetes admin policies it enforces, by kind. */
const ADMIN_TIERS = {
  adminNetworkPolicies: ['adminnetworkpolicy', 'kube-admin'],
  baselineAdminNetworkPolicies: ['baselineadminnetworkpolicy', 'kube-baseline'],
} as const;

/**
 * Every policy Calico enforces, in one list: Calico's own, Kubernetes NetworkPolicies, and the
 * Kubernetes admin policies. Calico creates the admin tiers when it enforces those kinds (3.29
 * on), so with the tiers listed and none of them present, admin policies are not enforced and
 * their lists are not needed; an admin API that is not served holds none. Any other list not
 * collected leaves the set unknown (`null`), naming the gap.
 */
function enforcedPolicies(snapshot: Snapshot, tiers: Tier[] | null): { policies: Policy[] | null; policyGaps: SnapshotField[] } {
  const { kubernetes: kube, calico } = snapshot;
  const gaps: SnapshotField[] = [];
  if (calico.globalNetworkPolicies == null) gaps.push('calico.globalNetworkPolicies');
  if (calico.networkPolicies == null) gaps.push('calico.networkPolicies');
  if (kube.networkPolicies == null) gaps.push('kubernetes.networkPolicies');
  const tierNames = tiers ? new Set(tiers.map((t) => t.name)) : null;
  const enforced = (tier: string) => tierNames === null || tierNames.has(tier);
  const admin: Policy[] = [];
  for (const key of ['adminNetworkPolicies', 'baselineAdminNetworkPolicies'] as const) {
    const field: SnapshotField = `kubernetes.${key}`;
    const objects = kube[key];
    if (objects != null) {
      for (const object of objects) {
        const policy = normalizeAdminPolicy(object);
        if (policy && enforced(policy.tier)) admin.push(policy);
      }
    } else if (!apiAbsent(snapshot, field) && !(tierNames && ADMIN_TIERS[key].every((t) => !tierNames.has(t)))) {
      gaps.push(field);
    }
  }
  if (gaps.length) return { policies: null, policyGaps: gaps };
  return {
    policies: [
      ...admin,
      ...calico.globalNetworkPolicies!.map((p) => normalizeCalicoPolicy(p, 'GlobalNetworkPolicy')),
      ...calico.networkPolicies!.filter((p) => !isConvertedKubernetesPolicy(p)).map((p) => normalizeCalicoPolicy(p, 'NetworkPolicy')),
      ...kube.networkPolicies!.map(normalizeKubernetesPolicy),
    ],
    policyGaps: [],
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
