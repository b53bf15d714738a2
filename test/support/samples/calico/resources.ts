/**
 * The Calico resources a plan describes, once, in v3 terms (`emitCalico` writes them in either API
 * group), and Calico's own converted copies of the Kubernetes NetworkPolicies.
 */
import type { Cluster } from '../cluster.js';
import { hexOf } from '../deterministic.js';
import type { CalicoPlan, CalicoPolicyPlan, Json } from '../plan.js';
import { policyRules } from './api-groups.js';
import { minorOf } from './images.js';

/** A Calico resource described once, in v3 terms; `emitCalico` renders it in either group. */
export interface CalicoResource {
  kind: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Policies only. */
  tier?: string;
  spec: Json;
  status?: Json;
}

/** The snapshot's Calico lists, in the contract's order. */
export const CALICO_LISTS = [
  'clusterInformations',
  'ippools',
  'bgpConfigurations',
  'bgpPeers',
  'felixConfigurations',
  'kubeControllersConfigurations',
  'tiers',
  'globalNetworkPolicies',
  'networkPolicies',
  'globalNetworkSets',
  'networkSets',
  'hostEndpoints',
  'stagedGlobalNetworkPolicies',
  'stagedNetworkPolicies',
  'stagedKubernetesNetworkPolicies',
] as const;
type CalicoList = (typeof CALICO_LISTS)[number];

export function calicoResources(cluster: Cluster): Record<CalicoList, CalicoResource[]> {
  const calico = cluster.calico!;
  const operator = calico.install === 'operator';
  const clusterType = ['typha', 'kdd', 'k8s', ...(operator ? ['operator', 'ecs'] : []), ...(calico.cni === 'Calico' ? ['bgp'] : [])];
  if (!operator && calico.typhaReplicas === 0) clusterType.shift();
  const kubeControllers = {
    controllers: {
      loadBalancer: { assignIPs: 'AllServices' },
      node: { hostEndpoint: { autoCreate: 'Disabled' }, leakGracePeriod: '15m0s', reconcilerPeriod: '5m0s', syncLabels: 'Enabled' },
    },
    etcdV3CompactionPeriod: '10m0s',
    healthChecks: 'Enabled',
    logSeverityScreen: 'Info',
    prometheusMetricsPort: 9094,
  };
  const builtInTiers = [
    { name: 'adminnetworkpolicy', order: 1_000, defaultAction: 'Pass' as const },
    { name: 'default', order: 1_000_000, defaultAction: 'Deny' as const },
    ...(minorOf(calico.version) >= '3.30' ? [{ name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' as const }] : []),
  ];
  const tiers = [...builtInTiers, ...(calico.extraTiers ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  const policy = (kind: 'GlobalNetworkPolicy' | 'NetworkPolicy') => (p: CalicoPolicyPlan): CalicoResource => ({
    kind,
    name: p.name,
    ...(p.namespace ? { namespace: p.namespace } : {}),
    ...(p.labels ? { labels: p.labels } : {}),
    tier: p.tier ?? 'default',
    spec: p.spec,
  });
  return {
    clusterInformations: [
      {
        kind: 'ClusterInformation',
        name: 'default',
        spec: {
          calicoVersion: calico.version,
          clusterGUID: hexOf(cluster.seed('cluster-guid'), 32),
          clusterType: clusterType.join(','),
          ...(calico.variant === 'TigeraSecureEnterprise' ? { cnxVersion: calico.enterpriseVersion } : {}),
          datastoreReady: true,
          variant: calico.variant,
        },
      },
    ],
    ippools: calico.pools.map((p) => ({
      kind: 'IPPool',
      name: p.name,
      spec: {
        allowedUses: ['Workload', 'Tunnel'],
        assignmentMode: 'Automatic',
        blockSize: p.blockSize,
        cidr: p.cidr,
        ...(p.disabled ? { disabled: true } : {}),
        ipipMode: p.ipipMode,
        natOutgoing: p.natOutgoing,
        nodeSelector: p.nodeSelector ?? 'all()',
        vxlanMode: p.vxlanMode,
      },
    })),
    bgpConfigurations: calico.bgpConfiguration ? [{ kind: 'BGPConfiguration', name: 'default', spec: calico.bgpConfiguration }] : [],
    bgpPeers: calico.bgpPeers.map((p) => ({ kind: 'BGPPeer', name: p.name, spec: p.spec })),
    felixConfigurations: [{ kind: 'FelixConfiguration', name: 'default', spec: calico.felix }],
    kubeControllersConfigurations: [
      {
        kind: 'KubeControllersConfiguration',
        name: 'default',
        spec: kubeControllers,
        status: {
          environmentVars: { DATASTORE_TYPE: 'kubernetes', ENABLED_CONTROLLERS: 'node,loadbalancer' },
          runningConfig: { controllers: kubeControllers.controllers, etcdV3CompactionPeriod: '10m0s', healthChecks: 'Enabled', logSeverityScreen: 'Info' },
        },
      },
    ],
    tiers: tiers.map((t) => ({ kind: 'Tier', name: t.name, spec: { defaultAction: t.defaultAction ?? 'Deny', order: t.order } })),
    globalNetworkPolicies: calico.globalPolicies.map(policy('GlobalNetworkPolicy')),
    networkPolicies: calico.networkPolicies.map(policy('NetworkPolicy')),
    globalNetworkSets: (calico.globalNetworkSets ?? []).map((s) => ({ kind: 'GlobalNetworkSet', name: s.name, labels: s.labels, spec: { nets: s.nets } })),
    networkSets: [],
    hostEndpoints: [],
    ...stagedResources(calico.stagedPolicies ?? []),
  };
}

function stagedResources(staged: NonNullable<CalicoPlan['stagedPolicies']>): Record<'stagedGlobalNetworkPolicies' | 'stagedNetworkPolicies' | 'stagedKubernetesNetworkPolicies', CalicoResource[]> {
  const of = (kind: string) =>
    staged
      .filter((p) => p.kind === kind)
      .map((p): CalicoResource => ({ kind: p.kind, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), ...(kind === 'StagedKubernetesNetworkPolicy' ? {} : { tier: p.tier ?? 'default' }), spec: p.spec }));
  return {
    stagedGlobalNetworkPolicies: of('StagedGlobalNetworkPolicy'),
    stagedNetworkPolicies: of('StagedNetworkPolicy'),
    stagedKubernetesNetworkPolicies: of('StagedKubernetesNetworkPolicy'),
  };
}

/** Calico's own copies of Kubernetes policies, which the v3 API lists as `knp.default.<name>`. */
export function convertedKubernetesPolicies(cluster: Cluster): CalicoResource[] {
  return cluster.plan.kubernetesNetworkPolicies.map((np) => ({
    kind: 'NetworkPolicy',
    name: `knp.default.${np.name}`,
    namespace: np.namespace,
    tier: 'default',
    spec: kubernetesPolicyAsCalico(np.spec),
  }));
}

/** A Kubernetes label selector in Calico's selector syntax (`all()` when empty). */
function labelSelectorAsCalico(selector: unknown, pods: boolean): string {
  const parts = pods ? ["projectcalico.org/orchestrator == 'k8s'"] : [];
  const s = (selector ?? {}) as Json;
  for (const [key, value] of Object.entries((s['matchLabels'] ?? {}) as Record<string, string>)) parts.push(`${key} == '${value}'`);
  for (const expression of policyRules(s['matchExpressions'])) {
    const key = String(expression['key']);
    const values = ((expression['values'] ?? []) as string[]).map((v) => `'${v}'`).join(', ');
    const operator = String(expression['operator']);
    if (operator === 'In') parts.push(`${key} in { ${values} }`);
    else if (operator === 'NotIn') parts.push(`${key} not in { ${values} }`);
    else if (operator === 'Exists') parts.push(`has(${key})`);
    else if (operator === 'DoesNotExist') parts.push(`! has(${key})`);
  }
  return parts.length ? parts.join(' && ') : 'all()';
}

/** Roughly what Calico's policy converter makes of a networking.k8s.io/v1 NetworkPolicy spec. */
function kubernetesPolicyAsCalico(spec: Json): Json {
  const convert = (list: unknown, peerField: 'from' | 'to', direction: 'ingress' | 'egress'): Json[] =>
    policyRules(list).flatMap((rule) => {
      const peers: Array<Json | undefined> = policyRules(rule[peerField]).length ? policyRules(rule[peerField]) : [undefined];
      const byProtocol = new Map<string, unknown[]>();
      for (const port of policyRules(rule['ports'])) {
        const protocol = typeof port['protocol'] === 'string' ? port['protocol'] : 'TCP';
        byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), ...(port['port'] !== undefined ? [port['port']] : [])]);
      }
      const protocols: Array<[string | undefined, unknown[]]> = byProtocol.size ? [...byProtocol] : [[undefined, []]];
      return peers.flatMap((peer) =>
        protocols.map(([protocol, ports]) => {
          const peerMatch: Json = {};
          const ipBlock = peer?.['ipBlock'] as Json | undefined;
          if (ipBlock) {
            peerMatch['nets'] = [ipBlock['cidr']];
            if (Array.isArray(ipBlock['except'])) peerMatch['notNets'] = ipBlock['except'];
          } else if (peer) {
            if (peer['namespaceSelector']) peerMatch['namespaceSelector'] = labelSelectorAsCalico(peer['namespaceSelector'], false);
            peerMatch['selector'] = labelSelectorAsCalico(peer['podSelector'], true);
          }
          const portMatch: Json = ports.length ? { ports } : {};
          return {
            action: 'Allow',
            ...(protocol ? { protocol } : {}),
            ...(direction === 'ingress'
              ? { destination: portMatch, source: peerMatch }
              : { destination: { ...peerMatch, ...portMatch }, source: {} }),
          };
        }),
      );
    });
  const types = (spec['policyTypes'] as string[] | undefined) ?? (policyRules(spec['egress']).length ? ['Ingress', 'Egress'] : ['Ingress']);
  return {
    ...(types.includes('Egress') ? { egress: convert(spec['egress'], 'to', 'egress') } : {}),
    ...(types.includes('Ingress') ? { ingress: convert(spec['ingress'], 'from', 'ingress') } : {}),
    order: 1000,
    selector: labelSelectorAsCalico(spec['podSelector'], true),
    types,
  };
}
