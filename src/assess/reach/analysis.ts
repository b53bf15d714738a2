/**
 * Flows through the model: one flow traced port by port, sets of flows folded into a verdict
 * (allowed, denied, partly, unknown), and the namespace × namespace matrix over every TCP and UDP
 * port. A flow between two pods passes only if the source's egress and the destination's ingress
 * both allow it; a flow to an address outside the pod network has only the egress side, one from
 * outside only the ingress side.
 */
import type { ClusterModel, Policy } from '../model.js';
import { buildReachCluster, type ReachCluster } from './cluster.js';
import type { CompiledRule, Direction } from './compile.js';
import { sideSentence } from './describe.js';
import { verdictOf, type Evaluator, type Masks, type Plan, type SideMasks, type SideVerdict, type TraceStep } from './engine.js';
import { entityNamespaces, ipVersionOf, type Endpoint, type WorkloadEndpoint } from './match.js';
import { AtomSet, describeAtom, singlePort, type Protocol } from './ports.js';

export type Reach = 'allowed' | 'denied' | 'partly' | 'unknown';
export const REACH_VALUES = ['allowed', 'denied', 'partly', 'unknown'] as const;

/** Some atom certainly allowed / certainly denied / undecidable. */
export const ALLOWED = 1;
export const DENIED = 2;
export const UNDECIDED = 4;

/**
 * Flags over many flows as one verdict: all allowed, all denied; some of each is "partly" (some
 * pods or ports); anything the snapshot cannot decide, without both, is unknown (never allowed).
 */
export function reachOf(flags: number): Reach {
  if (flags & ALLOWED && flags & DENIED) return 'partly';
  if (flags & UNDECIDED) return 'unknown';
  if (flags & ALLOWED) return 'allowed';
  return 'denied';
}

export interface SideResult {
  direction: Direction;
  endpoint: string;
  verdict: SideVerdict;
  steps: TraceStep[];
  sentence: string;
}

export interface FlowResult {
  from: string;
  to: string;
  traffic: string;
  verdict: SideVerdict;
  egress: SideResult | null;
  ingress: SideResult | null;
  /** `payments/api → kube-system/coredns UDP 53: allowed by …, denied at … by …`. */
  sentence: string;
}

/** The flags of one flow's atoms from its two sides' outcomes (a missing side allows). */
function flowFlagsOf(atoms: AtomSet, egress: SideMasks | null, ingress: SideMasks | null): number {
  let flags = 0;
  for (let c = 0; c < atoms.chunks; c++) {
    const full = atoms.full(c);
    const eAllow = egress ? egress.allow[c]! & ~egress.deny[c]! : full;
    const eDeny = egress ? egress.deny[c]! & ~egress.allow[c]! : 0;
    const iAllow = ingress ? ingress.allow[c]! & ~ingress.deny[c]! : full;
    const iDeny = ingress ? ingress.deny[c]! & ~ingress.allow[c]! : 0;
    const allowed = eAllow & iAllow & full;
    const denied = (eDeny | iDeny) & full;
    if (allowed) flags |= ALLOWED;
    if (denied) flags |= DENIED;
    if (full & ~(allowed | denied)) flags |= UNDECIDED;
  }
  return flags;
}

export interface Matrix {
  namespaces: string[];
  /** Flags per (from, to), row-major. */
  flags: Uint8Array;
  groups: number;
  plans: number;
}

export class ReachAnalysis {
  private readonly atomSets = new Map<string, AtomSet>();
  private matrixCache: Matrix | null = null;

  constructor(
    readonly model: ClusterModel,
    readonly cluster: ReachCluster,
  ) {}

  /** One port of one protocol. */
  port(protocol: Protocol, port: number): AtomSet {
    const key = `${protocol}/${port}`;
    let atoms = this.atomSets.get(key);
    if (!atoms) {
      atoms = singlePort(protocol, port);
      this.atomSets.set(key, atoms);
    }
    return atoms;
  }

  /** Several single ports as one atom set (UDP and TCP 53). */
  ports(list: ReadonlyArray<{ protocol: Protocol; port: number }>): AtomSet {
    const key = list.map((p) => `${p.protocol}/${p.port}`).join(',');
    let atoms = this.atomSets.get(key);
    if (!atoms) {
      atoms = new AtomSet(list.map((p) => ({ protocol: p.protocol, lo: p.port, hi: p.port })));
      this.atomSets.set(key, atoms);
    }
    return atoms;
  }

  private side(evaluator: Evaluator, direction: Direction, local: WorkloadEndpoint, remote: Endpoint): { plan: Plan; masks: SideMasks } {
    const plan = this.cluster.plan(evaluator, direction, local);
    return { plan, masks: evaluator.evaluateAgainst(plan, remote) };
  }

  /** Flags of every atom of a flow (either end may be an address). */
  flowFlags(from: Endpoint, to: Endpoint, atoms: AtomSet): number {
    const evaluator = this.cluster.evaluator(atoms);
    const egress = from.kind === 'workload' ? this.side(evaluator, 'egress', from, to).masks : null;
    const ingress = to.kind === 'workload' ? this.side(evaluator, 'ingress', to, from).masks : null;
    return flowFlagsOf(atoms, egress, ingress);
  }

  /** Flags of one side only (the endpoint's own policies), every atom. */
  sideFlags(direction: Direction, local: WorkloadEndpoint, remote: Endpoint, atoms: AtomSet): number {
    const masks = this.side(this.cluster.evaluator(atoms), direction, local, remote).masks;
    return direction === 'egress' ? flowFlagsOf(atoms, masks, null) : flowFlagsOf(atoms, null, masks);
  }

  /** One side traced on one atom of a set. */
  traceSide(direction: Direction, local: WorkloadEndpoint, remote: Endpoint, atoms: AtomSet, atom = 0): SideResult {
    const evaluator = this.cluster.evaluator(atoms);
    const { plan, masks } = this.side(evaluator, direction, local, remote);
    const verdict = verdictOf(masks, atom);
    const steps = evaluator.trace(plan, remote, atom);
    const last = steps.at(-1);
    if (last?.kind === 'profile') last.namespace = local.namespace;
    return { direction, endpoint: local.name, verdict, steps, sentence: sideSentence(verdict, local.name, direction, steps) };
  }

  /** One flow on one port, both sides traced. */
  flow(from: Endpoint, to: Endpoint, protocol: Protocol, port: number): FlowResult {
    return this.flowOn(from, to, this.port(protocol, port), 0);
  }

  /** One flow on one atom of a set, both sides traced. */
  flowOn(from: Endpoint, to: Endpoint, atoms: AtomSet, atom: number): FlowResult {
    const egress = from.kind === 'workload' ? this.traceSide('egress', from, to, atoms, atom) : null;
    const ingress = to.kind === 'workload' ? this.traceSide('ingress', to, from, atoms, atom) : null;
    const sides = [egress, ingress].filter((s): s is SideResult => !!s);
    const verdict: SideVerdict = sides.some((s) => s.verdict === 'denied') ? 'denied' : sides.some((s) => s.verdict === 'unknown') ? 'unknown' : 'allowed';
    const traffic = describeAtom(atoms.atoms[atom]!);
    return {
      from: from.name,
      to: to.name,
      traffic,
      verdict,
      egress,
      ingress,
      sentence: `${from.name} → ${to.name} ${traffic}: ${sides.map((s) => s.sentence).join(', ')}`,
    };
  }

  /** The first atom of one side whose verdict is `wanted`, or -1. */
  firstSideAtom(direction: Direction, local: WorkloadEndpoint, remote: Endpoint, atoms: AtomSet, wanted: SideVerdict): number {
    const masks = this.side(this.cluster.evaluator(atoms), direction, local, remote).masks;
    for (let i = 0; i < atoms.atoms.length; i++) if (verdictOf(masks, i) === wanted) return i;
    return -1;
  }

  /** The verdict of each atom of a flow. */
  flowVerdicts(from: Endpoint, to: Endpoint, atoms: AtomSet): SideVerdict[] {
    const evaluator = this.cluster.evaluator(atoms);
    const egress = from.kind === 'workload' ? this.side(evaluator, 'egress', from, to).masks : null;
    const ingress = to.kind === 'workload' ? this.side(evaluator, 'ingress', to, from).masks : null;
    return atoms.atoms.map((_, i) => {
      const sides = [egress, ingress].filter((m): m is SideMasks => !!m).map((m) => verdictOf(m, i));
      return sides.includes('denied') ? 'denied' : sides.includes('unknown') ? 'unknown' : 'allowed';
    });
  }

  /** The first atom of a flow whose verdict is `wanted` (to trace a failing port of many). */
  firstAtom(from: Endpoint, to: Endpoint, atoms: AtomSet, wanted: SideVerdict): number {
    return this.flowVerdicts(from, to, atoms).indexOf(wanted);
  }

  /** The namespace × namespace matrix over every TCP and UDP port (computed once). */
  matrix(): Matrix {
    this.matrixCache ??= computeMatrix(this.cluster);
    return this.matrixCache;
  }

  /** A cell of the matrix. */
  cell(from: string, to: string): Reach {
    const matrix = this.matrix();
    const i = matrix.namespaces.indexOf(from);
    const j = matrix.namespaces.indexOf(to);
    return reachOf(matrix.flags[i * matrix.namespaces.length + j]!);
  }

  /** The same model with other policies: pods regrouped (what-if), or none (`pods: false`, for probes). */
  withPolicies(policies: Policy[], options: { pods?: boolean } = {}): ReachAnalysis {
    return new ReachAnalysis(this.model, this.cluster.withPolicies(policies, options));
  }
}

interface Profile {
  baseline: Masks;
  exceptions: Map<number, Masks>;
}

/**
 * Every pair of groups, folded by namespace, without evaluating every pair: a group's side
 * depends only on its plan (shared by every group the same policies select alike), and a plan's
 * outcome against a peer differs from its outcome against "any other group" only for peers some
 * rule of the plan singles out (a rule's remote side matches them differently from most groups).
 */
function computeMatrix(cluster: ReachCluster): Matrix {
  const atoms = cluster.allPorts;
  const evaluator = cluster.evaluator(atoms);
  const groups = cluster.groups;
  const count = groups.length;
  const profiles = new Map<number, Profile>();
  const maskKey = (m: Masks) => `${m.yes.join(',')}/${m.maybe.join(',')}`;

  const profileOf = (rule: CompiledRule): Profile => {
    const entity = rule.remote;
    let profile = profiles.get(entity.id);
    if (profile) return profile;
    const scope = entityNamespaces(entity, cluster.context, cluster.namespaces, cluster.namespaceLabels);
    const inScope = scope === null ? null : new Set(scope);
    const none = evaluator.none;
    const values = groups.map((g) => (inScope === null || inScope.has(g.namespace) ? evaluator.masks(entity, g) : none));
    const counts = new Map<string, { masks: Masks; n: number }>();
    for (const value of values) {
      const key = maskKey(value);
      const entry = counts.get(key);
      if (entry) entry.n++;
      else counts.set(key, { masks: value, n: 1 });
    }
    let baseline = values[0] ?? evaluator.masks(entity, cluster.internet);
    let best = -1;
    for (const { masks, n } of counts.values()) if (n > best) ((best = n), (baseline = masks));
    const baselineKey = maskKey(baseline);
    const exceptions = new Map<number, Masks>();
    values.forEach((value, i) => {
      if (value !== baseline && maskKey(value) !== baselineKey) exceptions.set(i, value);
    });
    profile = { baseline, exceptions };
    profiles.set(entity.id, profile);
    return profile;
  };

  const results: SideMasks[] = [];
  const resultIds = new Map<string, number>();
  const intern = (r: SideMasks): number => {
    const key = `${r.allow.join(',')}/${r.deny.join(',')}`;
    let id = resultIds.get(key);
    if (id === undefined) {
      id = results.length;
      results.push(r);
      resultIds.set(key, id);
    }
    return id;
  };

  const table = (direction: Direction): Int32Array[] => {
    const rows = new Map<number, Int32Array>();
    return groups.map((group) => {
      const plan = cluster.plan(evaluator, direction, group);
      let row = rows.get(plan.id);
      if (row) return row;
      row = new Int32Array(count);
      const rules = plan.tiers.flatMap((t) => t.policies.flatMap((p) => p.rules));
      const byVersion = rules.some((r) => r.rule.rule.ipVersion !== null);
      const ruleProfiles = new Map<number, Profile>(rules.map((r) => [r.rule.id, profileOf(r.rule)]));
      const fallback = intern(evaluator.evaluate(plan, (rule) => ruleProfiles.get(rule.id)!.baseline, 4));
      row.fill(fallback);
      const special = new Set<number>();
      if (byVersion) for (let i = 0; i < count; i++) special.add(i);
      else for (const profile of ruleProfiles.values()) for (const key of profile.exceptions.keys()) special.add(key);
      for (const peer of special) {
        const outcome = evaluator.evaluate(
          plan,
          (rule) => {
            const profile = ruleProfiles.get(rule.id)!;
            return profile.exceptions.get(peer) ?? profile.baseline;
          },
          ipVersionOf(groups[peer]!),
        );
        row[peer] = intern(outcome);
      }
      rows.set(plan.id, row);
      return row;
    });
  };
  const egress = table('egress');
  const ingress = table('ingress');

  const n = cluster.namespaces.length;
  const nsIndex = new Map(cluster.namespaces.map((ns, i) => [ns, i]));
  const groupNs = Int32Array.from(groups.map((g) => nsIndex.get(g.namespace)!));
  const flags = new Uint8Array(n * n);
  const r = results.length;
  const memo = r * r <= 16_000_000 ? new Uint8Array(r * r) : null;
  const memoMap = new Map<number, number>();
  const combine = (e: number, i: number): number => {
    const key = e * r + i;
    if (memo) {
      const hit = memo[key]!;
      if (hit) return hit & 7;
    } else {
      const hit = memoMap.get(key);
      if (hit !== undefined) return hit;
    }
    const value = flowFlagsOf(atoms, results[e]!, results[i]!);
    if (memo) memo[key] = value | 8;
    else memoMap.set(key, value);
    return value;
  };
  for (let s = 0; s < count; s++) {
    const row = egress[s]!;
    const base = groupNs[s]! * n;
    for (let d = 0; d < count; d++) {
      const cell = base + groupNs[d]!;
      const value = combine(row[d]!, ingress[d]![s]!);
      flags[cell]! |= value;
    }
  }
  return { namespaces: cluster.namespaces, flags, groups: count, plans: evaluator.planCount() };
}

const analyses = new WeakMap<ClusterModel, ReachAnalysis | null>();

/** The model of a cluster's policies (once per cluster model); null when its policies were not all collected. */
export function reachAnalysis(model: ClusterModel): ReachAnalysis | null {
  if (analyses.has(model)) return analyses.get(model)!;
  const analysis = model.policies ? new ReachAnalysis(model, buildReachCluster(model, model.policies)) : null;
  analyses.set(model, analysis);
  return analysis;
}
