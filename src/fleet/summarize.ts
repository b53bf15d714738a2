/**
 * The end of a run: read the run's assessments, write the fleet page with the diff against the
 * previous completed run, switch `latest/` to this run, and send the summary e-mail.
 *
 * The run never lies:
 * - a cluster counts as audited only when all four of its files are in the run and its report.json
 *   reads back as a report of that cluster; otherwise it is a row with the reason (files missing, a
 *   report unreadable), and the fleet page never links a file that is not there;
 * - `latest/` is never copied into: one object, `latest/index.json`, names the last complete run, and
 *   it is written last, once every file of this run is in place. A failure at any point leaves it
 *   naming the previous complete run; nothing is deleted, so no report is lost;
 * - the e-mail goes out at most once per run id: a marker is created first, and a run id whose
 *   marker exists is not mailed again.
 */
import pMap from 'p-map';
import * as z from 'zod';
import type { Assessment } from '../assess/assess.js';
import { SEVERITIES, STATUSES } from '../assess/rule.js';
import type { EmailNotifier } from '../notify/email.js';
import {
  CLUSTER_COMMIT_FILE,
  CLUSTER_FILES,
  clusterOfKey,
  emailMarkerKey,
  FLEET_FILES,
  fleetFileKeys,
  fleetKey,
  LATEST_PAGE_KEY,
  LATEST_POINTER_KEY,
  reportLinkFromFleetPage,
  runPageFromLatestPage,
  runPrefix,
  type FleetFile,
} from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { renderEmail } from '../render/email.js';
import { renderFleetPages, renderLatestPage } from '../render/index.js';
import type { AuditedCluster, FailedCluster } from './audit-cluster.js';
import type { EnumerationFailure } from './targets.js';
import { clusterId, RUN_ID_PATTERN, type ClusterTarget } from '../target/index.js';
import { diffFleet, fleetRowOf, type FleetRow, type FleetSummary, fleetSummarySchema, summarizeRows, type UnauditedCluster } from '../fleet-summary/index.js';
import { clusterFindingsOf, type ClusterFindings } from '../assess/findings.js';
import { recordHistory, type HistoryDeps, type RunHistory } from './history-step.js';
import { exportRun, type ExportDeps, type RunExports } from './exports-step.js';

/** What summarize needs of each cluster's outcome: audited, or failed with the reason. */
export type RunOutcome = Pick<AuditedCluster, 'status' | 'target'> | Pick<FailedCluster, 'status' | 'target' | 'reason'>;

export interface SummarizeDeps {
  sink: ReportSink;
  notifier?: EmailNotifier;
  /** Where a reader opens the latest fleet page (an internal portal, CloudFront, the S3 console). */
  fleetUrl: string;
  maskEmail: boolean;
  /** "Now", for the fleet page's date. */
  now: () => Date;
  /** The run to compare with, when the caller names one; by default the completed run `latest/` names. */
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
  /** Why no e-mail went out, when none did: none configured, already sent for this run id, or the error. */
  emailSkipped?: string;
  /** The run `latest/` names after this summary, and whether this summary switched it. */
  latest: { runId: string; switched: boolean; reason?: string };
  /** The findings ledger's changes this run, counted per finding. */
  ledger: RunHistory['ledger'];
  /** What Security Hub and EventBridge took, or why not. */
  exports: RunExports;
}

/** `latest/index.json`: the last complete run. */
export const latestPointerSchema = z.looseObject({
  runId: z.string().regex(RUN_ID_PATTERN),
  /** The run's fleet page and summary, relative to the bucket prefix. */
  fleetPage: z.string(),
  fleetSummary: z.string(),
  switchedAt: z.string(),
});
export type LatestPointer = z.infer<typeof latestPointerSchema>;

const decoder = new TextDecoder();

/** Reads and parses a JSON object; `null` when absent. */
async function readJson(sink: ReportSink, key: string): Promise<unknown> {
  const body = await sink.read(key);
  return body === null ? null : JSON.parse(decoder.decode(body));
}

const readSummary = async (sink: ReportSink, key: string): Promise<FleetSummary | null> => {
  const parsed = fleetSummarySchema.safeParse(await readJson(sink, key).catch(() => null));
  return parsed.success ? parsed.data : null;
};

/** The run `latest/` names, or `null` when there is none yet (or the pointer is unreadable). */
export async function readLatestPointer(sink: ReportSink): Promise<LatestPointer | null> {
  const parsed = latestPointerSchema.safeParse(await readJson(sink, LATEST_POINTER_KEY).catch(() => null));
  return parsed.success ? parsed.data : null;
}

/** The fleet summary of the run `latest/` names. */
export async function readLatestSummary(sink: ReportSink): Promise<FleetSummary | null> {
  const pointer = await readLatestPointer(sink);
  return pointer ? readSummary(sink, fleetKey(pointer.runId, 'index.json')) : null;
}

/**
 * The run to compare this one with: the completed run `latest/` names — unless that is this very
 * run (a run id summarised again), in which case the run it was compared with the first time, so
 * that a re-run writes the same page instead of a diff against itself.
 */
async function previousSummary(sink: ReportSink, runId: string, pointer: LatestPointer | null): Promise<FleetSummary | null> {
  if (!pointer) return null;
  const latest = await readSummary(sink, fleetKey(pointer.runId, 'index.json'));
  if (latest?.runId !== runId) return latest;
  const earlier = latest.comparedWith;
  return earlier && RUN_ID_PATTERN.test(earlier) ? readSummary(sink, fleetKey(earlier, 'index.json')) : null;
}

/** What the fleet summary reads from a report.json: enough to tell a report from a broken file. */
const reportSchema = z.looseObject({
  target: z.object({ accountId: z.string(), region: z.string(), clusterName: z.string() }),
  collectedAt: z.string(),
  facts: z.looseObject({
    calico: z.looseObject({ version: z.string().nullable(), variant: z.string() }),
    cni: z.looseObject({ label: z.string() }),
    topology: z.looseObject({ nodeCount: z.number().nullable() }),
  }),
  checks: z.array(z.looseObject({ id: z.string(), title: z.string(), status: z.enum(STATUSES), severity: z.enum(SEVERITIES) })),
  score: z.looseObject({
    grade: z.string().nullable(),
    value: z.number().nullable(),
    coverage: z.number().nullable(),
    failedBySeverity: z.looseObject({ critical: z.number(), high: z.number() }),
  }),
});

/** Reads one cluster's report.json; a report that is missing, not JSON or not this cluster's is a reason, not an entry. */
async function readReport(sink: ReportSink, key: string, folder: string): Promise<Assessment | string> {
  let document: unknown;
  try {
    const body = await sink.read(key);
    if (body === null) return 'report.json unreadable: it is gone';
    document = JSON.parse(decoder.decode(body));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return `report.json unreadable: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message.split('\n')[0]}`;
  }
  const parsed = reportSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `report.json unreadable: not a report (${issue.path.join('.') || '(root)'}: ${issue.message})`;
  }
  const t = parsed.data.target;
  if (`${t.accountId}/${t.region}/${t.clusterName}` !== folder) return `report.json unreadable: it describes ${t.accountId}/${t.region}/${t.clusterName}`;
  return document as Assessment;
}

const targetOfFolder = (folder: string): ClusterTarget => {
  const [accountId, region, clusterName] = folder.split('/') as [string, string, string];
  return { accountId, region, clusterName };
};

/**
 * What is in the bucket for this run: the rows of the clusters whose reports read back, and the
 * reasons the others do not count. Each report is reduced to its row and its findings as it is read,
 * so a run of thousands of clusters never holds every assessment at once.
 */
async function readRun(sink: ReportSink, runId: string): Promise<{ rows: FleetRow[]; kept: ClusterFindings[]; reasons: Map<string, string> }> {
  const files = new Map<string, Set<string>>();
  for (const key of await sink.list(`${runPrefix(runId)}clusters/`)) {
    const found = clusterOfKey(runId, key);
    if (!found || !Object.hasOwn(CLUSTER_FILES, found.file)) continue;
    const set = files.get(found.folder) ?? new Set<string>();
    set.add(found.file);
    files.set(found.folder, set);
  }
  const reasons = new Map<string, string>();
  const complete: string[] = [];
  for (const [folder, present] of files) {
    const missing = Object.keys(CLUSTER_FILES).filter((file) => !present.has(file));
    if (missing.length) reasons.set(folder, `reports incomplete: ${missing.join(', ')} missing from the run`);
    else complete.push(folder);
  }
  const read = await pMap(
    complete.sort(),
    async (folder) => {
      const report = await readReport(sink, `${runPrefix(runId)}clusters/${folder}/${CLUSTER_COMMIT_FILE}`, folder);
      return [folder, typeof report === 'string' ? report : { row: fleetRowOf(report, reportLinkFromFleetPage(report.target)), findings: clusterFindingsOf(report) }] as const;
    },
    { concurrency: 16 },
  );
  const rows: FleetRow[] = [];
  const kept: ClusterFindings[] = [];
  for (const [folder, report] of read) {
    if (typeof report === 'string') reasons.set(folder, report);
    else {
      rows.push(report.row);
      kept.push(report.findings);
    }
  }
  return { rows, kept, reasons };
}

/**
 * The clusters not audited, with the reason: the Map's failures, clusters whose files do not add up
 * to a report (or that the Map says were audited but left nothing), and accounts not listed.
 */
function unauditedFrom(
  outcomes: readonly RunOutcome[],
  enumerationFailures: readonly EnumerationFailure[],
  audited: ReadonlySet<string>,
  reasons: ReadonlyMap<string, string>,
): UnauditedCluster[] {
  const rows = new Map<string, UnauditedCluster>();
  for (const [folder, reason] of reasons) rows.set(folder, { target: targetOfFolder(folder), reason });
  for (const outcome of outcomes) {
    const id = clusterId(outcome.target);
    if (audited.has(id)) continue;
    // The function's own reason says more than the files it left behind.
    if (outcome.status === 'failed') rows.set(id, { target: outcome.target, reason: outcome.reason });
    else if (!rows.has(id)) rows.set(id, { target: outcome.target, reason: 'reports missing: none of its files is in the run' });
  }
  const unlisted = enumerationFailures.map((f) => ({
    target: { accountId: f.accountId, region: f.region ?? '*', clusterName: '(clusters not listed)' },
    reason: `${f.code}: ${f.message}`,
    scope: 'account' as const,
  }));
  return [...rows.values(), ...unlisted];
}

/** Run ids made from start times sort in time order; others (chosen by hand) are not compared. */
const TIMESTAMP_RUN_ID = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/;

/** Writes one file and checks it landed whole. */
async function writeVerified(sink: ReportSink, key: string, body: string): Promise<void> {
  await sink.write(key, body);
  const size = await sink.size(key);
  if (size !== Buffer.byteLength(body, 'utf8')) throw new Error(`${key} did not land as written (${size === null ? 'missing' : `${size} bytes`})`);
}

export async function summarizeRun(
  runId: string,
  outcomes: readonly RunOutcome[],
  enumerationFailures: readonly EnumerationFailure[],
  deps: SummarizeDeps,
): Promise<RunSummary> {
  const { sink } = deps;
  const { rows, kept, reasons } = await readRun(sink, runId);
  const audited = new Set(rows.map((row) => clusterId(row)));
  const pointer = await readLatestPointer(sink);
  const previous = deps.previous ?? (await previousSummary(sink, runId, pointer));
  const unaudited = unauditedFrom(outcomes, enumerationFailures, audited, reasons);
  const fleet = summarizeRows(rows, unaudited, {
    generatedAt: deps.now().toISOString(),
    runId,
    comparedWith: previous?.runId ?? null,
  });
  const history = await recordHistory(sink, { runId, fleet, assessments: kept, unaudited, now: deps.now }, deps.history);
  const summary = history.summary;
  const diff = previous ? diffFleet(summary, previous) : null;

  // The run's own fleet page, every file checked, before latest/ may name the run.
  const pages = renderFleetPages(summary, diff);
  const fleetKeys = fleetFileKeys(runId);
  const bodies: Record<FleetFile, string> = { 'index.json': pages.json, 'index.md': pages.markdown, 'index.html': pages.html };
  await Promise.all((Object.keys(bodies) as FleetFile[]).map((file) => writeVerified(sink, fleetKeys[file], bodies[file])));

  // latest/: the page readers open, then the pointer — one write, the last — naming this run.
  // A summary of an older run (a late retry) leaves a newer latest/ alone.
  let latest: RunSummary['latest'];
  if (pointer && pointer.runId !== runId && TIMESTAMP_RUN_ID.test(pointer.runId) && TIMESTAMP_RUN_ID.test(runId) && pointer.runId > runId) {
    latest = { runId: pointer.runId, switched: false, reason: `latest/ already names the later run ${pointer.runId}` };
  } else {
    await writeVerified(sink, LATEST_PAGE_KEY, renderLatestPage(runId, runPageFromLatestPage(runId)));
    const next: LatestPointer = { runId, fleetPage: fleetKeys['index.html'], fleetSummary: fleetKeys['index.json'], switchedAt: deps.now().toISOString() };
    await sink.write(LATEST_POINTER_KEY, `${JSON.stringify(next, null, 2)}\n`);
    latest = { runId, switched: true };
  }

  // The e-mail, at most once per run id: the marker is created first, and only by the first summary to get there.
  let emailed = false;
  let emailSkipped: string | undefined;
  if (!deps.notifier) {
    emailSkipped = 'no recipients configured';
  } else {
    const email = renderEmail(summary, diff, { fleetUrl: deps.fleetUrl, masked: deps.maskEmail });
    const marker = JSON.stringify({ runId, subject: email.subject, createdAt: deps.now().toISOString() });
    if (!(await sink.create(emailMarkerKey(runId), `${marker}\n`))) {
      emailSkipped = `already sent for run ${runId} (${emailMarkerKey(runId)} exists)`;
    } else {
      try {
        await deps.notifier.send(email);
        emailed = true;
      } catch (error) {
        // Not retried: whether it went out is unknown, and a second copy is worse than none.
        emailSkipped = `not sent: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`;
      }
    }
  }

  const exports = await exportRun(history, kept, { runId, fleetUrl: deps.fleetUrl }, deps.exports);

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
    ...(emailSkipped ? { emailSkipped } : {}),
    latest,
    ledger: history.ledger,
    exports,
  };
}
