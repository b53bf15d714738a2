/**
 * The cluster's policies in Felix's evaluation order, each rule split into the side it checks on
 * the endpoint it protects (its "local" side) and the side it checks on the peer ("remote").
 *
 * Order, as Felix sorts it (felix/calc/policy_sorter.go, `TierLess` and `PolKVLess`): tiers by
 * `order`, lowest first, a tier without order after every ordered one, equal orders by name, and
 * a tier that does not exist (a policy naming a missing Tier) after all valid ones with the
 * default end action, Deny; inside a tier, policies by `order` (none = +∞), then by name.
 */
import type { EntityMatch, Policy, PolicyRule, Tier } from '../model.js';
import { BUILT_IN_TIER_ACTION, BUILT_IN_TIER_ORDER } from '../normalize/calico.js';
import { parseSelectorTree, SelectorSyntaxError, type SelectorNode } from '../selector.js';
import { parseRange, type AddressRange } from './addresses.js';
import { parsePortSpec, type PortSpec } from './ports.js';

export type Direction = 'ingress' | 'egress';
export type Action = 'Allow' | 'Deny' | 'Pass' | 'Log';

export interface CompiledTier {
  name: string;
  order: number | null;
  /** What happens to traffic a policy of the tier selected but no rule matched. */
  endAction: 'Deny' | 'Pass';
  /** The Tier object exists (Felix sorts missing tiers last). */
  valid: boolean;
}

/** A selector that does not parse matches nothing (Calico's validation rejects it). */
export type CompiledSelector = SelectorNode | 'invalid';

export interface CompiledEntity {
  id: number;
  /** Ports on a destination entity are the packet's destination port; on a source, the ephemeral source port. */
  role: 'source' | 'destination';
  /** The policy's namespace for a namespaced policy: a selector without namespaceSelector stays in it. */
  scopeNamespace: string | null;
  namespaceSelector: CompiledSelector | 'global' | null;
  selector: CompiledSelector | null;
  notSelector: CompiledSelector | null;
  serviceAccountNames: ReadonlySet<string> | null;
  serviceAccountSelector: CompiledSelector | null;
  nets: AddressRange[] | null;
  notNets: AddressRange[] | null;
  ports: PortSpec[];
  notPorts: PortSpec[];
  service: { namespace: string; name: string } | null;
  domains: boolean;
  /** A net written wrongly: Calico would reject the policy; here it matches nothing. */
  invalidNets: boolean;
  /** Matches every endpoint on every port. */
  trivial: boolean;
  /** Decided by the endpoint's address alone (nets, notNets, numeric ports): no selector, service account, Service, domain or named port. */
  addressOnly: boolean;
}

export interface CompiledRule {
  id: number;
  policy: CompiledPolicy;
  direction: Direction;
  rule: PolicyRule;
  action: Action;
  /** The side on the protected endpoint: the source for egress, the destination for ingress. */
  local: CompiledEntity;
  remote: CompiledEntity;
}

export interface CompiledPolicy {
  index: number;
  policy: Policy;
  tier: CompiledTier;
  tierRank: number;
  selector: CompiledSelector;
  namespaceSelector: CompiledSelector | null;
  serviceAccountSelector: CompiledSelector | null;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

export interface CompiledPolicies {
  tiers: CompiledTier[];
  /** In evaluation order: by tier, then order, then name. */
  policies: CompiledPolicy[];
  rules: CompiledRule[];
  entities: CompiledEntity[];
  /** Tiers whose order the snapshot does not say (tiers not collected, not a built-in one). */
  unorderedTiers: string[];
}

function compileSelector(source: string | null | undefined): CompiledSelector | null {
  if (source === null || source === undefined) return null;
  try {
    return parseSelectorTree(source);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return 'invalid';
    throw error;
  }
}

const isAll = (node: CompiledSelector | null): boolean => node !== null && node !== 'invalid' && node.op === 'all';

function compileNets(nets: readonly string[]): { ranges: AddressRange[]; invalid: boolean } {
  const ranges: AddressRange[] = [];
  let invalid = false;
  for (const net of nets) {
    const range = parseRange(net);
    if (range) ranges.push(range);
    else invalid = true;
  }
  return { ranges, invalid };
}

const compilePorts = (ports: ReadonlyArray<number | string>): { specs: PortSpec[]; invalid: boolean } => {
  const specs: PortSpec[] = [];
  let invalid = false;
  for (const port of ports) {
    const spec = parsePortSpec(port);
    if (spec) specs.push(spec);
    else invalid = true;
  }
  return { specs, invalid };
};

class EntityTable {
  readonly entities: CompiledEntity[] = [];
  private readonly byKey = new Map<string, CompiledEntity>();

  compile(match: EntityMatch, role: CompiledEntity['role'], policyNamespace: string | null): CompiledEntity {
    // The policy's namespace matters only to a side that selects without a namespaceSelector, or names a Service without one.
    const selects = match.selector !== null || match.notSelector !== null || match.serviceAccounts !== null;
    const scopeNamespace = (selects && match.namespaceSelector === null) || (match.services !== null && !match.services.namespace) ? policyNamespace : null;
    const key = JSON.stringify([role, scopeNamespace, match]);
    const known = this.byKey.get(key);
    if (known) return known;
    const nets = compileNets(match.nets);
    const notNets = compileNets(match.notNets);
    const ports = compilePorts(match.ports);
    const notPorts = compilePorts(match.notPorts);
    const namespaceSelector = match.namespaceSelector === null ? null : match.namespaceSelector.replace(/\s+/g, '') === 'global()' ? 'global' : compileSelector(match.namespaceSelector);
    const entity: CompiledEntity = {
      id: this.entities.length,
      role,
      scopeNamespace,
      namespaceSelector,
      selector: compileSelector(match.selector),
      notSelector: compileSelector(match.notSelector),
      serviceAccountNames: match.serviceAccounts?.names.length ? new Set(match.serviceAccounts.names) : null,
      serviceAccountSelector: compileSelector(match.serviceAccounts?.selector),
      nets: match.nets.length ? nets.ranges : null,
      notNets: match.notNets.length ? notNets.ranges : null,
      // An unparsable port matches nothing: keep an impossible range in its place.
      ports: ports.invalid && !ports.specs.length ? [{ lo: 1, hi: 0 }] : ports.specs,
      notPorts: notPorts.specs,
      service: match.services ? { namespace: match.services.namespace ?? scopeNamespace ?? 'default', name: match.services.name } : null,
      domains: match.domains.length > 0,
      invalidNets: (nets.invalid && !nets.ranges.length) || notNets.invalid,
      trivial: false,
      addressOnly: false,
    };
    entity.trivial =
      entity.namespaceSelector === null &&
      (entity.selector === null || isAll(entity.selector)) &&
      entity.notSelector === null &&
      entity.serviceAccountNames === null &&
      entity.serviceAccountSelector === null &&
      entity.nets === null &&
      entity.notNets === null &&
      !entity.ports.length &&
      !entity.notPorts.length &&
      entity.service === null &&
      !entity.domains &&
      !entity.invalidNets &&
      // A namespaced policy's `selector: all()` still keeps to its namespace.
      !(scopeNamespace && entity.selector !== null);
    entity.addressOnly =
      entity.namespaceSelector === null &&
      entity.selector === null &&
      entity.notSelector === null &&
      entity.serviceAccountNames === null &&
      entity.serviceAccountSelector === null &&
      entity.service === null &&
      !entity.domains &&
      ![...entity.ports, ...entity.notPorts].some((p) => 'name' in p);
    this.entities.push(entity);
    this.byKey.set(key, entity);
    return entity;
  }
}

const ACTIONS: Record<string, Action> = { allow: 'Allow', deny: 'Deny', pass: 'Pass', log: 'Log', 'next-tier': 'Pass' };

/** Tiers by name: the collected ones; without the list, the built-in ones Calico creates. */
function tierTable(tiers: Tier[] | null): (name: string) => { tier: CompiledTier; ordered: boolean } {
  const byName = new Map((tiers ?? []).map((t) => [t.name, t]));
  return (name) => {
    const found = byName.get(name);
    if (found) return { tier: { name, order: found.order, endAction: found.defaultAction === 'Pass' ? 'Pass' : 'Deny', valid: true }, ordered: true };
    if (tiers === null && BUILT_IN_TIER_ORDER[name] !== undefined) {
      return { tier: { name, order: BUILT_IN_TIER_ORDER[name], endAction: BUILT_IN_TIER_ACTION[name] ?? 'Deny', valid: true }, ordered: true };
    }
    // A policy in a tier that does not exist: Felix still applies it, after every valid tier, ending in Deny.
    return { tier: { name, order: null, endAction: 'Deny', valid: tiers !== null ? false : true }, ordered: tiers !== null };
  };
}

function tierLess(a: CompiledTier, b: CompiledTier): number {
  if (a.valid !== b.valid) return a.valid ? -1 : 1;
  if (a.order === null && b.order !== null) return 1;
  if (a.order !== null && b.order === null) return -1;
  if (a.order !== b.order) return a.order! - b.order!;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The name Felix sorts a policy by within its order: namespaced ones as `namespace/name`. */
const sortName = (policy: Policy): string => (policy.namespace ? `${policy.namespace}/${policy.calicoName}` : policy.calicoName);

export function compilePolicies(policies: readonly Policy[], tiers: Tier[] | null): CompiledPolicies {
  const resolveTier = tierTable(tiers);
  const tierByName = new Map<string, CompiledTier>();
  const unordered = new Set<string>();
  const tierOf = (name: string): CompiledTier => {
    let tier = tierByName.get(name);
    if (!tier) {
      const resolved = resolveTier(name);
      tier = resolved.tier;
      if (!resolved.ordered) unordered.add(name);
      tierByName.set(name, tier);
    }
    return tier;
  };
  const table = new EntityTable();
  const rules: CompiledRule[] = [];
  const sorted = policies
    .filter((p) => !p.hostEndpointsOnly)
    .map((policy) => ({ policy, tier: tierOf(policy.tier) }))
    .sort(
      (a, b) =>
        tierLess(a.tier, b.tier) ||
        (a.policy.order ?? Infinity) - (b.policy.order ?? Infinity) ||
        (sortName(a.policy) < sortName(b.policy) ? -1 : sortName(a.policy) > sortName(b.policy) ? 1 : 0),
    );
  const tierList = [...tierByName.values()].sort(tierLess);
  const compiled = sorted.map(({ policy, tier }, index): CompiledPolicy => {
    const entry: CompiledPolicy = {
      index,
      policy,
      tier,
      tierRank: tierList.indexOf(tier),
      selector: compileSelector(policy.selector || 'all()')!,
      namespaceSelector: compileSelector(policy.namespaceSelector),
      serviceAccountSelector: compileSelector(policy.serviceAccountSelector),
      ingress: [],
      egress: [],
    };
    const scope = policy.namespace;
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
        const source = table.compile(rule.source, 'source', scope);
        const destination = table.compile(rule.destination, 'destination', scope);
        const compiledRule: CompiledRule = {
          id: rules.length,
          policy: entry,
          direction,
          rule,
          action: ACTIONS[rule.action.toLowerCase()] ?? 'Deny',
          local: direction === 'egress' ? source : destination,
          remote: direction === 'egress' ? destination : source,
        };
        rules.push(compiledRule);
        entry[direction].push(compiledRule);
      }
    }
    return entry;
  });
  return { tiers: tierList, policies: compiled, rules, entities: table.entities, unorderedTiers: [...unordered].sort() };
}
