/**
 * `npm run bench`: times the assessment of generated clusters of 10, 100, 1,000 and 5,000 nodes
 * (each size in its own process, so peak memory is its own) and records the figures in
 * bench/results.md. Targets (issue 2): under 50 ms for 100 nodes and under 1 s for 5,000, growing
 * no worse than linearly.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZES = [10, 100, 1000, 5000];
const resultsFile = fileURLToPath(new URL('./results.md', import.meta.url));
const child = fileURLToPath(new URL('./assess-one.ts', import.meta.url));

interface Measurement {
  nodes: number;
  pods: number;
  securityGroups: number;
  medianMs: number;
  minMs: number;
  peakRssMiB: number;
}

const rows: Measurement[] = SIZES.map((nodes) => {
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', child, String(nodes)], { encoding: 'utf8' });
  const measurement = JSON.parse(output.trim().split('\n').pop()!) as Measurement;
  console.log(`${nodes} nodes: median ${measurement.medianMs.toFixed(1)} ms, peak RSS ${measurement.peakRssMiB.toFixed(0)} MiB`);
  return measurement;
});

const perNode = rows.map((r) => r.medianMs / r.nodes);
const table = [
  '| nodes | pods | security groups | assess median (ms) | assess best (ms) | ms per node | peak RSS of the process (MiB) |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r, i) =>
      `| ${r.nodes.toLocaleString('en')} | ${r.pods.toLocaleString('en')} | ${r.securityGroups} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${perNode[i]!.toFixed(3)} | ${r.peakRssMiB.toFixed(0)} |`,
  ),
].join('\n');

const section = [
  '## Assessment (issue 2)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores; Node is single-threaded, so one core), Node ${process.version}.`,
  'Each size is a generated cluster (`buildScaledCluster`): ~20 pods per node, a handful of shared security groups, an IPAM block per node. The time is `assess()` alone (normalise, facts, 42 rules, score) on a snapshot already parsed, median of 7 runs in one process; peak RSS includes building and parsing the snapshot.',
  'Targets: under 50 ms for 100 nodes, under 1 s for 5,000 nodes, cost no worse than linear in nodes (security-group reachability is worked out per group signature, not per node pair).',
  '',
  table,
  '',
].join('\n');

let existing = '';
try {
  existing = readFileSync(resultsFile, 'utf8');
} catch {
  existing = '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its benchmark runs again.\n\n';
}
const start = existing.indexOf('## Assessment (issue 2)');
const next = start >= 0 ? existing.indexOf('\n## ', start + 1) : -1;
const updated = start >= 0 ? existing.slice(0, start) + section + (next >= 0 ? existing.slice(next + 1) : '') : `${existing}${section}`;
writeFileSync(resultsFile, updated);
console.log(`recorded in ${resultsFile}`);
