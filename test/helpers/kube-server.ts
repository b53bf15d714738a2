/**
 * A fake Kubernetes API server over HTTPS on 127.0.0.1, serving a sample snapshot's objects through
 * the real URL layout (`/api/v1/...`, `/apis/<group>/<version>/...`): discovery, lists with
 * `limit`/`continue`, single GETs, `Status` errors. It checks each request's bearer token is an EKS
 * token, can answer 403 for chosen paths, leave groups out (404), throttle (429), withhold tiers the
 * way the Calico API server does, and delay every answer. It knows nothing of the collector's tables.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject, Snapshot } from '../../src/snapshot/schema.js';
import { testTls } from './tls.js';

type Json = KubeObject;

export interface FakeKubeOptions {
  /** A snapshot document (as in samples/fleet) whose objects are served. */
  snapshot: Snapshot;
  /** Paths answered with 403 Forbidden. */
  forbidden?: string[];
  /** API groups not served at all: absent from /apis, 404 below. */
  absentGroups?: string[];
  /** projectcalico.org/v3 tiers this identity may not read (Calico's tier RBAC). */
  deniedTiers?: string[];
  /** Paths answered with 429 this many times before they succeed. */
  throttle?: Record<string, number>;
  /** Extra objects served in a collection beyond the snapshot's, by path. */
  extra?: Record<string, Json[]>;
  /** Replaces objects served in a collection, by path. */
  replace?: Record<string, Json[]>;
  /** Milliseconds before each answer (simulated latency). */
  delayMs?: number;
  /** Paths never answered (a hung API server). */
  hang?: string[];
  /** A list whose every page carries a `continue` token: the same one again, or always a new one. */
  endless?: { path: string; tokens: 'repeated' | 'fresh' };
}

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

export interface FakeKube {
  url: string;
  caData: string;
  requests: RecordedRequest[];
  /** TLS connections accepted, and the most requests ever being answered at once. */
  load: { connections: number; peakInFlight: number };
  close(): Promise<void>;
}

/** Built-in types: list items come without apiVersion/kind, as the real API server sends them. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'policy', 'networking.k8s.io']);

interface Collection {
  group: string;
  version: string;
  kind: string;
  items: Json[];
  /** Policy in projectcalico.org/v3: subject to tier RBAC. */
  tiered?: boolean;
  /** Answers `labelSelector=key=value` (EndpointSlices by service name). */
  selectable?: boolean;
}

const CALICO_LISTS = [
  ['clusterInformations', 'clusterinformations', 'ClusterInformation'],
  ['ippools', 'ippools', 'IPPool'],
  ['bgpConfigurations', 'bgpconfigurations', 'BGPConfiguration'],
  ['bgpPeers', 'bgppeers', 'BGPPeer'],
  ['felixConfigurations', 'felixconfigurations', 'FelixConfiguration'],
  ['kubeControllersConfigurations', 'kubecontrollersconfigurations', 'KubeControllersConfiguration'],
  ['tiers', 'tiers', 'Tier'],
  ['globalNetworkPolicies', 'globalnetworkpolicies', 'GlobalNetworkPolicy'],
  ['networkPolicies', 'networkpolicies', 'NetworkPolicy'],
  ['globalNetworkSets', 'globalnetworksets', 'GlobalNetworkSet'],
  ['networkSets', 'networksets', 'NetworkSet'],
  ['hostEndpoints', 'hostendpoints', 'HostEndpoint'],
  ['stagedGlobalNetworkPolicies', 'stagedglobalnetworkpolicies', 'StagedGlobalNetworkPolicy'],
  ['stagedNetworkPolicies', 'stagednetworkpolicies', 'StagedNetworkPolicy'],
  ['stagedKubernetesNetworkPolicies', 'stagedkubernetesnetworkpolicies', 'StagedKubernetesNetworkPolicy'],
] as const;

function layout(snapshot: Snapshot): { collections: Map<string, Collection>; objects: Map<string, Json>; groups: Map<string, string> } {
  const k = snapshot.kubernetes;
  const c = snapshot.calico;
  const collections = new Map<string, Collection>();
  const groups = new Map<string, string>([
    ['apps', 'v1'],
    ['policy', 'v1'],
    ['networking.k8s.io', 'v1'],
  ]);
  const add = (path: string, group: string, version: string, kind: string, items: Json[] | null | undefined, tiered = false, selectable = false) =>
    collections.set(path, { group, version, kind, items: items ?? [], tiered, selectable });
  add('/api/v1/nodes', '', 'v1', 'Node', k.nodes);
  add('/api/v1/namespaces', '', 'v1', 'Namespace', k.namespaces);
  add('/api/v1/pods', '', 'v1', 'Pod', k.pods);
  add('/apis/networking.k8s.io/v1/networkpolicies', 'networking.k8s.io', 'v1', 'NetworkPolicy', k.networkPolicies);
  add('/apis/apps/v1/daemonsets', 'apps', 'v1', 'DaemonSet', k.daemonSets);
  add('/apis/apps/v1/deployments', 'apps', 'v1', 'Deployment', k.deployments);
  add('/apis/policy/v1/poddisruptionbudgets', 'policy', 'v1', 'PodDisruptionBudget', k.podDisruptionBudgets);
  // Karpenter's CRDs are installed where the sample has NodePools; elsewhere karpenter.sh is not served at all.
  if (k.karpenterNodePools?.length) {
    groups.set('karpenter.sh', 'v1');
    add('/apis/karpenter.sh/v1/nodepools', 'karpenter.sh', 'v1', 'NodePool', k.karpenterNodePools);
  }

  const objects = new Map<string, Json>();
  for (const cm of k.configMaps ?? []) objects.set(`/api/v1/namespaces/${cm.metadata?.namespace}/configmaps/${cm.metadata?.name}`, cm);
  for (const service of k.services ?? []) objects.set(`/api/v1/namespaces/${service.metadata?.namespace}/services/${service.metadata?.name}`, service);
  // EndpointSlices, listed per namespace (the collector narrows each list to one service).
  groups.set('discovery.k8s.io', 'v1');
  const slices = k.endpointSlices ?? [];
  for (const namespace of new Set(slices.map((s) => s.metadata?.namespace ?? ''))) {
    add(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, 'discovery.k8s.io', 'v1', 'EndpointSlice', slices.filter((s) => s.metadata?.namespace === namespace), false, true);
  }
  // The network-policy-api CRDs, when the snapshot holds their lists (null: not installed): v1alpha1
  // AdminNetworkPolicy/BaselineAdminNetworkPolicy, and v1alpha2 ClusterNetworkPolicy when one is held.
  if (k.adminNetworkPolicies != null) {
    const v2 = (o: Json) => o.apiVersion === 'policy.networking.k8s.io/v1alpha2';
    const clusterPolicies = k.adminNetworkPolicies.filter(v2);
    const versions = [...(clusterPolicies.length < k.adminNetworkPolicies.length || !clusterPolicies.length ? ['v1alpha1'] : []), ...(clusterPolicies.length ? ['v1alpha2'] : [])];
    groups.set('policy.networking.k8s.io', versions.join(','));
    if (versions.includes('v1alpha1')) {
      add('/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies', 'policy.networking.k8s.io', 'v1alpha1', 'AdminNetworkPolicy', k.adminNetworkPolicies.filter((o: Json) => !v2(o)));
      add('/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies', 'policy.networking.k8s.io', 'v1alpha1', 'BaselineAdminNetworkPolicy', k.baselineAdminNetworkPolicies);
    }
    if (clusterPolicies.length) add('/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies', 'policy.networking.k8s.io', 'v1alpha2', 'ClusterNetworkPolicy', clusterPolicies);
  }

  if (c.apiGroup) {
    // The raw CRDs are always there (IPAM blocks live only there); the v3 API server serves the rest when installed.
    groups.set('crd.projectcalico.org', 'v1');
    add('/apis/crd.projectcalico.org/v1/ipamblocks', 'crd.projectcalico.org', 'v1', 'IPAMBlock', c.ipamBlocks);
    const [group, version] = c.apiGroup.split('/') as [string, string];
    groups.set(group, version);
    for (const [field, plural, kind] of CALICO_LISTS) {
      add(`/apis/${group}/${version}/${plural}`, group, version, kind, c[field], group === 'projectcalico.org' && /policies$/.test(plural) && plural !== 'stagedkubernetesnetworkpolicies');
    }
  }
  if (c.installation) {
    groups.set('operator.tigera.io', 'v1');
    objects.set('/apis/operator.tigera.io/v1/installations/default', c.installation);
  }
  return { collections, objects, groups };
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

const USER = 'arn:aws:sts::111122223333:assumed-role/CalicoAuditReadOnly/calico-audit';

/** True when the header carries an EKS token: `k8s-aws-v1.` + base64url of a presigned GetCallerIdentity URL signing x-k8s-aws-id. */
export function isEksBearer(header: string | undefined): boolean {
  const match = /^Bearer k8s-aws-v1\.([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return false;
  try {
    const url = new URL(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    const q = url.searchParams;
    return url.protocol === 'https:' && q.get('Action') === 'GetCallerIdentity' && q.get('X-Amz-SignedHeaders') === 'host;x-k8s-aws-id' && !!q.get('X-Amz-Signature');
  } catch {
    return false;
  }
}

/** `spec.tier` of a policy, when it is a string. */
const specTier = (spec: unknown): string | undefined =>
  typeof spec === 'object' && spec !== null && 'tier' in spec && typeof spec.tier === 'string' ? spec.tier : undefined;
const tierOf = (policy: Json): string => policy.metadata?.labels?.['projectcalico.org/tier'] ?? specTier(policy.spec) ?? 'default';

/** The offset a `continue` token of this server carries. */
function continueOffset(token: string): number {
  const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
  return typeof decoded === 'object' && decoded !== null && 'offset' in decoded ? Number(decoded.offset) : NaN;
}

/** A list item as the API server sends built-in types: without apiVersion and kind. */
function withoutTypeMeta(object: Json): Json {
  const item = { ...object };
  delete item.apiVersion;
  delete item.kind;
  return item;
}

export async function startFakeKube(options: FakeKubeOptions): Promise<FakeKube> {
  const tls = testTls();
  const { collections, objects, groups } = layout(options.snapshot);
  for (const [path, items] of Object.entries(options.replace ?? {})) collections.get(path)!.items = items;
  for (const [path, items] of Object.entries(options.extra ?? {})) collections.get(path)!.items = [...collections.get(path)!.items, ...items];
  const absent = new Set(options.absentGroups ?? []);
  const deniedTiers = new Set(options.deniedTiers ?? []);
  const throttle = new Map(Object.entries(options.throttle ?? {}));
  const requests: RecordedRequest[] = [];

  const answer = (path: string, query: Record<string, string>): [number, unknown, Record<string, string>?] => {
    if (path === '/version') return [200, options.snapshot.kubernetes.serverVersion];
    if (path === '/apis') {
      const list = [...groups].filter(([name]) => !absent.has(name));
      return [200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: list.map(([name, versions]) => {
          const all = versions.split(',');
          return { name, versions: all.map((version) => ({ groupVersion: `${name}/${version}`, version })), preferredVersion: { groupVersion: `${name}/${all.at(-1)}`, version: all.at(-1) } };
        }),
      }];
    }
    const group = /^\/apis\/([^/]+)\//.exec(path)?.[1];
    const version = /^\/apis\/[^/]+\/([^/]+)\//.exec(path)?.[1];
    if (group && (absent.has(group) || !groups.has(group) || (version && !groups.get(group)!.split(',').includes(version)))) return [404, status(404, 'NotFound', '404 page not found')];
    if (options.forbidden?.includes(path)) {
      const resource = path.split('/').pop();
      return [403, status(403, 'Forbidden', `${resource}${group ? `.${group}` : ''} is forbidden: User "${USER}" cannot list resource "${resource}" in API group "${group ?? ''}" at the cluster scope`)];
    }
    const left = throttle.get(path) ?? 0;
    if (left > 0) {
      throttle.set(path, left - 1);
      return [429, status(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later'), { 'retry-after': '0' }];
    }
    const object = objects.get(path);
    if (object) return [200, object];
    // A namespaced list (`…/namespaces/<ns>/<plural>`) serves the cluster-wide collection's objects in that namespace.
    const namespaced = /^(\/apis?\/.+?)\/namespaces\/([^/]+)\/([^/]+)$/.exec(path);
    const collection = collections.get(path) ?? (namespaced ? collections.get(`${namespaced[1]}/${namespaced[3]}`) : undefined);
    if (!collection) return [404, status(404, 'NotFound', `the server could not find the requested resource (get ${path})`)];

    let items = namespaced && !collections.has(path) ? collection.items.filter((o) => o.metadata?.namespace === namespaced[2]) : collection.items;
    if (collection.tiered) {
      const selector = query['labelSelector'];
      if (selector) {
        const tiers = /^projectcalico\.org\/tier in \(([^)]*)\)$/.exec(selector)?.[1]?.split(',');
        if (!tiers) return [400, status(400, 'BadRequest', `unsupported selector ${selector}`)];
        const denied = tiers.find((t) => deniedTiers.has(t));
        if (denied) return [403, status(403, 'Forbidden', `${path.split('/').pop()}.projectcalico.org is forbidden: User "${USER}" cannot list projectcalico.org/${path.split('/').pop()} in tier "${denied}"`)];
        items = items.filter((p) => tiers.includes(tierOf(p)));
      } else {
        // As Calico's API server does: without a tier selector, quietly only the tiers the caller may read.
        items = items.filter((p) => !deniedTiers.has(tierOf(p)));
      }
    } else if (query['labelSelector']) {
      const match = /^([\w./-]+)=([\w.-]+)$/.exec(query['labelSelector']);
      if (!collection.selectable || !match) return [400, status(400, 'BadRequest', 'unexpected labelSelector')];
      items = items.filter((o) => o.metadata?.labels?.[match[1]!] === match[2]);
    }
    if (options.endless?.path === path) {
      // Every page says there is another: the same continue token again, or always a new one.
      const n = requests.filter((r) => r.path === path).length;
      const token = options.endless.tokens === 'repeated' ? 'eyJhZ2FpbiI6dHJ1ZX0' : Buffer.from(JSON.stringify({ page: n })).toString('base64url');
      return [200, { kind: `${collection.kind}List`, apiVersion: 'v1', metadata: { resourceVersion: '99887766', continue: token }, items: items.slice(0, 1) }];
    }
    const offset = query['continue'] ? continueOffset(query['continue']) : 0;
    const limit = query['limit'] ? Number(query['limit']) : items.length;
    const page = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64url') : undefined;
    const builtIn = BUILT_IN_GROUPS.has(collection.group);
    return [200, {
      kind: `${collection.kind}List`,
      apiVersion: collection.group ? `${collection.group}/${collection.version}` : collection.version,
      metadata: { resourceVersion: '99887766', ...(next ? { continue: next, remainingItemCount: items.length - offset - limit } : {}) },
      items: builtIn ? page.map(withoutTypeMeta) : page,
    }];
  };

  const load = { connections: 0, peakInFlight: 0 };
  let inFlight = 0;
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    load.peakInFlight = Math.max(load.peakInFlight, ++inFlight);
    res.on('finish', () => inFlight--);
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query, authorization: req.headers.authorization });
    const [code, body, headers] = !isEksBearer(req.headers.authorization)
      ? [401, status(401, 'Unauthorized', 'Unauthorized')]
      : req.method !== 'GET'
        ? [405, status(405, 'MethodNotAllowed', 'read-only server')]
        : answer(url.pathname, query);
    const send = () => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (options.hang?.includes(url.pathname)) return; // never answered
    if (options.delayMs) setTimeout(send, options.delayMs);
    else send();
  });
  server.on('secureConnection', () => load.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caData: tls.caData,
    requests,
    load,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
