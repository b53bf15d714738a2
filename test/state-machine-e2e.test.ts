/**
 * The nightly state machine exercised, not only packaged (issue 13): `serverless package` builds the
 * CloudFormation, the state machine's DefinitionString is taken from it with its function ARNs and
 * bucket resolved to local ones, and the test executor (test/support/asl/executor.ts) runs it —
 * Enumerate → Distributed Map (ItemReader over the run's targets file, STANDARD child executions
 * with their Retry and Catch, ResultWriter) → Summarize — against the real handlers, with S3 served
 * by s3rver and EKS, EC2, STS mocked in AWS's own shapes. The fleet has a cluster whose
 * DescribeCluster is denied, and an account whose EKS throttles: one of its clusters is served once
 * the throttling passes (the state machine's retry), the other stays throttled and becomes its row.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FleetSummary, fleetSummarySchema } from '../src/fleet-summary/index.js';
import { S3Sink } from '../src/publish/sink.js';
import { runIdAt, type ClusterTarget } from '../src/target/index.js';
import { memberDocument, mockAwsFleet, type AwsFleetMock, type FleetMember } from './helpers/aws-fleet.js';
import type { AwsMockOptions } from './helpers/aws-mock.js';
import { startFakeKube, type FakeKube } from './helpers/kube-server.js';
import { stringMatching } from './helpers/matchers.js';
import type { ExecutionResult } from './support/asl/executor.js';
import { fleetMachine, lastTaskInput, loadFleetHandlers } from './support/fleet-machine.js';
import { startLocalS3, type LocalS3 } from './support/s3-server.js';
import { packageService } from './support/serverless.js';

const BUCKET = 'reports';
const PREFIX = 'calico-audit/';
const REGION = 'eu-west-2';
/** The configured concurrency: the Map's bound, handed to it by Enumerate. */
const CONCURRENCY = 2;

interface Member {
  accountId: string;
  clusterName: string;
  sample: string;
  /** How AWS answers for it. */
  aws: AwsMockOptions;
  audited: boolean;
}

const THROTTLED_ACCOUNT = '333344445555';
const MEMBERS: Member[] = [
  { accountId: '111122223333', clusterName: 'reference-crosssubnet', sample: 'reference-crosssubnet', aws: {}, audited: true },
  { accountId: '444455556666', clusterName: 'enterprise-vxlan', sample: 'enterprise-vxlan', aws: {}, audited: true },
  // DescribeCluster denied: the function returns `failed` with the reason, a refusal is not retried.
  { accountId: '222233334444', clusterName: 'payments', sample: 'reference-crosssubnet', aws: { denied: ['DescribeCluster'] }, audited: false },
  // The throttled account: its EKS answers the first two DescribeCluster calls with ThrottlingException, then serves it.
  { accountId: THROTTLED_ACCOUNT, clusterName: 'orders', sample: 'native-multisubnet-srcdst', aws: { throttledFirst: { DescribeCluster: 2 } }, audited: true },
  // … and throttles this one's DescribeCluster on every call: retried, then caught as the cluster's row.
  { accountId: THROTTLED_ACCOUNT, clusterName: 'ledger', sample: 'enterprise-vxlan', aws: { throttled: ['DescribeCluster'] }, audited: false },
];


const text = (body: Uint8Array | null) => Buffer.from(body ?? []).toString('utf8');
const name = (input: unknown) => (input as { target: ClusterTarget }).target.clusterName;

let s3: LocalS3;
let aws: AwsFleetMock;
const kubes: FakeKube[] = [];
let bucket: S3Sink;
let execution: ExecutionResult;
let runId: string;
let mostAuditsAtOnce = 0;

beforeAll(async () => {
  const template = await packageService();
  s3 = await startLocalS3([BUCKET]);
  bucket = new S3Sink(s3.client, BUCKET, PREFIX);
  const fleet: FleetMember[] = [];
  for (const member of MEMBERS) {
    const document = memberDocument(member);
    const kube = member.audited ? await startFakeKube({ snapshot: document }) : undefined;
    if (kube) kubes.push(kube);
    fleet.push({ accountId: member.accountId, region: REGION, snapshot: document, options: { ...(kube ? { endpoint: kube.url, caData: kube.caData } : {}), ...member.aws } });
  }
  aws = mockAwsFleet(fleet);

  const handlers = await loadFleetHandlers(s3.endpoint, {
    AWS_REGION: REGION,
    CALICO_AUDIT_ACCOUNTS: [...new Set(MEMBERS.map((m) => m.accountId))].join(','),
    CALICO_AUDIT_REGIONS: REGION,
    CALICO_AUDIT_EXTERNAL_ID: 'calico-audit-e2e-external-id',
    CALICO_AUDIT_BUCKET: BUCKET,
    CALICO_AUDIT_PREFIX: PREFIX,
    CALICO_AUDIT_CONCURRENCY: String(CONCURRENCY),
    CALICO_AUDIT_TOLERATED_FAILURE_PERCENTAGE: '0',
  });
  let running = 0;
  const machine = fleetMachine(template, {
    bucket: BUCKET,
    s3: s3.client,
    handlers,
    auditCluster: async (input, audit) => {
      running += 1;
      mostAuditsAtOnce = Math.max(mostAuditsAtOnce, running);
      try {
        return await audit(input);
      } finally {
        running -= 1;
      }
    },
  });
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  runId = runIdAt(startedAt);
  // As the schedule starts it: input `{}`.
  execution = await machine.start({}, 'nightly', startedAt);
  await s3.idle();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  aws?.restore();
  for (const kube of kubes) await kube.close();
  await s3?.close();
});

describe('the packaged state machine, run against the handlers', () => {
  it('succeeds, and latest/ names the run', async () => {
    expect(execution.status, `${execution.error}: ${execution.cause}`).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ runId, audited: 3, notAudited: 2, unlisted: 0, latest: { runId, switched: true } });
    const pointer = JSON.parse(text(await bucket.read('latest/index.json'))) as { runId: string; fleetPage: string };
    expect(pointer).toMatchObject({ runId, fleetPage: `runs/${runId}/fleet/index.html` });
  });

  it('lists every audited cluster on the fleet page with a link that opens its report', async () => {
    const page = `runs/${runId}/fleet/index.html`;
    const html = text(await bucket.read(page));
    // The page links each report from its row and from each of its findings.
    const links = [...new Set([...html.matchAll(/href="([^"]+\/report\.html)"/g)].map((m) => m[1]!))];
    expect(links.sort()).toEqual(MEMBERS.filter((m) => m.audited).map((m) => `../clusters/${m.accountId}/${REGION}/${m.clusterName}/report.html`).sort());
    for (const link of links) {
      const report = text(await bucket.read(path.posix.join(path.posix.dirname(page), link)));
      expect(report, link).toMatch(/^<!doctype html>/i);
      expect(report, link).toContain(link.split('/').at(-2)!);
    }
  });

  it('shows the denied cluster and the one still throttled as not audited, with the reason, and links neither', async () => {
    const summary: FleetSummary = fleetSummarySchema.parse(JSON.parse(text(await bucket.read(`runs/${runId}/fleet/index.json`))));
    expect(summary.totals).toMatchObject({ clusters: 5, audited: 3, notAudited: 2 });
    const rows = Object.fromEntries(summary.notAudited.map((row) => [row.clusterName, row]));
    expect(Object.keys(rows).sort()).toEqual(['ledger', 'payments']);
    expect(rows['payments']).toMatchObject({ accountId: '222233334444', scope: 'cluster', reason: stringMatching(/^AccessDeniedException: .*eks:DescribeCluster/) });
    expect(rows['ledger']).toMatchObject({ accountId: THROTTLED_ACCOUNT, scope: 'cluster', reason: stringMatching(/^TransientError: ThrottlingException: cannot describe EKS cluster ledger in eu-west-2: .*Rate exceeded/) });
    const markdown = text(await bucket.read(`runs/${runId}/fleet/index.md`));
    expect(markdown).toContain('## Clusters that could not be audited');
    expect(markdown).toMatch(/\| payments \| 222233334444 \| eu-west-2 \| AccessDeniedException: /);
    expect(markdown).toMatch(/\| ledger \| 333344445555 \| eu-west-2 \| TransientError: ThrottlingException: cannot describe EKS cluster ledger/);
    const html = text(await bucket.read(`runs/${runId}/fleet/index.html`));
    for (const unaudited of ['payments', 'ledger']) expect(html).not.toContain(`/${unaudited}/report.html`);
  });

  it('retries the throttled account\'s clusters: one is audited once its EKS serves it, the other is caught after the retries', () => {
    const attempts = (cluster: string) => execution.history.filter((h) => h.state === 'AuditCluster' && name(h.input) === cluster).map((h) => h.error ?? h.outcome);
    // Throttled twice (the handler raises TransientError, which the task's Retry takes), then served.
    expect(attempts('orders')).toEqual(['TransientError', 'TransientError', 'succeeded']);
    // The first try and three retries, all throttled: then the Catch, and the child execution ends with the row.
    expect(attempts('ledger')).toEqual(['TransientError', 'TransientError', 'TransientError', 'TransientError']);
    // A refusal is final: tried once.
    expect(attempts('payments')).toEqual(['succeeded']);
    const describes = (cluster: string) => aws.calls.filter((c) => c.command === 'DescribeCluster' && c.input['name'] === cluster);
    expect(describes('orders').map((c) => c.accountId)).toEqual([THROTTLED_ACCOUNT, THROTTLED_ACCOUNT, THROTTLED_ACCOUNT]);
  });

  it('audits at most the configured number of clusters at once', () => {
    expect(mostAuditsAtOnce).toBe(CONCURRENCY);
  });

  it('keeps the run\'s targets and the Map\'s results in the run\'s prefix, and hands Summarize only where they are', async () => {
    const keys = await bucket.list(`runs/${runId}/`);
    const targets = text(await bucket.read(`runs/${runId}/targets.jsonl`)).trim().split('\n').map((line) => JSON.parse(line) as ClusterTarget);
    expect(targets.map((t) => t.clusterName).sort()).toEqual(MEMBERS.map((m) => m.clusterName).sort());
    expect(keys).toContain(`runs/${runId}/enumeration-failures.jsonl`);

    const summarizeInput = lastTaskInput(execution, 'Summarize') as { runId: string; mapResults: { Bucket: string; Key: string } };
    expect(Object.keys(summarizeInput).sort()).toEqual(['mapResults', 'runId']);
    expect(summarizeInput.mapResults).toEqual({ Bucket: BUCKET, Key: stringMatching(new RegExp(`^${PREFIX}runs/${runId}/map/[\\w.-]+/manifest\\.json$`)) });
    const manifest = JSON.parse(text(await bucket.read(summarizeInput.mapResults.Key.slice(PREFIX.length)))) as { ResultFiles: Record<string, Array<{ Key: string }>> };
    // Every child execution succeeded — a cluster that could not be audited ends as its row, never as a failed child.
    expect(manifest.ResultFiles['FAILED']).toEqual([]);
    const [succeeded] = manifest.ResultFiles['SUCCEEDED']!;
    expect(succeeded!.Key.startsWith(summarizeInput.mapResults.Key.slice(0, -'manifest.json'.length))).toBe(true);
    const records = JSON.parse(text(await bucket.read(succeeded!.Key.slice(PREFIX.length)))) as Array<{ Input: string; Output: string; Status: string }>;
    expect(records.map((r) => name(JSON.parse(r.Input))).sort()).toEqual(MEMBERS.map((m) => m.clusterName).sort());
    const outputs = Object.fromEntries(records.map((r) => [name(JSON.parse(r.Input)), JSON.parse(r.Output) as Record<string, unknown>]));
    expect(outputs['ledger']).toMatchObject({ status: 'failed', error: 'TransientError' });
    expect(outputs['orders']).toEqual({ status: 'audited', target: { accountId: THROTTLED_ACCOUNT, region: REGION, clusterName: 'orders' } });
  });
});
