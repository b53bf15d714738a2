/**
 * Child process of the assessment benchmark: builds one generated cluster of N nodes, then times
 * `assess` on it (median of several runs) and reports peak memory, as one JSON line on stdout.
 */
import { performance } from 'node:perf_hooks';
import { assess, type Assessment } from '../src/assess/assess.js';
import { buildScaledCluster } from '../test/support/samples/index.js';
import { validateSnapshot } from '../src/snapshot/load.js';

const nodes = Number(process.argv[2]);
const runs = Number(process.argv[3] ?? 7);
// Through JSON, as a snapshot arrives from disk.
const snapshot = validateSnapshot(JSON.parse(JSON.stringify(buildScaledCluster(nodes))), `generated-${nodes}`);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.resourceUsage().maxRSS;
const times: number[] = [];
let assessment: Assessment | undefined;
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  assessment = assess(snapshot);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    nodes,
    pods: snapshot.kubernetes.pods?.length ?? 0,
    securityGroups: snapshot.aws.securityGroups?.length ?? 0,
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssGrowthMiB: (process.resourceUsage().maxRSS - rssBefore) / 1024,
    heapAfterMiB: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024,
    checks: assessment!.checks.length,
  }),
);
