/**
 * The fleet page: one row per audited cluster (worst first), how many clusters fail each rule,
 * the clusters that could not be audited and why, and — given the previous run's summary — what
 * changed. `summarizeFleet` and `diffFleet` are pure; the summary is the fleet page's JSON
 * rendering (index.json), and the next run reads it back as `previous`.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import type { Assessment } from '../assess/assess.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import type { Grade } from '../assess/score.js';
import { escapeMarkdown, SafeMarkdown } from './escape.js';
import { compileTemplate, tidyMarkdown } from './markdown.js';
import { percent } from './report-view.js';
import { renderPage, severityChips } from './html.js';
import { clusterKey, clusterTargetSchema, type ClusterTarget } from './report-path.js';

export { clusterKey, reportFolder, type ClusterTarget } from './report-path.js';

export const FLEET_SCHEMA_VERSION = 1 as const;

const severity = z.enum(SEVERITIES);
const target = clusterTargetSchema;

const fleetRow = target.extend({
  grade: z.enum(['A', 'B', 'C', 'D', 'F']).nullable(),
  score: z.number().nullable(),
  coverage: z.number().nullable(),
  critical: z.number(),
  high: z.number(),
  calicoVersion: z.string().nullable(),
  calicoVariant: z.string(),
  cniMode: z.string(),
  nodes: z.number().nullable(),
  /** The cluster's HTML report, relative to the fleet page. */
  report: z.string(),
  collectedAt: z.string(),
  /** Failed rules, most severe first. */
  failed: z.array(z.object({ id: z.string(), severity, title: z.string() })),
});

/** The fleet summary (index.json); also what `--previous` reads back. */
export const fleetSummarySchema = z.object({
  schemaVersion: z.literal(FLEET_SCHEMA_VERSION),
  generatedAt: z.string().nullable(),
  /** The run this page summarises, and the run it was compared with (absent from pages made outside a run). */
  runId: z.string().nullable().optional(),
  comparedWith: z.string().nullable().optional(),
  totals: z.object({
    clusters: z.number(),
    audited: z.number(),
    notAudited: z.number(),
    /** Account and region pairs whose clusters could not even be listed (not counted in `clusters`). */
    unlisted: z.number().default(0),
    critical: z.number(),
    high: z.number(),
    /** Clusters with at least one failed critical rule. */
    clustersWithCritical: z.number(),
  }),
  clusters: z.array(fleetRow),
  /** Rules failed somewhere, by number of clusters failing them. */
  failuresByRule: z.array(z.object({ id: z.string(), title: z.string(), severity, clusters: z.number() })),
  /** Clusters that could not be audited, and (`scope: 'account'`) accounts/regions whose clusters could not be listed. */
  notAudited: z.array(target.extend({ reason: z.string(), scope: z.enum(['cluster', 'account']).default('cluster') })),
});

export type FleetRow = z.infer<typeof fleetRow>;
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

/** A cluster the run could not audit (no access, no snapshot, an error), and why. */
export interface UnauditedCluster {
  target: ClusterTarget;
  reason: string;
  /** `account`: the whole account and region could not be listed, so its clusters are unknown. */
  scope?: 'cluster' | 'account';
}

const GRADE_ORDER: Array<Grade | null> = ['F', null, 'D', 'C', 'B', 'A'];
const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

export function summarizeFleet(
  entries: Array<{ assessment: Assessment; report: string }>,
  unaudited: UnauditedCluster[] = [],
  options: { generatedAt?: string; runId?: string; comparedWith?: string | null } = {},
): FleetSummary {
  const clusters: FleetRow[] = entries.map(({ assessment, report }) => ({
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
      .map((c) => ({ id: c.id, severity: c.severity, title: c.title })),
  }));
  clusters.sort(
    (a, b) =>
      GRADE_ORDER.indexOf(a.grade) - GRADE_ORDER.indexOf(b.grade) ||
      (a.score ?? -1) - (b.score ?? -1) ||
      b.critical - a.critical ||
      clusterKey(a).localeCompare(clusterKey(b)),
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
  const latest = entries.map((e) => e.assessment.collectedAt).sort().at(-1) ?? null;
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
      (a, b) => b.clusters - a.clusters || severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id),
    ),
    notAudited: unaudited
      .map((u) => ({ ...u.target, reason: u.reason, scope: u.scope ?? 'cluster' }))
      .sort((a, b) => clusterKey(a).localeCompare(clusterKey(b))),
  };
}

// ------------------------------------------------------------------------------------------------
// What changed since the previous run

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
  const index = (summary: FleetSummary) => new Map(summary.clusters.map((c) => [clusterKey(c), c]));
  const now = index(current);
  const before = index(previous);
  const everywhere = (summary: FleetSummary) => new Set([...summary.clusters, ...summary.notAudited].map(clusterKey));
  const nowAll = everywhere(current);
  const beforeAll = everywhere(previous);
  const pick = (t: ClusterTarget): ClusterTarget => ({ accountId: t.accountId, region: t.region, clusterName: t.clusterName });
  const changes = (from: Map<string, FleetRow>, to: Map<string, FleetRow>): FindingChange[] => {
    const out: FindingChange[] = [];
    for (const [key, row] of to) {
      const other = from.get(key);
      // A cluster audited in only one run has no comparable findings: it is added or gone instead.
      if (!other) continue;
      const had = new Set(other.failed.map((f) => f.id));
      for (const f of row.failed) if (!had.has(f.id)) out.push({ ...pick(row), ...f });
    }
    return out.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || clusterKey(a).localeCompare(clusterKey(b)) || a.id.localeCompare(b.id));
  };
  const scoreMoves: FleetDiff['scoreMoves'] = [];
  for (const [key, row] of now) {
    const old = before.get(key);
    if (old && (old.score !== row.score || old.grade !== row.grade)) {
      scoreMoves.push({ ...pick(row), from: old.score, to: row.score, gradeFrom: old.grade, gradeTo: row.grade });
    }
  }
  scoreMoves.sort((a, b) => (a.to ?? 0) - (a.from ?? 0) - ((b.to ?? 0) - (b.from ?? 0)) || clusterKey(a).localeCompare(clusterKey(b)));
  const targets = (summary: FleetSummary) => new Map([...summary.clusters, ...summary.notAudited].map((c) => [clusterKey(c), pick(c)]));
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

// ------------------------------------------------------------------------------------------------
// Renderings

/** A relative link destination, each path segment percent-encoded (parentheses too, for Markdown). */
export const encodePath = (path: string): string =>
  path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0');

/** `1 account/region`, `2 accounts/regions`: where enumeration failed, so the clusters are unknown. */
export const unlistedPhrase = (n: number): string => `${n} ${n === 1 ? 'account/region' : 'accounts/regions'}`;

function fleetView(summary: FleetSummary, diff: FleetDiff | null, reportExtension: 'md' | 'html', standalone: boolean) {
  const link = (row: FleetRow) => new SafeMarkdown(`[${escapeMarkdown(row.clusterName)}](${encodePath(row.report.replace(/\.html$/, `.${reportExtension}`))})`);
  return {
    standalone,
    date: summary.generatedAt?.slice(0, 10) ?? 'n/a',
    totals: summary.totals,
    unlisted: summary.totals.unlisted ? unlistedPhrase(summary.totals.unlisted) : null,
    clusters: summary.clusters.map((row) => ({
      ...row,
      link: link(row),
      grade: row.grade ?? 'n/a',
      score: row.score ?? 'n/a',
      coverage: percent(row.coverage),
      calico: row.calicoVersion ? `${row.calicoVersion}${row.calicoVariant === 'Calico Enterprise' ? ' Enterprise' : ''}` : 'n/a',
      nodes: row.nodes ?? 'n/a',
    })),
    failuresByRule: summary.failuresByRule,
    notAudited: summary.notAudited,
    diff: diff && {
      previous: diff.previousGeneratedAt?.slice(0, 10) ?? 'the previous run',
      criticalChange: signed(diff.criticalChange),
      highChange: signed(diff.highChange),
      newFindings: diff.newFindings,
      resolvedFindings: diff.resolvedFindings,
      scoreMoves: diff.scoreMoves.map((m) => ({ ...m, from: m.from ?? 'n/a', to: m.to ?? 'n/a', gradeFrom: m.gradeFrom ?? 'n/a', gradeTo: m.gradeTo ?? 'n/a' })),
      added: diff.added,
      gone: diff.gone,
      quiet: !diff.newFindings.length && !diff.resolvedFindings.length && !diff.scoreMoves.length && !diff.added.length && !diff.gone.length,
    },
  };
}

const fleetTemplate = compileTemplate('fleet-report.md.hbs');

/** The fleet page as Markdown; its links point at each cluster's `report.md` (or `.html` for the HTML page). */
export function renderFleetMarkdown(summary: FleetSummary, diff: FleetDiff | null = null, reportExtension: 'md' | 'html' = 'md'): string {
  return tidyMarkdown(fleetTemplate(fleetView(summary, diff, reportExtension, reportExtension === 'md')));
}

/** The fleet page as a self-contained HTML page, linking each cluster's `report.html`. */
export function renderFleetHtml(summary: FleetSummary, diff: FleetDiff | null = null): string {
  const worst = summary.clusters[0];
  const markdown = renderFleetMarkdown(summary, diff, 'html');
  const critical = summary.totals.critical;
  return renderPage({
    title: 'Calico networking audit: fleet',
    header: {
      eyebrow: 'Calico networking audit',
      heading: `Fleet: ${summary.totals.clusters} cluster${summary.totals.clusters === 1 ? '' : 's'}`,
      grade: worst?.grade ?? null,
      badgeText: 'worst',
      badgeLabel: worst?.grade ? `Worst grade in the fleet: ${worst.grade}` : 'No grade',
      facts: [
        { label: 'Date', value: summary.generatedAt?.slice(0, 10) ?? 'n/a' },
        { label: 'Audited', value: `${summary.totals.audited} of ${summary.totals.clusters}` },
        ...(summary.totals.unlisted ? [{ label: 'Not listed', value: unlistedPhrase(summary.totals.unlisted) }] : []),
        { label: 'Critical findings', value: `${critical} in ${summary.totals.clustersWithCritical} cluster${summary.totals.clustersWithCritical === 1 ? '' : 's'}` },
        ...(diff ? [{ label: 'Since the last run', value: `${diff.newFindings.length} new, ${diff.resolvedFindings.length} resolved findings` }] : []),
      ],
      chips: severityChips({ critical, high: summary.totals.high }),
      masked: false,
    },
    markdown,
    footer: 'index.json holds every value shown here; each cluster’s report.json holds its full assessment.',
  });
}

export const renderFleetJson = (summary: FleetSummary): string => `${JSON.stringify(summary, null, 2)}\n`;

/** The fleet as a terminal table (what `demo` prints). */
export function renderFleetTable(summary: FleetSummary): string {
  const header = ['CLUSTER', 'GRADE', 'SCORE', 'COVERAGE', 'CRITICAL', 'HIGH', 'CALICO', 'NODES', 'CNI MODE'];
  const rows = summary.clusters.map((c) => [
    c.clusterName,
    c.grade ?? '-',
    String(c.score ?? '-'),
    percent(c.coverage),
    String(c.critical),
    String(c.high),
    c.calicoVersion ?? '-',
    String(c.nodes ?? '-'),
    c.cniMode,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  for (const u of summary.notAudited) lines.push(`${u.clusterName}  not audited: ${u.reason}`);
  return `${lines.join('\n')}\n`;
}
