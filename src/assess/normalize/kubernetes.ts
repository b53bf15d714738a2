/** Kubernetes objects into the model: nodes with Calico's per-node annotations, pods, Calico's workloads. */
import type { KubeObject } from '../../snapshot/schema.js';
import type { Components, KubeNode, Namespace, Pod, ServiceEndpoints, Workload } from '../model.js';
import { refOf } from './calico.js';
import { flag, integer, labelMap, list, record, strings, text } from './read.js';

/** Calico keeps each node's BGP and tunnel addresses as annotations on the core/v1 Node. */
export const CALICO_NODE_ANNOTATIONS = {
  ipv4Address: 'projectcalico.org/IPv4Address',
  ipv6Address: 'projectcalico.org/IPv6Address',
  ipipTunnelAddress: 'projectcalico.org/IPv4IPIPTunnelAddr',
  vxlanTunnelAddress: 'projectcalico.org/IPv4VXLANTunnelAddr',
  wireguardAddress: 'projectcalico.org/IPv4WireguardInterfaceAddr',
  asNumber: 'projectcalico.org/ASNumber',
  routeReflectorClusterId: 'projectcalico.org/RouteReflectorClusterID',
} as const;

/** `aws:///eu-west-2a/i-0123456789abcdef0` → `i-0123456789abcdef0`. */
export function instanceIdFromProviderId(providerId: string | undefined): string | null {
  const match = providerId ? /(i-[0-9a-f]+)\s*$/.exec(providerId) : null;
  return match ? match[1]! : null;
}

export function normalizeNode(object: KubeObject): KubeNode {
  const spec = record(object.spec);
  const status = record(object.status);
  const annotations = labelMap(object.metadata?.annotations);
  const labels = labelMap(object.metadata?.labels);
  const providerId = text(spec['providerID']) ?? null;
  const addresses = list(status['addresses']).map(record);
  const ready = list(status['conditions'])
    .map(record)
    .find((c) => c['type'] === 'Ready');
  const annotation = (key: string) => annotations[key] || null;
  // An IPv6 (or dual-stack) node lists an InternalIP of each family.
  const internal = addresses.filter((a) => a['type'] === 'InternalIP').map((a) => text(a['address'])).filter((a): a is string => !!a);
  return {
    name: object.metadata?.name ?? '(unnamed)',
    labels,
    instanceId: instanceIdFromProviderId(providerId ?? undefined),
    providerId,
    internalIp: internal.find((a) => !a.includes(':')) ?? null,
    internalIpv6: internal.find((a) => a.includes(':')) ?? null,
    ready: ready ? ready['status'] === 'True' : null,
    fargate: labels['eks.amazonaws.com/compute-type'] === 'fargate',
    os: labels['kubernetes.io/os'] ?? labels['beta.kubernetes.io/os'] ?? null,
    calicoIPv4Address: annotation(CALICO_NODE_ANNOTATIONS.ipv4Address),
    calicoIPv6Address: annotation(CALICO_NODE_ANNOTATIONS.ipv6Address),
    ipipTunnelAddress: annotation(CALICO_NODE_ANNOTATIONS.ipipTunnelAddress),
    vxlanTunnelAddress: annotation(CALICO_NODE_ANNOTATIONS.vxlanTunnelAddress),
    wireguardAddress: annotation(CALICO_NODE_ANNOTATIONS.wireguardAddress),
    asNumber: integer(annotations[CALICO_NODE_ANNOTATIONS.asNumber]) ?? null,
    routeReflectorClusterId: annotation(CALICO_NODE_ANNOTATIONS.routeReflectorClusterId),
  };
}

export function normalizeNamespace(object: KubeObject): Namespace {
  return { name: object.metadata?.name ?? '(unnamed)', labels: labelMap(object.metadata?.labels) };
}

export function normalizePod(object: KubeObject): Pod {
  const spec = record(object.spec);
  const status = record(object.status);
  const podIP = text(status['podIP']) || null;
  const podIPs: string[] = [];
  for (const entry of list(status['podIPs'])) {
    const ip = text(record(entry)['ip']);
    if (ip) podIPs.push(ip);
  }
  // A collector that kept containers kept their ports too; without `containers` the ports are unknown.
  const containers = spec['containers'];
  let namedPorts: Pod['namedPorts'] = null;
  if (Array.isArray(containers)) {
    namedPorts = [];
    for (const container of containers) {
      const ports = (container as { ports?: unknown } | null)?.ports;
      if (!Array.isArray(ports)) continue;
      for (const value of ports) {
        const port = record(value);
        const name = text(port['name']);
        const number = integer(port['containerPort']);
        if (name && number) namedPorts.push({ name, port: number, protocol: (text(port['protocol']) ?? 'TCP').toUpperCase() });
      }
    }
  }
  const owner = (object.metadata?.ownerReferences ?? []).find((o) => o.kind) ?? null;
  const workload = owner?.name ? (owner.kind === 'ReplicaSet' ? owner.name.replace(/-[a-z0-9]{6,10}$/, '') : owner.name) : null;
  return {
    name: object.metadata?.name ?? '(unnamed)',
    namespace: object.metadata?.namespace ?? 'default',
    labels: labelMap(object.metadata?.labels),
    nodeName: text(spec['nodeName']) ?? null,
    hostNetwork: flag(spec['hostNetwork']) ?? false,
    phase: text(status['phase']) ?? null,
    workload,
    podIP,
    podIPs: podIPs.length ? podIPs : podIP ? [podIP] : [],
    // The API server always fills serviceAccountName; its absence means an older collector trimmed it away.
    serviceAccount: text(spec['serviceAccountName']) || null,
    namedPorts,
  };
}

/** kube-dns and kubernetes: their cluster IPs and, from their EndpointSlices, the addresses and ports behind them. */
export function serviceEndpoints(services: KubeObject[], slices: KubeObject[]): ServiceEndpoints[] {
  const result = new Map<string, ServiceEndpoints>();
  const entry = (namespace: string, name: string): ServiceEndpoints => {
    const key = `${namespace}/${name}`;
    let found = result.get(key);
    if (!found) {
      found = { namespace, name, clusterIPs: [], addresses: [], ports: [], pods: [] };
      result.set(key, found);
    }
    return found;
  };
  for (const service of services) {
    const spec = record(service.spec);
    const ips = strings(spec['clusterIPs']);
    const single = text(spec['clusterIP']);
    entry(service.metadata?.namespace ?? 'default', service.metadata?.name ?? '(unnamed)').clusterIPs = ips.length ? ips : single && single !== 'None' ? [single] : [];
  }
  for (const slice of slices) {
    const service = labelMap(slice.metadata?.labels)['kubernetes.io/service-name'];
    if (!service) continue;
    const target = entry(slice.metadata?.namespace ?? 'default', service);
    const raw = slice as Record<string, unknown>;
    for (const endpoint of list(raw['endpoints']).map(record)) {
      // Endpoints not ready still receive traffic once ready; policy judges them alike.
      for (const address of strings(endpoint['addresses'])) if (!target.addresses.includes(address)) target.addresses.push(address);
      const ref = record(endpoint['targetRef']);
      if (text(ref['kind']) === 'Pod' && text(ref['name'])) target.pods.push(`${text(ref['namespace']) ?? target.namespace}/${text(ref['name'])}`);
    }
    for (const port of list(raw['ports']).map(record)) {
      const number = integer(port['port']);
      if (number === undefined) continue;
      const protocol = (text(port['protocol']) ?? 'TCP').toUpperCase();
      if (!target.ports.some((p) => p.port === number && p.protocol === protocol)) target.ports.push({ name: text(port['name']) ?? null, port: number, protocol });
    }
  }
  return [...result.values()];
}

/**
 * A container's environment with `configMapKeyRef` values resolved against the collected
 * ConfigMaps (the manifests take `CALICO_NETWORKING_BACKEND`, `FELIX_*MTU` and the Typha service
 * name from `calico-config`).
 */
function containerEnv(container: Record<string, unknown>, namespace: string, configMaps: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list(container['env']).map(record)) {
    const name = text(entry['name']);
    if (!name) continue;
    const value = text(entry['value']);
    if (value !== undefined) {
      env[name] = value;
      continue;
    }
    const ref = record(record(entry['valueFrom'])['configMapKeyRef']);
    const mapName = text(ref['name']);
    const key = text(ref['key']);
    if (!mapName || !key) continue;
    const map = configMaps.find((m) => m.metadata?.name === mapName && (m.metadata?.namespace ?? namespace) === namespace);
    const resolved = text(record(map?.['data'])[key]);
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

const probeArgs = (container: Record<string, unknown>): string[] =>
  ['readinessProbe', 'livenessProbe'].flatMap((probe) =>
    list(record(record(container[probe])['exec'])['command']).flatMap((c) => (typeof c === 'string' ? [c] : [])),
  );

export function normalizeWorkload(
  object: KubeObject,
  kind: Workload['kind'],
  mainContainer: string,
  configMaps: KubeObject[],
): Workload {
  const spec = record(object.spec);
  const status = record(object.status);
  const namespace = object.metadata?.namespace ?? 'default';
  const containers = list(record(record(spec['template'])['spec'])['containers']).map(record);
  const container = containers.find((c) => c['name'] === mainContainer) ?? containers[0] ?? {};
  const counts =
    kind === 'DaemonSet'
      ? {
          desired: integer(status['desiredNumberScheduled']) ?? 0,
          ready: integer(status['numberReady']) ?? 0,
          available: integer(status['numberAvailable']) ?? 0,
        }
      : {
          desired: integer(spec['replicas']) ?? 1,
          ready: integer(status['readyReplicas']) ?? 0,
          available: integer(status['availableReplicas']) ?? 0,
        };
  return {
    ref: refOf(kind, object),
    kind,
    name: object.metadata?.name ?? '(unnamed)',
    namespace,
    ...counts,
    image: text(container['image']) ?? null,
    env: containerEnv(container, namespace, configMaps),
    probes: probeArgs(container),
  };
}

const CALICO_NAMESPACES = ['calico-system', 'kube-system', 'tigera-operator'];

/** Finds Calico's workloads by the names both install methods give them. */
export function findComponents(
  daemonSets: KubeObject[],
  deployments: KubeObject[],
  podDisruptionBudgets: KubeObject[] | null,
  configMaps: KubeObject[],
): Components {
  const pick = (objects: KubeObject[], names: string[]) =>
    objects
      .filter((o) => names.includes(o.metadata?.name ?? '') && CALICO_NAMESPACES.includes(o.metadata?.namespace ?? ''))
      // An operator install's calico-system copy wins over a leftover kube-system one.
      .sort((a, b) => CALICO_NAMESPACES.indexOf(a.metadata?.namespace ?? '') - CALICO_NAMESPACES.indexOf(b.metadata?.namespace ?? ''))[0];
  const workload = (objects: KubeObject[], kind: Workload['kind'], names: string[], container: string) => {
    const found = pick(objects, names);
    return found ? normalizeWorkload(found, kind, container, configMaps) : null;
  };
  const typhaPdb = podDisruptionBudgets ? pick(podDisruptionBudgets, ['calico-typha']) : undefined;
  return {
    calicoNode: workload(daemonSets, 'DaemonSet', ['calico-node'], 'calico-node'),
    // The operator and the Windows manifests both name it calico-node-windows; its Felix runs in container felix.
    calicoNodeWindows: workload(daemonSets, 'DaemonSet', ['calico-node-windows'], 'felix'),
    typha: workload(deployments, 'Deployment', ['calico-typha'], 'calico-typha'),
    kubeControllers: workload(deployments, 'Deployment', ['calico-kube-controllers'], 'calico-kube-controllers'),
    csiNodeDriver: workload(daemonSets, 'DaemonSet', ['csi-node-driver', 'calico-csi-node-driver'], 'calico-csi'),
    operator: workload(deployments, 'Deployment', ['tigera-operator'], 'tigera-operator'),
    awsNode: workload(daemonSets, 'DaemonSet', ['aws-node'], 'aws-node'),
    typhaPdb: typhaPdb ? refOf('PodDisruptionBudget', typhaPdb) : podDisruptionBudgets ? null : undefined,
  };
}
