/**
 * What a snapshot keeps of each Kubernetes object: what the audit reads, and nothing that may hold
 * a secret. A snapshot is published beside every report, so a value that is not needed must not be
 * collected (snapshot.md: "Secrets are never collected"; "Large lists are trimmed").
 *
 * - Every object loses its annotations (`kubectl.kubernetes.io/last-applied-configuration` repeats
 *   the whole object, env values included) and `managedFields`; a Node keeps only Calico's own
 *   `projectcalico.org/*` annotations, where Calico records its per-node addresses.
 * - DaemonSets and Deployments are trimmed like Pods: names, labels, replica counts and status,
 *   and per container its name, image, ports, the exec command of its probes and its environment
 *   variables by *name*; a value (or its ConfigMap reference) is kept only for the Calico settings
 *   the audit reads (`WORKLOAD_ENV_VALUES`). Arguments, commands, volumes and `secretKeyRef`s go.
 * - The calico-config ConfigMap keeps only the keys the audit reads.
 * - Nodes drop `status.images` (the bulk of a node, and no use to the audit).
 * - Instances drop `UserData`; add-ons drop `configurationValues` (free-form, may hold API keys).
 *
 * The collector trims as it reads, and publishing trims again (`trimSnapshot`), so a snapshot from
 * any source is published trimmed. Trimming never changes a verdict (test/snapshot-trim.test.ts).
 */
import type { KubeObject, Snapshot } from './schema.js';

/** Environment variables whose values the audit reads (Calico's own settings; never credentials). */
export const WORKLOAD_ENV_VALUES: ReadonlySet<string> = new Set([
  'DATASTORE_TYPE',
  'CALICO_NETWORKING_BACKEND',
  'CLUSTER_TYPE',
  'CNI_MTU',
  'IP',
  'IP6',
  'IP_AUTODETECTION_METHOD',
  'IP6_AUTODETECTION_METHOD',
  'CALICO_IPV4POOL_CIDR',
  'CALICO_IPV4POOL_BLOCK_SIZE',
  'CALICO_IPV4POOL_IPIP',
  'CALICO_IPV4POOL_VXLAN',
  'CALICO_IPV4POOL_NAT_OUTGOING',
  'CALICO_IPV4POOL_NODE_SELECTOR',
  'CALICO_IPV6POOL_CIDR',
  'CALICO_IPV6POOL_BLOCK_SIZE',
  'CALICO_IPV6POOL_VXLAN',
  'CALICO_IPV6POOL_NAT_OUTGOING',
  'CALICO_IPV6POOL_NODE_SELECTOR',
  // Felix settings calico-node may set in its environment (FELIX_<FIELD>, overriding FelixConfiguration).
  ...[
    'BPFENABLED',
    'NFTABLESMODE',
    'WIREGUARDENABLED',
    'WIREGUARDENABLEDV6',
    'LOGSEVERITYSCREEN',
    'PROMETHEUSMETRICSENABLED',
    'PROMETHEUSMETRICSPORT',
    'FLOWLOGSFILEENABLED',
    'FLOWLOGSFLUSHINTERVAL',
    'AWSSRCDSTCHECK',
    'HEALTHPORT',
    'VXLANVNI',
    'VXLANPORT',
    'IPIPMTU',
    'IPINIPMTU',
    'VXLANMTU',
    'VXLANMTUV6',
    'WIREGUARDMTU',
    'WIREGUARDMTUV6',
    'VETHMTU',
    'WIREGUARDLISTENINGPORT',
    'WIREGUARDLISTENINGPORTV6',
    'TYPHAK8SSERVICENAME',
    'PROGRAMCLUSTERROUTES',
    'IPV6SUPPORT',
  ].map((field) => `FELIX_${field}`),
]);

/** The calico-config keys the audit reads (manifest installs). */
export const CALICO_CONFIG_KEYS: ReadonlySet<string> = new Set(['calico_backend', 'cni_network_config', 'typha_service_name', 'veth_mtu', 'etcd_endpoints']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy without these keys. */
const omit = <T extends object>(source: T, keys: readonly string[]): T =>
  Object.fromEntries(Object.entries(source).filter(([key]) => !keys.includes(key))) as T;

const pick = (source: unknown, keys: readonly string[]): Json | undefined => {
  if (!isObject(source)) return undefined;
  const out: Json = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
};

/** `metadata` without annotations and managedFields (and, for a Node, only Calico's annotations). */
function trimMetadata(metadata: unknown, keepAnnotation?: (key: string) => boolean): Json | undefined {
  if (!isObject(metadata)) return undefined;
  const annotations = metadata['annotations'];
  const rest = omit(metadata, ['annotations', 'managedFields']);
  if (keepAnnotation && isObject(annotations)) {
    const kept = Object.fromEntries(Object.entries(annotations).filter(([key]) => keepAnnotation(key)));
    if (Object.keys(kept).length) return { ...rest, annotations: kept };
  }
  return rest;
}

/** The common envelope of a trimmed object. */
function envelope(object: KubeObject, metadata: Json | undefined): KubeObject {
  const out: KubeObject = {};
  if (object.apiVersion !== undefined) out.apiVersion = object.apiVersion;
  if (object.kind !== undefined) out.kind = object.kind;
  if (metadata) out.metadata = metadata;
  return out;
}

/** Any object: everything but annotations and managedFields. */
export function trimObject(object: KubeObject): KubeObject {
  const metadata = trimMetadata(object.metadata);
  return { ...omit(object, ['metadata']), ...(metadata ? { metadata } : {}) };
}

/** Pods keep `metadata.{name,namespace,labels,ownerReferences}`, `spec.{nodeName,hostNetwork}`, `status.{phase,podIP,podIPs}` (snapshot.md). */
/** A pod's container reduced to its ports' `name`/`containerPort`/`protocol`. */
function containerPorts(container: unknown): Json {
  const ports = isObject(container) ? container['ports'] : undefined;
  return Array.isArray(ports) ? { ports: ports.map((port) => pick(port, ['name', 'containerPort', 'protocol']) ?? {}) } : {};
}

export function trimPod(pod: KubeObject): KubeObject {
  const trimmed = envelope(pod, pick(pod.metadata, ['name', 'namespace', 'labels', 'ownerReferences']));
  const spec = pick(pod.spec, ['nodeName', 'hostNetwork', 'serviceAccountName']);
  // Only the ports' name, containerPort and protocol: named ports in policy rules resolve against them.
  const containers = isObject(pod.spec) ? pod.spec['containers'] : undefined;
  if (spec && Array.isArray(containers)) spec['containers'] = containers.map(containerPorts);
  const status = pick(pod.status, ['phase', 'podIP', 'podIPs']);
  if (spec) trimmed.spec = spec;
  if (status) trimmed.status = status;
  return trimmed;
}

/** An env entry: its name, and its value or ConfigMap reference only where the audit reads it. */
function trimEnv(entry: unknown): Json | null {
  if (!isObject(entry) || typeof entry['name'] !== 'string') return null;
  const name = entry['name'];
  if (!WORKLOAD_ENV_VALUES.has(name)) return { name };
  if (typeof entry['value'] === 'string') return { name, value: entry['value'] };
  const ref = isObject(entry['valueFrom']) ? pick(entry['valueFrom']['configMapKeyRef'], ['name', 'key']) : undefined;
  return ref ? { name, valueFrom: { configMapKeyRef: ref } } : { name };
}

/** A probe: its exec command only (`calico-node -bird-ready` shows BIRD runs). */
function trimProbe(probe: unknown): Json | undefined {
  if (!isObject(probe) || !isObject(probe['exec'])) return undefined;
  const command = probe['exec']['command'];
  return Array.isArray(command) ? { exec: { command: command.filter((c) => typeof c === 'string') } } : undefined;
}

function trimContainer(container: unknown): Json | null {
  if (!isObject(container)) return null;
  const out: Json = {};
  for (const key of ['name', 'image'] as const) if (typeof container[key] === 'string') out[key] = container[key];
  if (Array.isArray(container['ports'])) out['ports'] = container['ports'].map((p) => pick(p, ['name', 'containerPort', 'hostPort', 'protocol'])).filter(Boolean);
  if (Array.isArray(container['env'])) out['env'] = container['env'].map(trimEnv).filter(Boolean);
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    const trimmed = trimProbe(container[probe]);
    if (trimmed) out[probe] = trimmed;
  }
  return out;
}

/**
 * DaemonSets and Deployments keep `metadata.{name,namespace,labels,uid,ownerReferences}`,
 * `spec.{replicas,selector}`, the pod template's `metadata.labels` and
 * `spec.{nodeSelector,hostNetwork,serviceAccountName}` with trimmed containers, and `status`.
 */
export function trimWorkload(workload: KubeObject): KubeObject {
  const trimmed = envelope(workload, pick(workload.metadata, ['name', 'namespace', 'labels', 'uid', 'ownerReferences']));
  const spec = isObject(workload.spec) ? workload.spec : {};
  const template = isObject(spec['template']) ? spec['template'] : {};
  const podSpec = isObject(template['spec']) ? template['spec'] : {};
  const keptPodSpec: Json = pick(podSpec, ['nodeSelector', 'hostNetwork', 'serviceAccountName']) ?? {};
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(podSpec[list])) keptPodSpec[list] = podSpec[list].map(trimContainer).filter(Boolean);
  }
  const templateLabels = isObject(template['metadata']) ? pick(template['metadata'], ['labels']) : undefined;
  trimmed.spec = { ...pick(spec, ['replicas', 'selector']), template: { ...(templateLabels ? { metadata: templateLabels } : {}), spec: keptPodSpec } };
  if (workload.status !== undefined) trimmed.status = workload.status;
  return trimmed;
}

/** The calico-config ConfigMap: the keys the audit reads. */
export function trimConfigMap(configMap: KubeObject): KubeObject {
  const trimmed = envelope(configMap, pick(configMap.metadata, ['name', 'namespace', 'labels', 'uid']));
  const data = (configMap as Json)['data'];
  if (isObject(data)) (trimmed as Json)['data'] = Object.fromEntries(Object.entries(data).filter(([key]) => CALICO_CONFIG_KEYS.has(key)));
  return trimmed;
}

/** Nodes: Calico's annotations only, and no image list. */
export function trimNode(node: KubeObject): KubeObject {
  const kept = trimMetadata(node.metadata, (key) => key.startsWith('projectcalico.org/'));
  const trimmed: KubeObject = { ...omit(node, ['metadata']), ...(kept ? { metadata: kept } : {}) };
  if (isObject(node.status)) trimmed.status = omit(node.status, ['images']);
  return trimmed;
}

/** The trim for each snapshot list; any other list (one added later included) loses annotations and managedFields. */
const TRIMS: Record<string, (object: KubeObject) => KubeObject> = {
  'kubernetes.nodes': trimNode,
  'kubernetes.pods': trimPod,
  'kubernetes.daemonSets': trimWorkload,
  'kubernetes.deployments': trimWorkload,
  'kubernetes.configMaps': trimConfigMap,
};

/** Trims one object collected into a snapshot field (`kubernetes.pods`, `calico.ippools`, …). */
export const trimFor = (field: string): ((object: KubeObject) => KubeObject) => TRIMS[field] ?? trimObject;

const isKubeObject = (value: unknown): value is KubeObject => isObject(value) && ('metadata' in value || 'kind' in value || 'apiVersion' in value);

/** The snapshot with every Kubernetes and Calico object trimmed, and no instance user data or add-on configuration (idempotent). */
export function trimSnapshot(snapshot: Snapshot): Snapshot {
  const section = <S extends Record<string, unknown>>(name: 'kubernetes' | 'calico', values: S): S =>
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => {
        const trim = trimFor(`${name}.${key}`);
        if (Array.isArray(value)) return [key, (value as unknown[]).map((item) => (isKubeObject(item) ? trim(item) : item))];
        return [key, isKubeObject(value) ? trim(value) : value];
      }),
    ) as S;
  const { instances, addons } = snapshot.aws;
  const aws = {
    ...snapshot.aws,
    // The collector drops these too; a snapshot from elsewhere may still hold them.
    ...(instances ? { instances: instances.map((i) => omit(i, ['UserData'])) } : {}),
    ...(addons ? { addons: addons.map((a) => omit(a, ['configurationValues'])) } : {}),
  };
  return { ...snapshot, aws, kubernetes: section('kubernetes', snapshot.kubernetes), calico: section('calico', snapshot.calico) };
}
