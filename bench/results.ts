/** bench/results.md holds one section per benchmark; running a benchmark replaces its own section. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS_FILE = fileURLToPath(new URL('./results.md', import.meta.url));
const HEADER = '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its benchmark runs again.\n\n';

/** One line naming the date, CPU and Node version a measurement was taken on. */
export const machineLine = (): string =>
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}.`;

/** Replaces (or appends) the section whose heading is `## ${title}`. */
export function recordSection(title: string, body: string): void {
  let existing: string;
  try {
    existing = readFileSync(RESULTS_FILE, 'utf8');
  } catch {
    existing = HEADER;
  }
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n\n`;
  const start = existing.indexOf(heading);
  const next = start >= 0 ? existing.indexOf('\n## ', start + heading.length) : -1;
  const updated = start < 0 ? `${existing}${section}` : existing.slice(0, start) + section + (next >= 0 ? existing.slice(next + 1) : '');
  writeFileSync(RESULTS_FILE, updated);
  console.log(`recorded "${title}" in ${RESULTS_FILE}`);
}
