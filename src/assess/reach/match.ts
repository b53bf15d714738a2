/**
 * What a policy selects and what a rule's source or destination matches, as Felix decides it, in
 * three values (yes, no, maybe: the snapshot cannot tell).
 *
 * The endpoint a policy sees carries the pod's labels plus `projectcalico.org/namespace`,
 * `projectcalico.org/orchestrator: k8s` and `projectcalico.org/serviceaccount`, and inherits its
 * namespace's labels as `pcns.<key>` and its ServiceAccount's as `pcsa.<key>`, each profile adding
 * `projectcalico.org/name` (libcalico-go conversion: `NamespaceToProfile`, `ServiceAccountToProfile`,
 * workload_endpoint_default.go). A rule's selectors become one IP set (updateprocessors/rules.go):
 * `namespaceSelector` (prefixed `pcns.`; `all()` means any namespaced object, `global()` any
 * non-namespaced one), else for a namespaced policy the policy's own namespace whenever a selector,
 * service-account match or notSelector is given, ANDed with `serviceAccounts` and `selector`.
 * Network sets whose labels match join the set with their nets, so a selector matches an address
 * a matching (Global)NetworkSet holds. `notSelector` is not namespaced. All fields of a rule's
 * side are ANDed.
 */
import type { NetworkSet, ServiceEndpoints } from '../model.js';
import { matchSelector, MAYBE, NO, triAnd, triNot, triOr, YES, type Labels, type Tri } from '../selector.js';
import { parseRange, withinAny, type AddressRange } from './addresses.js';
import type { CompiledEntity, CompiledPolicy, CompiledSelector, Direction } from './compile.js';
import { EPHEMERAL, rangeTri, type Atom, type PortSpec } from './ports.js';

/** A set of pods policy cannot tell apart: same namespace, same labels a selector reads, same service account, ports and addresses. */
export interface WorkloadEndpoint {
  kind: 'workload';
  /** Unique per endpoint, for caches. */
  key: number;
  namespace: string;
  /** The namespace's labels with `projectcalico.org/name`. */
  namespaceLabels: Labels;
  /** The namespace's labels were collected (without them only its name is known). */
  namespaceKnown: boolean;
  /** The endpoint's labels as Calico gives them (pod labels, `projectcalico.org/*`, `pcns.*`). */
  labels: Labels;
  /** `null`: not known (an older snapshot). */
  serviceAccount: string | null;
  /** Named container ports; `null`: not known. */
  namedPorts: ReadonlyMap<string, ReadonlyArray<{ port: number; protocol: string }>> | null;
  /** The pods' address, or the range it will come from (a pod still pending); `null`: unknown. */
  address: AddressRange | null;
  /** Keys (`namespace/name`) of the collected Services whose endpoints these pods are. */
  services: ReadonlySet<string>;
  /** Shown in traces and evidence: `kube-system/coredns`. */
  name: string;
  pods: number;
  podNames: string[];
  /** CoreDNS: what kube-dns sends queries to. */
  coreDns: boolean;
}

/** An address or range outside the pod network (the API server, a resolver, the internet, a CIDR). */
export interface AddressEndpoint {
  kind: 'address';
  key: number;
  range: AddressRange;
  name: string;
}

export type Endpoint = WorkloadEndpoint | AddressEndpoint;

interface CompiledNetworkSet {
  set: NetworkSet;
  ranges: AddressRange[];
  labels: Labels;
  namespaceLabels: Labels | null;
}

/** What matching needs beyond the endpoint: network sets and the collected Services. */
export class MatchContext {
  private readonly sets: CompiledNetworkSet[] | null;
  private readonly services: Map<string, { addresses: AddressRange[]; ports: ServiceEndpoints['ports'] }> | null;

  constructor(
    networkSets: NetworkSet[] | null,
    serviceEndpoints: ServiceEndpoints[] | null,
    namespaceLabels: (namespace: string) => Labels,
  ) {
    this.sets =
      networkSets?.map((set) => ({
        set,
        ranges: set.nets.map(parseRange).filter((r): r is AddressRange => !!r),
        labels: set.namespace ? { ...set.labels, 'projectcalico.org/namespace': set.namespace } : set.labels,
        namespaceLabels: set.namespace ? namespaceLabels(set.namespace) : null,
      })) ?? null;
    this.services = serviceEndpoints
      ? new Map(
          serviceEndpoints.map((s) => [
            `${s.namespace}/${s.name}`,
            { addresses: s.addresses.map(parseRange).filter((r): r is AddressRange => !!r), ports: s.ports },
          ]),
        )
      : null;
  }

  private readonly holding = new WeakMap<AddressRange, Array<{ set: CompiledNetworkSet; holds: Tri }>>();
  private unknownAddressSets: Array<{ set: CompiledNetworkSet; holds: Tri }> | null = null;

  /** Network sets whose nets may hold the address, with how surely (kept per address: many sides ask). */
  setsHolding(address: AddressRange | null): Array<{ set: CompiledNetworkSet; holds: Tri }> | null {
    if (!this.sets) return null;
    if (!address) return (this.unknownAddressSets ??= this.sets.filter((s) => s.ranges.length).map((set) => ({ set, holds: MAYBE })));
    let found = this.holding.get(address);
    if (!found) {
      found = [];
      for (const set of this.sets) {
        const holds = withinAny(address, set.ranges);
        if (holds !== NO) found.push({ set, holds });
      }
      this.holding.set(address, found);
    }
    return found;
  }

  /** Whether any network set's labels could match the selector (then a selector reaches beyond pods). */
  selectorReachesSets(entity: CompiledEntity): boolean {
    if (this.sets === null) return entity.selector !== null || entity.notSelector !== null;
    return this.sets.some((s) => s.ranges.length && (positiveOnSet(entity, s) !== NO || (entity.notSelector !== null && matchesNode(entity.notSelector, s.labels) !== NO)));
  }

  service(key: string) {
    return this.services === null ? undefined : (this.services.get(key) ?? null);
  }
}

const matchesNode = (node: CompiledSelector, labels: Labels, unknown?: (key: string) => boolean): Tri =>
  node === 'invalid' ? NO : matchSelector(node, labels, unknown);

const NAME_KEYS = new Set(['projectcalico.org/name', 'kubernetes.io/metadata.name']);

const unknownKeys = new WeakMap<WorkloadEndpoint, (key: string) => boolean>();

/** Label keys of an endpoint the snapshot cannot know: its ServiceAccount's own labels, and the namespace's when namespaces were not collected. */
function endpointUnknown(endpoint: WorkloadEndpoint): (key: string) => boolean {
  let found = unknownKeys.get(endpoint);
  if (!found) {
    found = unknownKeyTest(endpoint);
    unknownKeys.set(endpoint, found);
  }
  return found;
}

function unknownKeyTest(endpoint: WorkloadEndpoint): (key: string) => boolean {
  return (key) => {
    if (key.startsWith('pcsa.')) return endpoint.serviceAccount === null || key !== 'pcsa.projectcalico.org/name';
    if (key === 'projectcalico.org/serviceaccount') return endpoint.serviceAccount === null;
    if (!endpoint.namespaceKnown && key.startsWith('pcns.')) return !NAME_KEYS.has(key.slice(5));
    return false;
  };
}

/** Without a namespace's labels, only its name is known. */
const unknownNamespaceKey = (key: string): boolean => !NAME_KEYS.has(key);

/** A namespace selector on a namespace's labels (without the collected labels, only its name is known). */
export function namespaceMatches(node: CompiledSelector, labels: Labels, known: boolean): Tri {
  return matchesNode(node, labels, known ? undefined : unknownNamespaceKey);
}

function namespaceTri(node: CompiledSelector, endpoint: WorkloadEndpoint): Tri {
  return namespaceMatches(node, endpoint.namespaceLabels, endpoint.namespaceKnown);
}

/** A ServiceAccount selector sees the account's labels (not collected) and `projectcalico.org/name`. */
function serviceAccountTri(node: CompiledSelector, account: string | null): Tri {
  if (account === null) return node === 'invalid' ? NO : MAYBE;
  return matchesNode(node, { 'projectcalico.org/name': account }, (key) => key !== 'projectcalico.org/name');
}

/** Whether the policy applies to the endpoint (its selector, namespace and service-account selectors). */
export function policySelects(policy: CompiledPolicy, endpoint: WorkloadEndpoint): Tri {
  const { policy: p } = policy;
  if (p.namespace !== null && p.namespace !== endpoint.namespace) return NO;
  let result = matchesNode(policy.selector, endpoint.labels, endpointUnknown(endpoint));
  if (result === NO) return NO;
  if (policy.namespaceSelector) result = triAnd(result, namespaceTri(policy.namespaceSelector, endpoint));
  if (policy.serviceAccountSelector) result = triAnd(result, serviceAccountTri(policy.serviceAccountSelector, endpoint.serviceAccount));
  return result;
}

const hasNamespaceScope = (entity: CompiledEntity): boolean =>
  entity.scopeNamespace !== null &&
  entity.namespaceSelector === null &&
  (entity.selector !== null || entity.notSelector !== null || entity.serviceAccountNames !== null || entity.serviceAccountSelector !== null);

const hasPositive = (entity: CompiledEntity): boolean =>
  entity.namespaceSelector !== null || hasNamespaceScope(entity) || entity.selector !== null || entity.serviceAccountNames !== null || entity.serviceAccountSelector !== null;

/** The rule's positive selector (namespace ∧ service account ∧ selector) on a workload endpoint. */
function positiveOnWorkload(entity: CompiledEntity, endpoint: WorkloadEndpoint): Tri {
  let result: Tri = YES;
  if (entity.namespaceSelector === 'global') return NO;
  if (entity.namespaceSelector) result = namespaceTri(entity.namespaceSelector, endpoint);
  else if (hasNamespaceScope(entity)) result = endpoint.namespace === entity.scopeNamespace ? YES : NO;
  if (result === NO) return NO;
  if (entity.serviceAccountNames) {
    const names = entity.serviceAccountNames;
    result = triAnd(result, endpoint.serviceAccount === null ? MAYBE : names.has(endpoint.serviceAccount) ? YES : NO);
  }
  if (entity.serviceAccountSelector) result = triAnd(result, serviceAccountTri(entity.serviceAccountSelector, endpoint.serviceAccount));
  if (result === NO) return NO;
  if (entity.selector) result = triAnd(result, matchesNode(entity.selector, endpoint.labels, endpointUnknown(endpoint)));
  return result;
}

const selectedNamespaces = new WeakMap<readonly string[], Map<CompiledSelector, string[]>>();

/**
 * The namespaces whose pods a rule's side can match at all, or null for any: a side narrowed to a
 * namespace (by its namespaceSelector, or a namespaced policy's own) matches no pod elsewhere,
 * unless a network set its selector matches may hold pod addresses.
 */
export function entityNamespaces(
  entity: CompiledEntity,
  context: MatchContext,
  namespaces: readonly string[],
  labelsOf: (namespace: string) => { labels: Labels; known: boolean },
): string[] | null {
  if (context.selectorReachesSets(entity)) return null;
  if (entity.namespaceSelector === 'global') return [];
  if (entity.namespaceSelector) {
    const node = entity.namespaceSelector;
    // Many sides share a namespace selector (the same text parses to the same tree): match the namespaces once.
    let byNamespaces = selectedNamespaces.get(namespaces);
    if (!byNamespaces) selectedNamespaces.set(namespaces, (byNamespaces = new Map<CompiledSelector, string[]>()));
    let found = byNamespaces.get(node);
    if (!found) {
      found = namespaces.filter((ns) => {
        const { labels, known } = labelsOf(ns);
        return namespaceMatches(node, labels, known) !== NO;
      });
      byNamespaces.set(node, found);
    }
    return found;
  }
  if (hasNamespaceScope(entity)) return [entity.scopeNamespace!];
  return null;
}

/** The same on a network set: sets carry no service account; a namespaced set is in its namespace. */
function positiveOnSet(entity: CompiledEntity, set: CompiledNetworkSet): Tri {
  if (entity.serviceAccountNames || entity.serviceAccountSelector) return NO;
  let result: Tri = YES;
  if (entity.namespaceSelector === 'global') result = set.set.namespace === null ? YES : NO;
  else if (entity.namespaceSelector) result = set.namespaceLabels ? matchesNode(entity.namespaceSelector, set.namespaceLabels) : NO;
  else if (hasNamespaceScope(entity)) result = set.set.namespace === entity.scopeNamespace ? YES : NO;
  if (result === NO) return NO;
  if (entity.selector) result = triAnd(result, matchesNode(entity.selector, set.labels));
  return result;
}

/**
 * Everything of a rule's side but its ports, on an endpoint: the positive selector (the endpoint
 * itself or a network set holding its address), `notSelector`, `nets`/`notNets`, `services`, and
 * `domains` (which never name a pod; an external address they may resolve to is unknown).
 */
export function entityTri(entity: CompiledEntity, endpoint: Endpoint, context: MatchContext): Tri {
  if (entity.invalidNets) return NO;
  const address = endpoint.kind === 'workload' ? endpoint.address : endpoint.range;
  let result: Tri = YES;
  if (entity.nets) result = address ? withinAny(address, entity.nets) : MAYBE;
  if (result === NO) return NO;
  if (entity.notNets) result = triAnd(result, address ? triNot(withinAny(address, entity.notNets)) : MAYBE);
  if (result === NO) return NO;
  if (entity.service) {
    const service = context.service(`${entity.service.namespace}/${entity.service.name}`);
    const member: Tri =
      service === undefined || service === null
        ? // Services other than kube-dns and kubernetes are not collected.
          MAYBE
        : endpoint.kind === 'workload'
          ? // The EndpointSlices list every pod behind the Service (by reference or address).
            endpoint.services.has(`${entity.service.namespace}/${entity.service.name}`)
            ? YES
            : NO
          : withinAny(endpoint.range, service.addresses);
    result = triAnd(result, member);
    if (result === NO) return NO;
  }
  if (entity.domains) result = triAnd(result, endpoint.kind === 'workload' ? NO : MAYBE);
  if (result === NO) return NO;
  const positive = hasPositive(entity);
  if (!positive && entity.notSelector === null) return result;
  const sets = context.setsHolding(address);
  if (positive) {
    let match: Tri = endpoint.kind === 'workload' ? positiveOnWorkload(entity, endpoint) : NO;
    if (match !== YES) {
      if (sets === null) {
        // Network sets not collected: an address may be in one (unknown); a pod is taken to be in none.
        if (endpoint.kind === 'address') match = triOr(match, MAYBE);
      } else {
        for (const { set, holds } of sets) {
          match = triOr(match, triAnd(holds, positiveOnSet(entity, set)));
          if (match === YES) break;
        }
      }
    }
    result = triAnd(result, match);
    if (result === NO) return NO;
  }
  if (entity.notSelector) {
    let excluded: Tri = endpoint.kind === 'workload' ? matchesNode(entity.notSelector, endpoint.labels, endpointUnknown(endpoint)) : NO;
    if (sets === null) {
      if (endpoint.kind === 'address') excluded = triOr(excluded, MAYBE);
    } else {
      for (const { set, holds } of sets) excluded = triOr(excluded, triAnd(holds, matchesNode(entity.notSelector, set.labels)));
    }
    result = triAnd(result, triNot(excluded));
  }
  return result;
}

function specTri(spec: PortSpec, atom: Atom, endpoint: Endpoint): Tri {
  if ('lo' in spec) return rangeTri(atom, spec.lo, spec.hi);
  // A named port matches an endpoint that declares it, with its number and protocol.
  if (endpoint.kind === 'address') return NO;
  if (endpoint.namedPorts === null) return MAYBE;
  let result: Tri = NO;
  for (const entry of endpoint.namedPorts.get(spec.name) ?? []) {
    if (entry.protocol !== atom.protocol) continue;
    const here = rangeTri(atom, entry.port, entry.port);
    if (here === YES) return YES;
    if (here === MAYBE) result = MAYBE;
  }
  return result;
}

/** The side's ports on one atom: destination ports on a destination side; on a source side, the connection's ephemeral source port. */
export function entityPortTri(entity: CompiledEntity, atom: Atom, endpoint: Endpoint, context: MatchContext): Tri {
  const port = entity.role === 'destination' ? atom : { ...EPHEMERAL, protocol: atom.protocol };
  let result: Tri = YES;
  if (entity.ports.length) {
    result = NO;
    for (const spec of entity.ports) {
      result = triOr(result, specTri(spec, port, endpoint));
      if (result === YES) break;
    }
  }
  if (result !== NO && entity.notPorts.length) {
    let excluded: Tri = NO;
    for (const spec of entity.notPorts) excluded = triOr(excluded, specTri(spec, port, endpoint));
    result = triAnd(result, triNot(excluded));
  }
  // A destination Service match also matches only the Service's endpoint ports.
  if (result !== NO && entity.service && entity.role === 'destination') {
    const service = context.service(`${entity.service.namespace}/${entity.service.name}`);
    if (service) {
      let onPort: Tri = NO;
      for (const p of service.ports) if (p.protocol === atom.protocol) onPort = triOr(onPort, rangeTri(atom, p.port, p.port));
      result = triAnd(result, onPort);
    }
  }
  return result;
}

/** The endpoint's IP version, when known. */
export const ipVersionOf = (endpoint: Endpoint): 4 | 6 | null => (endpoint.kind === 'workload' ? (endpoint.address?.version ?? null) : endpoint.range.version);

export type { Direction };
