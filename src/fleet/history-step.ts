/**
 * The summary step's history: fold the run into the findings ledger (src/fleet/ledger.ts), then
 * add the ledger's view — since when, resolved lately, kept open, trends — and the suppressions
 * file's state to the run's fleet summary. Called from summarize.ts; kept apart so that the
 * summary's own steps (latest/, the e-mail) stay readable.
 */
import type { Assessment } from '../assess/assess.js';
import type { ClusterFindings } from '../assess/findings.js';
import { withLedger, withSuppressions, type FleetSummary, type UnauditedCluster } from '../fleet-summary/index.js';
import type { ReportSink } from '../publish/sink.js';
import { runTimeOf } from '../target/index.js';
import { recordRunInLedger, type RecordedRun } from './ledger.js';
import type { LoadedSuppressions } from './suppressions.js';

export interface HistoryDeps {
  /** Keep the findings ledger beside the reports (default: yes). */
  ledger?: boolean;
  /** The run's suppressions file, for its unused, expired and soon-expiring entries. */
  suppressions?: (runId: string) => Promise<LoadedSuppressions>;
}

export interface RunHistory {
  /** The fleet summary with the ledger's and the suppressions' view. */
  summary: FleetSummary;
  /** The run's time: findings are first seen, last seen and resolved at it. */
  at: string;
  recorded: RecordedRun | null;
  /** Counted per finding (cluster + rule + object); `null` without a ledger. */
  ledger: { opened: number; reopened: number; resolved: number; carried: number; open: number; note: string | null } | null;
}

export async function recordHistory(
  sink: ReportSink,
  run: { runId: string; fleet: FleetSummary; assessments: ReadonlyArray<Assessment | ClusterFindings>; unaudited: readonly UnauditedCluster[]; now: () => Date },
  deps: HistoryDeps = {},
): Promise<RunHistory> {
  const at = runTimeOf(run.runId) ?? run.now().toISOString();
  const recorded =
    deps.ledger === false
      ? null
      : await recordRunInLedger(sink, {
          runId: run.runId,
          at,
          assessments: run.assessments,
          notAudited: run.unaudited.filter((u) => u.scope !== 'account').map((u) => ({ target: u.target, reason: u.reason })),
          unlisted: run.unaudited
            .filter((u) => u.scope === 'account')
            .map((u) => ({ accountId: u.target.accountId, region: u.target.region === '*' ? null : u.target.region })),
        });
  let summary = recorded ? withLedger(run.fleet, recorded.ledger, recorded.changes, at) : run.fleet;
  if (deps.suppressions) {
    const loaded = await deps.suppressions(run.runId);
    summary = withSuppressions(summary, loaded, run.assessments, at);
  }
  return {
    summary,
    at,
    recorded,
    ledger: recorded && {
      opened: recorded.changes?.opened.length ?? 0,
      reopened: recorded.changes?.reopened.length ?? 0,
      resolved: recorded.changes?.resolved.length ?? 0,
      carried: recorded.changes?.carried.length ?? 0,
      open: recorded.ledger.findings.filter((f) => f.state === 'open').length,
      note: recorded.note,
    },
  };
}
