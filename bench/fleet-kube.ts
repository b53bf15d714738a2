/**
 * The fleet benchmark's clusters, and their Kubernetes API servers in a process of their own: the
 * auditor does not serve the clusters it reads, so the servers' TLS and JSON work stays off the
 * measured process (as a real fleet's API servers are elsewhere). Run as a child by `startKubeFleet`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSnapshot, scaledClusterPlan } from '../test/support/samples/index.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { jsonCopy } from '../test/helpers/fixtures.js';
import { startFakeKube, type FakeKube } from '../test/helpers/kube-server.js';

/** Node counts from 3 to 40, spread over the fleet (deterministic). */
const nodesOf = (i: number) => 3 + ((i * 17) % 38);
const accountOf = (i: number, accounts: number) => String(200000000000 + (i % accounts) * 1001);

/** `count` generated clusters (reference architecture, 3–40 nodes) spread over `accounts` member accounts. */
export function fleetDocuments(count: number, accounts: number): Snapshot[] {
  return Array.from({ length: count }, (_, i) => {
    const nodes = nodesOf(i);
    const plan = { ...scaledClusterPlan(nodes, { name: `cluster-${String(i).padStart(3, '0')}-${nodes}n` }), accountId: accountOf(i, accounts) };
    return jsonCopy(buildSnapshot(plan));
  });
}

export interface KubeFleet {
  servers: Array<{ url: string; caData: string }>;
  /** Requests each server has answered since the last call. */
  requests(): Promise<number[]>;
  close(): Promise<void>;
}

type FromChild = { type: 'ready'; servers: KubeFleet['servers'] } | { type: 'requests'; counts: number[] };

/** Starts one server per cluster of `fleetDocuments(count, accounts)` in a child process, each answering after `delayMs`. */
export async function startKubeFleet(count: number, accounts: number, delayMs: number): Promise<KubeFleet> {
  const child = fork(fileURLToPath(import.meta.url), [String(count), String(accounts), String(delayMs)], { execArgv: ['--import', 'tsx'] });
  const next = <T extends FromChild['type']>(type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the Kubernetes servers' process exited (${code})`));
      const onMessage = (message: FromChild) => {
        if (message.type !== type) return;
        child.off('message', onMessage).off('exit', onExit);
        resolve(message as Extract<FromChild, { type: T }>);
      };
      child.on('message', onMessage).once('exit', onExit);
    });
  const { servers } = await next('ready');
  return {
    servers,
    requests: async () => {
      const reply = next('requests');
      child.send('requests');
      return (await reply).counts;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('exit');
      }),
  };
}

// The child: serve every cluster until told to exit.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count, accounts, delayMs] = process.argv.slice(2).map(Number) as [number, number, number];
  const kubes: FakeKube[] = [];
  for (const snapshot of fleetDocuments(count, accounts)) kubes.push(await startFakeKube({ snapshot, delayMs }));
  const onMessage = async (message: unknown) => {
    if (message === 'requests') {
      process.send!({ type: 'requests', counts: kubes.map((k) => k.requests.splice(0).length) });
    } else if (message === 'exit') {
      for (const kube of kubes) await kube.close();
      process.exit(0);
    }
  };
  // Node does not wait for a listener's promise; nothing here awaits it either.
  process.on('message', (message) => void onMessage(message));
  // Never outlive the benchmark, even when it dies without saying goodbye.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', servers: kubes.map((k) => ({ url: k.url, caData: k.caData })) });
}
