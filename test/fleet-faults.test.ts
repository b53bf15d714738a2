/**
 * A bad S3 night. Runs go to s3rver through a fault-injecting proxy that fails chosen requests
 * (500 InternalError, 503 SlowDown, 403 AccessDenied, a dropped connection, no answer). After each
 * scenario `latest/` names one complete run — an earlier one or the new one, never a mix: every
 * cluster its fleet page links has all four files, the page is that run's — and no report written
 * before is gone or changed. A cluster whose files did not all land is a row with the reason, an
 * unreadable report.json is a row with the reason, and a run id is e-mailed at most once.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientDefaults } from '../src/collect/aws/clients.js';
import { auditCluster, type ClusterOutcome } from '../src/fleet/audit-cluster.js';
import { runFleet } from '../src/fleet/run.js';
import { summarizeRun, type SummarizeDeps } from '../src/fleet/summarize.js';
import { fleetSummarySchema } from '../src/fleet-summary/index.js';
import type { EmailNotifier } from '../src/notify/email.js';
import type { Email } from '../src/render/email.js';
import { CLUSTER_FILES, LEDGER_KEY } from '../src/publish/layout.js';
import { S3Sink } from '../src/publish/sink.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { runIdAt, type ClusterTarget } from '../src/target/index.js';
import { arrayContaining, objectContaining, stringContaining, stringMatching } from './helpers/matchers.js';
import { sampleSnapshot } from './helpers/reports.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from './support/fault-proxy.js';
import { startLocalS3, type LocalS3 } from './support/s3-server.js';

const BUCKET = 'reports';
const PREFIX = 'audit/';
const SAMPLES = ['reference-crosssubnet', 'enterprise-vxlan', 'vpc-cni-policy-only'];

let s3: LocalS3;
let proxy: FaultProxy;
/** The code under test's view of the bucket: through the proxy. */
let sink: S3Sink;
/** The test's own view: straight to s3rver. */
let bucket: S3Sink;
const snapshots = new Map<string, Snapshot>(SAMPLES.map((name) => [name, sampleSnapshot(name)]));
const targets: ClusterTarget[] = [...snapshots.values()].map((s) => ({ ...s.target }));
const sent: Email[] = [];
const notifier: EmailNotifier = { send: (email) => Promise.resolve({ messageId: `message-${sent.push(email)}` }) };

const START = Date.UTC(2026, 10, 23, 2, 0, 0);
let night = 0;
/** Each night a later run id, as the schedule makes them. */
const nextRunId = () => runIdAt(new Date(START + ++night * 86_400_000));

const summarizeDeps = (): SummarizeDeps => ({ sink, notifier, fleetUrl: 'https://audit.example.com/latest/fleet/index.html', maskEmail: true, now: () => new Date(START + night * 86_400_000) });
const collect = (target: ClusterTarget) => Promise.resolve(snapshots.get(target.clusterName)!);
const decoder = new TextDecoder();
const read = async (key: string) => decoder.decode((await bucket.read(key)) ?? new Uint8Array());

async function contents(): Promise<Map<string, string>> {
  const keys = await bucket.list('');
  return new Map(await Promise.all(keys.map(async (key) => [key, await read(key)] as const)));
}

/** One night through the in-process runner (the state machine's three steps, in order). */
async function runNight(runId = nextRunId()) {
  try {
    const run = await runFleet(runId, { enumerate: () => Promise.resolve({ targets, failures: [] }), audit: { sink, collect }, summarize: summarizeDeps(), concurrency: 3 });
    return { runId, run, error: undefined };
  } catch (error) {
    return { runId, run: undefined, error: error as Error };
  }
}

/** A run is complete: its fleet page is there and is that run's, and every cluster it lists has all four files, its report.json describing it. */
async function runIsComplete(runId: string): Promise<void> {
  for (const file of ['index.json', 'index.md', 'index.html']) expect(await bucket.size(`runs/${runId}/fleet/${file}`), file).not.toBeNull();
  const summary = fleetSummarySchema.parse(JSON.parse(await read(`runs/${runId}/fleet/index.json`)));
  expect(summary.runId).toBe(runId);
  for (const row of summary.clusters) {
    const folder = `runs/${runId}/clusters/${row.accountId}/${row.region}/${row.clusterName}`;
    for (const file of Object.keys(CLUSTER_FILES)) expect(await bucket.size(`${folder}/${file}`), `${folder}/${file}`).not.toBeNull();
    expect((JSON.parse(await read(`${folder}/report.json`)) as { target: ClusterTarget }).target).toEqual({ accountId: row.accountId, region: row.region, clusterName: row.clusterName });
  }
}

/**
 * `latest/` names a complete run: the pointer's run is complete, and so is the run the page readers
 * open goes to (the same run, or — when the pointer write itself failed — the newer complete run the
 * page was written for just before). Returns the run the pointer names.
 */
async function latestIsComplete(): Promise<string> {
  const { runId } = JSON.parse(await read('latest/index.json')) as { runId: string };
  await runIsComplete(runId);
  const pageRun = /url=\.\.\/\.\.\/runs\/([^/]+)\/fleet\/index\.html/.exec(await read('latest/fleet/index.html'))?.[1];
  expect(pageRun).toBeDefined();
  if (pageRun !== runId) await runIsComplete(pageRun!);
  return runId;
}

/**
 * Every report written before is still there, byte for byte (only latest/'s pointer and page, and
 * the findings ledger each run continues, may change).
 */
async function noReportLost(before: Map<string, string>): Promise<void> {
  const now = await contents();
  for (const [key, body] of before) {
    if (key.startsWith('latest/') || key === LEDGER_KEY) continue;
    expect(now.get(key), key).toBe(body);
  }
}

const isPut = (r: ProxiedRequest, suffix: string) => r.method === 'PUT' && r.path.endsWith(suffix);
const clusterPath = (name: string) => `/${targets.find((t) => t.clusterName === name)!.accountId}/eu-west-2/${name}/`;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  proxy = await startFaultProxy(s3.endpoint);
  const client = new S3Client({
    endpoint: proxy.url,
    region: 'eu-west-2',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The handlers' own settings, with a short timeout so that a hung request fails fast here.
    ...awsClientDefaults({ connectionTimeout: 1_000, requestTimeout: 1_000 }),
    maxAttempts: 3,
  });
  sink = new S3Sink(client, BUCKET, PREFIX);
  bucket = new S3Sink(s3.client, BUCKET, PREFIX);
  // Distinct cluster names across the samples' one account.
  expect(new Set(targets.map((t) => t.clusterName)).size).toBe(SAMPLES.length);
});

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
});

describe('S3 faults during a run', () => {
  let first: string;

  it('a good night: every cluster audited, latest/ names the run, one e-mail', async () => {
    const { runId, run, error } = await runNight();
    expect(error).toBeUndefined();
    expect(run!.summary).toMatchObject({ audited: 3, notAudited: 0, emailed: true, latest: { runId, switched: true } });
    expect(await latestIsComplete()).toBe(runId);
    expect(sent).toHaveLength(1);
    first = runId;
  });

  it('every PUT of one cluster\'s report.html failing: that cluster is a row with the reason, the page links only what is there, its last report stays', async () => {
    const before = await contents();
    proxy.inject({ kind: 'InternalError', match: (r) => isPut(r, `${clusterPath('enterprise-vxlan')}report.html`) });
    const { runId, run, error } = await runNight();
    proxy.clear();
    expect(error).toBeUndefined();
    const outcome = run!.outcomes.find((o) => o.target.clusterName === 'enterprise-vxlan')!;
    expect(outcome).toMatchObject({ status: 'failed', transient: true, reason: stringMatching(/^reports not published: InternalError/) });
    expect(run!.summary).toMatchObject({ audited: 2, notAudited: 1 });
    expect(await latestIsComplete()).toBe(runId);
    const summary = fleetSummarySchema.parse(JSON.parse(await read(`runs/${runId}/fleet/index.json`)));
    expect(summary.clusters.map((c) => c.clusterName)).not.toContain('enterprise-vxlan');
    expect(summary.notAudited).toEqual([objectContaining({ clusterName: 'enterprise-vxlan', reason: stringMatching(/^reports not published: InternalError/) })]);
    // The SDK tried it more than once before giving up.
    expect(proxy.requests.filter((r) => r.fault === 'InternalError').length).toBe(3);
    await noReportLost(before);
    expect(await bucket.size(`runs/${first}/clusters/${targets[1]!.accountId}/eu-west-2/enterprise-vxlan/report.html`)).not.toBeNull();
  });

  it('a cluster written in part (its report.json refused): not audited, nothing of it linked, nothing deleted', async () => {
    const before = await contents();
    proxy.inject({ kind: 'AccessDenied', match: (r) => isPut(r, `${clusterPath('vpc-cni-policy-only')}report.json`) });
    const { runId, run, error } = await runNight();
    proxy.clear();
    expect(error).toBeUndefined();
    expect(run!.outcomes.find((o) => o.target.clusterName === 'vpc-cni-policy-only')).toMatchObject({ status: 'failed', reason: 'reports not published: AccessDenied: Access Denied' });
    const folder = `runs/${runId}/clusters/${targets[2]!.accountId}/eu-west-2/vpc-cni-policy-only`;
    expect(await bucket.size(`${folder}/report.html`)).not.toBeNull();
    expect(await bucket.size(`${folder}/report.json`)).toBeNull();
    expect(await latestIsComplete()).toBe(runId);
    expect(run!.summary).toMatchObject({ audited: 2, notAudited: 1 });
    await noReportLost(before);
  });

  it.each([
    ['the pointer latest/index.json', (r: ProxiedRequest) => isPut(r, '/latest/index.json')],
    ['the page latest/fleet/index.html', (r: ProxiedRequest) => isPut(r, '/latest/fleet/index.html')],
    ['the run\'s own fleet index.json', (r: ProxiedRequest) => r.method === 'PUT' && /\/runs\/[^/]+\/fleet\/index\.json$/.test(r.path)],
  ])('S3 failing while latest/ switches (%s): latest/ keeps naming the previous complete run; summarised again, it switches', async (_what, match) => {
    const before = await contents();
    const previous = await latestIsComplete();
    const mails = sent.length;
    proxy.inject({ kind: 'InternalError', match });
    const { runId, error } = await runNight();
    proxy.clear();
    expect(error).toBeDefined();
    expect(await latestIsComplete()).toBe(previous);
    expect(sent).toHaveLength(mails);
    await noReportLost(before);

    // The state machine retries Summarize with the same input: now it switches, and mails once.
    const outcomes: ClusterOutcome[] = targets.map((target) => ({ status: 'audited', runId, target }) as unknown as ClusterOutcome);
    const summary = await summarizeRun(runId, outcomes, [], summarizeDeps());
    expect(summary).toMatchObject({ audited: 3, latest: { runId, switched: true }, emailed: true });
    expect(await latestIsComplete()).toBe(runId);
    expect(sent).toHaveLength(mails + 1);
  });

  it('an unreadable report.json (garbage, or a read S3 keeps failing): a row saying why, and the run completes', async () => {
    const runId = nextRunId();
    const outcomes = await Promise.all(targets.map((target) => auditCluster(runId, target, { sink, collect })));
    expect(outcomes.every((o) => o.status === 'audited')).toBe(true);
    const [a, b] = targets as [ClusterTarget, ClusterTarget];
    await bucket.write(`runs/${runId}/clusters/${a.accountId}/${a.region}/${a.clusterName}/report.json`, '{"schemaVersion": 1, "target": {"trunc');
    proxy.inject({ kind: 'InternalError', match: (r) => r.method === 'GET' && r.path.endsWith(`${clusterPath(b.clusterName)}report.json`) });
    const summary = await summarizeRun(runId, outcomes, [], summarizeDeps());
    proxy.clear();
    expect(summary).toMatchObject({ audited: 1, notAudited: 2, latest: { runId, switched: true }, emailed: true });
    const page = fleetSummarySchema.parse(JSON.parse(await read(`runs/${runId}/fleet/index.json`)));
    expect(page.notAudited).toEqual(
      arrayContaining([
        objectContaining({ clusterName: a.clusterName, reason: stringMatching(/^report\.json unreadable: .*JSON/) }),
        objectContaining({ clusterName: b.clusterName, reason: stringMatching(/^report\.json unreadable: InternalError/) }),
      ]),
    );
    expect(await latestIsComplete()).toBe(runId);

    // Summarize run again for the same run id: the same page, and no second e-mail.
    const mails = sent.length;
    const again = await summarizeRun(runId, outcomes, [], summarizeDeps());
    expect(again).toMatchObject({ emailed: false, emailSkipped: stringContaining('already sent') });
    expect(sent).toHaveLength(mails);
  });

  it.each([
    ['a 503 SlowDown', 'SlowDown'],
    ['a dropped connection', 'reset'],
    ['a request that never gets an answer', 'hang'],
  ] as const)('%s on the first try of each report write: retried, every cluster audited', async (_what, kind) => {
    const before = await contents();
    proxy.inject({ kind, times: 3, match: (r) => isPut(r, '/report.md') });
    const { runId, run, error } = await runNight();
    proxy.clear();
    expect(error).toBeUndefined();
    expect(run!.summary).toMatchObject({ audited: 3, notAudited: 0 });
    expect(proxy.requests.filter((r) => r.fault === kind)).toHaveLength(3);
    expect(await latestIsComplete()).toBe(runId);
    await noReportLost(before);
  });
});
