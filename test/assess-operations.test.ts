/**
 * No work grows faster than its input (issue 13), guarded by counting, not timing: every property
 * read of a pod — the snapshot's pods while normalising, the model's pods while facts and rules
 * run (the reachability model included) — goes through a counting proxy. All pods sit in one
 * namespace, the shape that once made per-namespace lists quadratic (`[...list, pod]`). Doubling
 * the pods must roughly double the reads; quadratic work would quadruple them.
 */
import { describe, expect, it } from 'vitest';
import { runRule } from '../src/assess/assess.js';
import { deriveFacts } from '../src/assess/facts.js';
import { normalize } from '../src/assess/normalize/index.js';
import { RULES } from '../src/assess/rules/index.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { buildScaledCluster } from './support/samples/index.js';

/** Wraps an object (and the objects inside it) so that every property read adds one to `counter.reads`. */
function counting<T extends object>(target: T, counter: { reads: number }, seen = new WeakMap<object, object>()): T {
  const existing = seen.get(target);
  if (existing) return existing as T;
  const proxy = new Proxy(target, {
    get(object, key, receiver) {
      counter.reads += 1;
      const value: unknown = Reflect.get(object, key, receiver);
      return typeof value === 'object' && value !== null ? counting(value, counter, seen) : value;
    },
  });
  seen.set(target, proxy);
  return proxy;
}

/** Pod reads for one audit of a cluster whose application pods all run in one namespace. */
function podReads(nodes: number): { pods: number; reads: number } {
  const snapshot = validateSnapshot(JSON.parse(JSON.stringify(buildScaledCluster(nodes, { namespaces: 1 }))), `one-namespace-${nodes}`);
  const counter = { reads: 0 };
  snapshot.kubernetes.pods = snapshot.kubernetes.pods!.map((pod) => counting(pod, counter));
  const model = normalize(snapshot);
  model.pods = model.pods!.map((pod) => counting(pod, counter));
  const facts = deriveFacts(model);
  for (const rule of RULES) runRule(rule, model, facts);
  return { pods: snapshot.kubernetes.pods.length, reads: counter.reads };
}

describe('work grows with the input, not faster', () => {
  it('doubling the pods in one namespace about doubles the pod reads of normalising, facts and every rule', () => {
    const small = podReads(100);
    const large = podReads(200);
    expect(large.pods / small.pods).toBeCloseTo(2, 1);
    // Every pod is read: the count is not trivially flat.
    expect(small.reads).toBeGreaterThan(small.pods * 5);
    // Linear work doubles; a loop over pods inside a loop over pods would quadruple it.
    expect(large.reads / small.reads).toBeLessThan(2.4);
  });
});
