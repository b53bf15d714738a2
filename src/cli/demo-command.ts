/**
 * `calico-audit demo` (and `npm start`): the nightly run over the built-in sample fleet, written to a
 * local folder — the same runner, cluster pipeline and summary as `calico-audit fleet`, with the
 * sample snapshots standing in for enumeration and collection.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { escapeUnsafe } from '../assess/unsafe-text.js';
import { fleetSummarySchema, type FleetSummary } from '../fleet-summary/index.js';
import { ledgerReader } from '../fleet/ledger.js';
import { runFleet } from '../fleet/run.js';
import { readLatestSummary } from '../fleet/summarize.js';
import { LATEST_PAGE_KEY } from '../publish/layout.js';
import { LocalSink } from '../publish/sink.js';
import { renderFleetTable } from '../render/fleet.js';
import { listSampleSnapshots } from '../samples/index.js';
import { loadSnapshot } from '../snapshot/load.js';
import type { Snapshot } from '../snapshot/schema.js';
import { clusterId, runIdAt, type ClusterTarget } from '../target/index.js';
import { UsageError } from './errors.js';
import { loadSuppressions } from './suppressions-file.js';

export interface DemoOptions {
  out: string;
  /** The previous run's index.json, to report what changed; by default the run already in `out/latest/`. */
  previous?: string;
  suppressions?: string;
}

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: NodeJS.WritableStream;
}

/** Reads a previous run's fleet summary (index.json); a file that is not one is bad input. */
export async function readPreviousSummary(file: string): Promise<FleetSummary> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--previous ${file}: ${error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--previous ${file}: is not JSON`);
  }
  const parsed = fleetSummarySchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`--previous ${file}: is not a fleet summary (index.json) of this version`);
  return parsed.data;
}

/** The sample fleet as a run sees a real one: the targets, and a collector that reads each one's snapshot. */
async function sampleFleet(): Promise<{ targets: ClusterTarget[]; collect: (target: ClusterTarget) => Promise<Snapshot> }> {
  const snapshots = new Map<string, Snapshot>();
  for (const file of await listSampleSnapshots()) {
    const snapshot = await loadSnapshot(file);
    snapshots.set(clusterId(snapshot.target), snapshot);
  }
  return {
    targets: [...snapshots.values()].map((s) => ({ accountId: s.target.accountId, region: s.target.region, clusterName: s.target.clusterName })),
    collect: (target) => Promise.resolve(snapshots.get(clusterId(target))!),
  };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export async function demoCommand(options: DemoOptions, io: DemoIo): Promise<number> {
  const previous = options.previous ? await readPreviousSummary(options.previous) : undefined;
  const suppressions = await loadSuppressions(options.suppressions);
  const fleet = await sampleFleet();
  const outDir = path.resolve(options.out);
  const sink = new LocalSink(outDir);
  const bar = new SingleBar({ stream: io.stderr, format: 'Auditing sample fleet [{bar}] {value}/{total} {cluster}', hideCursor: true, clearOnComplete: true });
  bar.start(fleet.targets.length, 0, { cluster: '' });
  const run = await runFleet(runIdAt(new Date()), {
    enumerate: () => Promise.resolve({ targets: fleet.targets, failures: [] }),
    audit: { sink, collect: fleet.collect, suppressions, ledger: ledgerReader(sink) },
    summarize: {
      sink,
      fleetUrl: sink.locate(LATEST_PAGE_KEY),
      maskEmail: false,
      now: () => new Date(),
      ...(previous ? { previous } : {}),
      ...(options.suppressions ? { history: { suppressions: () => Promise.resolve({ entries: suppressions, source: options.suppressions ?? null, error: null }) } } : {}),
    },
    concurrency: 4,
    onClusterDone: (outcome) => bar.increment({ cluster: escapeUnsafe(outcome.target.clusterName) }),
  });
  bar.stop();
  const summary = await readLatestSummary(sink);
  if (!summary) throw new Error(`the run just written is not readable back from ${sink.locate('latest/index.json')}`);
  io.stdout(renderFleetTable(summary));
  const changes = run.summary.changes;
  if (changes) {
    io.stdout(
      `\nSince the previous run: ${count(changes.newFindings, 'new finding')}, ${count(changes.resolvedFindings, 'resolved finding')}, ${count(changes.scoreMoves, 'score move')}, ${count(changes.added, 'cluster')} added, ${changes.gone} gone.\n`,
    );
  }
  io.stdout(`\nReports for ${run.summary.audited} clusters written to ${outDir} (open ${sink.locate(LATEST_PAGE_KEY)}).\n`);
  return 0;
}
