/**
 * The nightly e-mail to the security list (shared/spec/report.md, "Email summary"): a subject with
 * the date, cluster count, critical count and change since the last run; HTML and plain-text
 * bodies with the fleet table's worst rows, new critical and high findings, and links. Masked by
 * default. Pure: sending it (SES) is the caller's job.
 */
import Handlebars from 'handlebars';
import { escapeUnsafe, escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';
import { LOW_COVERAGE, unlistedPhrase } from './fleet.js';
import { templateSource } from './template-sources.js';
import { createMasker } from './mask.js';
import { percent } from './report/index.js';
import type { FleetDiff, FleetRow, FleetSummary } from '../fleet-summary/index.js';

export interface EmailOptions {
  /** The fleet page (index.html) as the reader will open it. */
  fleetUrl: string;
  /**
   * A cluster's report as the reader will open it. Used only unmasked: report addresses carry the
   * account id, so a masked e-mail links the fleet page's sections instead (a link never reveals
   * what the mask hides).
   */
  reportUrl?: (row: FleetRow) => string;
  /** Default true: account ids, addresses and CIDRs become placeholders. */
  masked?: boolean;
  /** Clusters listed (worst first); default 5. */
  rows?: number;
}

export interface Email {
  subject: string;
  html: string;
  text: string;
}

const engine = Handlebars.create();
const load = (name: string, noEscape: boolean) =>
  engine.compile(templateSource(name), { strict: true, noEscape });
const htmlTemplate = load('email.html.hbs', false);
// Plain text is not markup: values go in as they are (no entity escaping).
const textTemplate = load('email.txt.hbs', true);

const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `-${-n}` : '±0');

/** The subject line: `Calico audit 2026-11-23: 9 clusters, 2 critical (+1 since last run, 3 new findings)`. */
export function emailSubject(summary: FleetSummary, diff: FleetDiff | null): string {
  const date = summary.generatedAt?.slice(0, 10) ?? 'undated';
  const count = `${summary.totals.clusters} cluster${summary.totals.clusters === 1 ? '' : 's'}`;
  const change = diff
    ? ` (${signed(diff.criticalChange)} since last run, ${diff.newFindings.length} new finding${diff.newFindings.length === 1 ? '' : 's'})`
    : ' (first run)';
  const unaudited = summary.totals.notAudited ? `, ${summary.totals.notAudited} not audited` : '';
  const unlisted = summary.totals.unlisted ? `, ${unlistedPhrase(summary.totals.unlisted)} not listed` : '';
  return `Calico audit ${date}: ${count}, ${summary.totals.critical} critical${change}${unaudited}${unlisted}`;
}

export function renderEmail(fleet: FleetSummary, fleetDiff: FleetDiff | null, options: EmailOptions): Email {
  const masked = options.masked !== false;
  // One masker for the summary and the diff, so a cluster's account reads the same in both.
  const masker = createMasker();
  const { summary, diff } = masked ? masker.value({ summary: fleet, diff: fleetDiff }) : { summary: fleet, diff: fleetDiff };
  const limit = options.rows ?? 5;
  // A masked e-mail links the fleet page's sections (their addresses hold nothing the mask hides);
  // an unmasked one links each cluster's report.
  const reportLink = (i: number, section: string) => (!masked && options.reportUrl ? options.reportUrl(fleet.clusters[i]!) : `${options.fleetUrl}#${section}`);
  // Worst clusters: those with something to do, never padded with clean ones.
  const worth = summary.clusters.map((row, i) => ({ row, i })).filter(({ row }) => row.critical + row.high > 0 || !['A', 'B'].includes(row.grade ?? ''));
  const rows = worth.slice(0, limit).map(({ row, i }) => ({
    ...row,
    grade: row.grade ?? 'n/a',
    score: row.score ?? 'n/a',
    coverage: percent(row.coverage),
    // The problems behind the critical count, so even a first run's e-mail names them.
    criticalTitles: row.failed.filter((f) => f.severity === 'critical').map((f) => f.title).join('; '),
    link: reportLink(i, 'clusters-worst-first'),
  }));
  // The first actions: every open critical and high finding, by its problem, with its cluster and a link; new ones marked.
  const isNew = new Set((diff?.newFindings ?? []).map((f) => `${f.accountId}/${f.region}/${f.clusterName}#${f.id}`));
  const actions = summary.clusters
    .flatMap((row, i) =>
      row.failed
        .filter((f) => f.severity === 'critical' || f.severity === 'high')
        .map((f) => ({
          severity: f.severity,
          id: f.id,
          title: f.title,
          clusterName: row.clusterName,
          accountId: row.accountId,
          region: row.region,
          isNew: isNew.has(`${row.accountId}/${row.region}/${row.clusterName}#${f.id}`),
          link: reportLink(i, 'findings-by-rule'),
        })),
    )
    .sort((a, b) => Number(b.severity === 'critical') - Number(a.severity === 'critical') || Number(b.isNew) - Number(a.isNew));
  const actionLimit = 10;
  // A low coverage, explained: the score rests on part of the rules.
  const lowCoverage = summary.clusters
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.coverage !== null && row.coverage < LOW_COVERAGE)
    .map(({ row, i }) => ({
      clusterName: row.clusterName,
      accountId: row.accountId,
      region: row.region,
      coverage: percent(row.coverage),
      link: reportLink(i, 'clusters-worst-first'),
    }));
  const view = {
    subject: emailSubject(summary, diff),
    date: summary.generatedAt?.slice(0, 10) ?? 'undated',
    totals: summary.totals,
    unlisted: summary.totals.unlisted ? unlistedPhrase(summary.totals.unlisted) : null,
    masked,
    rows,
    moreClusters: Math.max(0, worth.length - limit),
    actions: actions.slice(0, actionLimit),
    moreActions: Math.max(0, actions.length - actionLimit),
    lowCoverage,
    change: diff && {
      previous: diff.previousGeneratedAt?.slice(0, 10) ?? 'the last run',
      critical: signed(diff.criticalChange),
      newFindings: diff.newFindings.length,
      resolvedFindings: diff.resolvedFindings.length,
    },
    newSevere: diff ? diff.newFindings.filter((f) => f.severity === 'critical' || f.severity === 'high') : [],
    notAudited: summary.notAudited.map((u) => ({ ...u, kept: u.openFindings ?? 0 })),
    // Resolved by this run (the ledger's), most severe first.
    resolvedNow: (summary.resolved ?? [])
      .filter((r) => r.resolvedAt === summary.ledger?.asOf)
      .map((r) => ({ ...r, object: r.object ?? '', how: r.resolution === 'fixed' ? 'no longer found' : 'cluster left the fleet' })),
    suppressions: summary.suppressions && {
      error: summary.suppressions.error,
      expiring: summary.suppressions.expiring.map((s) => ({ ...s, owner: s.owner ?? 'no owner named', clusters: s.clusters.join(', '), match: s.match ?? '' })),
      expired: summary.suppressions.expired.map((s) => ({ ...s, owner: s.owner ?? 'no owner named', clusters: s.clusters.join(', '), match: s.match ?? '' })),
      unused: summary.suppressions.unused.length,
    },
    fleetUrl: options.fleetUrl,
  };
  // Control characters and bidi overrides from cluster names are shown escaped in every part.
  return {
    subject: escapeUnsafe(view.subject),
    html: escapeUnsafeKeepingLines(htmlTemplate(view)),
    text: escapeUnsafeKeepingLines(textTemplate(view).replace(/\n{3,}/g, '\n\n')),
  };
}
