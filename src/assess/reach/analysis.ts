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
import { AtomSet, describeAtom, type Protocol } from './ports.js';

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

/** The flags of one flow's atoms from its two sides' outcomes (a missing side allows), over the base atoms a set selects. */
function flowFlagsOf(atoms: AtomSet, egress: SideMasks | null, ingress: SideMasks | null): number {
  let flags = 0;
  const select = atoms.select;
  for (let c = 0; c < select.length; c++) {
    const full = select[c]!;
    if (!full) continue;
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

  /** One port of one protocol: a view of the cluster's atoms (the atom holding it decides it), else a set of its own. */
  port(protocol: Protocol, port: number): AtomSet {
    return this.ports([{ protocol, port }]);
  }

  /** Several single ports (UDP and TCP 53), as a view of the cluster's atoms where they lie in them. */
  ports(list: ReadonlyArray<{ protocol: Protocol; port: number }>): AtomSet {
    const key = list.map((p) => `${p.protocol}/${p.port}`).join(',');
    let atoms = this.atomSets.get(key);
    if (!atoms) {
      const wanted = list.map((p) => ({ protocol: p.protocol, lo: p.port, hi: p.port }));
      atoms = this.cluster.allPorts.view(wanted) ?? new AtomSet(wanted);
      this.atomSets.set(key, atoms);
    }
    return atoms;
  }

  private side(evaluator: Evaluator, direction: Direction, local: WorkloadEndpoint, remote: Endpoint): { plan: Plan; masks: SideMasks } {
    // (`evaluator` is the base set's: views share it.)
    const plan = this.cluster.plan(evaluator, direction, local);
    return { plan, masks: evaluator.evaluateAgainst(plan, remote) };
  }

  /** Flags of every atom of a flow (either end may be an address). */
  flowFlags(from: Endpoint, to: Endpoint, atoms: AtomSet): number {
    const evaluator = this.cluster.evaluator(atoms.base);
    const egress = from.kind === 'workload' ? this.side(evaluator, 'egress', from, to).masks : null;
    const ingress = to.kind === 'workload' ? this.side(evaluator, 'ingress', to, from).masks : null;
    return flowFlagsOf(atoms, egress, ingress);
  }

  /** Flags of one side only (the endpoint's own policies), every atom. */
  sideFlags(direction: Direction, local: WorkloadEndpoint, remote: Endpoint, atoms: AtomSet): number {
    const masks = this.side(this.cluster.evaluator(atoms.base), direction, local, remote).masks;
    return direction === 'egress' ? flowFlagsOf(atoms, masks, null) : flowFlagsOf(atoms, null, masks);
  }

  /** One side traced on one atom of a set. */
  traceSide(direction: Direction, local: WorkloadEndpoint, remote: Endpoint, atoms: AtomSet, atom = 0): SideResult {
    const evaluator = this.cluster.evaluator(atoms.base);
    const { plan, masks } = this.side(evaluator, direction, local, remote);
    const position = atoms.positions[atom]!;
    const verdict = verdictOf(masks, position);
    const steps = evaluator.trace(plan, remote, position);
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
    const masks = this.side(this.cluster.evaluator(atoms.base), direction, local, remote).masks;
    for (let i = 0; i < atoms.atoms.length; i++) if (verdictOf(masks, atoms.positions[i]!) === wanted) return i;
    return -1;
  }

  /** The verdict of each atom of a flow. */
  flowVerdicts(from: Endpoint, to: Endpoint, atoms: AtomSet): SideVerdict[] {
    const evaluator = this.cluster.evaluator(atoms.base);
    const egress = from.kind === 'workload' ? this.side(evaluator, 'egress', from, to).masks : null;
    const ingress = to.kind === 'workload' ? this.side(evaluator, 'ingress', to, from).masks : null;
    return atoms.positions.map((position) => {
      const sides = [egress, ingress].filter((m): m is SideMasks => !!m).map((m) => verdictOf(m, position));
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

/** The largest flat table of class moves kept while partitioning (entries). */
const FLAT_MOVES_LIMIT = 1 << 22;

interface Profile {
  baseline: Masks;
  exceptions: Map<number, Masks>;
  /** Scratch: the last plan that counted it. */
  stamp: number;
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

  const profileOf = (rule: CompiledRule): Profile => {
    const entity = rule.remote;
    let profile = profiles.get(entity.id);
    if (profile) return profile;
    const scope = entityNamespaces(entity, cluster.context, cluster.namespaces, cluster.namespaceLabels);
    const exceptions = new Map<number, Masks>();
    let baseline: Masks = evaluator.none;
    if (scope !== null) {
      // Narrowed to some namespaces: every other group matches nothing, which is the baseline when they are most.
      let inScope = 0;
      for (let i = 0; i < scope.length; i++) inScope += cluster.byNamespace.get(scope[i]!)?.length ?? 0;
      if (inScope * 2 <= count) {
        for (let i = 0; i < scope.length; i++) {
          const list = cluster.byNamespace.get(scope[i]!) ?? [];
          for (let j = 0; j < list.length; j++) {
            const value = evaluator.masks(entity, list[j]!);
            if (value !== baseline) exceptions.set(list[j]!.key, value);
          }
        }
        profile = { baseline, exceptions, stamp: 0 };
        profiles.set(entity.id, profile);
        return profile;
      }
    }
    // The most common value is the baseline; the groups with another are the exceptions.
    const values: Masks[] = new Array<Masks>(count);
    for (let i = 0; i < count; i++) values[i] = evaluator.masks(entity, groups[i]!);
    const counts = new Int32Array(evaluator.maskCount());
    let best = -1;
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      const n = ++counts[value.id]!;
      if (n > best) {
        best = n;
        baseline = value;
      }
    }
    for (let i = 0; i < values.length; i++) if (values[i] !== baseline) exceptions.set(i, values[i]!);
    // (Map entries are iterated with forEach below: no entry arrays.)
    profile = { baseline, exceptions, stamp: 0 };
    profiles.set(entity.id, profile);
    return profile;
  };

  const results: SideMasks[] = [];
  const resultIds = new Map<string, number>();
  const singleChunk = atoms.chunks === 1;
  const resultIdsByNumber = new Map<number, Map<number, number>>();
  const intern = (r: SideMasks): number => {
    if (singleChunk) {
      let byDeny = resultIdsByNumber.get(r.allow[0]!);
      if (!byDeny) resultIdsByNumber.set(r.allow[0]!, (byDeny = new Map<number, number>()));
      let id = byDeny.get(r.deny[0]!);
      if (id === undefined) {
        id = results.length;
        results.push(r);
        byDeny.set(r.deny[0]!, id);
      }
      return id;
    }
    const key = `${r.allow.join(',')}/${r.deny.join(',')}`;
    let id = resultIds.get(key);
    if (id === undefined) {
      id = results.length;
      results.push(r);
      resultIds.set(key, id);
    }
    return id;
  };

  // Scratch for sorting a plan's singled-out peers into classes that every rule sees alike.
  /**
   * One plan's outcome against every group: the fallback (against a group no rule singles out) and
   * the groups with another, as pairs (group, outcome) in an Int32Array.
   */
  interface Row {
    fallback: number;
    special: Int32Array;
  }
  // Scratch for sorting a plan's singled-out peers into classes that every rule sees alike.
  const classOf = new Int32Array(count);
  const touched: number[] = [];
  const moves = new Map<number, number>();
  let moveTable = new Int32Array(0);
  const moveKeys: number[] = [];
  const outcome = new Map<number, number>();
  const ruleProfiles: Profile[] = [];
  let stamp = 0;
  let currentPeer = 0;
  const baselineOf = (rule: CompiledRule): Masks => ruleProfiles[rule.id]!.baseline;
  const peerValueOf = (rule: CompiledRule): Masks => {
    const p = ruleProfiles[rule.id]!;
    return p.exceptions.get(currentPeer) ?? p.baseline;
  };
  const table = (direction: Direction): Row[] => {
    const rows = new Map<number, Row>();
    return groups.map((group) => {
      const plan = cluster.plan(evaluator, direction, group);
      let row = rows.get(plan.id);
      if (row) return row;
      // Each rule's profile, by rule id; the distinct profiles that single some peer out.
      let byVersion = false;
      const singling: Profile[] = [];
      stamp++;
      for (const tier of plan.tiers) {
        for (const policy of tier.policies) {
          for (const { rule } of policy.rules) {
            if (rule.rule.ipVersion !== null) byVersion = true;
            const profile = (ruleProfiles[rule.id] ??= profileOf(rule));
            if (profile.exceptions.size && profile.stamp !== stamp) {
              profile.stamp = stamp;
              singling.push(profile);
            }
          }
        }
      }
      const fallback = intern(evaluator.evaluate(plan, baselineOf, 4));
      const pairs: number[] = [];
      if (byVersion) {
        for (let peer = 0; peer < count; peer++) {
          currentPeer = peer;
          const id = intern(evaluator.evaluate(plan, peerValueOf, ipVersionOf(groups[peer]!)));
          if (id !== fallback) pairs.push(peer, id);
        }
      } else {
        // Partition refinement: peers start in class 0 (every rule sees its baseline); each rule that singles
        // a peer out moves it to the class (previous class, the value it sees). One evaluation per class.
        touched.length = 0;
        let classes = 1;
        // (class, value) as one small integer: every value's id is below the count of masks.
        const width = evaluator.maskCount();
        // The moves of one rule, (class, value) → new class: in a flat table when it fits, else a map.
        const flat = (count + 1) * width <= FLAT_MOVES_LIMIT;
        if (flat && moveTable.length < (count + 1) * width) moveTable = new Int32Array((count + 1) * width);
        for (const profile of singling) {
          if (flat) {
            for (let k = 0; k < moveKeys.length; k++) moveTable[moveKeys[k]!] = 0;
            moveKeys.length = 0;
          } else moves.clear();
          profile.exceptions.forEach((value, peer) => {
            if (classOf[peer] === 0) touched.push(peer);
            const key = classOf[peer]! * width + value.id;
            let next: number | undefined;
            if (flat) {
              next = moveTable[key]!;
              if (!next) {
                moveTable[key] = next = classes++;
                moveKeys.push(key);
              }
            } else {
              next = moves.get(key);
              if (next === undefined) moves.set(key, (next = classes++));
            }
            classOf[peer] = next;
          });
        }
        for (let k = 0; k < moveKeys.length; k++) moveTable[moveKeys[k]!] = 0;
        moveKeys.length = 0;
        outcome.clear();
        for (const peer of touched) {
          const cls = classOf[peer]!;
          let id = outcome.get(cls);
          if (id === undefined) {
            currentPeer = peer;
            id = intern(evaluator.evaluate(plan, peerValueOf, 4));
            outcome.set(cls, id);
          }
          if (id !== fallback) pairs.push(peer, id);
        }
        for (const peer of touched) classOf[peer] = 0;
      }
      row = { fallback, special: Int32Array.from(pairs) };
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
  // Flags of every pair of outcomes (egress, ingress), worked out once: 0 = not yet, else flags | 8.
  const memo = new Uint8Array(r * r);
  const flagsOf = (e: number, i: number): number => {
    const value = flowFlagsOf(atoms, results[e]!, results[i]!) | 8;
    memo[e * r + i] = value;
    return value;
  };
  // The ingress outcomes seen from each source: every destination's fallback, except where the
  // destination's plan singles the source out (gathered by source, compressed).
  const ingressFallback = Int32Array.from(ingress.map((row) => row.fallback));
  const bySource = new Int32Array(count + 1);
  for (const row of ingress) for (let k = 0; k < row.special.length; k += 2) bySource[row.special[k]! + 1]!++;
  for (let s = 0; s < count; s++) bySource[s + 1]! += bySource[s]!;
  const cursor = bySource.slice(0, count);
  const columnPairs = new Int32Array(bySource[count]! * 2);
  for (let d = 0; d < count; d++) {
    const special = ingress[d]!.special;
    for (let k = 0; k < special.length; k += 2) {
      const at = cursor[special[k]!]!++ * 2;
      columnPairs[at] = d;
      columnPairs[at + 1] = special[k + 1]!;
    }
  }
  const egressRow = new Int32Array(count);
  const ingressColumn = new Int32Array(count);
  const reached = new Uint8Array(n);
  for (let s = 0; s < count; s++) {
    const own = egress[s]!;
    egressRow.fill(own.fallback);
    for (let k = 0; k < own.special.length; k += 2) egressRow[own.special[k]!] = own.special[k + 1]!;
    ingressColumn.set(ingressFallback);
    for (let k = bySource[s]! * 2, end = bySource[s + 1]! * 2; k < end; k += 2) ingressColumn[columnPairs[k]!] = columnPairs[k + 1]!;
    reached.fill(0);
    for (let d = 0; d < count; d++) {
      const e = egressRow[d]!;
      const i = ingressColumn[d]!;
      let value = memo[e * r + i]!;
      if (!value) value = flagsOf(e, i);
      reached[groupNs[d]!]! |= value;
    }
    const base = groupNs[s]! * n;
    for (let j = 0; j < n; j++) flags[base + j]! |= reached[j]! & 7;
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
