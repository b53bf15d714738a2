/** `calico-audit demo` (and `npm start`): the main job on the built-in sample fleet, written to a local folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { assess, type Assessment } from '../assess/assess.js';
import { renderHtml } from '../render/html.js';
import { renderFleetMarkdown, renderFleetTable, summarizeFleet } from '../render/fleet.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { listSampleSnapshots } from '../samples/index.js';
import { loadSnapshot } from '../snapshot/load.js';

export interface DemoOptions {
  out: string;
}

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: NodeJS.WritableStream;
}

/** Writes one cluster's three renderings; returns the report path relative to the output folder. */
async function writeClusterReport(outDir: string, assessment: Assessment): Promise<string> {
  const { accountId, region, clusterName } = assessment.target;
  const relative = path.posix.join('clusters', accountId, region, clusterName);
  const dir = path.join(outDir, relative);
  await mkdir(dir, { recursive: true });
  const markdown = renderMarkdown(assessment);
  await Promise.all([
    writeFile(path.join(dir, 'report.json'), renderJson(assessment)),
    writeFile(path.join(dir, 'report.md'), markdown),
    writeFile(path.join(dir, 'report.html'), renderHtml(markdown, `Calico audit: ${clusterName}`)),
  ]);
  return path.posix.join(relative, 'report.html');
}

export async function demoCommand(options: DemoOptions, io: DemoIo): Promise<number> {
  const files = await listSampleSnapshots();
  const outDir = path.resolve(options.out);
  await mkdir(outDir, { recursive: true });
  const bar = new SingleBar(
    { stream: io.stderr, format: 'Auditing sample fleet [{bar}] {value}/{total} {cluster}', hideCursor: true, clearOnComplete: true },
  );
  bar.start(files.length, 0, { cluster: '' });
  const entries: Array<{ assessment: Assessment; report: string }> = [];
  for (const file of files) {
    const assessment = assess(await loadSnapshot(file));
    bar.increment({ cluster: assessment.target.clusterName });
    entries.push({ assessment, report: await writeClusterReport(outDir, assessment) });
  }
  bar.stop();
  const summary = summarizeFleet(entries);
  const fleetMarkdown = renderFleetMarkdown(summary);
  await Promise.all([
    writeFile(path.join(outDir, 'index.json'), `${JSON.stringify(summary, null, 2)}\n`),
    writeFile(path.join(outDir, 'index.md'), fleetMarkdown),
    writeFile(path.join(outDir, 'index.html'), renderHtml(fleetMarkdown.replace(/\(clusters\/([^)]*)\)/g, '(clusters/$1)'), 'Calico audit: fleet')),
  ]);
  io.stdout(renderFleetTable(summary));
  io.stdout(`\nReports for ${entries.length} clusters written to ${outDir} (open index.html).\n`);
  return 0;
}
