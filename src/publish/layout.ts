/**
 * Where a run's objects live, under the configured prefix:
 *   runs/<runId>/clusters/<account>/<region>/<cluster>/{report.md,report.html,report.json,snapshot.json.gz}
 *   runs/<runId>/fleet/{index.md,index.html,index.json}
 *   latest/…  the same tree, copied only once a run has completed
 * Re-running a run id writes the same keys (idempotent).
 */
import { reportFolder, type ClusterTarget } from '../render/report-path.js';

export type { ClusterTarget };

export const CLUSTER_FILES = {
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'report.json': 'application/json',
  'snapshot.json.gz': 'application/gzip',
} as const;
export type ClusterFile = keyof typeof CLUSTER_FILES;

export const FLEET_FILES = {
  'index.md': 'text/markdown; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
  'index.json': 'application/json',
} as const;
export type FleetFile = keyof typeof FLEET_FILES;

/** Run ids are UTC timestamps or caller-chosen words: nothing that could climb out of the prefix. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** A run id from the run's start time: `2026-11-23T02-00-00Z` (sortable, safe in keys). */
export const runIdAt = (startedAt: Date): string => startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');

export const runPrefix = (runId: string) => `runs/${runId}/`;
export const clusterPath = (target: ClusterTarget) => `${reportFolder(target)}/`;
export const clusterKey = (runId: string, target: ClusterTarget, file: ClusterFile) => `${runPrefix(runId)}${clusterPath(target)}${file}`;
export const fleetKey = (runId: string, file: FleetFile) => `${runPrefix(runId)}fleet/${file}`;
export const LATEST_PREFIX = 'latest/';

export function contentTypeOf(key: string): string {
  const file = key.slice(key.lastIndexOf('/') + 1);
  return (CLUSTER_FILES as Record<string, string>)[file] ?? (FLEET_FILES as Record<string, string>)[file] ?? 'application/octet-stream';
}
