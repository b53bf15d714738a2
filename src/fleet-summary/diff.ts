/** What changed since the previous run: pure, from two fleet summaries. */
import { SEVERITIES, type Severity } from '../assess/rule.js';
import type { Grade } from '../assess/score.js';
import { clusterId, targetOf, type ClusterTarget } from '../target/index.js';
import type { FleetRow, FleetSummary } from './schema.js';

const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

export interface FindingChange extends ClusterTarget {
  id: string;
  severity: Severity;
  title: string;
}

export interface FleetDiff {
  previousGeneratedAt: string | null;
  newFindings: FindingChange[];
  resolvedFindings: FindingChange[];
  scoreMoves: Array<ClusterTarget & { from: number | null; to: number | null; gradeFrom: Grade | null; gradeTo: Grade | null }>;
  added: ClusterTarget[];
  gone: ClusterTarget[];
  /** Failed critical rules now minus then (clusters present in both runs or not). */
  criticalChange: number;
  highChange: number;
}

/** Compares two runs: findings (cluster + rule) that appeared or cleared, score moves, clusters added and gone. */
export function diffFleet(current: FleetSummary, previous: FleetSummary): FleetDiff {
  const index = (summary: FleetSummary) => new Map(summary.clusters.map((c) => [clusterId(c), c]));
  const now = index(current);
  const before = index(previous);
  const everywhere = (summary: FleetSummary) => new Set([...summary.clusters, ...summary.notAudited].map(clusterId));
  const nowAll = everywhere(current);
  const beforeAll = everywhere(previous);
  const changes = (from: Map<string, FleetRow>, to: Map<string, FleetRow>): FindingChange[] => {
    const out: FindingChange[] = [];
    for (const [key, row] of to) {
      const other = from.get(key);
      // A cluster audited in only one run has no comparable findings: it is added or gone instead.
      if (!other) continue;
      const had = new Set(other.failed.map((f) => f.id));
      for (const f of row.failed) if (!had.has(f.id)) out.push({ ...targetOf(row), ...f });
    }
    return out.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || clusterId(a).localeCompare(clusterId(b)) || a.id.localeCompare(b.id));
  };
  const scoreMoves: FleetDiff['scoreMoves'] = [];
  for (const [key, row] of now) {
    const old = before.get(key);
    if (old && (old.score !== row.score || old.grade !== row.grade)) {
      scoreMoves.push({ ...targetOf(row), from: old.score, to: row.score, gradeFrom: old.grade, gradeTo: row.grade });
    }
  }
  scoreMoves.sort((a, b) => (a.to ?? 0) - (a.from ?? 0) - ((b.to ?? 0) - (b.from ?? 0)) || clusterId(a).localeCompare(clusterId(b)));
  const targets = (summary: FleetSummary) => new Map([...summary.clusters, ...summary.notAudited].map((c) => [clusterId(c), targetOf(c)]));
  return {
    previousGeneratedAt: previous.generatedAt,
    newFindings: changes(before, now),
    resolvedFindings: changes(now, before),
    scoreMoves,
    added: [...targets(current)].filter(([key]) => !beforeAll.has(key)).map(([, t]) => t),
    gone: [...targets(previous)].filter(([key]) => !nowAll.has(key)).map(([, t]) => t),
    criticalChange: current.totals.critical - previous.totals.critical,
    highChange: current.totals.high - previous.totals.high,
  };
}
