/**
 * What the growth-dependent rules (CAL-BGP-01, CAL-DS-02, CAL-IPAM-01) share: whether the cluster
 * can grow above a threshold, and the evidence naming each source of nodes and, when growth cannot
 * be bounded, why — the sources without limits and the data that was not collected.
 */
import { SNAPSHOT_SOURCES } from '../../snapshot/sources.js';
import type { GrowthFact } from '../facts.js';
import type { ClusterModel } from '../model.js';
import { listSome, type Evidence } from '../rule.js';

/** `true` when some bound shows the cluster can exceed `threshold` nodes, `false` when every bound keeps it within, `null` when unknown. */
export function canGrowAbove(growth: GrowthFact, threshold: number): boolean | null {
  if (growth.maxNodes !== null) return growth.maxNodes > threshold;
  if (growth.atLeast !== null && growth.atLeast > threshold) return true;
  return null;
}

/** Why growth is unknown, in words: the unbounded sources and the API calls whose data is missing. */
export function growthUnknownReason(model: ClusterModel, growth: GrowthFact): string {
  const reasons = [
    ...growth.unbounded,
    ...growth.missing.map((field) => {
      const source = SNAPSHOT_SOURCES[field];
      const error = model.errors.find((e) => e.source === source);
      return `${source} was not collected${error ? ` (${error.code})` : ''}`;
    }),
  ];
  return listSome(reasons, 3);
}

/** Evidence for growth: each source and its limit, then what left it unknown (with the collection errors behind it). */
export function growthEvidence(model: ClusterModel, growth: GrowthFact): Evidence[] {
  const sources: Evidence[] = growth.sources.map((s) => ({
    object: `${s.kind} ${s.name}`,
    field: 'can grow to',
    value: s.limit === null ? null : Math.max(s.limit, s.nodesNow),
    note: `${s.nodesNow} node${s.nodesNow === 1 ? '' : 's'} now; ${s.basis}`,
  }));
  const missing: Evidence[] = growth.missing.map((field) => {
    const source = SNAPSHOT_SOURCES[field];
    const errors = model.errors.filter((e) => e.source === source);
    return {
      object: `snapshot ${field}`,
      field: source,
      value: null,
      note: `growth data not collected${errors.length ? `: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ')}` : ''}`,
      causes: errors.map((e) => ({ source: e.source, code: e.code, message: e.message })),
    };
  });
  return [...sources, ...missing];
}

/** `can grow to 60` / `can grow to at least 60` / `can grow by an unknown amount`. */
export function growthPhrase(growth: GrowthFact): string {
  if (growth.maxNodes !== null) return `can grow to ${growth.maxNodes}`;
  if (growth.atLeast !== null && growth.nodesNow !== null && growth.atLeast > growth.nodesNow) return `can grow to at least ${growth.atLeast}`;
  return 'can grow by an amount that cannot be bounded';
}
