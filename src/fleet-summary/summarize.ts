/** Many assessments → one fleet summary: pure, worst clusters first. */
import type { Assessment } from '../assess/assess.js';
import { objectKey } from '../assess/findings.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import type { Grade } from '../assess/score.js';
import { clusterId, type ClusterTarget } from '../target/index.js';
import { FLEET_SCHEMA_VERSION, type FleetRow, type FleetSummary } from './schema.js';

/** A cluster the run could not audit (no access, no snapshot, an error), and why. */
export interface UnauditedCluster {
  target: ClusterTarget;
  reason: string;
  /** `account`: the whole account and region could not be listed, so its clusters are unknown. */
  scope?: 'cluster' | 'account';
}

const GRADE_ORDER: Array<Grade | null> = ['F', null, 'D', 'C', 'B', 'A'];
const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

/** One cluster's row of the fleet summary: all the fleet page needs of its assessment. */
export function fleetRowOf(assessment: Assessment, report: string): FleetRow {
  return {
    ...assessment.target,
    grade: assessment.score.grade,
    score: assessment.score.value,
    coverage: assessment.score.coverage,
    critical: assessment.score.failedBySeverity.critical,
    high: assessment.score.failedBySeverity.high,
    calicoVersion: assessment.facts.calico.version,
    calicoVariant: assessment.facts.calico.variant,
    cniMode: assessment.facts.cni.label,
    nodes: assessment.facts.topology.nodeCount,
    report,
    collectedAt: assessment.collectedAt,
    failed: assessment.checks
      .filter((c) => c.status === 'fail' && !c.suppression)
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, severity: c.severity, title: c.problem, ...(c.objects?.length ? { objects: c.objects.map(objectKey) } : {}) })),
  };
}

export interface SummaryOptions {
  generatedAt?: string;
  runId?: string;
  comparedWith?: string | null;
}

export function summarizeFleet(
  entries: Array<{ assessment: Assessment; report: string }>,
  unaudited: UnauditedCluster[] = [],
  options: SummaryOptions = {},
): FleetSummary {
  return summarizeRows(
    entries.map(({ assessment, report }) => fleetRowOf(assessment, report)),
    unaudited,
    options,
  );
}

/**
 * The fleet summary from the clusters' rows: a run of thousands of clusters reads each assessment,
 * keeps its row and lets the assessment go, instead of holding every assessment at once.
 */
export function summarizeRows(rows: readonly FleetRow[], unaudited: UnauditedCluster[] = [], options: SummaryOptions = {}): FleetSummary {
  const clusters = [...rows];
  clusters.sort(
    (a, b) =>
      GRADE_ORDER.indexOf(a.grade) - GRADE_ORDER.indexOf(b.grade) ||
      (a.score ?? -1) - (b.score ?? -1) ||
      b.critical - a.critical ||
      clusterId(a).localeCompare(clusterId(b)),
  );
  const byRule = new Map<string, FleetSummary['failuresByRule'][number]>();
  for (const row of clusters) {
    for (const f of row.failed) {
      const entry = byRule.get(f.id) ?? { id: f.id, title: f.title, severity: f.severity, clusters: 0 };
      entry.clusters += 1;
      if (severityRank(f.severity) < severityRank(entry.severity)) entry.severity = f.severity;
      byRule.set(f.id, entry);
    }
  }
  const sum = (pick: (r: FleetRow) => number) => clusters.reduce((total, r) => total + pick(r), 0);
  const latest = clusters.map((r) => r.collectedAt).sort().at(-1) ?? null;
  const unauditedClusters = unaudited.filter((u) => u.scope !== 'account').length;
  return {
    schemaVersion: FLEET_SCHEMA_VERSION,
    generatedAt: options.generatedAt ?? latest,
    ...(options.runId !== undefined ? { runId: options.runId, comparedWith: options.comparedWith ?? null } : {}),
    totals: {
      clusters: clusters.length + unauditedClusters,
      audited: clusters.length,
      notAudited: unauditedClusters,
      unlisted: unaudited.length - unauditedClusters,
      critical: sum((r) => r.critical),
      high: sum((r) => r.high),
      clustersWithCritical: clusters.filter((r) => r.critical > 0).length,
    },
    clusters,
    failuresByRule: [...byRule.values()].sort(
      // Most severe first (two criticals never sit below a low that many clusters share), then the most widespread.
      (a, b) => severityRank(a.severity) - severityRank(b.severity) || b.clusters - a.clusters || a.id.localeCompare(b.id),
    ),
    notAudited: unaudited
      .map((u) => ({ ...u.target, reason: u.reason, scope: u.scope ?? 'cluster' }))
      .sort((a, b) => clusterId(a).localeCompare(clusterId(b))),
  };
}
