/**
 * A cluster's Kubernetes API as the fleet simulation sees it: the collector's own resource table
 * answered from the member's snapshot, in memory, after a fixed latency per request. The API server
 * of each cluster is its own (no AWS rate limit applies), so what matters here is only its latency
 * and the collector's bounded reads in flight.
 */
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import type { KubeApi } from '../../src/collect/kube/client.js';
import { KUBE_RESOURCES, pathOf, type GroupVersion } from '../../src/collect/kube/resources.js';
import type { Snapshot } from '../../src/snapshot/schema.js';

export function simulatedKube(document: Snapshot, latencyMs: number): KubeApi {
  const calicoGroup = document.calico.apiGroup ?? null;
  const [group, version] = (calicoGroup ?? '/').split('/') as [string, string];
  const served: GroupVersion[] = [{ group: 'apps', version: 'v1' }, { group: 'policy', version: 'v1' }, { group: 'networking.k8s.io', version: 'v1' }];
  if (calicoGroup) served.push({ group, version }, { group: 'crd.projectcalico.org', version: 'v1' });
  if (document.calico.installation) served.push({ group: 'operator.tigera.io', version: 'v1' });

  const answers = new Map<string, unknown>();
  for (const resource of KUBE_RESOURCES) {
    const [section, key] = resource.field.split('.') as [string, string];
    const fields: unknown = document[section];
    const value = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>)[key] : undefined;
    const list = Array.isArray(value) ? (value as unknown[]) : undefined;
    const api = resource.api ?? (resource.calico === 'crd' || !calicoGroup ? { group: 'crd.projectcalico.org', version: 'v1' } : { group, version });
    const path = pathOf(resource, api);
    if (resource.verb === 'list') answers.set(path, { kind: 'List', apiVersion: 'v1', metadata: {}, items: value ?? [] });
    else if (resource.single) {
      if (value) answers.set(path, value);
    } else if (list?.length) answers.set(path, list[0]);
  }
  answers.set('/version', document.kubernetes.serverVersion);
  answers.set('/apis', {
    kind: 'APIGroupList',
    groups: served.map((g) => ({ name: g.group, versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version } })),
  });

  return {
    async get(path) {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const answer = answers.get(path);
      if (answer === undefined) throw new ApiException(404, 'Not Found', JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }), {});
      return answer;
    },
  };
}
