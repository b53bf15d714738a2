/**
 * One Calico resource in either API group: `projectcalico.org/v3` as the Calico API server serves
 * it (defaults written out, empty matches in full), or raw `crd.projectcalico.org/v1` as kubectl
 * left it (defaults omitted, tier-prefixed policy names, v3 metadata in an annotation).
 */
import type { Cluster } from '../cluster.js';
import { kubeTime, numberOf, uuidOf } from '../deterministic.js';
import type { Json } from '../plan.js';
import type { CalicoResource } from './resources.js';

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A copy of `spec` without the fields whose value equals the given default. */
function withoutDefaults(spec: Json, defaults: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key in defaults && sameJson(defaults[key], value)) continue;
    out[key] = value;
  }
  return out;
}

/** Fields the raw CRDs leave out when they hold Calico's default (the v3 API server writes them out). */
const RAW_OMITTED_DEFAULTS: Record<string, Json> = {
  IPPool: { ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], disabled: false, assignmentMode: 'Automatic' },
  BGPConfiguration: { nodeToNodeMeshEnabled: true, logSeverityScreen: 'Info' },
  FelixConfiguration: {
    bpfEnabled: false,
    logSeverityScreen: 'Info',
    healthPort: 9099,
    vxlanVNI: 4096,
    vxlanPort: 4789,
    wireguardEnabled: false,
    prometheusMetricsEnabled: false,
    awsSrcDstCheck: 'DoNothing',
    nftablesMode: 'Disabled',
    wireguardListeningPort: 51820,
  },
  Tier: { defaultAction: 'Deny' },
};

/** A policy's ingress or egress rules, or none. */
export const policyRules = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/**
 * The `types` Calico assumes when a policy leaves them out. Only the unambiguous cases are used
 * to drop `types` from raw objects: an egress-only policy keeps its explicit `types`.
 */
function typesImplied(spec: Json): string[] | null {
  const ingress = policyRules(spec['ingress']).length > 0;
  const egress = policyRules(spec['egress']).length > 0;
  if (!egress) return ['Ingress'];
  if (ingress) return ['Ingress', 'Egress'];
  return null;
}

/** The v3 API server writes empty entity matches and the policy's tier out in full. */
function v3PolicySpec(spec: Json, tier: string): Json {
  const out: Json = { ...spec, tier };
  if (!out['types']) out['types'] = typesImplied(spec) ?? ['Egress'];
  for (const direction of ['ingress', 'egress']) {
    if (Array.isArray(spec[direction])) {
      out[direction] = policyRules(spec[direction]).map((rule) => ({ ...rule, destination: rule['destination'] ?? {}, source: rule['source'] ?? {} }));
    }
  }
  return out;
}

/** Raw policies as written with kubectl: no default tier, no implied types, no empty matches. */
function rawPolicySpec(spec: Json, tier: string): Json {
  const out: Json = { ...spec };
  if (tier !== 'default') out['tier'] = tier;
  else delete out['tier'];
  if (out['types'] && sameJson(out['types'], typesImplied(spec))) delete out['types'];
  for (const direction of ['ingress', 'egress']) {
    if (!Array.isArray(spec[direction])) continue;
    out[direction] = policyRules(spec[direction]).map((rule) => {
      const trimmed: Json = { ...rule };
      for (const side of ['source', 'destination']) {
        const match = trimmed[side];
        if (match && typeof match === 'object' && Object.keys(match).length === 0) delete trimmed[side];
      }
      return trimmed;
    });
  }
  return out;
}

/** One Calico resource in the chosen API group. */
export function emitCalico(cluster: Cluster, resource: CalicoResource): Json {
  const isPolicy = ['GlobalNetworkPolicy', 'NetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedNetworkPolicy'].includes(resource.kind);
  const tier = resource.tier ?? 'default';
  const seed = cluster.seed('calico', resource.kind, resource.namespace ?? '', resource.name);
  const created = kubeTime(cluster.createdMs(seed, !isPolicy));
  const uid = uuidOf(seed);
  const resourceVersion = String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000));
  const namespace = resource.namespace ? { namespace: resource.namespace } : {};
  if (cluster.apiGroup === 'projectcalico.org/v3') {
    // Before Calico 3.32 the v3 API names policies outside the default tier `<tier>.<name>`.
    const name = isPolicy && tier !== 'default' && !resource.name.startsWith('knp.') ? `${tier}.${resource.name}` : resource.name;
    const labels = { ...(resource.labels ?? {}), ...(isPolicy ? { 'projectcalico.org/tier': tier } : {}) };
    return {
      apiVersion: 'projectcalico.org/v3',
      kind: resource.kind,
      metadata: { creationTimestamp: created, ...(Object.keys(labels).length ? { labels } : {}), name, ...namespace, resourceVersion, uid },
      spec: isPolicy ? v3PolicySpec(resource.spec, tier) : resource.spec,
      ...(resource.status ? { status: resource.status } : {}),
    };
  }
  // Raw custom resources: the v3 metadata rides in an annotation, policy names carry their tier.
  const v3Metadata = { uid, creationTimestamp: created, ...(resource.labels ? { labels: resource.labels } : {}) };
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: resource.kind,
    metadata: {
      annotations: { 'projectcalico.org/metadata': JSON.stringify(v3Metadata) },
      creationTimestamp: created,
      generation: 1,
      ...(resource.labels ? { labels: resource.labels } : {}),
      name: isPolicy ? `${tier}.${resource.name}` : resource.name,
      ...namespace,
      resourceVersion,
      uid: uuidOf(`${seed}/crd`),
    },
    spec: isPolicy ? rawPolicySpec(resource.spec, tier) : withoutDefaults(resource.spec, RAW_OMITTED_DEFAULTS[resource.kind] ?? {}),
    ...(resource.status ? { status: resource.status } : {}),
  };
}
