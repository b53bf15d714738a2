/**
 * One side of a flow, decided as Felix decides it (felix/rules/endpoints.go, the policy chains of
 * a workload endpoint): the tiers that hold a policy selecting the endpoint for this direction, in
 * order; in each, its policies in order and their rules in order, the first matching `Allow` or
 * `Deny` deciding, `Pass` skipping the rest of the tier, `Log` going on; when no rule of a tier
 * decides, its end action ("End of tier … if no policies passed packet": Deny, unless the tier's
 * `defaultAction` is Pass); after every tier, the namespace profile, which allows. An endpoint no
 * policy selects goes straight to its profile.
 *
 * Evaluated over many destination ports at once: each port atom is a bit of a 32-bit mask, and a
 * side's outcome is two masks, the atoms it may allow and the atoms it may deny. A rule that only
 * maybe matches (the snapshot cannot tell) adds its action to the possible outcomes and lets
 * evaluation go on, so an atom in both masks is unknown.
 */
import { MAYBE, NO, triAnd, YES, type Tri } from '../selector.js';
import type { CompiledEntity, CompiledPolicies, CompiledPolicy, CompiledRule, CompiledTier, Direction } from './compile.js';
import { entityPortTri, entityTri, ipVersionOf, policySelects, type Endpoint, type MatchContext, type WorkloadEndpoint } from './match.js';
import type { AtomSet } from './ports.js';

export interface Masks {
  yes: Int32Array;
  maybe: Int32Array;
  /** Equal masks of one evaluator share an id (interned). */
  id: number;
}

export interface PlanRule {
  rule: CompiledRule;
  local: Masks;
  /** Atoms of a protocol the rule accepts (`protocol`/`notProtocol`). */
  protocols: Int32Array;
}

export interface PlanPolicy {
  policy: CompiledPolicy;
  selects: Tri;
  rules: PlanRule[];
}

export interface PlanTier {
  tier: CompiledTier;
  /** Some policy certainly selects the endpoint: the tier certainly applies. */
  certain: boolean;
  policies: PlanPolicy[];
}

/** The policies that apply to one side of an endpoint, with what its own side of each rule already decides. */
export interface Plan {
  id: number;
  direction: Direction;
  tiers: PlanTier[];
}

/** A side's outcome per atom: atoms it may allow, atoms it may deny (both: unknown). */
export interface SideMasks {
  allow: Int32Array;
  deny: Int32Array;
}

export type SideVerdict = 'allowed' | 'denied' | 'unknown';

export type TraceStep =
  | { kind: 'rule'; tier: CompiledTier; policy: CompiledPolicy; rule: CompiledRule; action: CompiledRule['action']; certain: boolean; reason: string | null }
  | { kind: 'end-of-tier'; tier: CompiledTier; action: 'Deny' | 'Pass'; certain: boolean; policies: CompiledPolicy[] }
  | { kind: 'profile'; namespace: string; anyPolicy: boolean };

/** The policy selections of an endpoint per direction, in evaluation order. */
export type Selection = ReadonlyArray<{ policy: CompiledPolicy; selects: Tri }>;

type PlanTrie = Map<number, PlanTrie | Plan>;
const PLAN_LEAF = -3;

/** For a port part that no endpoint changes (numeric ports only). */
const NO_ENDPOINT: Endpoint = { kind: 'address', key: -1, range: { version: 4, lo: 0, hi: 0, text: '0.0.0.0' }, name: 'any address' };

export class Evaluator {
  /** Per entity, per group (endpoint key ≥ 0), its masks; other endpoints (addresses, probes) by key. */
  private readonly groupMasks: Array<Array<Masks | undefined> | undefined> = [];
  private readonly otherMasks = new Map<string, Masks>();
  private readonly addressMasks: Array<WeakMap<object, Masks> | undefined> = [];
  /** Per entity, the masks of its port part when they do not depend on the endpoint (no named port, no Service), else null. */
  private readonly portParts: Array<Masks | null | undefined> = [];
  private readonly interned = new Map<string, Masks>();
  private readonly protocolMasks = new Map<number, Int32Array>();
  private readonly planTrie: PlanTrie = new Map();
  private readonly planIds: Record<Direction, Map<number, Plan>> = { ingress: new Map(), egress: new Map() };
  private readonly scratchLocals: Masks[] = [];
  /** Masks that match no atom, and every atom. */
  readonly none: Masks;
  readonly all: Masks;
  private nextPlan = 0;

  constructor(
    readonly compiled: CompiledPolicies,
    readonly context: MatchContext,
    readonly atoms: AtomSet,
  ) {
    this.none = this.intern(new Int32Array(atoms.chunks), new Int32Array(atoms.chunks));
    const yes = new Int32Array(atoms.chunks);
    for (let c = 0; c < atoms.chunks; c++) yes[c] = atoms.full(c);
    this.all = this.intern(yes, new Int32Array(atoms.chunks));
  }

  /** The one Masks object with this content. */
  intern(yes: Int32Array, maybe: Int32Array): Masks {
    const key = `${yes.join(',')}/${maybe.join(',')}`;
    let found = this.interned.get(key);
    if (!found) {
      found = { yes, maybe, id: this.interned.size };
      this.interned.set(key, found);
    }
    return found;
  }

  /** Distinct masks made so far (their ids run from 0 to this). */
  maskCount(): number {
    return this.interned.size;
  }

  /** Which policies select the endpoint for the direction (every policy checked; the model indexes this for its groups). */
  selection(direction: Direction, endpoint: WorkloadEndpoint): Selection {
    const out: Array<{ policy: CompiledPolicy; selects: Tri }> = [];
    for (const policy of this.compiled.policies) {
      if (!policy.policy.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      const selects = policySelects(policy, endpoint);
      if (selects !== NO) out.push({ policy, selects });
    }
    return out;
  }

  /** The port part of an entity's masks when no endpoint changes it. */
  private portPart(entity: CompiledEntity): Masks | null {
    let part = this.portParts[entity.id];
    if (part !== undefined) return part;
    const dynamic = [...entity.ports, ...entity.notPorts].some((p) => 'name' in p) || (entity.service !== null && entity.role === 'destination');
    if (dynamic) part = null;
    else if (!entity.ports.length && !entity.notPorts.length) part = this.all;
    else part = this.portMasks(entity, YES, NO_ENDPOINT);
    this.portParts[entity.id] = part;
    return part;
  }

  private portMasks(entity: CompiledEntity, tri: Tri, endpoint: Endpoint): Masks {
    const yes = new Int32Array(this.atoms.chunks);
    const maybe = new Int32Array(this.atoms.chunks);
    for (let i = 0; i < this.atoms.atoms.length; i++) {
      const value = triAnd(tri, entityPortTri(entity, this.atoms.atoms[i]!, endpoint, this.context));
      const chunk = i >> 5;
      const bit = 1 << (i & 31);
      if (value === YES) yes[chunk]! |= bit;
      else if (value === MAYBE) maybe[chunk]! |= bit;
    }
    return this.intern(yes, maybe);
  }

  /** Masks demoted to maybe (the side itself only may match). */
  private maybeOf(masks: Masks): Masks {
    const maybe = new Int32Array(this.atoms.chunks);
    for (let c = 0; c < maybe.length; c++) maybe[c] = masks.yes[c]! | masks.maybe[c]!;
    return this.intern(new Int32Array(this.atoms.chunks), maybe);
  }

  /** A side's masks for an entity on an endpoint: its selectors and addresses, then its ports per atom. */
  masks(entity: CompiledEntity, endpoint: Endpoint): Masks {
    if (entity.trivial) return this.all;
    if (entity.addressOnly && endpoint.kind === 'workload' && endpoint.address) {
      // Decided by the address alone: once per address (groups of one interval share it).
      let byAddress = this.addressMasks[entity.id];
      if (!byAddress) this.addressMasks[entity.id] = byAddress = new WeakMap();
      let hit = byAddress.get(endpoint.address);
      if (!hit) {
        const tri = entityTri(entity, endpoint, this.context);
        const part = this.portPart(entity)!;
        hit = tri === NO ? this.none : tri === YES ? part : this.maybeOf(part);
        byAddress.set(endpoint.address, hit);
      }
      return hit;
    }
    let row: Array<Masks | undefined> | undefined;
    if (endpoint.key >= 0) {
      row = this.groupMasks[entity.id] ??= [];
      const hit = row[endpoint.key];
      if (hit) return hit;
    } else {
      const hit = this.otherMasks.get(`${entity.id}:${endpoint.key}`);
      if (hit) return hit;
    }
    const tri = entityTri(entity, endpoint, this.context);
    let found: Masks;
    if (tri === NO) found = this.none;
    else {
      const part = this.portPart(entity);
      found = part ? (tri === YES ? part : this.maybeOf(part)) : this.portMasks(entity, tri, endpoint);
    }
    if (row) row[endpoint.key] = found;
    else this.otherMasks.set(`${entity.id}:${endpoint.key}`, found);
    return found;
  }

  private protocols(rule: CompiledRule): Int32Array {
    let found = this.protocolMasks.get(rule.id);
    if (!found) {
      found = new Int32Array(this.atoms.chunks);
      const { protocol, notProtocol } = rule.rule;
      for (let i = 0; i < this.atoms.atoms.length; i++) {
        const atom = this.atoms.atoms[i]!;
        if ((protocol === null || protocol === atom.protocol) && notProtocol !== atom.protocol) found[i >> 5]! |= 1 << (i & 31);
      }
      this.protocolMasks.set(rule.id, found);
    }
    return found;
  }

  /** The endpoint's plan for a direction, from its selection; equal plans are shared. */
  plan(direction: Direction, endpoint: Endpoint, selection: Selection): Plan {
    const cache = this.planIds[direction];
    const cached = cache.get(endpoint.key);
    if (cached) return cached;
    // The plan's identity is a path of numbers in a tree of maps (no string per endpoint): the
    // direction, then per tier its rank, per policy its index and how surely it selects, then each
    // rule that may match on this side with its local masks. The masks are kept to build the plan if new.
    const locals = this.scratchLocals;
    locals.length = 0;
    let node = this.planTrie;
    const step = (value: number) => {
      let next = node.get(value) as PlanTrie | undefined;
      if (!next) node.set(value, (next = new Map()));
      node = next;
    };
    step(direction === 'ingress' ? 0 : 1);
    let lastTier: CompiledTier | null = null;
    for (let p = 0; p < selection.length; p++) {
      const { policy, selects } = selection[p]!;
      if (policy.tier !== lastTier) {
        lastTier = policy.tier;
        step(-1);
        step(policy.tierRank);
      }
      step(-2);
      step(policy.index);
      step(selects);
      const rules = policy[direction];
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r]!;
        let local = this.masks(rule.local, endpoint);
        // A policy that may not apply makes its rules match at most maybe.
        if (selects === MAYBE) local = this.maybeOf(local);
        locals.push(local);
        if (local === this.none) continue;
        step(rule.id);
        step(local.id);
      }
    }
    let plan = node.get(PLAN_LEAF) as Plan | undefined;
    if (!plan) {
      const tiers: PlanTier[] = [];
      let at = 0;
      for (const { policy, selects } of selection) {
        let tier = tiers.at(-1);
        if (!tier || tier.tier !== policy.tier) {
          tier = { tier: policy.tier, certain: false, policies: [] };
          tiers.push(tier);
        }
        if (selects === YES) tier.certain = true;
        const rules: PlanRule[] = [];
        for (const rule of policy[direction]) {
          const local = locals[at++]!;
          if (local !== this.none) rules.push({ rule, local, protocols: this.protocols(rule) });
        }
        tier.policies.push({ policy, selects, rules });
      }
      plan = { id: this.nextPlan++, direction, tiers };
      node.set(PLAN_LEAF, plan);
    }
    cache.set(endpoint.key, plan);
    return plan;
  }

  /** The plan's outcome against a peer, for every atom; `remote` gives the peer's masks for a rule's remote side. */
  evaluate(plan: Plan, remoteMasks: (rule: CompiledRule) => Masks, remoteVersion: 4 | 6 | null): SideMasks {
    const chunks = this.atoms.chunks;
    const allow = new Int32Array(chunks);
    const deny = new Int32Array(chunks);
    for (let c = 0; c < chunks; c++) {
      const full = this.atoms.full(c);
      // After every tier: the namespace profile, which allows.
      let nextAllow = full;
      let nextDeny = 0;
      for (let t = plan.tiers.length - 1; t >= 0; t--) {
        const tier = plan.tiers[t]!;
        let open = full;
        let a = 0;
        let d = 0;
        let pass = 0;
        for (const { rules } of tier.policies) {
          for (const { rule, local, protocols } of rules) {
            if (!open) break;
            if (rule.rule.ipVersion !== null && remoteVersion !== null && rule.rule.ipVersion !== remoteVersion) continue;
            const remote = remoteMasks(rule);
            const proto = protocols[c]!;
            const remoteAny = (remote.yes[c]! | remote.maybe[c]!) & proto;
            if (!remoteAny) continue;
            const any = (local.yes[c]! | local.maybe[c]!) & remoteAny & open;
            if (!any) continue;
            // An L7 match is never certain from the snapshot.
            const yes = rule.rule.http ? 0 : local.yes[c]! & remote.yes[c]! & proto & open;
            switch (rule.action) {
              case 'Allow':
                a |= any;
                break;
              case 'Deny':
                d |= any;
                break;
              case 'Pass':
                pass |= any;
                break;
              case 'Log':
                break;
            }
            if (rule.action !== 'Log') open &= ~yes;
          }
        }
        if (tier.tier.endAction === 'Deny') {
          d |= open;
          // A tier that only maybe applies may also not apply: evaluation then goes on.
          if (!tier.certain) pass |= open;
        } else {
          pass |= open;
        }
        a |= pass & nextAllow;
        d |= pass & nextDeny;
        nextAllow = a;
        nextDeny = d;
      }
      allow[c] = nextAllow;
      deny[c] = nextDeny;
    }
    return { allow, deny };
  }

  private readonly outcomes = new Map<string, SideMasks>();

  /** The outcome against a peer endpoint (kept: plans are shared, so are their outcomes). */
  evaluateAgainst(plan: Plan, remote: Endpoint): SideMasks {
    const key = `${plan.id}:${remote.key}`;
    let found = this.outcomes.get(key);
    if (!found) {
      found = this.evaluate(plan, (rule) => this.masks(rule.remote, remote), ipVersionOf(remote));
      this.outcomes.set(key, found);
    }
    return found;
  }

  /**
   * The steps Calico takes for one atom against a peer, in order: each tier consulted, each rule
   * that matched (or may have), the end of a tier, the profile. Descriptive: the verdict is `evaluate`'s.
   */
  trace(plan: Plan, remote: Endpoint, atom: number): TraceStep[] {
    const chunk = atom >> 5;
    const bit = 1 << (atom & 31);
    const steps: TraceStep[] = [];
    const remoteVersion = ipVersionOf(remote);
    for (const tier of plan.tiers) {
      let passed = false;
      for (const { policy, rules } of tier.policies) {
        for (const { rule, local, protocols } of rules) {
          if (rule.rule.ipVersion !== null && remoteVersion !== null && rule.rule.ipVersion !== remoteVersion) continue;
          if (!(protocols[chunk]! & bit)) continue;
          const remoteMasks = this.masks(rule.remote, remote);
          const localTri: Tri = local.yes[chunk]! & bit ? YES : local.maybe[chunk]! & bit ? MAYBE : NO;
          const remoteTri: Tri = remoteMasks.yes[chunk]! & bit ? YES : remoteMasks.maybe[chunk]! & bit ? MAYBE : NO;
          let tri = triAnd(localTri, remoteTri);
          if (tri === NO) continue;
          let reason: string | null = null;
          if (rule.rule.http) {
            tri = MAYBE;
            reason = 'an L7 (http) match the snapshot cannot decide';
          } else if (tri === MAYBE) reason = maybeReason(rule, localTri, remoteTri);
          steps.push({ kind: 'rule', tier: tier.tier, policy, rule, action: rule.action, certain: tri === YES, reason });
          if (tri === YES) {
            if (rule.action === 'Allow' || rule.action === 'Deny') return steps;
            if (rule.action === 'Pass') {
              passed = true;
              break;
            }
          }
        }
        if (passed) break;
      }
      if (passed) continue;
      steps.push({ kind: 'end-of-tier', tier: tier.tier, action: tier.tier.endAction, certain: tier.certain, policies: tier.policies.map((p) => p.policy) });
      if (tier.tier.endAction === 'Deny' && tier.certain) return steps;
    }
    steps.push({ kind: 'profile', namespace: '', anyPolicy: plan.tiers.length > 0 });
    return steps;
  }

  /** Every plan made so far. */
  planCount(): number {
    return this.nextPlan;
  }
}

function maybeReason(rule: CompiledRule, local: Tri, remote: Tri): string {
  const entity = remote === MAYBE ? rule.remote : local === MAYBE ? rule.local : rule.remote;
  if (entity.domains) return 'a domain-name match the snapshot cannot resolve';
  if (entity.service) return `a match on Service ${entity.service.namespace}/${entity.service.name}, whose endpoints were not collected`;
  if (entity.serviceAccountSelector || entity.serviceAccountNames) return "a ServiceAccount match on labels the snapshot does not hold";
  if (entity.ports.some((p) => 'name' in p)) return 'a named port the snapshot does not resolve';
  if (entity.nets || entity.notNets) return 'an address range only partly inside the rule\'s nets';
  return 'a selector on labels the snapshot does not hold';
}

/** The verdict of one atom from a side's masks. */
export function verdictOf(masks: SideMasks, atom: number): SideVerdict {
  const chunk = atom >> 5;
  const bit = 1 << (atom & 31);
  const allow = (masks.allow[chunk]! & bit) !== 0;
  const deny = (masks.deny[chunk]! & bit) !== 0;
  return allow && deny ? 'unknown' : allow ? 'allowed' : 'denied';
}
