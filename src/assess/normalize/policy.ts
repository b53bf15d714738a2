/**
 * Every kind of policy Calico enforces, into one model: Calico (Global)NetworkPolicy from either
 * API group, and the Kubernetes kinds converted exactly as Calico converts them (libcalico-go
 * `lib/backend/k8s/conversion`, v3.31.7): NetworkPolicy into tier `default` at order 1000 with
 * `projectcalico.org/orchestrator == 'k8s'` selectors; AdminNetworkPolicy into tier
 * `adminnetworkpolicy` at its priority; BaselineAdminNetworkPolicy into `baselineadminnetworkpolicy`
 * at order 1000; ClusterNetworkPolicy (v1alpha2, Calico 3.32) into `kube-admin`/`kube-baseline`.
 * Also staged policies and network sets.
 */
import type { KubeObject } from '../../snapshot/schema.js';
import type { EntityMatch, NetworkSet, Policy, PolicyKind, PolicyRule, StagedPolicy } from '../model.js';
import { refOf } from './calico.js';
import { flag, integer, labelMap, list, record, strings, text, type Json } from './read.js';

const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'ICMP', '4': 'IPIP', '6': 'TCP', '17': 'UDP', '58': 'ICMPv6', '132': 'SCTP' };

/** `TCP`, `UDP`, … whether written as a name or a number. */
export function protocolName(value: unknown): string | null {
  const raw = text(value);
  if (raw === undefined || raw === '') return null;
  return PROTOCOL_NUMBERS[raw] ?? raw.toUpperCase();
}

const portList = (value: unknown): Array<number | string> =>
  list(value).flatMap((port): Array<number | string> => (typeof port === 'number' || typeof port === 'string' ? [port] : []));

const EMPTY_ENTITY: EntityMatch = {
  selector: null,
  notSelector: null,
  namespaceSelector: null,
  nets: [],
  notNets: [],
  ports: [],
  notPorts: [],
  serviceAccounts: null,
  services: null,
  domains: [],
};

export const entity = (fields: Partial<EntityMatch> = {}): EntityMatch => ({ ...EMPTY_ENTITY, ...fields });

/** A Calico rule's source or destination, as written (the v3 API and the CRD spell it the same). */
function entityMatch(value: unknown): EntityMatch {
  const raw = record(value);
  const nets = strings(raw['nets']);
  const singleNet = text(raw['net']);
  if (singleNet) nets.push(singleNet);
  const notNets = strings(raw['notNets']);
  const singleNotNet = text(raw['notNet']);
  if (singleNotNet) notNets.push(singleNotNet);
  const accounts = raw['serviceAccounts'];
  const services = raw['services'];
  return {
    selector: text(raw['selector']) || null,
    notSelector: text(raw['notSelector']) || null,
    namespaceSelector: text(raw['namespaceSelector']) || null,
    nets,
    notNets,
    ports: portList(raw['ports']),
    notPorts: portList(raw['notPorts']),
    serviceAccounts:
      accounts !== undefined && accounts !== null
        ? { names: strings(record(accounts)['names']), selector: text(record(accounts)['selector']) || null }
        : null,
    services:
      services !== undefined && services !== null
        ? { name: text(record(services)['name']) ?? '', namespace: text(record(services)['namespace']) || null }
        : null,
    domains: strings(raw['domains']),
  };
}

function calicoRule(value: unknown, index: number): PolicyRule {
  const rule = record(value);
  const ipVersion = integer(rule['ipVersion']);
  return {
    action: text(rule['action']) ?? 'Allow',
    protocol: protocolName(rule['protocol']),
    notProtocol: protocolName(rule['notProtocol']),
    ipVersion: ipVersion === 4 || ipVersion === 6 ? ipVersion : null,
    source: entityMatch(rule['source']),
    destination: entityMatch(rule['destination']),
    http: rule['http'] !== undefined && rule['http'] !== null,
    index,
    name: text(record(record(rule['metadata'])['annotations'])['name']) ?? null,
  };
}

/**
 * Calico's default for a missing `types` (libcalico-go `defaultPolicyTypesField`): egress rules
 * only → Egress; both → both; otherwise Ingress.
 */
function calicoTypes(spec: Json, hasIngressRules: boolean, hasEgressRules: boolean): Array<'Ingress' | 'Egress'> {
  const declared = strings(spec['types']).filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  if (declared.length) return declared;
  if (hasEgressRules) return hasIngressRules ? ['Ingress', 'Egress'] : ['Egress'];
  return ['Ingress'];
}

const order = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * A Calico (Global)NetworkPolicy (or its staged form). Raw CRD names carry their tier
 * (`default.allow-dns`); the v3 API shows the same policy as `allow-dns` in tier `default`. Both
 * become name `allow-dns`, known to Felix as `default.allow-dns`.
 */
export function normalizeCalicoPolicy(object: KubeObject, kind: 'GlobalNetworkPolicy' | 'NetworkPolicy'): Policy {
  const spec = record(object.spec);
  const tier = text(spec['tier']) || 'default';
  const fullName = object.metadata?.name ?? '(unnamed)';
  const name = fullName.startsWith(`${tier}.`) ? fullName.slice(tier.length + 1) : fullName;
  const ingress = list(spec['ingress']).map((r, i) => calicoRule(r, i + 1));
  const egress = list(spec['egress']).map((r, i) => calicoRule(r, i + 1));
  return {
    ref: refOf(kind, object),
    kind,
    name,
    calicoName: `${tier}.${name}`,
    namespace: kind === 'NetworkPolicy' ? (object.metadata?.namespace ?? 'default') : null,
    tier,
    order: order(spec['order']),
    selector: text(spec['selector']) ?? '',
    namespaceSelector: kind === 'GlobalNetworkPolicy' ? text(spec['namespaceSelector']) || null : null,
    serviceAccountSelector: text(spec['serviceAccountSelector']) || null,
    types: calicoTypes(spec, ingress.length > 0, egress.length > 0),
    ingress,
    egress,
    // Felix renders preDNAT and doNotTrack policies only into host endpoints' chains.
    hostEndpointsOnly: flag(spec['preDNAT']) === true || flag(spec['doNotTrack']) === true,
  };
}

/** Calico NetworkPolicies the v3 API server synthesises from Kubernetes ones (`knp.default.`) duplicate them. */
export const isConvertedKubernetesPolicy = (object: KubeObject): boolean => (object.metadata?.name ?? '').startsWith('knp.default.');

const ORCHESTRATOR_TERM = "projectcalico.org/orchestrator == 'k8s'";

const quoted = (value: string) => `'${value.replace(/'/g, '')}'`;

/**
 * A Kubernetes LabelSelector as a Calico selector (`k8sSelectorToCalico`): pod selectors gain the
 * orchestrator term; an empty namespace selector is `all()`; an absent one is `null`.
 */
export function k8sSelector(value: unknown, type: 'pod' | 'namespace'): string | null {
  const terms: string[] = type === 'pod' ? [ORCHESTRATOR_TERM] : [];
  if (value === undefined || value === null) return type === 'pod' ? terms.join(' && ') : null;
  const selector = record(value);
  const matchLabels = labelMap(selector['matchLabels']);
  const expressions = list(selector['matchExpressions']).map(record);
  if (type === 'namespace' && !Object.keys(matchLabels).length && !expressions.length) return 'all()';
  for (const key of Object.keys(matchLabels).sort()) terms.push(`${key} == ${quoted(matchLabels[key]!)}`);
  for (const expression of expressions) {
    const key = text(expression['key']) ?? '';
    const values = strings(expression['values']).map(quoted).join(', ');
    switch (text(expression['operator'])) {
      case 'In':
        terms.push(`${key} in { ${values} }`);
        break;
      case 'NotIn':
        terms.push(`${key} not in { ${values} }`);
        break;
      case 'Exists':
        terms.push(`has(${key})`);
        break;
      case 'DoesNotExist':
        terms.push(`! has(${key})`);
        break;
    }
  }
  return terms.join(' && ');
}

/** The Kubernetes policy types: `policyTypes`, else as the API server defaults them (Ingress, plus Egress when there are egress rules). */
function kubernetesTypes(spec: Json): Array<'Ingress' | 'Egress'> {
  const declared = strings(spec['policyTypes']).filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  if (declared.length) return declared;
  return list(spec['egress']).length ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * One Kubernetes rule as Calico's rules (`k8sRuleToCalico`): one Allow per protocol and peer, the
 * ports of each protocol together (TCP when unnamed); no ports is every protocol and port; no peer
 * is anyone; an ipBlock is `nets`/`notNets`.
 */
function kubernetesRules(value: unknown, direction: 'ingress' | 'egress', index: number): PolicyRule[] {
  const rule = record(value);
  const byProtocol = new Map<string | null, Array<number | string> | null>();
  const ports = list(rule['ports']).map(record);
  if (!ports.length) byProtocol.set(null, null);
  for (const port of ports) {
    const protocol = protocolName(port['protocol']) ?? 'TCP';
    const number = port['port'];
    const endPort = integer(port['endPort']);
    const calicoPort = number === undefined || number === null ? null : endPort !== undefined ? `${text(number)}:${endPort}` : typeof number === 'number' ? number : (text(number) ?? '');
    if (calicoPort === null) byProtocol.set(protocol, null);
    else if (byProtocol.get(protocol) !== null) byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), calicoPort]);
  }
  const peers = list(rule[direction === 'ingress' ? 'from' : 'to']).map(record);
  const peerEntities: EntityMatch[] = (peers.length ? peers : [null]).map((peer) => {
    if (!peer) return entity();
    const block = peer['ipBlock'];
    if (block !== undefined && block !== null) {
      const cidr = text(record(block)['cidr']);
      return entity({ nets: cidr ? [cidr] : [], notNets: strings(record(block)['except']) });
    }
    return entity({ selector: k8sSelector(peer['podSelector'], 'pod'), namespaceSelector: k8sSelector(peer['namespaceSelector'], 'namespace') });
  });
  const protocols = [...byProtocol.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return protocols.flatMap((protocol) =>
    peerEntities.map((peer) => {
      const portMatch = entity({ ports: byProtocol.get(protocol) ?? [] });
      return {
        action: 'Allow',
        protocol,
        notProtocol: null,
        ipVersion: null,
        source: direction === 'ingress' ? peer : entity(),
        destination: direction === 'ingress' ? portMatch : { ...peer, ports: portMatch.ports },
        http: false,
        index,
        name: null,
      };
    }),
  );
}

/** A Kubernetes NetworkPolicy as Calico enforces it: `knp.default.<name>`, tier `default`, order 1000. */
export function normalizeKubernetesPolicy(object: KubeObject): Policy {
  const spec = record(object.spec);
  const name = object.metadata?.name ?? '(unnamed)';
  return {
    ref: refOf('NetworkPolicy (Kubernetes)', object),
    kind: 'KubernetesNetworkPolicy',
    name,
    calicoName: `knp.default.${name}`,
    namespace: object.metadata?.namespace ?? 'default',
    tier: 'default',
    // "We insert all the NetworkPolicy Policies at order 1000.0 after conversion." (conversion.go)
    order: 1000,
    selector: k8sSelector(spec['podSelector'] ?? {}, 'pod')!,
    namespaceSelector: null,
    serviceAccountSelector: null,
    types: kubernetesTypes(spec),
    ingress: list(spec['ingress']).flatMap((r, i) => kubernetesRules(r, 'ingress', i + 1)),
    egress: list(spec['egress']).flatMap((r, i) => kubernetesRules(r, 'egress', i + 1)),
    hostEndpointsOnly: false,
  };
}

type AdminFlavour = 'anp' | 'banp' | 'cnp';

/**
 * The ports of an admin policy rule by protocol (`unpackANPPorts`/`unpackCNPProtocols`); `null`
 * ports mean every port of that protocol, and a `null` protocol every protocol. Calico 3.31 does
 * not convert an AdminNetworkPolicy `namedPort` ("TODO: Add support for NamedPorts"): the entry
 * comes back empty, which its converter reads as every port; ClusterNetworkPolicy named ports are kept.
 */
function adminPorts(rule: Json, flavour: AdminFlavour): Map<string | null, Array<number | string> | null> {
  const byProtocol = new Map<string | null, Array<number | string> | null>();
  const entries = list(flavour === 'cnp' ? rule['protocols'] : rule['ports']).map(record);
  const add = (protocol: string | null, port: number | string | null): boolean => {
    if (protocol === null && port === null) {
      byProtocol.clear();
      byProtocol.set(null, null);
      return true;
    }
    if (port === null) byProtocol.set(protocol, null);
    else if (byProtocol.get(protocol) !== null) byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), port]);
    return false;
  };
  if (!entries.length) return new Map([[null, null]]);
  for (const entry of entries) {
    let done: boolean;
    if (flavour === 'cnp') {
      const protocol = ['tcp', 'udp', 'sctp'].find((p) => entry[p] !== undefined && entry[p] !== null);
      if (protocol) {
        const destination = record(record(entry[protocol])['destinationPort']);
        const number = integer(destination['number']);
        const range = record(destination['range']);
        const port = number ? number : range['start'] !== undefined ? `${integer(range['start'])}:${integer(range['end'])}` : null;
        done = add(protocol.toUpperCase(), port);
      } else {
        const named = text(entry['destinationNamedPort']);
        done = add(null, named ?? null);
      }
    } else if (entry['portNumber']) {
      const number = record(entry['portNumber']);
      done = add(protocolName(number['protocol']) ?? 'TCP', integer(number['port']) ?? null);
    } else if (entry['portRange']) {
      const range = record(entry['portRange']);
      done = add(protocolName(range['protocol']) ?? 'TCP', `${integer(range['start'])}:${integer(range['end'])}`);
    } else {
      done = add(null, null);
    }
    if (done) break;
  }
  return byProtocol;
}

/** An admin policy's subject or pod peer: (namespace selector, endpoint selector). */
function adminSelectors(value: Json): { selector: string; namespaceSelector: string | null } | null {
  if (value['namespaces'] !== undefined && value['namespaces'] !== null) {
    return { selector: ORCHESTRATOR_TERM, namespaceSelector: k8sSelector(value['namespaces'], 'namespace') };
  }
  if (value['pods'] !== undefined && value['pods'] !== null) {
    const pods = record(value['pods']);
    return { selector: k8sSelector(pods['podSelector'] ?? {}, 'pod')!, namespaceSelector: k8sSelector(pods['namespaceSelector'] ?? {}, 'namespace') };
  }
  return null;
}

const ADMIN_ACTIONS: Record<string, string> = { Allow: 'Allow', Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' };

/**
 * One admin policy rule as Calico's rules. A rule Calico cannot convert (a `nodes` peer, an
 * unknown action) fails closed: a Deny or Pass becomes a deny-all rule, an Allow is dropped
 * (`k8sANPHandleFailedRules`).
 */
function adminRules(value: unknown, direction: 'ingress' | 'egress', index: number, flavour: AdminFlavour): PolicyRule[] {
  const rule = record(value);
  const written = text(rule['action']) ?? '';
  const action = ADMIN_ACTIONS[written];
  const allowed = flavour === 'banp' ? ['Allow', 'Deny'] : flavour === 'anp' ? ['Allow', 'Deny', 'Pass'] : ['Accept', 'Deny', 'Pass'];
  const name = text(rule['name']) ?? null;
  const failClosed = (): PolicyRule[] =>
    written === 'Deny' || written === 'Pass'
      ? [{ action: 'Deny', protocol: null, notProtocol: null, ipVersion: null, source: entity(), destination: entity(), http: false, index, name }]
      : [];
  if (!action || !allowed.includes(written)) return failClosed();
  const peers = list(rule[direction === 'ingress' ? 'from' : 'to']).map(record);
  const entities: EntityMatch[] = [];
  for (const peer of peers) {
    const selectors = adminSelectors(peer);
    const networks = direction === 'egress' ? strings(peer['networks']) : [];
    if (selectors) entities.push(entity({ selector: selectors.selector, namespaceSelector: selectors.namespaceSelector }));
    else if (networks.length) entities.push(entity({ nets: networks }));
    else return failClosed();
  }
  const byProtocol = adminPorts(rule, flavour);
  const protocols = [...byProtocol.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return protocols.flatMap((protocol) =>
    entities.map((peer) => {
      const ports = byProtocol.get(protocol) ?? [];
      return {
        action,
        protocol,
        notProtocol: null,
        ipVersion: null,
        source: direction === 'ingress' ? peer : entity(),
        destination: direction === 'ingress' ? entity({ ports }) : { ...peer, ports },
        http: false,
        index,
        name,
      };
    }),
  );
}

/**
 * A Kubernetes admin policy as Calico enforces it: AdminNetworkPolicy (tier `adminnetworkpolicy`,
 * order = priority), BaselineAdminNetworkPolicy (tier `baselineadminnetworkpolicy`, order 1000), or
 * ClusterNetworkPolicy (tier `kube-admin` or `kube-baseline` from `spec.tier`, order = priority).
 * Types follow the rules present: these tiers end in Pass, so a policy without rules in one
 * direction does not apply to it. `null` for a policy Calico skips (no subject, unknown tier).
 */
export function normalizeAdminPolicy(object: KubeObject): Policy | null {
  const spec = record(object.spec);
  const kind: PolicyKind =
    object.kind === 'BaselineAdminNetworkPolicy' ? 'BaselineAdminNetworkPolicy' : object.kind === 'ClusterNetworkPolicy' ? 'ClusterNetworkPolicy' : 'AdminNetworkPolicy';
  const flavour: AdminFlavour = kind === 'BaselineAdminNetworkPolicy' ? 'banp' : kind === 'ClusterNetworkPolicy' ? 'cnp' : 'anp';
  const name = object.metadata?.name ?? '(unnamed)';
  const subject = adminSelectors(record(spec['subject']));
  if (!subject) return null;
  let tier: string;
  let calicoName: string;
  let policyOrder: number | null;
  if (flavour === 'cnp') {
    const written = text(spec['tier']);
    if (written !== 'Admin' && written !== 'Baseline') return null;
    tier = written === 'Admin' ? 'kube-admin' : 'kube-baseline';
    calicoName = `${tier}.${name}`;
    policyOrder = order(spec['priority']);
  } else if (flavour === 'anp') {
    tier = 'adminnetworkpolicy';
    calicoName = `kanp.adminnetworkpolicy.${name}`;
    policyOrder = order(spec['priority']);
  } else {
    tier = 'baselineadminnetworkpolicy';
    calicoName = `kbanp.baselineadminnetworkpolicy.${name}`;
    policyOrder = 1000;
  }
  const ingress = list(spec['ingress']).flatMap((r, i) => adminRules(r, 'ingress', i + 1, flavour));
  const egress = list(spec['egress']).flatMap((r, i) => adminRules(r, 'egress', i + 1, flavour));
  return {
    ref: refOf(kind, object),
    kind,
    name,
    calicoName,
    namespace: null,
    tier,
    order: policyOrder,
    selector: subject.selector,
    namespaceSelector: subject.namespaceSelector,
    serviceAccountSelector: null,
    types: [...(ingress.length ? (['Ingress'] as const) : []), ...(egress.length ? (['Egress'] as const) : [])],
    ingress,
    egress,
    hostEndpointsOnly: false,
  };
}

/** A staged policy and what promoting it does (`stagedAction`, `Set` by default). */
export function normalizeStagedPolicy(object: KubeObject): StagedPolicy {
  const spec = record(object.spec);
  const action = text(spec['stagedAction']) === 'Delete' ? 'Delete' : 'Set';
  let policy: Policy;
  if (object.kind === 'StagedKubernetesNetworkPolicy') policy = normalizeKubernetesPolicy(object);
  else policy = normalizeCalicoPolicy(object, object.kind === 'StagedGlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'NetworkPolicy');
  return { action, policy: { ...policy, ref: refOf(object.kind ?? 'StagedPolicy', object) } };
}

/** A (Global)NetworkSet: labels and the nets they name (domains where Calico Enterprise allows them). */
export function normalizeNetworkSet(object: KubeObject, kind: NetworkSet['kind']): NetworkSet {
  const spec = record(object.spec);
  return {
    ref: refOf(kind, object),
    kind,
    name: object.metadata?.name ?? '(unnamed)',
    namespace: kind === 'NetworkSet' ? (object.metadata?.namespace ?? 'default') : null,
    labels: labelMap(object.metadata?.labels),
    nets: strings(spec['nets']),
    domains: strings(spec['allowedEgressDomains']),
  };
}

/** Two policies are the same object when kind, namespace, tier and name agree (for staged promotion and what-if). */
export const samePolicy = (a: Policy, b: Policy): boolean =>
  a.kind === b.kind && a.namespace === b.namespace && a.tier === b.tier && a.name === b.name;
