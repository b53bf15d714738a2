/**
 * Rendering benchmark (issue 3): the three renderings (JSON, Markdown, HTML) of one 1,000-node
 * cluster, and the fleet page (summary, JSON, Markdown, HTML) for 1,000 clusters. Targets: under
 * 200 ms and under 1 s. Only rendering is timed: the cluster is assessed, and the fleet's
 * assessments made (the six samples re-targeted), before the clock starts.
 */
import { performance } from 'node:perf_hooks';
import { assess, type Assessment } from '../src/assess/assess.js';
import { renderClusterReports, renderFleetPages } from '../src/render/index.js';
import { listSampleSnapshots } from '../src/samples/index.js';
import { buildScaledCluster } from '../test/support/samples/index.js';
import { loadSnapshot, validateSnapshot } from '../src/snapshot/load.js';
import { machineLine, recordSection } from './results.js';
import { reportFolder } from '../src/publish/layout.js';
import { summarizeFleet } from '../src/fleet-summary/index.js';

const RUNS = 9;

function time<T>(work: () => T): { medianMs: number; minMs: number; result: T } {
  let result = work(); // warm-up: compiled templates, JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, result };
}

const kib = (text: string) => `${Math.round(Buffer.byteLength(text) / 1024).toLocaleString('en')} KiB`;

// One 1,000-node cluster.
const big = assess(validateSnapshot(JSON.parse(JSON.stringify(buildScaledCluster(1000))), 'generated-1000'));
const cluster = time(() => renderClusterReports(big));
console.log(`1,000-node cluster: median ${cluster.medianMs.toFixed(1)} ms (json ${kib(cluster.result.json)}, md ${kib(cluster.result.markdown)}, html ${kib(cluster.result.html)})`);

// 1,000 clusters: the samples re-targeted into many accounts and names.
const samples: Assessment[] = [];
for (const file of await listSampleSnapshots()) samples.push(assess(await loadSnapshot(file)));
const fleet = Array.from({ length: 1000 }, (_, i) => {
  const base = samples[i % samples.length]!;
  const target = { accountId: String(100000000000 + Math.floor(i / 20)), region: base.target.region, clusterName: `${base.target.clusterName}-${i}` };
  const assessment = { ...base, target };
  return { assessment, report: `${reportFolder(target)}/report.html` };
});
const fleetPage = time(() => renderFleetPages(summarizeFleet(fleet)));
console.log(`1,000-cluster fleet page: median ${fleetPage.medianMs.toFixed(1)} ms (md ${kib(fleetPage.result.markdown)}, html ${kib(fleetPage.result.html)})`);

const verdict = (ms: number, target: number) => (ms < target ? `under the ${target.toLocaleString('en')} ms target` : `**over the ${target.toLocaleString('en')} ms target**`);
recordSection(
  'Rendering (issue 3)',
  [
    `${machineLine()}`,
    `Median of ${RUNS} runs after one warm-up, in one process; only rendering is timed (the cluster is assessed and the fleet's assessments built first). The 1,000-node cluster is \`buildScaledCluster(1000)\` (~20 pods per node): its report lists nodes per subnet above 150 nodes, so the Markdown and HTML stay readable while report.json keeps every node. The fleet is the six samples re-targeted as 1,000 clusters in 50 accounts.`,
    '',
    '| rendering | median (ms) | best (ms) | output | target |',
    '|---|---:|---:|---|---|',
    `| one 1,000-node cluster: JSON + Markdown + HTML | ${cluster.medianMs.toFixed(1)} | ${cluster.minMs.toFixed(1)} | JSON ${kib(cluster.result.json)}, Markdown ${kib(cluster.result.markdown)}, HTML ${kib(cluster.result.html)} | ${verdict(cluster.medianMs, 200)} |`,
    `| fleet page for 1,000 clusters: summary + JSON + Markdown + HTML | ${fleetPage.medianMs.toFixed(1)} | ${fleetPage.minMs.toFixed(1)} | JSON ${kib(fleetPage.result.json)}, Markdown ${kib(fleetPage.result.markdown)}, HTML ${kib(fleetPage.result.html)} | ${verdict(fleetPage.medianMs, 1000)} |`,
  ].join('\n'),
);
