/**
 * The end of a run: read the run's assessments, write the fleet page with the diff against the
 * previous completed run, move `latest/` to this run, and send the summary email.
 *
 * `latest/` never points at a half-written run: the cluster reports are copied first and the
 * fleet page — the entry point — last, and only once everything else is in place; reports of
 * clusters the run did not audit are removed from `latest/` after that.
 */
import pMap from 'p-map';
import type { Assessment } from '../assess/assess.js';
import type { EmailNotifier } from '../notify/email.js';
import { CLUSTER_FILES, FLEET_FILES, fleetFileKeys, fleetKey, LATEST_PREFIX, latestFleetKey, reportLinkFromFleetPage, runPrefix } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { renderEmail } from '../render/email.js';
import { renderFleetPages } from '../render/index.js';
import type { ClusterOutcome } from './audit-cluster.js';
import type { EnumerationFailure } from './targets.js';
import { clusterId, RUN_ID_PATTERN } from '../target/index.js';
import { diffFleet, type FleetSummary, fleetSummarySchema, summarizeFleet, type UnauditedCluster } from '../fleet-summary/index.js';
import { recordHistory, type HistoryDeps, type RunHistory } from './history-step.js';
import { exportRun, type ExportDeps, type RunExports } from './exports-step.js';

export interface SummarizeDeps {
  sink: ReportSink;
  notifier?: EmailNotifier;
  /** Where a reader opens the latest fleet page (an internal portal, CloudFront, the S3 console). */
  fleetUrl: string;
  maskEmail: boolean;
  /** "Now", for the fleet page's date. */
  now: () => Date;
  /** The run to compare with, when the caller names one; by default the completed run `latest/` shows. */
  previous?: FleetSummary;
  /** The findings ledger and the suppressions file (src/fleet/history-step.ts). */
  history?: HistoryDeps;
  /** Security Hub and the run-completed event (src/fleet/exports-step.ts). */
  exports?: ExportDeps;
}

export interface RunSummary {
  runId: string;
  audited: number;
  notAudited: number;
  /** Accounts/regions whose clusters could not be listed. */
  unlisted: number;
  critical: number;
  high: number;
  fleetKeys: Record<keyof typeof FLEET_FILES, string>;
  /** What changed since the run compared with; `null` when there was none. */
  changes: { newFindings: number; resolvedFindings: number; scoreMoves: number; added: number; gone: number } | null;
  emailed: boolean;
  /** Reports of clusters not audited this run, removed from `latest/`; `error` when that failed (they stay until the next run). */
  latestPruned: { removed: number; error?: string };
  /** The findings ledger's changes this run, counted per finding. */
  ledger: RunHistory['ledger'];
  /** What Security Hub and EventBridge took, or why not. */
  exports: RunExports;
}

const decoder = new TextDecoder();

/** Reads and parses a JSON object written by this run or an earlier one; `null` when absent. */
async function readJson(sink: ReportSink, key: string): Promise<unknown> {
  const body = await sink.read(key);
  return body === null ? null : JSON.parse(decoder.decode(body));
}

const readSummary = async (sink: ReportSink, key: string): Promise<FleetSummary | null> => {
  const parsed = fleetSummarySchema.safeParse(await readJson(sink, key).catch(() => null));
  return parsed.success ? parsed.data : null;
};

/**
 * The run to compare this one with: the completed run `latest/` shows — unless that is this very
 * run (a run id summarised again), in which case the run it was compared with the first time, so
 * that a re-run writes the same page instead of a diff against itself.
 */
async function previousSummary(sink: ReportSink, runId: string): Promise<FleetSummary | null> {
  const latest = await readSummary(sink, latestFleetKey('index.json'));
  if (latest?.runId !== runId) return latest;
  const earlier = latest.comparedWith;
  return earlier && RUN_ID_PATTERN.test(earlier) ? readSummary(sink, fleetKey(earlier, 'index.json')) : null;
}

function unauditedFrom(outcomes: readonly ClusterOutcome[], enumerationFailures: readonly EnumerationFailure[], audited: Set<string>): UnauditedCluster[] {
  const failed = outcomes
    .filter((o) => o.status === 'failed' && !audited.has(clusterId(o.target)))
    .map((o) => ({ target: o.target, reason: o.status === 'failed' ? o.reason : '' }));
  const unlisted = enumerationFailures.map((f) => ({
    target: { accountId: f.accountId, region: f.region ?? '*', clusterName: '(clusters not listed)' },
    reason: `${f.code}: ${f.message}`,
    scope: 'account' as const,
  }));
  return [...failed, ...unlisted];
}

export async function summarizeRun(
  runId: string,
  outcomes: readonly ClusterOutcome[],
  enumerationFailures: readonly EnumerationFailure[],
  deps: SummarizeDeps,
): Promise<RunSummary> {
  const { sink } = deps;
  const prefix = runPrefix(runId);
  // One listing serves both the fleet page (the report.json files) and the copy to latest/.
  const runObjects = await sink.list(`${prefix}clusters/`);
  const reportKeys = runObjects.filter((key) => key.endsWith('/report.json'));
  const assessments = (await pMap(reportKeys, (key) => readJson(sink, key), { concurrency: 16 })) as Assessment[];

  const entries = assessments.map((assessment) => ({ assessment, report: reportLinkFromFleetPage(assessment.target) }));
  const audited = new Set(assessments.map((a) => clusterId(a.target)));
  const previous = deps.previous ?? (await previousSummary(sink, runId));
  const unaudited = unauditedFrom(outcomes, enumerationFailures, audited);
  const fleet = summarizeFleet(entries, unaudited, {
    generatedAt: deps.now().toISOString(),
    runId,
    comparedWith: previous?.runId ?? null,
  });
  const history = await recordHistory(sink, { runId, fleet, assessments, unaudited, now: deps.now }, deps.history);
  const summary = history.summary;
  const diff = previous ? diffFleet(summary, previous) : null;

  const pages = renderFleetPages(summary, diff);
  const fleetKeys = fleetFileKeys(runId);
  await Promise.all([
    sink.write(fleetKeys['index.json'], pages.json),
    sink.write(fleetKeys['index.md'], pages.markdown),
    sink.write(fleetKeys['index.html'], pages.html),
  ]);

  // latest/: this run's cluster reports, then its fleet files, the fleet index.json last of all.
  const clusterObjects = runObjects
    .filter((key) => Object.hasOwn(CLUSTER_FILES, key.slice(key.lastIndexOf('/') + 1)))
    .map((key) => ({ key, latestKey: LATEST_PREFIX + key.slice(prefix.length) }));
  await pMap(clusterObjects, ({ key, latestKey }) => sink.copy(key, latestKey), { concurrency: 16 });
  for (const file of ['index.md', 'index.html', 'index.json'] as const) await sink.copy(fleetKeys[file], latestFleetKey(file));

  let emailed = false;
  if (deps.notifier) {
    await deps.notifier.send(renderEmail(summary, diff, { fleetUrl: deps.fleetUrl, masked: deps.maskEmail }));
    emailed = true;
  }

  const exports = await exportRun(history, assessments, { runId, fleetUrl: deps.fleetUrl }, deps.exports);

  // Last, the reports of clusters this run did not audit (gone, or failed this time) leave latest/,
  // so that it holds exactly the run its fleet page describes. The page and the e-mail are already
  // out, so a failure here is reported, not thrown: a retry would only send the e-mail twice.
  const current = new Set(clusterObjects.map(({ latestKey }) => latestKey));
  const latestPruned: RunSummary['latestPruned'] = { removed: 0 };
  try {
    const stale = (await sink.list(`${LATEST_PREFIX}clusters/`)).filter((key) => !current.has(key));
    await sink.remove(stale);
    latestPruned.removed = stale.length;
  } catch (error) {
    latestPruned.error = error instanceof Error ? error.message : String(error);
  }
  return {
    runId,
    audited: summary.totals.audited,
    notAudited: summary.totals.notAudited,
    unlisted: summary.totals.unlisted,
    critical: summary.totals.critical,
    high: summary.totals.high,
    fleetKeys,
    changes: diff && {
      newFindings: diff.newFindings.length,
      resolvedFindings: diff.resolvedFindings.length,
      scoreMoves: diff.scoreMoves.length,
      added: diff.added.length,
      gone: diff.gone.length,
    },
    emailed,
    latestPruned,
    ledger: history.ledger,
    exports,
  };
}
