/**
 * The findings ledger's storage: `ledger/findings.json` holds the ledger the next run continues, and
 * each run keeps the ledger it left in `runs/<runId>/fleet/ledger.json`. Both live where the reports
 * do (the S3 bucket, or the local output folder of `demo` and `fleet --out`).
 *
 * A run id summarised again starts from the ledger its first pass started from (the copy of the run
 * before it), so a retried run never counts a finding twice or reopens what it resolved; a run older
 * than the one the ledger last recorded leaves the ledger alone. Each write replaces one object
 * whole: a run that stops halfway leaves either the old ledger or the new one.
 */
import type { Assessment } from '../assess/assess.js';
import type { ClusterFindings } from '../assess/findings.js';
import { ledgerSchema, updateLedger, type Ledger, type LedgerChanges } from '../fleet-summary/index.js';
import { LEDGER_KEY, runLedgerKey } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import type { ClusterTarget } from '../target/index.js';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}

const decoder = new TextDecoder();

async function readLedger(sink: ReportSink, key: string): Promise<Ledger | null> {
  const body = await sink.read(key);
  if (body === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(body));
  } catch {
    throw new LedgerError(`${sink.locate(key)} is not JSON: restore it from its previous version or runs/<run>/fleet/ledger.json`);
  }
  const parsed = ledgerSchema.safeParse(json);
  // A damaged ledger is never replaced by an empty one: that would make every finding new.
  if (!parsed.success) throw new LedgerError(`${sink.locate(key)} is not a findings ledger of this version: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export interface LedgerBase {
  /** The ledger this run continues; `null` on the first run. */
  base: Ledger | null;
  /** The ledger as stored now (differs from `base` when this run is summarised again). */
  current: Ledger | null;
  /** Set when a later run is already in the ledger: this run must leave it alone. */
  laterRun: string | null;
}

/** The ledger a run continues. */
export async function ledgerBefore(sink: ReportSink, runId: string): Promise<LedgerBase> {
  const current = await readLedger(sink, LEDGER_KEY);
  if (!current) return { base: null, current: null, laterRun: null };
  if (current.runId === runId) {
    const base = current.previousRunId ? await readLedger(sink, runLedgerKey(current.previousRunId)) : null;
    return { base, current, laterRun: null };
  }
  if (current.runs.some((r) => r.runId === runId)) return { base: null, current, laterRun: current.runId };
  return { base: current, current, laterRun: null };
}

export interface RecordedRun {
  ledger: Ledger;
  /** `null` when the ledger was left alone (a later run already recorded). */
  changes: LedgerChanges | null;
  note: string | null;
}

/** Folds the run into the ledger and stores it: the run's copy first, then the ledger the next run reads. */
export async function recordRunInLedger(
  sink: ReportSink,
  run: {
    runId: string;
    at: string;
    assessments: ReadonlyArray<Assessment | ClusterFindings>;
    notAudited: ReadonlyArray<{ target: ClusterTarget; reason: string }>;
    unlisted: ReadonlyArray<{ accountId: string; region: string | null }>;
  },
): Promise<RecordedRun> {
  const { base, current, laterRun } = await ledgerBefore(sink, run.runId);
  if (laterRun && current) return { ledger: current, changes: null, note: `the ledger already records the later run ${laterRun}: left unchanged` };
  const { ledger, changes } = updateLedger(base, run);
  const body = `${JSON.stringify(ledger)}\n`;
  await sink.write(runLedgerKey(run.runId), body);
  await sink.write(LEDGER_KEY, body);
  return { ledger, changes, note: null };
}

/** The ledger each cluster audit of a run reads its history from, read once per run and process. */
export function ledgerReader(sink: ReportSink): (runId: string) => Promise<Ledger | null> {
  let cached: { runId: string; pending: Promise<Ledger | null> } | null = null;
  return (runId) => {
    if (cached?.runId !== runId) {
      const pending = ledgerBefore(sink, runId).then((b) => (b.laterRun ? null : b.base));
      const entry = { runId, pending };
      // A failed read is tried again by the next audit rather than remembered.
      pending.catch(() => {
        if (cached === entry) cached = null;
      });
      cached = entry;
    }
    return cached.pending;
  };
}
