/** `calico-audit demo` (and `npm start`): the main job on the built-in sample fleet, written to a local folder. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { assess, type Assessment } from '../assess/assess.js';
import { applySuppressions } from '../assess/suppressions.js';
import { diffFleet, fleetSummarySchema, reportFolder, renderFleetTable, summarizeFleet, type FleetSummary } from '../render/fleet.js';
import { renderClusterReports, renderFleetPages } from '../render/index.js';
import { listSampleSnapshots } from '../samples/index.js';
import { loadSnapshot } from '../snapshot/load.js';
import { UsageError } from './errors.js';
import { loadSuppressions } from './suppressions-file.js';

export interface DemoOptions {
  out: string;
  /** The previous run's index.json, to report what changed. */
  previous?: string;
  suppressions?: string;
}

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: NodeJS.WritableStream;
}

/** Writes one cluster's three renderings; returns the HTML report's path relative to the output folder. */
async function writeClusterReport(outDir: string, assessment: Assessment): Promise<string> {
  const relative = reportFolder(assessment.target);
  const dir = path.join(outDir, ...relative.split('/'));
  await mkdir(dir, { recursive: true });
  const files = renderClusterReports(assessment);
  await Promise.all([
    writeFile(path.join(dir, 'report.json'), files.json),
    writeFile(path.join(dir, 'report.md'), files.markdown),
    writeFile(path.join(dir, 'report.html'), files.html),
  ]);
  return `${relative}/report.html`;
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

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export async function demoCommand(options: DemoOptions, io: DemoIo): Promise<number> {
  const previous = options.previous ? await readPreviousSummary(options.previous) : null;
  const suppressions = await loadSuppressions(options.suppressions);
  const files = await listSampleSnapshots();
  const outDir = path.resolve(options.out);
  await mkdir(outDir, { recursive: true });
  const bar = new SingleBar(
    { stream: io.stderr, format: 'Auditing sample fleet [{bar}] {value}/{total} {cluster}', hideCursor: true, clearOnComplete: true },
  );
  bar.start(files.length, 0, { cluster: '' });
  const entries: Array<{ assessment: Assessment; report: string }> = [];
  for (const file of files) {
    const assessment = applySuppressions(assess(await loadSnapshot(file)), suppressions);
    bar.increment({ cluster: assessment.target.clusterName });
    entries.push({ assessment, report: await writeClusterReport(outDir, assessment) });
  }
  bar.stop();
  const summary = summarizeFleet(entries);
  const diff = previous ? diffFleet(summary, previous) : null;
  const fleet = renderFleetPages(summary, diff);
  await Promise.all([
    writeFile(path.join(outDir, 'index.json'), fleet.json),
    writeFile(path.join(outDir, 'index.md'), fleet.markdown),
    writeFile(path.join(outDir, 'index.html'), fleet.html),
  ]);
  io.stdout(renderFleetTable(summary));
  if (diff) {
    io.stdout(
      `\nSince the previous run: ${count(diff.newFindings.length, 'new finding')}, ${count(diff.resolvedFindings.length, 'resolved finding')}, ${count(diff.scoreMoves.length, 'score move')}, ${count(diff.added.length, 'cluster')} added, ${diff.gone.length} gone.\n`,
    );
  }
  io.stdout(`\nReports for ${entries.length} clusters written to ${outDir} (open index.html).\n`);
  return 0;
}
