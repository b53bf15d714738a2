/**
 * Child process of the fleet simulation: one real audit (assess, render, gzip of the snapshot) of a
 * generated cluster of N nodes through the cluster pipeline, writes discarded (only their sizes kept,
 * for the pipeline's check that each file landed); prints the process's
 * peak memory and the audit's time as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { auditCluster } from '../../src/fleet/audit-cluster.js';
import type { ReportSink } from '../../src/publish/sink.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import { buildScaledCluster } from '../../test/support/samples/index.js';

const nodes = Number(process.argv[2]);
const snapshot = validateSnapshot(JSON.parse(JSON.stringify(buildScaledCluster(nodes))), `generated-${nodes}`);
const sizes = new Map<string, number>();
const discard: ReportSink = {
  locate: (key) => key,
  write: (key, body) => {
    sizes.set(key, typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength);
    return Promise.resolve();
  },
  create: () => Promise.resolve(true),
  size: (key) => Promise.resolve(sizes.get(key) ?? null),
  read: () => Promise.resolve(null),
  list: () => Promise.resolve([]),
  copy: async () => {},
  remove: async () => {},
  link: (key) => Promise.resolve(key),
};
const timed = async () => {
  const start = performance.now();
  const outcome = await auditCluster('simulation', snapshot.target, { sink: discard, collect: () => Promise.resolve(snapshot) });
  if (outcome.status !== 'audited') throw new Error(outcome.reason);
  return performance.now() - start;
};
// The first audit in a process pays for compiling the templates and warming the JIT (a cold Lambda); later ones do not.
const coldMs = await timed();
const warm: number[] = [];
for (let i = 0; i < 5; i++) warm.push(await timed());
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ nodes, coldMs, warmMs: warm[2], peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
