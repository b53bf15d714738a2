/**
 * One cluster: collect → assess → render → publish. The one cluster pipeline that the auditCluster
 * Lambda, `calico-audit audit`, `calico-audit fleet` and the demo all call. A failure to audit is
 * returned as data (`status: 'failed'` with the reason), so one cluster never stops the run,
 * whether the run is a Step Functions Map or the local runner.
 */
import { AUDITOR } from './auditor.js';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { assess } from '../assess/assess.js';
import { applySuppressions, type Suppression } from '../assess/suppressions.js';
import { clusterHistory, type Ledger } from '../fleet-summary/index.js';
import { CLUSTER_COMMIT_FILE, clusterFileKeys, clusterFolder, type ClusterFile } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { renderClusterReports } from '../render/index.js';
import type { Snapshot } from '../snapshot/schema.js';
import { trimSnapshot } from '../snapshot/trim.js';
import { runTimeOf, type ClusterTarget } from '../target/index.js';
import { isTransient } from './transient.js';

// Compressed on libuv's thread pool, not the event loop that other audits of the run share.
const gzip = promisify(gzipCallback);

export interface AuditClusterDeps {
  sink: ReportSink;
  /** Reads the cluster (assuming the member role as needed); throws when it cannot be described. */
  collect: (target: ClusterTarget) => Promise<Snapshot>;
  /** Accepted findings: a list (the CLI's file), or the run's file read once per run (the nightly run's S3 object). */
  suppressions?: readonly Suppression[] | ((runId: string) => Promise<readonly Suppression[]>);
  /** The findings ledger the run continues: each report then says how long each finding has been open. */
  ledger?: (runId: string) => Promise<Ledger | null>;
}

export interface AuditClusterOptions {
  /** Where the four files go (a key prefix ending in `/`, or `''`); default: the cluster's folder in the run. */
  folder?: string;
}

export interface AuditedCluster {
  status: 'audited';
  runId: string;
  target: ClusterTarget;
  grade: string | null;
  score: number | null;
  coverage: number | null;
  critical: number;
  high: number;
  failed: number;
  passed: number;
  unknown: number;
  /** Object keys (relative to the sink's prefix) of the four files. */
  keys: Record<ClusterFile, string>;
}

export interface FailedCluster {
  status: 'failed';
  runId: string;
  target: ClusterTarget;
  /** One line: what failed and why. */
  reason: string;
  /** The error's code (`ResourceNotFoundException`, `AccessDeniedException`), when it had one. */
  code?: string;
  /** Trying again may succeed (throttling, a timeout, a 5xx): the Lambda raises it for the state machine to retry. */
  transient?: boolean;
}

export type ClusterOutcome = AuditedCluster | FailedCluster;

function failure(error: unknown): { reason: string; code?: string; transient?: true } {
  const e = error as { code?: unknown; name?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : e.name;
  const named = code && code !== 'Error' ? code : undefined;
  const reason = `${named ? `${named}: ` : ''}${(e.message ?? String(error)).split('\n')[0]}`;
  return { reason, ...(named ? { code: named } : {}), ...(isTransient(error) ? { transient: true as const } : {}) };
}

/** A write that did not land as written: the object is missing or has another size. */
class PublishVerificationError extends Error {
  override readonly name = 'PublishVerificationError';
}

/**
 * Writes a cluster's files and checks each one landed whole. `report.json` goes last: its presence
 * says the other three were written before it, and Summarize counts a cluster only when all four are there.
 */
async function publish(sink: ReportSink, keys: Record<ClusterFile, string>, bodies: Record<ClusterFile, string | Uint8Array>): Promise<void> {
  const bytes = (body: string | Uint8Array) => (typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength);
  const others = (Object.keys(bodies) as ClusterFile[]).filter((file) => file !== CLUSTER_COMMIT_FILE);
  await Promise.all(others.map((file) => sink.write(keys[file], bodies[file])));
  await sink.write(keys[CLUSTER_COMMIT_FILE], bodies[CLUSTER_COMMIT_FILE]);
  const landed = await Promise.all((Object.keys(bodies) as ClusterFile[]).map(async (file) => [file, await sink.size(keys[file])] as const));
  const wrong = landed.filter(([file, size]) => size !== bytes(bodies[file]));
  if (wrong.length) {
    throw new PublishVerificationError(
      `${wrong.map(([file, size]) => `${file} ${size === null ? 'is missing' : `has ${size} bytes, not ${bytes(bodies[file])}`}`).join('; ')} after writing`,
    );
  }
}

export async function auditCluster(runId: string, target: ClusterTarget, deps: AuditClusterDeps, options: AuditClusterOptions = {}): Promise<ClusterOutcome> {
  let snapshot: Snapshot;
  try {
    // Trimmed again whatever collected it (an older collector, a file): the snapshot is published beside the reports.
    snapshot = trimSnapshot(await deps.collect(target));
  } catch (error) {
    return { status: 'failed', runId, target, ...failure(error) };
  }
  // Reports are filed under the target the run asked for; the snapshot keeps what AWS said.
  // Suppressions expire and findings age by the run's time (its id), not by the clock.
  const at = runTimeOf(runId) ?? snapshot.collectedAt;
  const suppressions = typeof deps.suppressions === 'function' ? await deps.suppressions(runId) : (deps.suppressions ?? []);
  const suppressed = applySuppressions(assess(snapshot, { auditor: AUDITOR }), suppressions, { asOf: at });
  // A ledger that cannot be read costs the report its history, not the cluster its audit.
  const ledger = deps.ledger ? await deps.ledger(runId).then((l) => ({ l }), () => null) : null;
  const assessment = ledger ? { ...suppressed, history: clusterHistory(ledger.l, suppressed, runId, at) } : suppressed;
  const rendered = renderClusterReports(assessment);
  const keys = clusterFileKeys(options.folder ?? clusterFolder(runId, target));
  // Compressed before any write starts, so that a refused write is never left unawaited.
  const snapshotGz = await gzip(JSON.stringify(snapshot));
  try {
    // Every published report keeps its snapshot beside it, so a finding traces to its object.
    await publish(deps.sink, keys, { 'snapshot.json.gz': snapshotGz, 'report.md': rendered.markdown, 'report.html': rendered.html, 'report.json': rendered.json });
  } catch (error) {
    // Not audited unless every file is in place: the fleet page never links a report that is not there.
    const { reason, ...rest } = failure(error);
    return { status: 'failed', runId, target, reason: `reports not published: ${reason}`, ...rest };
  }
  const { score } = assessment;
  return {
    status: 'audited',
    runId,
    target,
    grade: score.grade,
    score: score.value,
    coverage: score.coverage,
    critical: score.failedBySeverity.critical,
    high: score.failedBySeverity.high,
    failed: score.counts.fail,
    passed: score.counts.pass,
    unknown: score.counts.unknown,
    keys,
  };
}
