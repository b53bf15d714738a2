/**
 * The fleet page: one row per audited cluster (worst first), how many clusters fail each rule,
 * the clusters that could not be audited and why, and what changed since the previous run. The
 * data comes from the fleet summary (src/fleet-summary); this file only renders it.
 */
import type { FleetDiff, FleetRow, FleetSummary } from '../fleet-summary/index.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';
import { escapeMarkdown, SafeMarkdown } from './escape.js';
import { safeJson } from './json.js';
import { compileTemplate, tidyMarkdown } from './markdown.js';
import { percent } from './report/index.js';
import { renderPage, severityChips } from './html.js';
import { scoreSparkline, severityTrendChart, textSparkline } from './svg.js';

/** Clusters named per rule on the page; index.json keeps them all. */
const WHERE_LIMIT = 20;
/** Below this coverage a cluster's score rests on too little data: flagged on the fleet page and explained in the e-mail. */
export const LOW_COVERAGE = 0.8;

/** `new in this run`, `under a day`, `1 day`, `12 days`. */
const openDays = (days: number, openedAt: string, asOf: string | undefined): string =>
  openedAt === asOf ? 'new in this run' : days === 0 ? 'under a day' : `${days} day${days === 1 ? '' : 's'}`;

type SuppressionNote = NonNullable<FleetSummary['suppressions']>['expired'][number];
const noteView = (s: SuppressionNote) => ({
  id: s.ruleId,
  clusters: s.clusters.join(', '),
  match: s.match ?? 'any object',
  reason: s.reason,
  owner: s.owner ?? 'not named',
  ticket: s.ticket ?? '',
  expires: s.expires ?? 'no expiry',
  line: s.line ?? 'n/a',
});

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
  const linkTo = (clusterName: string, report: string) => new SafeMarkdown(`[${escapeMarkdown(clusterName)}](${encodePath(report.replace(/\.html$/, `.${reportExtension}`))})`);
  const link = (row: FleetRow) => linkTo(row.clusterName, row.report);
  const html = reportExtension === 'html';
  const asOf = summary.ledger?.asOf;
  const failingRows = new Map<string, FleetRow[]>();
  for (const row of summary.clusters) {
    for (const f of row.failed) {
      const rows = failingRows.get(f.id);
      if (rows) rows.push(row);
      else failingRows.set(f.id, [row]);
    }
  }
  const trend = summary.trend?.length ? summary.trend : null;
  const trendCell = (row: FleetRow) =>
    !row.trend ? null : html ? new SafeMarkdown(scoreSparkline(row.trend, `Score of ${row.clusterName} over the last ${row.trend.length} runs`)) : new SafeMarkdown(textSparkline(row.trend, 100));
  return {
    hasTrend: trend !== null,
    trend: trend && {
      runs: trend.length,
      from: trend[0]!.at.slice(0, 10),
      to: trend.at(-1)!.at.slice(0, 10),
      chart: html ? new SafeMarkdown(severityTrendChart(trend)) : null,
      critical: textSparkline(trend.map((r) => r.critical)),
      high: textSparkline(trend.map((r) => r.high)),
      criticalFirst: trend[0]!.critical,
      criticalLast: trend.at(-1)!.critical,
      highFirst: trend[0]!.high,
      highLast: trend.at(-1)!.high,
    },
    ledger: summary.ledger ?? null,
    resolved: (summary.resolved ?? []).map((r) => ({
      ...r,
      object: r.object ?? 'the cluster',
      firstSeen: r.firstSeen.slice(0, 10),
      resolvedAt: r.resolvedAt.slice(0, 10),
      how: r.resolution === 'fixed' ? 'no longer found' : 'cluster left the fleet',
    })),
    hasLedger: summary.ledger !== undefined,
    suppressions: summary.suppressions
      ? {
          entries: summary.suppressions.entries,
          error: summary.suppressions.error,
          unused: summary.suppressions.unused.map(noteView),
          expired: summary.suppressions.expired.map(noteView),
          expiring: summary.suppressions.expiring.map(noteView),
        }
      : null,
    standalone,
    date: summary.generatedAt?.slice(0, 10) ?? 'n/a',
    totals: summary.totals,
    unlisted: summary.totals.unlisted ? unlistedPhrase(summary.totals.unlisted) : null,
    clusters: summary.clusters.map((row) => ({
      ...row,
      link: link(row),
      grade: row.grade ?? 'n/a',
      score: row.score ?? 'n/a',
      // A score from a part of the data must look like one.
      coverage: row.coverage !== null && row.coverage < LOW_COVERAGE ? `⚠ ${percent(row.coverage)} (low)` : percent(row.coverage),
      calico: row.calicoVersion ? `${row.calicoVersion}${row.calicoVariant === 'Calico Enterprise' ? ' Enterprise' : ''}` : 'n/a',
      nodes: row.nodes ?? 'n/a',
      trend: trendCell(row),
    })),
    failuresByRule: summary.failuresByRule.map((rule) => {
      // Without a ledger, the clusters behind the rule come from the rows (each linked to its report).
      const where = rule.where ?? (failingRows.get(rule.id) ?? []).map((row) => ({ clusterName: row.clusterName, report: row.report, objects: 0, openDays: -1, openedAt: '' }));
      const shown = where.slice(0, WHERE_LIMIT).map((w) => {
        const objects = w.objects > 1 ? `, ${w.objects} objects` : '';
        if (w.openDays < 0) return linkTo(w.clusterName, w.report);
        return new SafeMarkdown(`${linkTo(w.clusterName, w.report).text} (${openDays(w.openDays, w.openedAt, asOf)}${objects})`);
      });
      const more = where.length > WHERE_LIMIT ? [new SafeMarkdown(`and ${where.length - WHERE_LIMIT} more`)] : [];
      return { ...rule, where: where.length ? new SafeMarkdown([...shown, ...more].map((m) => m.text).join('; ')) : null };
    }),
    notAudited: summary.notAudited.map((u) => ({
      ...u,
      kept: u.openFindings === undefined ? null : u.openFindings,
      lastAudited: u.lastAudited ? u.lastAudited.slice(0, 10) : u.scope === 'account' ? 'n/a' : 'never',
    })),
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

export const renderFleetJson = (summary: FleetSummary): string => safeJson(summary);

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
  return `${escapeUnsafeKeepingLines(lines.join('\n'))}\n`;
}

const htmlAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `latest/fleet/index.html`: sends the reader on to the fleet page of the run `latest/index.json`
 * names (a meta refresh, so it works from S3, CloudFront or a local folder, with no script), and
 * links it for readers whose browser does not follow.
 */
export function renderLatestPage(runId: string, href: string): string {
  const url = htmlAttribute(href);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`,
    `<meta http-equiv="refresh" content="0; url=${url}">`,
    '<title>Calico networking audit: latest run</title>',
    '</head>',
    `<body><p>The latest complete run is <a href="${url}">${htmlAttribute(runId)}</a>.</p></body>`,
    '</html>',
    '',
  ].join('\n');
}
