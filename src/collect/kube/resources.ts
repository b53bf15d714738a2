/**
 * Every Kubernetes read the collector makes, in one table. The collector reads only what is listed
 * here, and the RBAC test derives the auditor's ClusterRole from the same table, so the role and
 * the reads cannot drift apart.
 */
import type { SnapshotField } from '../../snapshot/sources.js';

export interface GroupVersion {
  /** `''` for the core group. */
  group: string;
  version: string;
}

export const CORE: GroupVersion = { group: '', version: 'v1' };
export const CALICO_V3: GroupVersion = { group: 'projectcalico.org', version: 'v3' };
export const CALICO_CRD: GroupVersion = { group: 'crd.projectcalico.org', version: 'v1' };
export const OPERATOR: GroupVersion = { group: 'operator.tigera.io', version: 'v1' };
export const KARPENTER: GroupVersion = { group: 'karpenter.sh', version: 'v1' };
/** The Kubernetes network-policy-api CRDs: AdminNetworkPolicy/BaselineAdminNetworkPolicy (v1alpha1), ClusterNetworkPolicy (v1alpha2). */
export const POLICY_API_V1ALPHA1: GroupVersion = { group: 'policy.networking.k8s.io', version: 'v1alpha1' };
export const POLICY_API_V1ALPHA2: GroupVersion = { group: 'policy.networking.k8s.io', version: 'v1alpha2' };
export const DISCOVERY: GroupVersion = { group: 'discovery.k8s.io', version: 'v1' };

/** The Services whose addresses policy verdicts need: the API server and CoreDNS (in the API server's namespace/name order). */
export const KEY_SERVICES = [
  { namespace: 'default', name: 'kubernetes' },
  { namespace: 'kube-system', name: 'kube-dns' },
] as const;

/** Where Calico resources come from: whichever Calico group discovery finds served, or always the raw CRDs. */
export type CalicoSource = 'served' | 'crd';

export interface KubeResource {
  field: Exclude<SnapshotField, 'kubernetes.serverVersion'>;
  /** Fixed group/version; Calico resources take theirs from `calico` instead. */
  api?: GroupVersion;
  calico?: CalicoSource;
  plural: string;
  kind: string;
  /** `list` across the whole cluster, or `get` of one named object. */
  verb: 'list' | 'get';
  /** For `get`: the object. */
  name?: string;
  namespace?: string;
  /** For `get`: the snapshot field holds this one object, or null when it does not exist (else a list of 0 or 1). */
  single?: boolean;
  /** Read only when discovery lists the resource's group; an unserved group means there is nothing to read. */
  ifServed?: boolean;
  /**
   * Read only in these namespaces, one list each, and only in those that exist: the auditor's role
   * grants these reads there and nowhere else (other teams' workloads are never read).
   */
  namespaces?: readonly string[];
  /**
   * Calico policy in projectcalico.org/v3: listed with an explicit tier selector, because the Calico
   * API server silently leaves out the policies of tiers the caller may not read. Needs `get` on
   * `tiers` and `list` on the `tier.<plural>` pseudo-resource.
   */
  tiered?: boolean;
  /** For `get`: several named objects, each in its namespace, kept as one list (a 404 leaves that one out). */
  objects?: ReadonlyArray<{ namespace: string; name: string }>;
  /** For `list`: one list per namespace narrowed by a label selector, joined (instead of one cluster-wide list). */
  selections?: ReadonlyArray<{ namespace: string; labelSelector: string }>;
  /**
   * An optional API: read only from the group/versions discovery lists as served — this one and
   * `alternatives`, joined. When none is served its CRDs are not installed: an empty list.
   */
  optionalApi?: boolean;
  /** Other group/versions of the same policy list (ClusterNetworkPolicy beside AdminNetworkPolicy). */
  alternatives?: ReadonlyArray<{ api: GroupVersion; plural: string; kind: string }>;
}

/** Namespaces whose DaemonSets, Deployments and PDBs the snapshot keeps (snapshot.md). */
export const COMPONENT_NAMESPACES = ['kube-system', 'calico-system', 'tigera-operator'] as const;

/** Non-resource paths read: the server version and API group discovery. */
export const NON_RESOURCE_PATHS = ['/version', '/apis'] as const;

/** Pods are trimmed as snapshot.md says (src/snapshot/trim.ts, shared with publishing). */
export { trimPod } from '../../snapshot/trim.js';

const calicoList = (field: KubeResource['field'], plural: string, kind: string, extra: Partial<KubeResource> = {}): KubeResource => ({
  field,
  calico: 'served',
  plural,
  kind,
  verb: 'list',
  ...extra,
});

export const KUBE_RESOURCES: readonly KubeResource[] = [
  { field: 'kubernetes.nodes', api: CORE, plural: 'nodes', kind: 'Node', verb: 'list' },
  { field: 'kubernetes.namespaces', api: CORE, plural: 'namespaces', kind: 'Namespace', verb: 'list' },
  { field: 'kubernetes.pods', api: CORE, plural: 'pods', kind: 'Pod', verb: 'list' },
  { field: 'kubernetes.networkPolicies', api: { group: 'networking.k8s.io', version: 'v1' }, plural: 'networkpolicies', kind: 'NetworkPolicy', verb: 'list' },
  { field: 'kubernetes.daemonSets', api: { group: 'apps', version: 'v1' }, plural: 'daemonsets', kind: 'DaemonSet', verb: 'list', namespaces: COMPONENT_NAMESPACES },
  { field: 'kubernetes.deployments', api: { group: 'apps', version: 'v1' }, plural: 'deployments', kind: 'Deployment', verb: 'list', namespaces: COMPONENT_NAMESPACES },
  {
    field: 'kubernetes.podDisruptionBudgets',
    api: { group: 'policy', version: 'v1' },
    plural: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    verb: 'list',
    namespaces: COMPONENT_NAMESPACES,
  },
  // Manifest installs keep their settings in kube-system/calico-config; a 404 means there is none ([]).
  { field: 'kubernetes.configMaps', api: CORE, plural: 'configmaps', kind: 'ConfigMap', verb: 'get', namespace: 'kube-system', name: 'calico-config' },
  // The addresses behind DNS and the API server, which policy verdicts test flows against.
  { field: 'kubernetes.services', api: CORE, plural: 'services', kind: 'Service', verb: 'get', objects: KEY_SERVICES },
  {
    field: 'kubernetes.endpointSlices',
    api: DISCOVERY,
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    verb: 'list',
    selections: KEY_SERVICES.map((s) => ({ namespace: s.namespace, labelSelector: `kubernetes.io/service-name=${s.name}` })),
  },
  // Kubernetes admin policies, which Calico enforces in their own tiers; absent when their CRDs are not installed.
  {
    field: 'kubernetes.adminNetworkPolicies',
    api: POLICY_API_V1ALPHA1,
    plural: 'adminnetworkpolicies',
    kind: 'AdminNetworkPolicy',
    verb: 'list',
    optionalApi: true,
    alternatives: [{ api: POLICY_API_V1ALPHA2, plural: 'clusternetworkpolicies', kind: 'ClusterNetworkPolicy' }],
  },
  {
    field: 'kubernetes.baselineAdminNetworkPolicies',
    api: POLICY_API_V1ALPHA1,
    plural: 'baselineadminnetworkpolicies',
    kind: 'BaselineAdminNetworkPolicy',
    verb: 'list',
    // v1alpha2 folds the baseline into ClusterNetworkPolicy (spec.tier: Baseline), read above: where
    // only v1alpha2 is served, this list is empty.
    optionalApi: true,
  },
  // Karpenter's NodePools bound how far the cluster can grow (their limits); no karpenter.sh/v1 means no Karpenter ([]).
  { field: 'kubernetes.karpenterNodePools', api: KARPENTER, plural: 'nodepools', kind: 'NodePool', verb: 'list', ifServed: true },
  // Operator installs are described by the Installation named default; no operator group or a 404 means a manifest install (null, no error).
  { field: 'calico.installation', api: OPERATOR, plural: 'installations', kind: 'Installation', verb: 'get', name: 'default', single: true, ifServed: true },
  calicoList('calico.clusterInformations', 'clusterinformations', 'ClusterInformation'),
  calicoList('calico.ippools', 'ippools', 'IPPool'),
  // IPAM blocks are only served as raw CRDs, whichever group the rest comes from (snapshot.md).
  calicoList('calico.ipamBlocks', 'ipamblocks', 'IPAMBlock', { calico: 'crd' }),
  calicoList('calico.bgpConfigurations', 'bgpconfigurations', 'BGPConfiguration'),
  calicoList('calico.bgpPeers', 'bgppeers', 'BGPPeer'),
  calicoList('calico.felixConfigurations', 'felixconfigurations', 'FelixConfiguration'),
  calicoList('calico.kubeControllersConfigurations', 'kubecontrollersconfigurations', 'KubeControllersConfiguration'),
  calicoList('calico.tiers', 'tiers', 'Tier'),
  calicoList('calico.globalNetworkPolicies', 'globalnetworkpolicies', 'GlobalNetworkPolicy', { tiered: true }),
  calicoList('calico.networkPolicies', 'networkpolicies', 'NetworkPolicy', { tiered: true }),
  calicoList('calico.globalNetworkSets', 'globalnetworksets', 'GlobalNetworkSet'),
  calicoList('calico.networkSets', 'networksets', 'NetworkSet'),
  calicoList('calico.hostEndpoints', 'hostendpoints', 'HostEndpoint'),
  // Staged policies are not enforced: `what-if --staged` previews promoting them.
  calicoList('calico.stagedGlobalNetworkPolicies', 'stagedglobalnetworkpolicies', 'StagedGlobalNetworkPolicy', { tiered: true }),
  calicoList('calico.stagedNetworkPolicies', 'stagednetworkpolicies', 'StagedNetworkPolicy', { tiered: true }),
  calicoList('calico.stagedKubernetesNetworkPolicies', 'stagedkubernetesnetworkpolicies', 'StagedKubernetesNetworkPolicy'),
];

/** The group/version a resource is read from, given the Calico group discovery found (null: Calico absent). */
export function apiOf(resource: KubeResource, calicoGroup: GroupVersion | null): GroupVersion | null {
  if (resource.api) return resource.api;
  return resource.calico === 'crd' ? CALICO_CRD : calicoGroup;
}

/** Every group/version a resource may be read from (for RBAC: both Calico groups). */
export function possibleApisOf(resource: KubeResource): GroupVersion[] {
  if (resource.api) return [resource.api];
  return resource.calico === 'crd' ? [CALICO_CRD] : [CALICO_V3, CALICO_CRD];
}

/**
 * Every request a resource may make, for RBAC: where (`cluster`, or a namespace the reads are
 * granted in by a RoleBinding), group, resource (plural), verb and object name (`*`: any).
 */
export function grantsNeeded(resource: KubeResource): Array<{ scope: string; group: string; plural: string; verb: 'get' | 'list'; name: string }> {
  const names = resource.verb === 'get' ? (resource.objects?.map((o) => o.name) ?? [resource.name ?? '*']) : ['*'];
  const scopes = resource.namespaces ?? ['cluster'];
  const reads = [
    ...possibleApisOf(resource).map((api) => ({ api, plural: resource.plural })),
    ...(resource.alternatives ?? []).map((a) => ({ api: a.api, plural: a.plural })),
  ];
  return scopes.flatMap((scope) => reads.flatMap(({ api, plural }) => names.map((name) => ({ scope, group: api.group, plural, verb: resource.verb, name }))));
}

export const apiVersionOf = (api: GroupVersion): string => (api.group ? `${api.group}/${api.version}` : api.version);

/** The request path of a resource in a group/version: a collection (cluster-wide or in a namespace), or one named object. */
export function pathOf(resource: KubeResource, api: GroupVersion, at: { namespace?: string; name?: string; plural?: string } = {}): string {
  const root = api.group ? `/apis/${api.group}/${api.version}` : `/api/${api.version}`;
  const scope = at.namespace ?? resource.namespace;
  const namespace = scope ? `/namespaces/${scope}` : '';
  const objectName = at.name ?? resource.name;
  const name = resource.verb === 'get' && objectName ? `/${objectName}` : '';
  return `${root}${namespace}/${at.plural ?? resource.plural}${name}`;
}

/** The role needed for tiered policy in projectcalico.org/v3: `tier.<plural>`. */
export const tierPseudoResource = (resource: KubeResource): string => `tier.${resource.plural}`;
