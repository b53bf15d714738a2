/**
 * Child process of the reachability benchmark: builds the large cluster, normalises it, then times
 * the policy model over it — grouping the pods and compiling the policies, the namespace ×
 * namespace matrix over every TCP and UDP port, and the key flows (DNS, API server, internet) —
 * from a fresh model each run, and reports time and memory as one JSON line on stdout.
 */
import { performance } from 'node:perf_hooks';
import { normalize } from '../src/assess/normalize/index.js';
import type { ClusterModel } from '../src/assess/model.js';
import { policyFacts } from '../src/assess/facts/policy.js';
import { reachAnalysis } from '../src/assess/reach/analysis.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { reachBenchSnapshot } from './reach-cluster.js';

const runs = Number(process.argv[2] ?? 3);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const models: ClusterModel[] = [];
{
  // Each run gets its own model (the analysis is kept per model); the snapshot is dropped once normalised.
  const snapshot = validateSnapshot(reachBenchSnapshot(), 'reach-bench');
  for (let i = 0; i < runs; i++) models.push(normalize(snapshot));
}
gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const runsOut: Array<{ model: number; matrix: number; keyFlows: number; total: number }> = [];
let shape: { groups: number; namespaces: number; portRanges: number; plans: number; pods: number; policies: number } | null = null;
let peakHeap = 0;
const cpuStart = process.cpuUsage();
for (const model of models) {
  const start = performance.now();
  const analysis = reachAnalysis(model)!;
  const built = performance.now();
  const matrix = analysis.matrix();
  const matrixDone = performance.now();
  // The key flows and the rest of section 5 (the report's reach fact) reuse the model and the matrix.
  const facts = policyFacts(model);
  const end = performance.now();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heapBefore);
  runsOut.push({ model: built - start, matrix: matrixDone - built, keyFlows: end - matrixDone, total: end - start });
  shape = {
    groups: analysis.cluster.groups.length,
    namespaces: matrix.namespaces.length,
    portRanges: analysis.cluster.allPorts.atoms.length,
    plans: matrix.plans,
    pods: facts.reach?.pods ?? 0,
    policies: analysis.cluster.policies.length,
  };
}
const cpu = process.cpuUsage(cpuStart);
const sorted = (key: keyof (typeof runsOut)[number]) => runsOut.map((r) => r[key]).sort((a, b) => a - b);
const median = (key: keyof (typeof runsOut)[number]) => sorted(key)[Math.floor(runsOut.length / 2)]!;
console.log(
  JSON.stringify({
    ...shape,
    runs,
    modelMs: median('model'),
    matrixMs: median('matrix'),
    keyFlowsMs: median('keyFlows'),
    totalMs: median('total'),
    bestTotalMs: sorted('total')[0],
    cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs,
    heapGrowthMiB: peakHeap / 1024 / 1024,
    rssGrowthMiB: (process.memoryUsage().rss - rssBefore) / 1024 / 1024,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
