/**
 * CLI start-up benchmark (issue 13): the compiled CLI against Node itself, measured in one run as
 * ratios to `node -e 0` so that a slower or busier machine moves both sides. Targets: `--version`
 * at most 3×, `assess` of a 50-node snapshot at most 4×. Each command is started fresh (a new
 * process) several times; medians are compared.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildScaledCluster } from '../test/support/samples/index.js';
import { machineLine, recordSection } from './results.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BIN = fileURLToPath(new URL('../bin/calico-audit.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'calico-audit-cli-start-'));
const snapshot50 = path.join(dir, 'nodes-50.json');
writeFileSync(snapshot50, JSON.stringify(buildScaledCluster(50)));

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const cases: Array<{ label: string; args: string[]; target: number | null }> = [
  { label: '`node -e 0`', args: ['-e', '0'], target: null },
  { label: '`calico-audit --version`', args: [BIN, '--version'], target: 3 },
  { label: '`calico-audit assess` of a 50-node snapshot (text)', args: [BIN, 'assess', '--snapshot', snapshot50, '--format', 'text'], target: 4 },
  { label: '`calico-audit assess` of a 50-node snapshot (html)', args: [BIN, 'assess', '--snapshot', snapshot50, '--format', 'html'], target: null },
];
const baseline = medianMs(cases[0]!.args);
const rows = cases.map((c, i) => {
  const ms = i === 0 ? baseline : medianMs(c.args);
  const ratio = ms / baseline;
  console.log(`${c.label}: ${ms.toFixed(0)} ms (${ratio.toFixed(2)}×)`);
  return `| ${c.label} | ${ms.toFixed(0)} | ${ratio.toFixed(2)}× | ${c.target ? `≤ ${c.target}× ${ratio <= c.target ? '✓' : '✗'}` : ''} |`;
});

recordSection(
  'CLI start-up',
  [
    machineLine(),
    `The compiled CLI (dist/cli/, esbuild, one chunk per command), each command started ${RUNS} times in a new process; medians.`,
    '',
    '| command | median (ms) | ratio to `node -e 0` | target |',
    '|---|---:|---:|---|',
    ...rows,
  ].join('\n'),
);
