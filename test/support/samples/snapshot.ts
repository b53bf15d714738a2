/**
 * Builds snapshots of imaginary EKS clusters running Calico, in the shapes the real APIs return:
 * EC2 objects as AWS SDK v3 `Describe*` returns them, EKS objects as `Describe*().cluster` etc.,
 * Kubernetes objects as the API server serves them, Calico objects in either API group.
 *
 * A cluster is described once as a `ClusterPlan`; `buildSnapshot` derives every object from it so
 * names, ids, addresses and counts agree across layers (node name = instance PrivateDnsName, pod IPs
 * inside the node's IPAM block, security groups referenced by instances exist, …). The same plan
 * can be emitted as `projectcalico.org/v3` (defaults filled in, as the Calico API server serves
 * them) or as raw `crd.projectcalico.org/v1` (defaults omitted, tier-prefixed policy names), so
 * tests can check both forms reach the same verdict.
 *
 * Everything here is pure and deterministic: no I/O, no clock, no randomness. Ids, suffixes and
 * timestamps are derived from hashes of stable seeds and from `collectedAt`. The layers build in a
 * fixed order (addresses are handed out as pods are scheduled), which keeps the output stable.
 */
import type { Snapshot } from '../../../src/snapshot/schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../../../src/snapshot/sources.js';
import { addonObjects, eksClusterObject, nodegroupObjects } from './aws/eks.js';
import { autoScalingGroupObjects, instanceObject, prepareEniAddresses, routeTableObjects, securityGroupObjects, subnetObjects, vpcObject } from './aws/ec2.js';
import { karpenterNodePoolObjects } from './kubernetes/karpenter.js';
import { emitCalico } from './calico/api-groups.js';
import { allocateTunnels, ipamBlockObject } from './calico/ipam.js';
import { calicoConfigMap, manifestWorkloads } from './calico/manifest-install.js';
import { installationObject, operatorWorkloads } from './calico/operator-install.js';
import { CALICO_LISTS, calicoResources, convertedKubernetesPolicies } from './calico/resources.js';
import { Cluster } from './cluster.js';
import { DAY, hexOf, kubeTime, numberOf, uuidOf } from './deterministic.js';
import { kubeSystemWorkloads } from './kubernetes/eks-workloads.js';
import { adminPolicyObject, keyServiceObjects, kubePolicyObject, namespaceObject, nodeObject, pdbObject, podObject, sortByName, workloadObject } from './kubernetes/objects.js';
import { runWorkload, type PodInfo, type PodTemplate } from './kubernetes/pods.js';
import { intToIp, parseCidr } from './ipv4.js';
import type { WorkloadDef } from './kubernetes/workload-spec.js';
import type { BuildOptions, ClusterPlan, Json, WorkloadKind } from './plan.js';
import { KUBE_NAMESPACES } from './reference-data.js';

const COLLECTOR = { name: 'calico-eks-auditor', version: '0.1.0' } as const;
/** The role the auditor assumes in member accounts; named in AccessDenied messages. */
const AUDIT_ROLE = 'CalicoAuditReadOnly';

/** Builds the snapshot a plan describes. */
export function buildSnapshot(plan: ClusterPlan, options: BuildOptions = {}): Snapshot {
  const cluster = new Cluster(plan, options);
  const { calico } = cluster;
  if (calico?.cni === 'AmazonVPC' || !calico) for (const node of cluster.nodes) prepareEniAddresses(node);
  allocateTunnels(cluster);

  const defs = [...kubeSystemWorkloads(cluster), ...(calico ? (calico.install === 'operator' ? operatorWorkloads(cluster) : manifestWorkloads(cluster)) : [])];
  const podsOf = new Map<WorkloadDef, PodInfo[]>();
  for (const def of defs) {
    podsOf.set(def, runWorkload(cluster, def.kind, def.namespace, def.name, def.selector, def.replicas ?? 1, def.hostNetwork ?? false, templateOf(def.spec)));
  }
  for (const app of plan.apps) {
    const ports = app.ports ?? [{ name: 'http', containerPort: 8080 }];
    const template: PodTemplate = {
      serviceAccount: app.serviceAccount ?? 'default',
      containers: [{ ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })) }],
    };
    runWorkload(cluster, app.kind, app.namespace, app.name, app.labels ?? { 'app.kubernetes.io/name': app.name }, app.replicas ?? 1, app.hostNetwork ?? false, template);
  }

  const collected = defs.filter((d) => d.collected);
  const objectsOf = (kind: WorkloadKind) => sortByName(collected.filter((d) => d.kind === kind).map((d) => workloadObject(cluster, d, podsOf.get(d)!)));
  const podsNamed = (namespace: string, name: string) => podsOf.get(defs.find((d) => d.namespace === namespace && d.name === name)!) ?? [];

  const pdbs = [
    pdbObject(cluster, 'kube-system', 'coredns', { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' }, podsNamed('kube-system', 'coredns')),
    pdbObject(cluster, 'kube-system', 'ebs-csi-controller', { app: 'ebs-csi-controller' }, podsNamed('kube-system', 'ebs-csi-controller')),
  ];
  if (calico && calico.typhaReplicas > 0 && calico.typhaPdb !== false) {
    const owner =
      calico.install === 'operator'
        ? [{ apiVersion: 'operator.tigera.io/v1', blockOwnerDeletion: true, controller: true, kind: 'Installation', name: 'default', uid: uuidOf(cluster.seed('Installation', '', 'default')) }]
        : undefined;
    pdbs.push(pdbObject(cluster, cluster.calicoNamespace, 'calico-typha', { 'k8s-app': 'calico-typha' }, podsNamed(cluster.calicoNamespace, 'calico-typha'), owner));
  }
  if (calico?.install === 'manifest') {
    pdbs.push(pdbObject(cluster, 'kube-system', 'calico-kube-controllers', { 'k8s-app': 'calico-kube-controllers' }, podsNamed('kube-system', 'calico-kube-controllers')));
  }

  const namespaceNames = new Set([...KUBE_NAMESPACES, ...plan.namespaces, ...cluster.pods.map((p) => p.namespace)]);
  for (const policy of plan.kubernetesNetworkPolicies) {
    if (!namespaceNames.has(policy.namespace)) throw new Error(`policy ${policy.namespace}/${policy.name} is in a namespace the plan lacks`);
  }

  let calicoSection: Json;
  if (calico) {
    const resources = calicoResources(cluster);
    if (cluster.apiGroup === 'projectcalico.org/v3') resources.networkPolicies.push(...convertedKubernetesPolicies(cluster));
    const lists = Object.fromEntries(
      CALICO_LISTS.map((list) => [list, sortByName(resources[list].map((r) => emitCalico(cluster, r)))]),
    );
    calicoSection = {
      apiGroup: cluster.apiGroup,
      installation: installationObject(cluster),
      ...lists,
      ipamBlocks: cluster.blocks.map((b) => ipamBlockObject(cluster, b)).sort((a, b) => (String((a['metadata'] as Json)['name']) < String((b['metadata'] as Json)['name']) ? -1 : 1)),
    };
    // Keep the contract's field order: ipamBlocks sits after ippools.
    calicoSection = Object.fromEntries(
      ['apiGroup', 'installation', 'clusterInformations', 'ippools', 'ipamBlocks', ...CALICO_LISTS.filter((l) => !['clusterInformations', 'ippools'].includes(l))].map((key) => [
        key,
        calicoSection[key],
      ]),
    );
  } else {
    calicoSection = { apiGroup: null, installation: null, ipamBlocks: [], ...Object.fromEntries(CALICO_LISTS.map((l) => [l, []])) };
  }

  // The EKS control plane's network interfaces: one each in the first two cluster subnets, at their top.
  const apiServerAddresses = cluster.subnets.slice(0, 2).map((subnet) => {
    const { base, size } = parseCidr(subnet.plan.cidr);
    let candidate = base + size - 6;
    while (subnet.used.has(candidate)) candidate--;
    subnet.used.add(candidate);
    return intToIp(candidate);
  });
  const keyServices = keyServiceObjects(cluster, podsNamed('kube-system', 'coredns'), plan.eks.serviceCidr, apiServerAddresses);
  const admin = plan.adminNetworkPolicies;

  const [major, minor] = plan.eks.version.split('.');
  const snapshot: Record<string, unknown> = {
    schemaVersion: 1,
    collectedAt: kubeTime(cluster.now),
    collector: { ...COLLECTOR },
    target: { accountId: plan.accountId, region: plan.region, clusterName: plan.name },
    aws: {
      cluster: eksClusterObject(cluster),
      nodegroups: nodegroupObjects(cluster),
      addons: addonObjects(cluster),
      instances: cluster.nodes.map((n) => instanceObject(cluster, n)),
      securityGroups: securityGroupObjects(cluster),
      subnets: subnetObjects(cluster),
      routeTables: routeTableObjects(cluster),
      vpc: vpcObject(cluster),
      autoScalingGroups: autoScalingGroupObjects(cluster),
    },
    kubernetes: {
      // EKS reports its minor version with a `+` suffix.
      serverVersion: {
        major,
        minor: `${minor}+`,
        emulationMajor: major,
        emulationMinor: minor,
        minCompatibilityMajor: major,
        minCompatibilityMinor: String(Number(minor) - 1),
        gitVersion: `v${cluster.release.patch}-eks-${hexOf(`apiserver/${cluster.release.patch}`, 7)}`,
        gitCommit: hexOf(`apiserver-commit/${cluster.release.patch}`, 40),
        gitTreeState: 'clean',
        buildDate: kubeTime(Date.parse('2025-10-01T00:00:00Z') + numberOf(`build/${cluster.release.patch}`, 300) * DAY),
        goVersion: 'go1.24.9',
        compiler: 'gc',
        platform: 'linux/amd64',
      },
      nodes: sortByName(cluster.nodes.map((n) => nodeObject(cluster, n))),
      namespaces: sortByName([...namespaceNames].map((n) => namespaceObject(cluster, n))),
      pods: sortByName(cluster.pods.map((p) => podObject(cluster, p))),
      networkPolicies: sortByName(plan.kubernetesNetworkPolicies.map((p) => kubePolicyObject(cluster, p))),
      daemonSets: objectsOf('DaemonSet'),
      deployments: objectsOf('Deployment'),
      podDisruptionBudgets: sortByName(pdbs),
      configMaps: calico?.install === 'manifest' ? [calicoConfigMap(cluster)] : [],
      services: sortByName(keyServices.services),
      endpointSlices: sortByName(keyServices.endpointSlices),
      // Without the network-policy-api CRDs none can exist: read as empty lists, as the collector does.
      adminNetworkPolicies: admin ? sortByName(admin.admin.map((p) => adminPolicyObject(cluster, 'AdminNetworkPolicy', p.name, p.spec))) : [],
      baselineAdminNetworkPolicies: admin ? sortByName(admin.baseline.map((p) => adminPolicyObject(cluster, 'BaselineAdminNetworkPolicy', p.name, p.spec))) : [],
      // No karpenter.sh/v1 served (Karpenter not installed) reads as none.
      karpenterNodePools: karpenterNodePoolObjects(cluster),
    },
    calico: calicoSection,
    errors: [] as Json[],
  };
  // Denied reads: the list is `null` and one error says why.
  for (const field of plan.denied ?? []) {
    const [section, key] = field.split('.') as [string, string];
    (snapshot[section] as Json)[key] = null;
    (snapshot['errors'] as Json[]).push(deniedError(cluster, field));
  }
  return snapshot as unknown as Snapshot;
}

/** A system workload's pod template: its service account and its containers' ports. */
function templateOf(spec: Json): PodTemplate {
  const containers = Array.isArray(spec['containers']) ? (spec['containers'] as Json[]) : [];
  return {
    serviceAccount: typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default',
    containers: containers.map((c) =>
      Array.isArray(c['ports']) ? { ports: (c['ports'] as Json[]).map((p) => ({ ...(p['name'] ? { name: p['name'] } : {}), containerPort: p['containerPort'], protocol: p['protocol'] ?? 'TCP' })) } : {},
    ),
  };
}

/** The error a collector records when a read is refused, worded as each API words it. */
function deniedError(cluster: Cluster, field: SnapshotField): { source: string; code: string; message: string } {
  const { plan } = cluster;
  const source = SNAPSHOT_SOURCES[field];
  const principal = `arn:aws:sts::${plan.accountId}:assumed-role/${AUDIT_ROLE}/calico-eks-auditor`;
  if (source.startsWith('ec2:')) {
    return {
      source,
      code: 'UnauthorizedOperation',
      message: `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ${source} because no identity-based policy allows the ${source} action`,
    };
  }
  if (source.startsWith('eks:')) {
    return {
      source,
      code: 'AccessDeniedException',
      message: `User: ${principal} is not authorized to perform: ${source} on resource: ${cluster.arnPrefix}:cluster/${plan.name} because no identity-based policy allows the ${source} action`,
    };
  }
  if (source.startsWith('autoscaling:')) {
    return {
      source,
      code: 'AccessDenied',
      message: `User: ${principal} is not authorized to perform: ${source} because no identity-based policy allows the ${source} action`,
    };
  }
  // `kubernetes:nodepools.karpenter.sh`: the resource, then its API group.
  const resource = source.slice(source.indexOf(':') + 1);
  const [plural, ...group] = resource.split('.');
  return {
    source,
    code: 'Forbidden',
    message: `${resource} is forbidden: User "calico-eks-auditor" cannot list resource "${plural}" in API group "${group.join('.')}" at the cluster scope`,
  };
}
