/**
 * Assessment benchmark: times the assessment of generated clusters of 10, 100, 1,000 and 5,000 nodes
 * (each size in its own process, so peak memory is its own) and records the figures in
 * bench/results.md. Targets (issue 2): under 50 ms for 100 nodes and under 1 s for 5,000, growing
 * no worse than linearly.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine, recordSection } from './results.js';

const SIZES = [10, 100, 1000, 5000];
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

recordSection(
  'Assessment (issue 2)',
  [
    `${machineLine()} Node is single-threaded, so one core.`,
    'Each size is a generated cluster (`buildScaledCluster`): ~20 pods per node, a handful of shared security groups, an IPAM block per node. The time is `assess()` alone (normalise, facts, 42 rules, score) on a snapshot already parsed, median of 7 runs in one process; peak RSS includes building and parsing the snapshot.',
    'Targets: under 50 ms for 100 nodes, under 1 s for 5,000 nodes, cost no worse than linear in nodes (security-group reachability is worked out per group signature, not per node pair).',
    '',
    table,
  ].join('\n'),
);
