/**
 * The one place that names report files and keys. Under the configured prefix:
 *   runs/<runId>/clusters/<account>/<region>/<cluster>/{snapshot.json.gz,report.md,report.html,report.json}
 *   runs/<runId>/targets.jsonl      the clusters the run audits, one JSON target a line (the Map's ItemReader reads it)
 *   runs/<runId>/enumeration-failures.jsonl   accounts/regions whose clusters could not be listed, one a line
 *   runs/<runId>/map/<map run id>/{manifest.json,SUCCEEDED_n.json,FAILED_n.json}   the Map's ResultWriter output
 *   runs/<runId>/fleet/{index.md,index.html,index.json}
 *   runs/<runId>/fleet/ledger.json  the findings ledger as this run left it
 *   runs/<runId>/fleet/email.json   written before the run's e-mail is sent, so it is sent at most once
 *   ledger/findings.json            the findings ledger: the current one, which the next run continues
 *   latest/index.json               the pointer: names the last complete run; written last, in one PUT
 *   latest/fleet/index.html         a page that sends the reader on to that run's fleet page
 * A run is never copied: `latest/` switches to a new run by one write of the pointer, made only once
 * every file of the run is in place, so it always names a complete run, and a failure at any point
 * leaves it naming the previous one. A single-cluster audit writes the four files into one folder.
 * Re-running a run id writes the same keys (idempotent), but for the Map's results: each map run
 * writes a folder of its own under `map/`, and Summarize is told which.
 */
import type { ClusterTarget } from '../target/index.js';

export const CLUSTER_FILES = {
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'report.json': 'application/json',
  'snapshot.json.gz': 'application/gzip',
} as const;

/** Written last of a cluster's files: its presence says the others were written first. */
export const CLUSTER_COMMIT_FILE = 'report.json' satisfies ClusterFile;
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
/** The run's targets as JSON Lines: written by enumerate, read by the Distributed Map's ItemReader and by summarize. */
export const targetsKey = (runId: string) => `${runPrefix(runId)}targets.jsonl`;
/** The accounts/regions whose clusters could not be listed, as JSON Lines (kept out of the state, which is capped at 256 KiB). */
export const enumerationFailuresKey = (runId: string) => `${runPrefix(runId)}enumeration-failures.jsonl`;
/** Where the Distributed Map's ResultWriter writes (it adds `<map run id>/manifest.json` and the result files). */
export const mapResultsPrefix = (runId: string) => `${runPrefix(runId)}map/`;
/** Whether `key` is a ResultWriter manifest of this run's Map: `runs/<runId>/map/<map run id>/manifest.json`. */
export const isMapManifestKey = (runId: string, key: string): boolean => {
  const rest = key.startsWith(mapResultsPrefix(runId)) ? key.slice(mapResultsPrefix(runId).length).split('/') : [];
  return rest.length === 2 && /^[\w.-]+$/.test(rest[0]!) && rest[1] === 'manifest.json';
};
/** Whether `key` is a result file the manifest of this run's Map may name (in the same map run's folder). */
export const isMapResultFileKey = (manifestKey: string, key: string): boolean => {
  const folder = manifestKey.slice(0, manifestKey.length - 'manifest.json'.length);
  return key.startsWith(folder) && /^(SUCCEEDED|FAILED|PENDING)_\d+\.json$/.test(key.slice(folder.length));
};
/** The folder (a key prefix ending in `/`) that holds one cluster's files in a run. */
export const clusterFolder = (runId: string, target: ClusterTarget) => `${runPrefix(runId)}${reportFolder(target)}/`;
export const clusterKey = (runId: string, target: ClusterTarget, file: ClusterFile) => `${clusterFolder(runId, target)}${file}`;
export const fleetKey = (runId: string, file: FleetFile) => `${runPrefix(runId)}fleet/${file}`;
export const LATEST_PREFIX = 'latest/';
/** The pointer naming the last complete run (`{ runId, … }`): what readers and the next run follow. */
export const LATEST_POINTER_KEY = `${LATEST_PREFIX}index.json`;
/** Where readers open the latest fleet page: a page forwarding to the run the pointer names. */
export const LATEST_PAGE_KEY = `${LATEST_PREFIX}fleet/index.html`;
/** From `latest/fleet/index.html`, the fleet page of a run. */
export const runPageFromLatestPage = (runId: string) => `../../${fleetKey(runId, 'index.html')}`;
/** The marker written before a run's e-mail is sent. */
export const emailMarkerKey = (runId: string) => `${runPrefix(runId)}fleet/email.json`;
/** The cluster folder (`<account>/<region>/<cluster>`) a key under `runs/<runId>/clusters/` belongs to, and its file. */
export function clusterOfKey(runId: string, key: string): { folder: string; file: string } | null {
  const base = `${runPrefix(runId)}clusters/`;
  if (!key.startsWith(base)) return null;
  const rest = key.slice(base.length).split('/');
  return rest.length === 4 ? { folder: rest.slice(0, 3).join('/'), file: rest[3]! } : null;
}

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
  if (key.endsWith('.jsonl')) return 'application/jsonl';
  const file = key.slice(key.lastIndexOf('/') + 1);
  if (file === 'email.json') return 'application/json';
  return (CLUSTER_FILES as Record<string, string>)[file] ?? (FLEET_FILES as Record<string, string>)[file] ?? 'application/octet-stream';
}
