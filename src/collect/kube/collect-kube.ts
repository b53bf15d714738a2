/**
 * Reads every resource in the table from the cluster's Kubernetes API, concurrently, following
 * continue tokens. Each failure becomes an error entry and a `null`; the rest carries on.
 */
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import type { KubeObject, Snapshot } from '../../snapshot/schema.js';
import { SNAPSHOT_SOURCES } from '../../snapshot/sources.js';
import { trimFor } from '../../snapshot/trim.js';
import { ReadError, describeFailure, type ErrorLog } from '../errors.js';
import { collectBounded, DEFAULT_MAX_PAGES } from '../pages.js';
import { readDiscovery, tierSelector, type Discovery } from './calico.js';
import type { KubeApi, Query } from './client.js';
import { CALICO_V3, KUBE_RESOURCES, apiOf, apiVersionOf, pathOf, type GroupVersion, type KubeResource } from './resources.js';

export const DEFAULT_PAGE_SIZE = 1000;

export type KubernetesSection = Snapshot['kubernetes'];
export type CalicoSection = Snapshot['calico'];

export interface KubeCollection {
  /** Settles as soon as the nodes are read (the EC2 instance lookup waits on it, not on the rest). */
  nodes: Promise<KubeObject[] | null>;
  sections: Promise<{ kubernetes: KubernetesSection; calico: CalicoSection }>;
}

interface ListBody {
  items?: KubeObject[];
  metadata?: { continue?: string };
}

/** Every page of a list, following `continue` tokens: at most `maxPages`, and never a token twice. */
async function listAll(api: KubeApi, path: string, query: Query, pageSize: number, maxPages = DEFAULT_MAX_PAGES): Promise<KubeObject[]> {
  async function* pages(): AsyncGenerator<ListBody> {
    let token: string | undefined;
    do {
      const page = (await api.get(path, { ...query, limit: pageSize, continue: token })) as ListBody;
      yield page;
      token = page.metadata?.continue || undefined;
    } while (token);
  }
  return collectBounded(pages(), (page) => page.metadata?.continue, (page) => page.items, `GET ${path}`, maxPages);
}

/** List items of built-in types come without `apiVersion`/`kind`; put them back, as `kubectl get -o json` does. */
const withTypeMeta = (object: KubeObject, api: GroupVersion, kind: string): KubeObject => ({ apiVersion: apiVersionOf(api), kind, ...object });

const isNotFound = (error: unknown): boolean => error instanceof ApiException && error.code === 404;

async function readResource(
  api: KubeApi,
  resource: KubeResource,
  from: GroupVersion,
  pageSize: number,
  labelSelector?: string,
  existingNamespaces?: () => Promise<ReadonlySet<string> | null>,
  maxPages?: number,
  as: { plural: string; kind: string } = resource,
): Promise<KubeObject[] | KubeObject | null> {
  const path = pathOf(resource, from, { plural: as.plural });
  // Each object is reduced to what the audit reads as it arrives (src/snapshot/trim.ts): no annotations, no env values but Calico's.
  const trim = trimFor(resource.field);
  if (resource.verb === 'get') {
    if (resource.objects) {
      // Several named objects kept as one list: one that does not exist is simply not in it.
      const found: KubeObject[] = [];
      for (const { namespace, name } of resource.objects) {
        try {
          found.push(trim(withTypeMeta((await api.get(pathOf(resource, from, { namespace, name }))) as KubeObject, from, as.kind)));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return found;
    }
    try {
      const object = trim(withTypeMeta((await api.get(path)) as KubeObject, from, as.kind));
      return resource.single ? object : [object];
    } catch (error) {
      // Absent is an answer: no calico-config ConfigMap ([]), no Installation (a manifest install: null).
      if (isNotFound(error)) return resource.single ? null : [];
      throw error;
    }
  }
  const query = labelSelector ? { labelSelector } : {};
  let items: KubeObject[];
  if (resource.selections) {
    // One narrowed list per namespace (the Services' EndpointSlices), joined in namespace order.
    const lists = resource.selections.map((s) =>
      listAll(api, pathOf(resource, from, { namespace: s.namespace, plural: as.plural }), { labelSelector: s.labelSelector }, pageSize, maxPages),
    );
    items = (await Promise.all(lists)).flat();
  } else if (resource.namespaces) {
    // One list per namespace that exists (the namespace list unread: try them all), in the order
    // a cluster-wide list would give (the API server serves by namespace, then name).
    const existing = existingNamespaces ? await existingNamespaces() : null;
    const scopes = resource.namespaces.filter((ns) => !existing || existing.has(ns)).sort();
    items = (await Promise.all(scopes.map((ns) => listAll(api, pathOf(resource, from, { namespace: ns, plural: as.plural }), query, pageSize, maxPages)))).flat();
  } else {
    items = await listAll(api, path, query, pageSize, maxPages);
  }
  return items.map((o) => trim(withTypeMeta(o, from, as.kind)));
}

/**
 * An optional API (the Kubernetes admin policies): every served group/version of it, joined. None
 * served means its CRDs are not installed, so none can exist: an empty list, as snapshot.md has it
 * for lists read "when served" (like Karpenter's NodePools), not a collection error.
 */
async function readOptionalApi(api: KubeApi, resource: KubeResource, discovery: Discovery, pageSize: number, maxPages?: number): Promise<KubeObject[]> {
  const candidates = [{ api: resource.api!, plural: resource.plural, kind: resource.kind }, ...(resource.alternatives ?? [])];
  const served = candidates.filter((c) => discovery.serves(c.api));
  if (!served.length) return [];
  const lists = await Promise.all(served.map((c) => readResource(api, resource, c.api, pageSize, undefined, undefined, maxPages, c) as Promise<KubeObject[]>));
  return lists.flat();
}

export interface KubeCollectOptions {
  pageSize?: number;
  /** Pages read at most per list (default 1,000). */
  maxPages?: number;
}

/**
 * Starts every read. `api` is the connected client, or the error that kept it from connecting
 * (no endpoint, no token): then every source records that error.
 */
export function collectKubernetes(api: KubeApi | Error, log: ErrorLog, options: KubeCollectOptions = {}): KubeCollection {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const attempt = <T>(source: string, run: (api: KubeApi) => Promise<T>) => log.attempt(source, () => (api instanceof Error ? Promise.reject(api) : run(api)));

  const serverVersion = attempt(SNAPSHOT_SOURCES['kubernetes.serverVersion'], (a) => a.get('/version'));
  // Read once; the Calico lists wait for it, the rest do not.
  const discovery: Promise<Discovery | Error> =
    api instanceof Error ? Promise.resolve(api) : api.get('/apis').then(readDiscovery, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));

  const results = new Map<KubeResource['field'], Promise<KubeObject[] | KubeObject | null>>();
  const read = (resource: KubeResource, labelSelector?: () => Promise<string | undefined>) =>
    attempt(SNAPSHOT_SOURCES[resource.field], async (a) => {
      if (resource.optionalApi) {
        const found = await discovery;
        if (found instanceof Error) throw blocked(found, 'API discovery (/apis) failed');
        return readOptionalApi(a, resource, found, pageSize, options.maxPages);
      }
      let from = apiOf(resource, null);
      if (!from || resource.ifServed) {
        const found = await discovery;
        if (found instanceof Error) {
          if (!from) throw blocked(found, 'API discovery (/apis) failed');
        } else {
          from ??= apiOf(resource, found.calico);
          if (!from) throw new ReadError('NotFound', 'not read: neither projectcalico.org/v3 nor crd.projectcalico.org/v1 is served (Calico absent?)');
          if (resource.ifServed && !found.serves(from)) return resource.single ? null : [];
        }
      }
      return readResource(a, resource, from, pageSize, from === CALICO_V3 && labelSelector ? await labelSelector() : undefined, existingNamespaces, options.maxPages);
    });

  // Namespaced reads wait for the namespace list, to ask only where a namespace exists.
  const existingNamespaces = async (): Promise<ReadonlySet<string> | null> => {
    const namespaces = (await results.get('kubernetes.namespaces')) as KubeObject[] | null | undefined;
    return namespaces ? new Set(namespaces.map((n) => n.metadata?.name).filter((n): n is string => !!n)) : null;
  };

  // Tiered v3 policies wait for the tier list and name every tier in their selector.
  const tierNames = async (): Promise<string | undefined> => {
    const tiers = (await results.get('calico.tiers')) as KubeObject[] | null;
    if (tiers === null) {
      throw new ReadError(
        'TiersUnreadable',
        'not read: the tier list could not be read, and without naming every tier the Calico API server silently returns only the policies of tiers this identity may read',
      );
    }
    const names = tiers.map((t) => t.metadata?.name).filter((n): n is string => !!n);
    return names.length ? tierSelector(names) : undefined;
  };
  for (const resource of KUBE_RESOURCES) results.set(resource.field, read(resource, resource.tiered ? tierNames : undefined));

  const sections = (async () => {
    const found = await discovery;
    const kubernetes: Record<string, unknown> = { serverVersion: await serverVersion };
    const calico: Record<string, unknown> = { apiGroup: found instanceof Error || !found.calico ? null : apiVersionOf(found.calico) };
    // Each table field names its place in the snapshot: `kubernetes.nodes`, `calico.ippools`, …
    for (const [field, value] of results) {
      const [section, key] = field.split('.') as ['kubernetes' | 'calico', string];
      (section === 'kubernetes' ? kubernetes : calico)[key] = await value;
    }
    return { kubernetes: kubernetes as KubernetesSection, calico: calico as CalicoSection };
  })();
  return { nodes: results.get('kubernetes.nodes') as Promise<KubeObject[] | null>, sections };
}

/** The error for a read that never started because another step failed: that step's code, with the reason. */
function blocked(cause: Error, what: string): ReadError {
  const { code, message } = describeFailure(cause);
  return new ReadError(code, `not read: ${what}: ${message}`, { cause });
}
