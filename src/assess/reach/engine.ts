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

export class Evaluator {
  private readonly entityMasks = new Map<string, Masks>();
  private readonly protocolMasks = new Map<number, Int32Array>();
  private readonly plans = new Map<string, Plan>();
  private readonly planIds = new Map<string, Plan>();
  /** Masks that match no atom. */
  readonly none: Masks;
  private nextPlan = 0;

  constructor(
    readonly compiled: CompiledPolicies,
    readonly context: MatchContext,
    readonly atoms: AtomSet,
  ) {
    this.none = { yes: new Int32Array(atoms.chunks), maybe: new Int32Array(atoms.chunks) };
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

  /** A side's masks for an entity on an endpoint: its selectors and addresses, then its ports per atom. */
  masks(entity: CompiledEntity, endpoint: Endpoint): Masks {
    if (entity.trivial) return this.allMasks();
    const key = `${entity.id}:${endpoint.key}`;
    let found = this.entityMasks.get(key);
    if (found) return found;
    const tri = entityTri(entity, endpoint, this.context);
    if (tri === NO) found = this.none;
    else {
      const yes = new Int32Array(this.atoms.chunks);
      const maybe = new Int32Array(this.atoms.chunks);
      const portless = !entity.ports.length && !entity.notPorts.length && !(entity.service && entity.role === 'destination');
      for (let i = 0; i < this.atoms.atoms.length; i++) {
        const value = portless ? tri : triAnd(tri, entityPortTri(entity, this.atoms.atoms[i]!, endpoint, this.context));
        const chunk = i >> 5;
        const bit = 1 << (i & 31);
        if (value === YES) yes[chunk]! |= bit;
        else if (value === MAYBE) maybe[chunk]! |= bit;
      }
      found = { yes, maybe };
    }
    this.entityMasks.set(key, found);
    return found;
  }

  private allCache: Masks | null = null;
  private allMasks(): Masks {
    if (!this.allCache) {
      const yes = new Int32Array(this.atoms.chunks);
      for (let c = 0; c < this.atoms.chunks; c++) yes[c] = this.atoms.full(c);
      this.allCache = { yes, maybe: new Int32Array(this.atoms.chunks) };
    }
    return this.allCache;
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
  plan(direction: Direction, endpoint: WorkloadEndpoint, selection: Selection): Plan {
    const cacheKey = `${direction}:${endpoint.key}`;
    const cached = this.planIds.get(cacheKey);
    if (cached) return cached;
    const tiers: PlanTier[] = [];
    const keyParts: string[] = [direction];
    for (const { policy, selects } of selection) {
      let tier = tiers.at(-1);
      if (!tier || tier.tier !== policy.tier) {
        tier = { tier: policy.tier, certain: false, policies: [] };
        tiers.push(tier);
        keyParts.push(`t${policy.tierRank}`);
      }
      if (selects === YES) tier.certain = true;
      keyParts.push(`p${policy.index}${selects === YES ? '' : '?'}`);
      const rules: PlanRule[] = [];
      for (const rule of policy[direction]) {
        let local = this.masks(rule.local, endpoint);
        if (selects === MAYBE && local.yes.some((v) => v !== 0)) {
          // A policy that may not apply makes its rules match at most maybe.
          const maybe = new Int32Array(this.atoms.chunks);
          for (let c = 0; c < maybe.length; c++) maybe[c] = local.yes[c]! | local.maybe[c]!;
          local = { yes: new Int32Array(this.atoms.chunks), maybe };
        }
        if (local.yes.every((v) => v === 0) && local.maybe.every((v) => v === 0)) continue;
        rules.push({ rule, local, protocols: this.protocols(rule) });
        keyParts.push(`r${rule.id}:${local === this.allCache ? '*' : `${Array.from(local.yes).join(',')}/${Array.from(local.maybe).join(',')}`}`);
      }
      tier.policies.push({ policy, selects, rules });
    }
    const key = keyParts.join('|');
    let plan = this.plans.get(key);
    if (!plan) {
      plan = { id: this.nextPlan++, direction, tiers };
      this.plans.set(key, plan);
    }
    this.planIds.set(cacheKey, plan);
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
    return this.plans.size;
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
