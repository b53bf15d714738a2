/**
 * The one place that names report files and keys. Under the configured prefix:
 *   runs/<runId>/clusters/<account>/<region>/<cluster>/{report.md,report.html,report.json,snapshot.json.gz}
 *   runs/<runId>/fleet/{index.md,index.html,index.json}
 *   runs/<runId>/fleet/ledger.json  the findings ledger as this run left it
 *   latest/…  the same tree, copied only once a run has completed
 *   ledger/findings.json  the findings ledger: the current one, which the next run continues
 * A single-cluster audit writes the same four files into one folder of its own.
 * Re-running a run id writes the same keys (idempotent).
 */
import type { ClusterTarget } from '../target/index.js';

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

/** The report folder of a cluster inside a run: `clusters/<account>/<region>/<cluster>`. */
export const reportFolder = (t: ClusterTarget): string => ['clusters', t.accountId, t.region, t.clusterName].join('/');

/** A cluster's HTML report as the fleet page (`fleet/index.html`) links it. */
export const reportLinkFromFleetPage = (t: ClusterTarget): string => `../${reportFolder(t)}/report.html`;

export const runPrefix = (runId: string) => `runs/${runId}/`;
/** The folder (a key prefix ending in `/`) that holds one cluster's files in a run. */
export const clusterFolder = (runId: string, target: ClusterTarget) => `${runPrefix(runId)}${reportFolder(target)}/`;
export const clusterKey = (runId: string, target: ClusterTarget, file: ClusterFile) => `${clusterFolder(runId, target)}${file}`;
export const fleetKey = (runId: string, file: FleetFile) => `${runPrefix(runId)}fleet/${file}`;
export const LATEST_PREFIX = 'latest/';
/** The fleet page's files in `latest/`, where readers open them. */
export const latestFleetKey = (file: FleetFile) => `${LATEST_PREFIX}fleet/${file}`;

/** The keys of a cluster's four files inside `folder` (`''` for a folder of its own). */
export const clusterFileKeys = (folder: string): Record<ClusterFile, string> =>
  Object.fromEntries(Object.keys(CLUSTER_FILES).map((file) => [file, folder + file])) as Record<ClusterFile, string>;

/** The keys of the fleet page's three files in a run. */
export const fleetFileKeys = (runId: string): Record<FleetFile, string> =>
  Object.fromEntries(Object.keys(FLEET_FILES).map((file) => [file, fleetKey(runId, file as FleetFile)])) as Record<FleetFile, string>;

/** The findings ledger the next run continues, and the copy each run keeps of the ledger it left. */
export const LEDGER_KEY = 'ledger/findings.json';
export const runLedgerKey = (runId: string) => `${runPrefix(runId)}fleet/ledger.json`;

export function contentTypeOf(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  const file = key.slice(key.lastIndexOf('/') + 1);
  return (CLUSTER_FILES as Record<string, string>)[file] ?? (FLEET_FILES as Record<string, string>)[file] ?? 'application/octet-stream';
}
