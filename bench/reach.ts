/**
 * Reachability benchmark (issue 10): the policy model over 5,000 nodes, 100,000 pods and 2,000
 * policies across 5 tiers — grouping and compiling, the full namespace × namespace matrix over every
 * port range, and the key flows — in its own process, so its memory is its own. Target: the whole
 * matrix in under 2 s and 512 MB.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine, recordSection } from './results.js';

interface Measurement {
  groups: number;
  namespaces: number;
  portRanges: number;
  plans: number;
  pods: number;
  policies: number;
  runs: number;
  modelMs: number;
  matrixMs: number;
  keyFlowsMs: number;
  totalMs: number;
  bestTotalMs: number;
  heapGrowthMiB: number;
  peakRssMiB: number;
}

const child = fileURLToPath(new URL('./reach-one.ts', import.meta.url));
const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', child, '3'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
const m = JSON.parse(output.trim().split('\n').pop()!) as Measurement;
console.log(`reach: median ${m.totalMs.toFixed(0)} ms (best ${m.bestTotalMs.toFixed(0)} ms), heap growth ${m.heapGrowthMiB.toFixed(0)} MiB`);

const ms = (n: number) => n.toFixed(0);
recordSection(
  'Reachability model (issue 10)',
  [
    `${machineLine()}`,
    `A generated cluster (\`bench/reach-cluster.ts\`): ${m.pods.toLocaleString('en')} pods on 5,000 nodes in ${m.namespaces} namespaces, ${m.policies.toLocaleString('en')} policies across 5 tiers, 20 GlobalNetworkSets. Policy tells ${m.groups.toLocaleString('en')} endpoint groups and ${m.portRanges} port ranges apart; the matrix evaluates ${m.plans.toLocaleString('en')} distinct policy plans. Median of ${m.runs} runs, each on a fresh model.`,
    'Target: the full matrix in under 2 s and 512 MB.',
    '',
    '| group and compile (ms) | namespace matrix (ms) | key flows and section 5 (ms) | total median (ms) | total best (ms) | heap growth (MiB) | peak RSS incl. building the snapshot (MiB) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${ms(m.modelMs)} | ${ms(m.matrixMs)} | ${ms(m.keyFlowsMs)} | ${ms(m.totalMs)} | ${ms(m.bestTotalMs)} | ${m.heapGrowthMiB.toFixed(0)} | ${m.peakRssMiB.toFixed(0)} |`,
  ].join('\n'),
);
