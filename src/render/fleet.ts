/** The fleet summary: one row per cluster, worst first; rendered as JSON, Markdown and a terminal table. */
import type { Assessment } from '../assess/assess.js';
import { escapeMarkdown } from './markdown.js';

export interface FleetRow {
  clusterName: string;
  accountId: string;
  region: string;
  grade: string | null;
  score: number | null;
  coverage: number | null;
  critical: number;
  high: number;
  calicoVersion: string | null;
  cniMode: string;
  nodes: number | null;
  report: string;
}

export interface FleetSummary {
  schemaVersion: 1;
  clusters: FleetRow[];
  /** Rule id → number of clusters failing it. */
  failuresByRule: Record<string, number>;
}

const GRADE_ORDER = ['F', 'D', 'C', 'B', 'A'];

export function summarizeFleet(entries: Array<{ assessment: Assessment; report: string }>): FleetSummary {
  const clusters = entries.map(({ assessment, report }) => ({
    clusterName: assessment.target.clusterName,
    accountId: assessment.target.accountId,
    region: assessment.target.region,
    grade: assessment.score.grade,
    score: assessment.score.value,
    coverage: assessment.score.coverage,
    critical: assessment.score.failedBySeverity.critical,
    high: assessment.score.failedBySeverity.high,
    calicoVersion: assessment.facts.calico.version,
    cniMode: assessment.facts.cni.label,
    nodes: assessment.facts.topology.nodeCount,
    report,
  }));
  clusters.sort(
    (a, b) =>
      GRADE_ORDER.indexOf(a.grade ?? 'F') - GRADE_ORDER.indexOf(b.grade ?? 'F') ||
      (a.score ?? 0) - (b.score ?? 0) ||
      a.clusterName.localeCompare(b.clusterName),
  );
  const failuresByRule: Record<string, number> = {};
  for (const { assessment } of entries) {
    for (const check of assessment.checks) if (check.status === 'fail') failuresByRule[check.id] = (failuresByRule[check.id] ?? 0) + 1;
  }
  return { schemaVersion: 1, clusters, failuresByRule };
}

const pct = (coverage: number | null) => (coverage === null ? '-' : `${Math.round(coverage * 100)}%`);

export function renderFleetMarkdown(summary: FleetSummary): string {
  const lines = [
    '# Calico networking audit: fleet',
    '',
    '| Cluster | Account | Region | Grade | Score | Coverage | Critical | High | Calico | CNI mode | Nodes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...summary.clusters.map(
      (c) =>
        `| [${escapeMarkdown(c.clusterName)}](${encodeURI(c.report)}) | ${escapeMarkdown(c.accountId)} | ${escapeMarkdown(c.region)} | ${c.grade ?? '-'} | ${c.score ?? '-'} | ${pct(c.coverage)} | ${c.critical} | ${c.high} | ${escapeMarkdown(c.calicoVersion ?? '-')} | ${escapeMarkdown(c.cniMode)} | ${c.nodes ?? '-'} |`,
    ),
    '',
    '## Failures by rule',
    '',
    '| Rule | Clusters failing |',
    '|---|---|',
    ...Object.entries(summary.failuresByRule)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([id, count]) => `| ${id} | ${count} |`),
    '',
  ];
  return lines.join('\n');
}

export function renderFleetTable(summary: FleetSummary): string {
  const header = ['CLUSTER', 'GRADE', 'SCORE', 'COVERAGE', 'CRITICAL', 'HIGH', 'CALICO', 'NODES', 'CNI MODE'];
  const rows = summary.clusters.map((c) => [
    c.clusterName,
    c.grade ?? '-',
    String(c.score ?? '-'),
    pct(c.coverage),
    String(c.critical),
    String(c.high),
    c.calicoVersion ?? '-',
    String(c.nodes ?? '-'),
    c.cniMode,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
