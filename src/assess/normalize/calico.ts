/**
 * Calico resources from either API group into the model. The v3 API server fills defaults in;
 * raw `crd.projectcalico.org/v1` objects often omit them and may carry legacy fields, so every
 * default below is the one Calico itself applies.
 */
import type { KubeObject } from '../../snapshot/schema.js';
import { isIpv6 } from '../ipv4.js';
import type {
  BgpConfiguration,
  BgpPeer,
  EncapsulationMode,
  FelixNodeOverride,
  FelixSettings,
  IpamBlock,
  IpPool,
  ObjectRef,
  Tier,
} from '../model.js';
import { flag, integer, list, record, strings, text } from './read.js';

export const refOf = (kind: string, object: KubeObject): ObjectRef => {
  const ref: ObjectRef = { kind, name: object.metadata?.name ?? '(unnamed)' };
  if (object.metadata?.namespace) ref.namespace = object.metadata.namespace;
  return ref;
};

const specOf = (object: KubeObject) => record(object.spec);

/** `Always`, `CrossSubnet` or `Never`, accepting the case variants older tools wrote. */
function encapsulationMode(value: unknown): EncapsulationMode | undefined {
  const lowered = text(value)?.toLowerCase().replace(/[-_]/g, '');
  if (lowered === 'always') return 'Always';
  if (lowered === 'crosssubnet') return 'CrossSubnet';
  if (lowered === 'never' || lowered === '') return 'Never';
  return undefined;
}

/** Calico's defaults: IPIP and VXLAN `Never`, block /26 (IPv4) or /122 (IPv6), `all()` nodes, no NAT. */
export function normalizeIpPool(object: KubeObject): IpPool {
  const spec = specOf(object);
  const cidr = text(spec['cidr']) ?? null;
  const ipVersion = isIpv6(cidr ?? undefined) ? 6 : 4;
  const legacyFields: string[] = [];

  let ipipMode = encapsulationMode(spec['ipipMode']);
  if (ipipMode === undefined || (spec['ipipMode'] === undefined && spec['ipip'] !== undefined)) {
    // The pre-v3 block `ipip: {enabled, mode}`: mode "cross-subnet" or "always" (the default).
    const legacy = record(spec['ipip']);
    if (spec['ipip'] !== undefined) {
      legacyFields.push('spec.ipip');
      ipipMode = flag(legacy['enabled']) === true ? (encapsulationMode(legacy['mode']) === 'CrossSubnet' ? 'CrossSubnet' : 'Always') : 'Never';
    }
  }

  let natOutgoing = flag(spec['natOutgoing']);
  if (natOutgoing === undefined && spec['nat-outgoing'] !== undefined) {
    legacyFields.push('spec.nat-outgoing');
    natOutgoing = flag(spec['nat-outgoing']);
  }

  const allowedUses = strings(spec['allowedUses']);
  return {
    ref: refOf('IPPool', object),
    name: object.metadata?.name ?? '(unnamed)',
    cidr,
    ipVersion,
    blockSize: integer(spec['blockSize']) ?? (ipVersion === 6 ? 122 : 26),
    ipipMode: ipipMode ?? 'Never',
    vxlanMode: encapsulationMode(spec['vxlanMode']) ?? 'Never',
    natOutgoing: natOutgoing ?? false,
    disabled: flag(spec['disabled']) ?? false,
    nodeSelector: text(spec['nodeSelector']) ?? 'all()',
    allowedUses: allowedUses.length ? allowedUses : ['Workload', 'Tunnel'],
    legacyFields,
  };
}

const cidrList = (value: unknown): string[] =>
  list(value).flatMap((entry) => {
    const cidr = text(record(entry)['cidr']);
    return cidr ? [cidr] : [];
  });

/** The `default` BGPConfiguration, or Calico's defaults (mesh on, AS 64512) when none exists. */
export function normalizeBgpConfiguration(objects: KubeObject[]): BgpConfiguration {
  const object = objects.find((o) => o.metadata?.name === 'default');
  const spec = object ? specOf(object) : {};
  return {
    ref: object ? refOf('BGPConfiguration', object) : { kind: 'BGPConfiguration', name: 'default (absent: Calico defaults apply)' },
    present: object !== undefined,
    nodeToNodeMeshEnabled: flag(spec['nodeToNodeMeshEnabled']) ?? true,
    asNumber: integer(spec['asNumber']) ?? 64512,
    serviceClusterIPs: cidrList(spec['serviceClusterIPs']),
    serviceExternalIPs: cidrList(spec['serviceExternalIPs']),
    serviceLoadBalancerIPs: cidrList(spec['serviceLoadBalancerIPs']),
  };
}

export function normalizeBgpPeer(object: KubeObject): BgpPeer {
  const spec = specOf(object);
  return {
    ref: refOf('BGPPeer', object),
    name: object.metadata?.name ?? '(unnamed)',
    node: text(spec['node']) || null,
    nodeSelector: text(spec['nodeSelector']) || null,
    peerSelector: text(spec['peerSelector']) || null,
    peerIP: text(spec['peerIP']) || null,
    asNumber: integer(spec['asNumber']) ?? null,
  };
}

/** The FelixConfiguration fields the audit reads, with Felix's documented defaults. */
const FELIX_DEFAULTS = {
  bpfEnabled: false,
  nftablesMode: 'Disabled',
  wireguardEnabled: false,
  wireguardEnabledV6: false,
  logSeverityScreen: 'Info',
  prometheusMetricsEnabled: false,
  prometheusMetricsPort: 9091,
  awsSrcDstCheck: 'DoNothing',
  healthPort: 9099,
  vxlanVNI: 4096,
  vxlanPort: 4789,
  wireguardListeningPort: 51820,
  wireguardListeningPortV6: 51821,
  programClusterRoutes: 'Disabled',
} as const;

/**
 * Felix settings from one FelixConfiguration spec, overlaid by calico-node's `FELIX_<FIELD>`
 * environment variables (Felix gives the environment precedence over the datastore).
 */
function felixSettings(spec: Record<string, unknown>, sources: ObjectRef[], calicoNodeEnv: Record<string, string>): FelixSettings {
  const envUsed = new Set<string>();
  const raw = (field: string): unknown => {
    const envName = `FELIX_${field.toUpperCase()}`;
    if (calicoNodeEnv[envName] !== undefined) {
      envUsed.add(envName);
      return calicoNodeEnv[envName];
    }
    return spec[field];
  };
  const positive = (field: string) => {
    const value = integer(raw(field));
    return value && value > 0 ? value : null;
  };
  const settings: FelixSettings = {
    sources: [...sources],
    bpfEnabled: flag(raw('bpfEnabled')) ?? FELIX_DEFAULTS.bpfEnabled,
    nftablesMode: text(raw('nftablesMode')) ?? FELIX_DEFAULTS.nftablesMode,
    wireguardEnabled: flag(raw('wireguardEnabled')) ?? FELIX_DEFAULTS.wireguardEnabled,
    wireguardEnabledV6: flag(raw('wireguardEnabledV6')) ?? FELIX_DEFAULTS.wireguardEnabledV6,
    logSeverityScreen: text(raw('logSeverityScreen')) || FELIX_DEFAULTS.logSeverityScreen,
    prometheusMetricsEnabled: flag(raw('prometheusMetricsEnabled')) ?? FELIX_DEFAULTS.prometheusMetricsEnabled,
    prometheusMetricsPort: integer(raw('prometheusMetricsPort')) ?? FELIX_DEFAULTS.prometheusMetricsPort,
    flowLogsFileEnabled: flag(raw('flowLogsFileEnabled')) ?? null,
    flowLogsFlushInterval: text(raw('flowLogsFlushInterval')) ?? null,
    awsSrcDstCheck: text(raw('awsSrcDstCheck')) || FELIX_DEFAULTS.awsSrcDstCheck,
    healthPort: integer(raw('healthPort')) ?? FELIX_DEFAULTS.healthPort,
    vxlanVNI: integer(raw('vxlanVNI')) ?? FELIX_DEFAULTS.vxlanVNI,
    vxlanPort: integer(raw('vxlanPort')) ?? FELIX_DEFAULTS.vxlanPort,
    ipipMTU: positive('ipipMTU') ?? positive('ipInIpMtu'),
    vxlanMTU: positive('vxlanMTU'),
    vxlanMTUV6: positive('vxlanMTUV6'),
    wireguardMTU: positive('wireguardMTU'),
    wireguardMTUV6: positive('wireguardMTUV6'),
    wireguardListeningPort: integer(raw('wireguardListeningPort')) ?? FELIX_DEFAULTS.wireguardListeningPort,
    wireguardListeningPortV6: integer(raw('wireguardListeningPortV6')) ?? FELIX_DEFAULTS.wireguardListeningPortV6,
    typhaK8sServiceName: text(raw('typhaK8sServiceName')) ?? null,
    programClusterRoutes: text(raw('programClusterRoutes')) || FELIX_DEFAULTS.programClusterRoutes,
  };
  for (const name of envUsed) settings.sources.push({ kind: 'calico-node env', name });
  return settings;
}

/** The settings in force cluster-wide: the `default` FelixConfiguration, then calico-node's environment. */
export function normalizeFelix(objects: KubeObject[], calicoNodeEnv: Record<string, string>): FelixSettings {
  const object = objects.find((o) => o.metadata?.name === 'default');
  return felixSettings(object ? specOf(object) : {}, object ? [refOf('FelixConfiguration', object)] : [], calicoNodeEnv);
}

/**
 * Per-node FelixConfigurations (`node.<nodename>`): Felix reads the `default` object and then its
 * own node's, the node's fields winning (Felix's config precedence: environment, config file,
 * per-host datastore config, global datastore config — docs "Configuring Felix").
 */
export function normalizeFelixNodes(objects: KubeObject[], calicoNodeEnv: Record<string, string>): FelixNodeOverride[] {
  const base = objects.find((o) => o.metadata?.name === 'default');
  const baseSpec = base ? specOf(base) : {};
  return objects
    .filter((o) => (o.metadata?.name ?? '').startsWith('node.') && (o.metadata?.name ?? '').length > 'node.'.length)
    .map((object) => {
      const own = specOf(object);
      const ref = refOf('FelixConfiguration', object);
      return {
        node: object.metadata!.name!.slice('node.'.length),
        ref,
        settings: felixSettings({ ...baseSpec, ...own }, [...(base ? [refOf('FelixConfiguration', base)] : []), ref], calicoNodeEnv),
        fields: Object.keys(own).filter((field) => own[field] !== undefined && own[field] !== null),
      };
    });
}

/** Orders of the tiers Calico creates itself, for raw objects stored without one. */
export const BUILT_IN_TIER_ORDER: Record<string, number> = {
  'allow-tigera': 100,
  adminnetworkpolicy: 1_000,
  'kube-admin': 1_000,
  default: 1_000_000,
  baselineadminnetworkpolicy: 10_000_000,
  'kube-baseline': 10_000_000,
};

const order = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * Default actions of the tiers Calico creates (libcalico-go `client.go` EnsureInitialized):
 * `default` Deny; the admin and baseline tiers Pass, so that traffic none of their policies
 * decides goes on to the next tier.
 */
export const BUILT_IN_TIER_ACTION: Record<string, 'Deny' | 'Pass'> = {
  default: 'Deny',
  adminnetworkpolicy: 'Pass',
  'kube-admin': 'Pass',
  baselineadminnetworkpolicy: 'Pass',
  'kube-baseline': 'Pass',
};

export function normalizeTier(object: KubeObject): Tier {
  const spec = specOf(object);
  const name = object.metadata?.name ?? '(unnamed)';
  return {
    ref: refOf('Tier', object),
    name,
    order: order(spec['order']) ?? BUILT_IN_TIER_ORDER[name] ?? null,
    // A Tier stored without defaultAction ends in Deny ("[Default: Deny]", TierSpec).
    defaultAction: text(spec['defaultAction']) === 'Pass' ? 'Pass' : 'Deny',
  };
}

export function normalizeIpamBlock(object: KubeObject): IpamBlock {
  const spec = specOf(object);
  const affinity = text(spec['affinity']);
  return {
    ref: refOf('IPAMBlock', object),
    cidr: text(spec['cidr']) ?? null,
    affinityNode: affinity?.startsWith('host:') ? affinity.slice('host:'.length) : null,
    allocated: list(spec['allocations']).filter((slot) => slot !== null && slot !== undefined).length,
  };
}
