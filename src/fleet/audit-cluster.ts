/**
 * One cluster of a run: collect → assess → render → publish. A failure to audit is returned as
 * data (`status: 'failed'` with the reason), so one cluster never stops the run, whether the run
 * is a Step Functions Map or the local runner.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { assess } from '../assess/assess.js';
import { applySuppressions, type Suppression } from '../assess/suppressions.js';
import { clusterKey, type ClusterFile, type ClusterTarget } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { renderClusterReports } from '../render/index.js';
import type { Snapshot } from '../snapshot/schema.js';

// Compressed on libuv's thread pool, not the event loop that other audits of the run share.
const gzip = promisify(gzipCallback);

export interface AuditClusterDeps {
  sink: ReportSink;
  /** Reads the cluster (assuming the member role as needed); throws when it cannot be described. */
  collect: (target: ClusterTarget) => Promise<Snapshot>;
  suppressions?: readonly Suppression[];
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
  /** Object keys (relative to the sink's prefix) of the four files. */
  keys: Record<ClusterFile, string>;
}

export interface FailedCluster {
  status: 'failed';
  runId: string;
  target: ClusterTarget;
  /** One line: what failed and why. */
  reason: string;
}

export type ClusterOutcome = AuditedCluster | FailedCluster;

const reasonOf = (error: unknown): string => {
  const e = error as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name;
  return `${code && code !== 'Error' ? `${code}: ` : ''}${(e.message ?? String(error)).split('\n')[0]}`;
};

export async function auditCluster(runId: string, target: ClusterTarget, deps: AuditClusterDeps): Promise<ClusterOutcome> {
  let snapshot: Snapshot;
  try {
    snapshot = await deps.collect(target);
  } catch (error) {
    return { status: 'failed', runId, target, reason: reasonOf(error) };
  }
  // Reports are filed under the target the run asked for; the snapshot keeps what AWS said.
  const assessment = applySuppressions(assess(snapshot), deps.suppressions ?? []);
  const rendered = renderClusterReports(assessment);
  const keys: Record<ClusterFile, string> = {
    'report.json': clusterKey(runId, target, 'report.json'),
    'report.md': clusterKey(runId, target, 'report.md'),
    'report.html': clusterKey(runId, target, 'report.html'),
    'snapshot.json.gz': clusterKey(runId, target, 'snapshot.json.gz'),
  };
  // Compressed before any write starts, so that a refused write is never left unawaited.
  const snapshotGz = await gzip(JSON.stringify(snapshot));
  await Promise.all([
    deps.sink.write(keys['report.json'], rendered.json),
    deps.sink.write(keys['report.md'], rendered.markdown),
    deps.sink.write(keys['report.html'], rendered.html),
    // Every published report keeps its snapshot beside it, so a finding traces to its object.
    deps.sink.write(keys['snapshot.json.gz'], snapshotGz),
  ]);
  return {
    status: 'audited',
    runId,
    target,
    grade: assessment.score.grade,
    score: assessment.score.value,
    coverage: assessment.score.coverage,
    critical: assessment.score.failedBySeverity.critical,
    high: assessment.score.failedBySeverity.high,
    keys,
  };
}
