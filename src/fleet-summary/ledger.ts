/**
 * The findings ledger: every finding the fleet has had, by fingerprint (cluster + rule + object),
 * with when it was first seen, last seen, resolved and reopened, and the last runs' scores and
 * counts for the trends. Each run folds its assessments into the ledger it inherited. Pure: reading
 * and writing it (S3 or the local output folder) is src/fleet/ledger.ts.
 *
 * A finding is resolved only by an audit of its cluster that no longer finds it, or because its
 * cluster left the fleet (its account and region were listed and it was not among them). A cluster
 * that could not be audited — or whose account could not be listed — keeps its findings open, and
 * the ledger records since when it has not been audited.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import type { Assessment } from '../assess/assess.js';
import { asClusterFindings, type ClusterFindings, type Finding, type FindingHistory } from '../assess/findings.js';
import { SEVERITIES } from '../assess/rule.js';
import { clusterId, type ClusterTarget } from '../target/index.js';

export const LEDGER_SCHEMA_VERSION = 1 as const;
/** Runs kept for the trends. */
export const TREND_RUNS = 30;
/** Resolved findings are listed this long after their resolution. */
export const RESOLVED_LISTED_DAYS = 30;
/** …and kept this long, so that one coming back is recognised as reopened rather than new. */
export const RESOLVED_KEPT_DAYS = 90;

const DAY = 86_400_000;

const findingObject = z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() });
const decision = z.object({ reason: z.string(), expires: z.string().nullable(), owner: z.string().optional(), ticket: z.string().optional() });

const entrySchema = z.object({
  fingerprint: z.string(),
  accountId: z.string(),
  region: z.string(),
  clusterName: z.string(),
  ruleId: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  object: findingObject.nullable(),
  state: z.enum(['open', 'resolved']),
  /** The first run that saw it, ever. */
  firstSeen: z.string(),
  /** The start of the current open period (the first sighting, or the latest reopening). */
  openedAt: z.string(),
  /** The last run that saw it. */
  lastSeen: z.string(),
  lastSeenRun: z.string(),
  resolvedAt: z.string().nullable(),
  /** `fixed`: an audit no longer found it; `cluster-gone`: its cluster left the fleet. */
  resolution: z.enum(['fixed', 'cluster-gone']).nullable(),
  /** Times it came back after being resolved, and the last time it did. */
  reopened: z.number().int().min(0),
  reopenedAt: z.string().nullable(),
  /** The decision accepting it when last seen, if any. */
  suppression: decision.nullable(),
});

const runSchema = z.object({
  runId: z.string(),
  at: z.string(),
  audited: z.number(),
  notAudited: z.number(),
  /** Failed critical and high rules across the audited clusters, not counting suppressed ones (as the fleet page counts). */
  critical: z.number(),
  high: z.number(),
  /** Score of each audited cluster, by cluster id. */
  scores: z.record(z.string(), z.number().nullable()),
});

const clusterSchema = z.object({
  lastAudited: z.string().nullable(),
  lastAuditedRun: z.string().nullable(),
  /** Set while the cluster is not audited: since when, and why (the latest reason). */
  notAuditedSince: z.string().nullable(),
  notAuditedReason: z.string().nullable(),
});

export const ledgerSchema = z.object({
  schemaVersion: z.literal(LEDGER_SCHEMA_VERSION),
  /** The last run folded in, and the one before it (a re-run of a run starts again from there). */
  runId: z.string().nullable(),
  previousRunId: z.string().nullable(),
  updatedAt: z.string().nullable(),
  findings: z.array(entrySchema),
  runs: z.array(runSchema),
  clusters: z.record(z.string(), clusterSchema),
});

export type Ledger = z.infer<typeof ledgerSchema>;
export type LedgerEntry = z.infer<typeof entrySchema>;
export type LedgerRun = z.infer<typeof runSchema>;

export const emptyLedger = (): Ledger => ({ schemaVersion: LEDGER_SCHEMA_VERSION, runId: null, previousRunId: null, updatedAt: null, findings: [], runs: [], clusters: {} });

export interface LedgerRunInput {
  runId: string;
  /** The run's time (ISO): findings are first seen, last seen and resolved at it. */
  at: string;
  /** The clusters audited, their suppressions applied: their assessments, or what was kept of them. */
  assessments: ReadonlyArray<Assessment | ClusterFindings>;
  /** Clusters that could not be audited, and why: their findings stay open. */
  notAudited: ReadonlyArray<{ target: ClusterTarget; reason: string }>;
  /** Accounts (and regions; `*` or `null` for all) whose clusters could not be listed: their findings stay open too. */
  unlisted?: ReadonlyArray<{ accountId: string; region: string | null }>;
}

export interface LedgerChanges {
  opened: LedgerEntry[];
  reopened: LedgerEntry[];
  resolved: LedgerEntry[];
  persisting: LedgerEntry[];
  /** Open findings of clusters not audited this run, kept open. */
  carried: LedgerEntry[];
}

const daysBetween = (from: string, to: string): number => Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY));

function entryFrom(finding: Finding, runId: string, at: string): LedgerEntry {
  return {
    fingerprint: finding.fingerprint,
    accountId: finding.target.accountId,
    region: finding.target.region,
    clusterName: finding.target.clusterName,
    ruleId: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    object: finding.object,
    state: 'open',
    firstSeen: at,
    openedAt: at,
    lastSeen: at,
    lastSeenRun: runId,
    resolvedAt: null,
    resolution: null,
    reopened: 0,
    reopenedAt: null,
    suppression: finding.suppression ?? null,
  };
}

/** Folds one run into the ledger it inherited; returns the new ledger and what changed. */
export function updateLedger(previous: Ledger | null, run: LedgerRunInput): { ledger: Ledger; changes: LedgerChanges } {
  const base = previous ?? emptyLedger();
  const { runId, at } = run;
  const clustersAudited = run.assessments.map(asClusterFindings);
  const audited = new Map(clustersAudited.map((a) => [clusterId(a.target), a]));
  const observed = new Map<string, Finding>();
  for (const cluster of clustersAudited) for (const finding of cluster.findings) observed.set(finding.fingerprint, finding);
  const failedClusters = new Map(run.notAudited.map((u) => [clusterId(u.target), u.reason]));
  const unlisted = run.unlisted ?? [];
  const notListed = (e: ClusterTarget) => unlisted.some((u) => u.accountId === e.accountId && (u.region === null || u.region === '*' || u.region === e.region));

  const changes: LedgerChanges = { opened: [], reopened: [], resolved: [], persisting: [], carried: [] };
  const findings: LedgerEntry[] = [];
  const known = new Set<string>();
  const keepUntil = Date.parse(at) - RESOLVED_KEPT_DAYS * DAY;

  for (const old of base.findings) {
    known.add(old.fingerprint);
    const id = clusterId(old);
    const seen = observed.get(old.fingerprint);
    if (audited.has(id)) {
      if (seen) {
        const refreshed = { ...old, title: seen.title, severity: seen.severity, object: seen.object, lastSeen: at, lastSeenRun: runId, suppression: seen.suppression ?? null };
        if (old.state === 'resolved') {
          const back: LedgerEntry = { ...refreshed, state: 'open', openedAt: at, resolvedAt: null, resolution: null, reopened: old.reopened + 1, reopenedAt: at };
          changes.reopened.push(back);
          findings.push(back);
        } else {
          changes.persisting.push(refreshed);
          findings.push(refreshed);
        }
      } else if (old.state === 'open') {
        const fixed: LedgerEntry = { ...old, state: 'resolved', resolvedAt: at, resolution: 'fixed' };
        changes.resolved.push(fixed);
        findings.push(fixed);
      } else if (Date.parse(old.resolvedAt ?? at) >= keepUntil) {
        findings.push(old);
      }
      continue;
    }
    if (failedClusters.has(id) || notListed(old)) {
      // Not audited this time: nothing is known to have changed, so nothing is resolved.
      if (old.state === 'open') changes.carried.push(old);
      if (old.state === 'open' || Date.parse(old.resolvedAt ?? at) >= keepUntil) findings.push(old);
      continue;
    }
    // Its account and region were listed and the cluster was not among them: it left the fleet.
    if (old.state === 'open') {
      const gone: LedgerEntry = { ...old, state: 'resolved', resolvedAt: at, resolution: 'cluster-gone' };
      changes.resolved.push(gone);
      findings.push(gone);
    } else if (Date.parse(old.resolvedAt ?? at) >= keepUntil) {
      findings.push(old);
    }
  }
  for (const [fingerprint, finding] of observed) {
    if (known.has(fingerprint)) continue;
    const entry = entryFrom(finding, runId, at);
    changes.opened.push(entry);
    findings.push(entry);
  }
  findings.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));

  const clusters: Ledger['clusters'] = { ...base.clusters };
  for (const id of audited.keys()) clusters[id] = { lastAudited: at, lastAuditedRun: runId, notAuditedSince: null, notAuditedReason: null };
  for (const [id, reason] of failedClusters) {
    const before = clusters[id];
    clusters[id] = {
      lastAudited: before?.lastAudited ?? null,
      lastAuditedRun: before?.lastAuditedRun ?? null,
      notAuditedSince: before?.notAuditedSince ?? at,
      notAuditedReason: reason,
    };
  }
  // Clusters that left the fleet (no open finding and neither audited nor failed) are forgotten.
  const stillOpen = new Set(findings.map((f) => clusterId(f)));
  for (const id of Object.keys(clusters)) if (!audited.has(id) && !failedClusters.has(id) && !stillOpen.has(id)) delete clusters[id];

  const sum = (pick: (a: ClusterFindings) => number) => clustersAudited.reduce((total, a) => total + pick(a), 0);
  const thisRun: LedgerRun = {
    runId,
    at,
    audited: clustersAudited.length,
    notAudited: run.notAudited.length,
    critical: sum((a) => a.critical),
    high: sum((a) => a.high),
    scores: Object.fromEntries(clustersAudited.map((a) => [clusterId(a.target), a.score])),
  };
  const runs = [...base.runs.filter((r) => r.runId !== runId), thisRun].sort((a, b) => a.at.localeCompare(b.at)).slice(-TREND_RUNS);

  return {
    ledger: {
      schemaVersion: LEDGER_SCHEMA_VERSION,
      runId,
      previousRunId: base.runId === runId ? base.previousRunId : base.runId,
      updatedAt: at,
      findings,
      runs,
      clusters,
    },
    changes,
  };
}

/**
 * One cluster's history as the report shows it: what the ledger would make of this assessment —
 * the same fold the end of the run does, on this cluster's part of the ledger alone.
 */
export function clusterHistory(previous: Ledger | null, assessment: Assessment, runId: string, at: string): FindingHistory {
  const id = clusterId(assessment.target);
  const own = previous ? { ...previous, findings: previous.findings.filter((f) => clusterId(f) === id), runs: [], clusters: {} } : null;
  const { ledger } = updateLedger(own, { runId, at, assessments: [assessment], notAudited: [] });
  const listedAfter = Date.parse(at) - RESOLVED_LISTED_DAYS * DAY;
  return {
    asOf: at,
    since: previous?.runId === runId ? previous.previousRunId : (previous?.runId ?? null),
    open: ledger.findings
      .filter((f) => f.state === 'open')
      .map((f) => ({ fingerprint: f.fingerprint, firstSeen: f.firstSeen, openedAt: f.openedAt, openDays: daysBetween(f.openedAt, at), reopened: f.reopened })),
    resolved: ledger.findings
      .filter((f) => f.state === 'resolved' && Date.parse(f.resolvedAt!) >= listedAfter)
      .sort((a, b) => b.resolvedAt!.localeCompare(a.resolvedAt!) || a.fingerprint.localeCompare(b.fingerprint))
      .map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, title: f.title, severity: f.severity, object: f.object, firstSeen: f.firstSeen, resolvedAt: f.resolvedAt! })),
  };
}

export { daysBetween };
