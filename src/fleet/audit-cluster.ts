/**
 * One cluster: collect → assess → render → publish. The one cluster pipeline that the auditCluster
 * Lambda, `calico-audit audit`, `calico-audit fleet` and the demo all call. A failure to audit is
 * returned as data (`status: 'failed'` with the reason), so one cluster never stops the run,
 * whether the run is a Step Functions Map or the local runner.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { assess } from '../assess/assess.js';
import { applySuppressions, type Suppression } from '../assess/suppressions.js';
import { clusterFileKeys, clusterFolder, type ClusterFile } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { renderClusterReports } from '../render/index.js';
import type { Snapshot } from '../snapshot/schema.js';
import { trimSnapshot } from '../snapshot/trim.js';
import type { ClusterTarget } from '../target/index.js';

// Compressed on libuv's thread pool, not the event loop that other audits of the run share.
const gzip = promisify(gzipCallback);

export interface AuditClusterDeps {
  sink: ReportSink;
  /** Reads the cluster (assuming the member role as needed); throws when it cannot be described. */
  collect: (target: ClusterTarget) => Promise<Snapshot>;
  suppressions?: readonly Suppression[];
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
}

export type ClusterOutcome = AuditedCluster | FailedCluster;

function failure(error: unknown): { reason: string; code?: string } {
  const e = error as { code?: unknown; name?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : e.name;
  const named = code && code !== 'Error' ? code : undefined;
  const reason = `${named ? `${named}: ` : ''}${(e.message ?? String(error)).split('\n')[0]}`;
  return named ? { reason, code: named } : { reason };
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
  const assessment = applySuppressions(assess(snapshot), deps.suppressions ?? []);
  const rendered = renderClusterReports(assessment);
  const keys = clusterFileKeys(options.folder ?? clusterFolder(runId, target));
  // Compressed before any write starts, so that a refused write is never left unawaited.
  const snapshotGz = await gzip(JSON.stringify(snapshot));
  await Promise.all([
    deps.sink.write(keys['report.json'], rendered.json),
    deps.sink.write(keys['report.md'], rendered.markdown),
    deps.sink.write(keys['report.html'], rendered.html),
    // Every published report keeps its snapshot beside it, so a finding traces to its object.
    deps.sink.write(keys['snapshot.json.gz'], snapshotGz),
  ]);
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
