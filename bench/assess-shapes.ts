/**
 * The shapes that hurt (issue 13): the compiled CLI's `assess` run as a whole process on generated
 * clusters built to find quadratic work — every pod in one namespace, thousands of policies,
 * hundreds of security groups and pools, nodes in many subnets — against a 50-node cluster.
 * Targets: 5,000 nodes / 100,000 pods in one namespace within 60× the 50-node time and 5 s, peak
 * memory within 1 GB. Each case runs 3 times in a new process; medians; peak RSS from the process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildScaledCluster, type ScaledClusterOptions } from '../test/support/samples/index.js';
import { machineLine, recordSection } from './results.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BIN = fileURLToPath(new URL('../bin/calico-audit.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'calico-audit-shapes-'));
// Reports the process's peak RSS (KiB) on stderr as it exits.
const PEAK_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write(' MAXRSS '+process.resourceUsage().maxRSS))`;

interface Shape {
  label: string;
  nodes: number;
  options: ScaledClusterOptions;
}
const SHAPES: Shape[] = [
  { label: '50 nodes (the reference)', nodes: 50, options: {} },
  { label: '5,000 nodes, 100,000 pods in one namespace', nodes: 5000, options: { namespaces: 1 } },
  { label: '1,000 nodes, 2,000 global policies', nodes: 1000, options: { policies: 2000 } },
  { label: '1,000 nodes, 500 security groups (500 distinct sets)', nodes: 1000, options: { securityGroups: 500 } },
  { label: '1,000 nodes, 200 IP pools', nodes: 1000, options: { pools: 200 } },
  { label: '1,000 nodes in 50 subnets', nodes: 1000, options: { subnets: 50 } },
];

function run(file: string): { ms: number; peakMiB: number } {
  const start = performance.now();
  const stderr = execFileSync(process.execPath, ['--import', PEAK_RSS, BIN, 'assess', '--snapshot', file, '--format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  const peak = /MAXRSS (\d+)/.exec(stderr)?.[1];
  return { ms, peakMiB: peak ? Number(peak) / 1024 : NaN };
}

const measured = SHAPES.map((shape) => {
  const snapshot = buildScaledCluster(shape.nodes, shape.options);
  const file = path.join(dir, `${shape.nodes}-${Object.keys(shape.options).join('-') || 'plain'}.json`);
  writeFileSync(file, JSON.stringify(snapshot));
  const runs = Array.from({ length: RUNS }, () => run(file)).sort((a, b) => a.ms - b.ms);
  const median = runs[Math.floor(runs.length / 2)]!;
  const row = {
    ...shape,
    pods: snapshot.kubernetes.pods?.length ?? 0,
    securityGroups: snapshot.aws.securityGroups?.length ?? 0,
    ms: median.ms,
    peakMiB: Math.max(...runs.map((r) => r.peakMiB)),
  };
  console.log(`${shape.label}: ${row.ms.toFixed(0)} ms, peak ${row.peakMiB.toFixed(0)} MiB`);
  rmSync(file);
  return row;
});
rmSync(dir, { recursive: true, force: true });

const base = measured[0]!.ms;
const big = measured[1]!;
const verdict = (ok: boolean) => (ok ? '✓' : '✗');
recordSection(
  'Assessment shapes that hurt (issue 13)',
  [
    `${machineLine()} Load average ${loadavg()[0]!.toFixed(1)} when it finished (other work on the machine slows every row alike).`,
    `\`calico-audit assess --format json\` from the compiled CLI, a new process each run (reading, validating and assessing the snapshot, rendering the JSON); median of ${RUNS} runs; peak RSS of the process.`,
    `Targets: the one-namespace cluster within 60× the 50-node time (${(big.ms / base).toFixed(1)}× ${verdict(big.ms / base <= 60)}) and 5 s (${verdict(big.ms <= 5000)}), peak memory within 1 GB (${verdict(big.peakMiB <= 1024)}).`,
    '',
    '| shape | pods | security groups | median (ms) | ratio to 50 nodes | peak RSS (MiB) |',
    '|---|---:|---:|---:|---:|---:|',
    ...measured.map((r) => `| ${r.label} | ${r.pods.toLocaleString('en')} | ${r.securityGroups} | ${r.ms.toFixed(0)} | ${(r.ms / base).toFixed(1)}× | ${r.peakMiB.toFixed(0)} |`),
  ].join('\n'),
);
