/**
 * A whole fleet run end to end (issue 5), in-process and over real protocols: the packaged state
 * machine (Enumerate → Distributed Map of AuditCluster with its Retry and Catch → Summarize) runs
 * through the test executor against the three Lambda handlers, which are configured only through
 * environment variables and build their own clients:
 * - S3: s3rver on 127.0.0.1 (AWS_ENDPOINT_URL_S3), which logs every request it gets;
 * - SES v2: aws-ses-v2-local on 127.0.0.1 (AWS_ENDPOINT_URL_SESV2), read back from its store;
 * - Kubernetes: one local HTTPS API server per cluster (self-signed CA, EKS token checked), reached
 *   through DescribeCluster's endpoint and CA as in production;
 * - STS, Organizations, EKS and EC2: mocked at the client-class level in AWS's own shapes, every
 *   member call answered only for the credentials of that member's assumed role.
 * The clock is frozen (Date only) so a re-run of a run id can be compared byte for byte.
 */
import { gunzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { S3Sink } from '../src/publish/sink.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import type { ClusterTarget } from '../src/target/index.js';
import { memberDocument, mockAwsFleet, type AwsFleetMock, type FleetMember } from './helpers/aws-fleet.js';
import { jsonCopy } from './helpers/fixtures.js';
import { startFakeKube, type FakeKube } from './helpers/kube-server.js';
import { HUB_ACCOUNT_ID, lambdaContext } from './helpers/lambda.js';
import { stringContaining, stringMatching } from './helpers/matchers.js';
import { startLocalS3, type LocalS3, type S3Request } from './support/s3-server.js';
import { type FleetSummary, fleetSummarySchema } from '../src/fleet-summary/index.js';
import { readEnumerationFailures, readTargets } from '../src/fleet/run-files.js';
import { runIdAt } from '../src/target/index.js';
import { StatesError, type StateMachineExecutor } from './support/asl/executor.js';
import { fleetMachine, lastTaskInput, loadFleetHandlers, type FleetHandlers } from './support/fleet-machine.js';
import { packageService } from './support/serverless.js';

/** An event or an answer as Step Functions passes it between the functions: JSON. */
type Json = Record<string, unknown>;
/** What Enumerate wrote to the run's files. */
interface Enumeration {
  targets: ClusterTarget[];
  failures: unknown[];
}
/** What the Map hands Summarize per cluster: AuditCluster's answer, or the Catch state's record. */
type MapResult = Json & { status: string; target: ClusterTarget };

const BUCKET = 'reports';
const PREFIX = 'calico-audit/';
const REGION = 'eu-west-2';
const REGIONS = ['eu-west-2', 'us-east-1'];
const EXTERNAL_ID = 'calico-audit-e2e-external-id';
const RECIPIENT = 'security@example.com';
const SENDER = 'calico-audit@example.com';
const REPORTS_URL = 'https://audit.example.com';

type Fate = 'audited' | 'denied' | 'crashes' | 'times out';
interface Member {
  accountId: string;
  clusterName: string;
  sample: string;
  /** audited; DescribeCluster denied (the function returns `failed`); the function throws (S3 refuses its reports); the task times out. */
  fate: Fate;
}

const MEMBERS: Member[] = [
  { accountId: '111122223333', clusterName: 'reference-crosssubnet', sample: 'reference-crosssubnet', fate: 'audited' },
  { accountId: '444455556666', clusterName: 'enterprise-vxlan', sample: 'enterprise-vxlan', fate: 'audited' },
  { accountId: '777788889999', clusterName: 'native-multisubnet-srcdst', sample: 'native-multisubnet-srcdst', fate: 'audited' },
  { accountId: '222233334444', clusterName: 'payments', sample: 'reference-crosssubnet', fate: 'denied' },
  { accountId: '555566667777', clusterName: 'analytics', sample: 'enterprise-vxlan', fate: 'times out' },
  { accountId: '555566667777', clusterName: 'batch', sample: 'reference-crosssubnet', fate: 'crashes' },
];
const AUDITED = MEMBERS.filter((m) => m.fate === 'audited');
/** A member account whose read-only role cannot be assumed, and one Organizations reports SUSPENDED. */
const UNASSUMABLE = '888899990000';
const SUSPENDED = '999900001111';
const ACCOUNT_IDS = [...new Set(MEMBERS.map((m) => m.accountId)), UNASSUMABLE, SUSPENDED, HUB_ACCOUNT_ID];

const CLUSTER_FILES = ['report.json', 'report.md', 'report.html', 'snapshot.json.gz'];
const FLEET_FILES = ['index.json', 'index.md', 'index.html'];
/** What a reader's browser and tools need, spelled out rather than read from the code under test. */
const CONTENT_TYPES: Record<string, string> = {
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'report.json': 'application/json',
  'snapshot.json.gz': 'application/gzip',
  'index.md': 'text/markdown; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
  'index.json': 'application/json',
  'ledger.json': 'application/json',
  'findings.json': 'application/json',
  'email.json': 'application/json',
  'targets.jsonl': 'application/jsonl',
  'enumeration-failures.jsonl': 'application/jsonl',
};

/** The run `latest/index.json` names, in a listing of the bucket. */
const latestRun = (all: Map<string, Buffer>): string => (JSON.parse(all.get('latest/index.json')!.toString('utf8')) as { runId: string }).runId;


const folder = (m: Pick<Member, 'accountId' | 'clusterName'>) => `clusters/${m.accountId}/${REGION}/${m.clusterName}`;
const verdict = (a: Assessment) => a.checks.map((c) => `${c.id} ${c.status} ${c.severity}`);
/** Through JSON, as Step Functions hands state over. */
const json = jsonCopy;
const text = (body: Uint8Array | null) => Buffer.from(body ?? []).toString('utf8');

interface SentEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

let s3: LocalS3;
let ses: Server;
let sesUrl: string;
let aws: AwsFleetMock;
const kubes: FakeKube[] = [];
/** Reads the bucket as the test's own client, under the configured prefix. */
let bucket: S3Sink;
let handlers: FleetHandlers;
let machine: StateMachineExecutor;

/** The bucket's objects under the prefix: key → body. */
async function objects(): Promise<Map<string, Buffer>> {
  const keys = await bucket.list('');
  return new Map(await Promise.all(keys.map(async (key) => [key, Buffer.from((await bucket.read(key))!)] as const)));
}

async function emails(): Promise<SentEmail[]> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: SentEmail[] };
  return store.emails;
}

interface Execution {
  runId: string;
  enumeration: Enumeration;
  /** The Map's results as its ResultWriter left them: each child execution's output. */
  results: MapResult[];
  /** The folder of the Map's results in the run (`map/<map run id>/`). */
  mapFolder: string;
  summary: Json;
  /** What Summarize was given: where the Map's results are. */
  summarizeInput: unknown;
  /** The S3 requests of this execution. */
  requests: S3Request[];
  /** How the execution failed, if it did. */
  failure?: { error: string; cause: string };
}

/** The Map's child execution outputs, from the manifest its ResultWriter wrote (`manifestKey`, a full key): one per cluster. */
async function mapResults(runId: string, manifestKey: string): Promise<{ results: MapResult[]; mapFolder: string }> {
  const manifestInRun = manifestKey.slice(PREFIX.length);
  expect(manifestInRun).toMatch(new RegExp(`^runs/${runId}/map/[\\w.-]+/manifest\\.json$`));
  const manifest = JSON.parse(text(await bucket.read(manifestInRun))) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }> } };
  const results: MapResult[] = [];
  for (const file of manifest.ResultFiles.SUCCEEDED) {
    const records = JSON.parse(text(await bucket.read(file.Key.slice(PREFIX.length)))) as Array<{ Output: string }>;
    results.push(...records.map((r) => JSON.parse(r.Output) as MapResult));
  }
  return { results, mapFolder: manifestInRun.slice(`runs/${runId}/`.length, -'manifest.json'.length) };
}

/**
 * One execution of the packaged state machine, started by the schedule (input `{}`) at `startedAt`.
 * The task of the cluster whose fate is to time out ends as Step Functions ends a task past its
 * TimeoutSeconds: with States.Timeout, retried, then caught.
 */
async function execute(startedAt: Date): Promise<Execution> {
  const firstRequest = s3.requests.length;
  const execution = await machine.start({}, `nightly-${startedAt.getTime()}`, startedAt);
  // A failed Summarize leaves its other requests in flight: let them land before anyone looks.
  await s3.idle();
  const runId = runIdAt(startedAt);
  const targets: ClusterTarget[] = [];
  for await (const target of readTargets(bucket, runId)) targets.push(target);
  const summarizeInput = lastTaskInput(execution, 'Summarize') as { mapResults: { Bucket: string; Key: string } };
  expect(summarizeInput.mapResults.Bucket).toBe(BUCKET);
  const { results, mapFolder } = await mapResults(runId, summarizeInput.mapResults.Key);
  return {
    runId,
    enumeration: { targets, failures: await readEnumerationFailures(bucket, runId) },
    results,
    mapFolder,
    summary: execution.status === 'SUCCEEDED' ? (execution.output as Json) : {},
    summarizeInput,
    requests: s3.requests.slice(firstRequest),
    ...(execution.status === 'FAILED' ? { failure: { error: execution.error!, cause: execution.cause! } } : {}),
  };
}

/** The frozen clock: whole seconds past the real time (signatures must stay within s3rver's 15 minutes). */
const START = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

/** The cluster whose reports S3 refuses: it is not audited, with the reason. */
const batchReports = (r: S3Request) => r.method === 'PUT' && r.path.includes(`/${folder({ accountId: '555566667777', clusterName: 'batch' })}/`);

let night1: Execution;
let night1Objects: Map<string, Buffer>;
let night1Emails: SentEmail[];

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  bucket = new S3Sink(s3.client, BUCKET, PREFIX);
  const startSes = (await import('aws-ses-v2-local')).default;
  ses = await startSes({ host: '127.0.0.1', port: 0 });
  sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

  const fleet: FleetMember[] = [];
  for (const member of MEMBERS) {
    const document = memberDocument(member);
    const needsKube = member.fate === 'audited' || member.fate === 'crashes';
    const kube = needsKube ? await startFakeKube({ snapshot: document }) : undefined;
    if (kube) kubes.push(kube);
    fleet.push({
      accountId: member.accountId,
      region: REGION,
      snapshot: document,
      options: { ...(kube ? { endpoint: kube.url, caData: kube.caData } : {}), ...(member.fate === 'denied' ? { denied: ['DescribeCluster' as const] } : {}) },
    });
  }
  aws = mockAwsFleet(fleet, {
    accounts: [...new Set(MEMBERS.map((m) => m.accountId)), UNASSUMABLE, SUSPENDED].map((Id) => ({ Id, State: Id === SUSPENDED ? 'SUSPENDED' : 'ACTIVE' })),
    unassumable: [UNASSUMABLE],
  });
  s3.refuse(batchReports);

  // The functions' configuration, as serverless.yml sets it, and the SDK's standard endpoint settings.
  handlers = await loadFleetHandlers(s3.endpoint, {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SESV2: sesUrl,
    CALICO_AUDIT_ACCOUNTS: 'organization',
    CALICO_AUDIT_ORGANIZATION_ID: 'o-a1b2c3d4e5',
    CALICO_AUDIT_REGIONS: REGIONS.join(','),
    CALICO_AUDIT_EXTERNAL_ID: EXTERNAL_ID,
    CALICO_AUDIT_BUCKET: BUCKET,
    CALICO_AUDIT_PREFIX: PREFIX,
    CALICO_AUDIT_RECIPIENTS: RECIPIENT,
    CALICO_AUDIT_SENDER: SENDER,
    CALICO_AUDIT_REPORTS_URL: REPORTS_URL,
  });
  machine = fleetMachine(await packageService(), {
    bucket: BUCKET,
    s3: s3.client,
    handlers,
    auditCluster: (input, audit) => {
      const { target } = input as { target: ClusterTarget };
      const member = MEMBERS.find((m) => m.accountId === target.accountId && m.clusterName === target.clusterName);
      if (member?.fate === 'times out') return Promise.reject(new StatesError('States.Timeout', JSON.stringify({ errorMessage: 'Task timed out after 900.00 seconds' })));
      return audit(input);
    },
  });

  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at(0));
  night1 = await execute(at(0));
  night1Objects = await objects();
  night1Emails = await emails();
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  aws?.restore();
  for (const kube of kubes) await kube.close();
  ses?.closeAllConnections();
  await new Promise((resolve) => (ses ? ses.close(resolve) : resolve(undefined)));
  await s3?.close();
});

describe('a nightly run through the three functions', () => {
  it('enumerates every cluster of the ACTIVE accounts and records the account whose role cannot be assumed', () => {
    expect(night1.runId).toBe(START.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-'));
    // Accounts in Organizations' order, each account's clusters by name, taken one account at a time
    // so that the clusters audited at once read different accounts' APIs.
    const accounts = [...new Set(MEMBERS.map((m) => m.accountId))];
    const byAccount = accounts.map((id) => MEMBERS.filter((m) => m.accountId === id).sort((a, b) => a.clusterName.localeCompare(b.clusterName)));
    const rounds = Math.max(...byAccount.map((list) => list.length));
    const interleaved = Array.from({ length: rounds }, (_, round) => byAccount.flatMap((list) => (list[round] ? [list[round]] : [])));
    expect(night1.enumeration.targets).toEqual(interleaved.flat().map((m) => ({ accountId: m.accountId, region: REGION, clusterName: m.clusterName })));
    expect(night1.enumeration.failures).toEqual(
      REGIONS.map((region) => ({ accountId: UNASSUMABLE, region, code: 'AccessDenied', message: stringContaining('sts:AssumeRole') })),
    );
    const assumed = aws.calls.filter((c) => c.service === 'sts');
    expect(new Set(assumed.map((c) => c.input['RoleArn']))).not.toContain(`arn:aws:iam::${SUSPENDED}:role/CalicoAuditReadOnly`);
    for (const call of assumed) {
      expect(call.input).toMatchObject({ RoleArn: stringMatching(/^arn:aws:iam::\d{12}:role\/CalicoAuditReadOnly$/), ExternalId: EXTERNAL_ID, RoleSessionName: 'calico-eks-auditor', DurationSeconds: 900 });
    }
  });

  it('reads each member only through its own role: every EKS and EC2 call carries that account\'s credentials', () => {
    const memberCalls = aws.calls.filter((c) => c.service === 'eks' || c.service === 'ec2');
    expect(memberCalls.length).toBeGreaterThan(AUDITED.length * 10);
    for (const call of memberCalls) {
      expect(call.accountId, `${call.command} ${JSON.stringify(call.input)}`).not.toBeNull();
      expect(call.region).toMatch(/^(eu-west-2|us-east-1)$/);
    }
    for (const member of AUDITED) {
      const own = memberCalls.filter((c) => c.command === 'DescribeCluster' && c.input['name'] === member.clusterName);
      expect(own.map((c) => c.accountId)).toEqual([member.accountId]);
    }
    for (const kube of kubes) expect(kube.requests.length).toBeGreaterThan(10);
  });

  it('returns each cluster\'s outcome to the Map: audited, failed with the reason, or the Catch state\'s record', () => {
    const byName = new Map(night1.results.map((r) => [r.target.clusterName, r] as const));
    // Inside a run the function returns only what Summarize needs (the Map's state stays small).
    for (const member of AUDITED) {
      expect(byName.get(member.clusterName)).toEqual({ status: 'audited', target: { accountId: member.accountId, region: REGION, clusterName: member.clusterName } });
    }
    expect(byName.get('payments')).toMatchObject({ status: 'failed', reason: stringMatching(/AccessDeniedException.*eks:DescribeCluster/) });
    // S3 refused its reports: not audited, said as data (a refusal is not worth a retry).
    expect(byName.get('batch')).toMatchObject({ status: 'failed', reason: 'reports not published: AccessDenied: Access Denied' });
    expect(byName.get('analytics')).toMatchObject({ status: 'failed', error: 'States.Timeout' });
    expect(night1.summary).toMatchObject({ runId: night1.runId, audited: 3, notAudited: 3, unlisted: REGIONS.length, emailed: true });
  });

  it('leaves every expected key in the bucket, and nothing else', () => {
    const run = `runs/${night1.runId}/`;
    const clusterKeys = AUDITED.flatMap((m) => CLUSTER_FILES.map((file) => `${folder(m)}/${file}`));
    const fleetKeys = [...FLEET_FILES, 'email.json', 'ledger.json'].map((file) => `fleet/${file}`);
    // The run's inputs, and the Map's results as its ResultWriter wrote them (every child execution succeeded: no FAILED file).
    const runFiles = ['targets.jsonl', 'enumeration-failures.jsonl', `${night1.mapFolder}manifest.json`, `${night1.mapFolder}SUCCEEDED_0.json`];
    expect(night1.mapFolder).toMatch(/^map\/[\w.-]+\/$/);
    // The findings ledger the next run continues; latest/ is the pointer and the page that forwards to the run.
    const expected = [...[...clusterKeys, ...fleetKeys, ...runFiles].map((key) => run + key), 'latest/fleet/index.html', 'latest/index.json', 'ledger/findings.json'].sort();
    expect([...night1Objects.keys()]).toEqual(expected);
    // latest/ names this run, and its page sends readers to this run's fleet page.
    expect(latestRun(night1Objects)).toBe(night1.runId);
    expect(text(night1Objects.get('latest/fleet/index.html')!)).toContain(`url=../../runs/${night1.runId}/fleet/index.html`);
  });

  it('stores every object the functions write with its content type, and asks for server-side encryption on every write and copy', async () => {
    // The Map's results are Step Functions' own objects (encrypted by the bucket's default).
    const stepFunctions = (path: string) => path.includes(`runs/${night1.runId}/map/`);
    for (const key of [...night1Objects.keys()].filter((k) => !stepFunctions(k))) {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: PREFIX + key }));
      expect(head.ContentType, key).toBe(CONTENT_TYPES[key.slice(key.lastIndexOf('/') + 1)]);
    }
    // s3rver keeps no encryption setting: check what the functions asked for, request by request.
    const writes = night1.requests.filter((r) => r.method === 'PUT' && !stepFunctions(r.path));
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) {
      expect(write.headers.serverSideEncryption, write.path).toBe('AES256');
      expect(write.headers.contentType, write.path).toBe(CONTENT_TYPES[write.path.slice(write.path.lastIndexOf('/') + 1)]);
      if (write.headers.copySource) expect(write.headers.metadataDirective).toBe('REPLACE');
    }
  });

  it('publishes for each audited cluster the snapshot it read and the reports of its assessment', () => {
    for (const member of AUDITED) {
      const base = `runs/${night1.runId}/${folder(member)}/`;
      const snapshot = validateSnapshot(JSON.parse(gunzipSync(night1Objects.get(`${base}snapshot.json.gz`)!).toString('utf8')), member.clusterName);
      expect(snapshot.errors).toEqual([]);
      expect(snapshot.target).toEqual({ accountId: member.accountId, region: REGION, clusterName: member.clusterName });
      const report = JSON.parse(text(night1Objects.get(`${base}report.json`)!)) as Assessment;
      expect(report.target).toEqual(snapshot.target);
      // Collected over the wire, judged exactly as the sample it was served from.
      // Judged at the same moment: the sample's own collectedAt is older, and date-bound rules (EKS-04) move with the clock.
      const served = { ...memberDocument(member), collectedAt: snapshot.collectedAt };
      expect(verdict(report)).toEqual(verdict(assess(validateSnapshot(served, member.sample))));
      expect(text(night1Objects.get(`${base}report.md`)!)).toContain(member.clusterName);
      expect(text(night1Objects.get(`${base}report.html`)!)).toMatch(/^<!doctype html>/i);
    }
  });

  it('lists every cluster on the fleet page: the audited ones linked, the others with the reason', () => {
    const page = (file: string) => night1Objects.get(`runs/${latestRun(night1Objects)}/fleet/${file}`)!;
    const summary: FleetSummary = fleetSummarySchema.parse(JSON.parse(text(page('index.json'))));
    expect(summary.generatedAt).toBe(START.toISOString());
    expect(summary.clusters.map((c) => `${c.accountId}/${c.clusterName}`).sort()).toEqual(AUDITED.map((m) => `${m.accountId}/${m.clusterName}`).sort());
    expect(summary.clusters[0]!.clusterName).toBe('native-multisubnet-srcdst');
    // First night: nothing was known of them before, so the ledger keeps no finding open for them.
    const never = { openFindings: 0, lastAudited: null, notAuditedSince: START.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    expect(summary.notAudited).toEqual([
      { accountId: '222233334444', region: REGION, clusterName: 'payments', scope: 'cluster', reason: stringMatching(/^AccessDeniedException: cannot describe EKS cluster payments in eu-west-2: .*eks:DescribeCluster/), ...never },
      { accountId: '555566667777', region: REGION, clusterName: 'analytics', scope: 'cluster', reason: 'States.Timeout: Task timed out after 900.00 seconds', ...never },
      { accountId: '555566667777', region: REGION, clusterName: 'batch', scope: 'cluster', reason: 'reports not published: AccessDenied: Access Denied', ...never },
      ...REGIONS.map((region) => ({ accountId: UNASSUMABLE, region, clusterName: '(clusters not listed)', scope: 'account', reason: stringMatching(/^AccessDenied: .*sts:AssumeRole/), openFindings: 0 })),
    ]);
    // An account whose clusters could not be listed is not a cluster: it is counted apart.
    expect(summary.totals).toMatchObject({ clusters: 6, audited: 3, notAudited: 3, unlisted: REGIONS.length });

    const markdown = text(page('index.md'));
    const html = text(page('index.html'));
    for (const member of AUDITED) {
      expect(markdown).toContain(`[${member.clusterName}](../${folder(member)}/report.md)`);
      expect(html).toContain(`<a href="../${folder(member)}/report.html">${member.clusterName}</a>`);
    }
    expect(markdown).toContain('## Clusters that could not be audited');
    expect(markdown).toContain('| analytics | 555566667777 | eu-west-2 | States.Timeout: Task timed out after 900.00 seconds | 0 | never |');
    expect(markdown).toContain('| batch | 555566667777 | eu-west-2 | reports not published: AccessDenied: Access Denied | 0 | never |');
    for (const name of ['payments', 'analytics', 'batch']) expect(html).toContain(name);
  });

  it('sends exactly one e-mail, masked, whose subject counts the fleet and whose text names the critical findings', () => {
    expect(night1Emails).toHaveLength(1);
    const [email] = night1Emails as [SentEmail];
    expect(email.from).toBe(SENDER);
    expect(email.destination.to).toEqual([RECIPIENT]);

    const native = AUDITED.find((m) => m.clusterName === 'native-multisubnet-srcdst')!;
    const criticalChecks = assess(validateSnapshot(memberDocument(native), native.sample)).checks.filter((c) => c.status === 'fail' && c.severity === 'critical');
    const critical = criticalChecks.map((c) => c.id).sort();
    expect(critical).toEqual(expect.arrayContaining(['CAL-RT-01', 'CAL-AWS-01']));
    const fleetCritical = AUDITED.reduce((sum, m) => sum + assess(validateSnapshot(memberDocument(m), m.sample)).score.failedBySeverity.critical, 0);
    expect(email.subject).toBe(`Calico audit ${START.toISOString().slice(0, 10)}: 6 clusters, ${fleetCritical} critical (first run), 3 not audited, ${REGIONS.length} accounts/regions not listed`);

    const body = email.body.text!;
    // The critical count is explained by the problems behind it, and each is a first action with its id.
    expect(body).toMatch(new RegExp(`- native-multisubnet-srcdst \\(ACCOUNT-\\d+, eu-west-2\\): grade \\w, score \\d+, ${critical.length} critical \\(`));
    for (const check of criticalChecks) expect(body).toContain(`- critical: ${check.problem} (${check.id}) on native-multisubnet-srcdst`);
    for (const id of critical) expect(email.body.html).toContain(id);
    expect(body).toContain('could not be audited');
    expect(body).toContain('States.Timeout: Task timed out after 900.00 seconds');
    expect(body).toContain(`Fleet page: ${REPORTS_URL}/latest/fleet/index.html`);
    for (const part of [email.subject, body, email.body.html!]) {
      for (const account of ACCOUNT_IDS) expect(part).not.toContain(account);
    }
  });
});

describe('running a run id again', () => {
  it('leaves the same objects — reports, snapshots and fleet page — does not diff the run against itself, and sends no second e-mail', async () => {
    const again = await execute(at(0));
    expect(again.runId).toBe(night1.runId);
    const after = await objects();
    // The second execution's Map run has a folder of its own; its results are the first one's.
    expect(again.mapFolder).not.toBe(night1.mapFolder);
    const againMap = [...after.keys()].filter((key) => key.startsWith(`runs/${night1.runId}/${again.mapFolder}`));
    expect(againMap.map((key) => key.slice(key.lastIndexOf('/') + 1))).toEqual(['SUCCEEDED_0.json', 'manifest.json']);
    expect(again.results).toEqual(night1.results);
    expect([...after.keys()].filter((key) => !againMap.includes(key))).toEqual([...night1Objects.keys()]);
    // latest/ already named this run; the page is compared with what it was compared with the first time (nothing).
    for (const [key, body] of night1Objects) expect(after.get(key)!.equals(body), key).toBe(true);
    expect(text(after.get(`runs/${night1.runId}/fleet/index.md`)!)).not.toContain('## Changes since');

    // At most one e-mail per run id: the marker written before the first one stops the second.
    expect(await emails()).toHaveLength(1);
    expect(again.summary).toMatchObject({ emailed: false, emailSkipped: stringContaining('already sent') });
    expect(JSON.parse(text(after.get(`runs/${night1.runId}/fleet/email.json`)!))).toMatchObject({ runId: night1.runId, subject: night1Emails[0]!.subject });
  });
});

describe('latest/', () => {
  it('switches only once the run is complete: the pointer latest/index.json is written last and names the run', () => {
    const writes = night1.requests.filter((r) => r.method === 'PUT' && r.status === 200);
    const pointerWrite = writes.filter((w) => w.path === `${BUCKET}/${PREFIX}latest/index.json`);
    expect(pointerWrite).toHaveLength(1);
    // Every object of the run (reports, fleet page, latest page) was in place before the pointer was written.
    for (const write of writes.filter((w) => !w.path.endsWith('/fleet/email.json') && w !== pointerWrite[0])) {
      expect(write.answeredAt!, write.path).toBeLessThan(pointerWrite[0]!.seq);
    }
    // Nothing is copied or deleted: latest/ holds the pointer and the page, nothing else.
    expect(night1.requests.filter((r) => r.headers.copySource || r.method === 'DELETE' || r.method === 'POST')).toEqual([]);
    expect(JSON.parse(text(night1Objects.get('latest/index.json')!))).toEqual({
      runId: night1.runId,
      fleetPage: `runs/${night1.runId}/fleet/index.html`,
      fleetSummary: `runs/${night1.runId}/fleet/index.json`,
      switchedAt: START.toISOString(),
    });
  });

  it('keeps naming the previous run when the switch fails, loses no report, and switches once summarised again', async () => {
    vi.setSystemTime(at(60));
    // S3 refuses the pointer: the run's reports and fleet page are written, latest/ is not switched.
    s3.refuse((r) => batchReports(r) || (r.method === 'PUT' && r.path.endsWith('/latest/index.json')));
    const night2 = await execute(at(60));
    expect(night2.runId).not.toBe(night1.runId);
    expect(night2.failure).toMatchObject({ error: 'AccessDenied' });
    const during = await objects();
    expect(latestRun(during)).toBe(night1.runId);
    expect(during.has(`runs/${night2.runId}/fleet/index.json`)).toBe(true);
    // No report of the first night is gone or changed.
    for (const [key, body] of night1Objects) if (key.startsWith('runs/')) expect(during.get(key)!.equals(body), key).toBe(true);
    // No e-mail for a run latest/ does not name yet.
    expect(await emails()).toHaveLength(1);

    // Summarised again (the state machine's retry, or a re-run with the same input): latest/ switches, one e-mail goes.
    s3.refuse(batchReports);
    const summary = json(await handlers.summarize(json(night2.summarizeInput), lambdaContext('summarize')));
    expect(summary).toMatchObject({ runId: night2.runId, audited: 3, emailed: true, latest: { runId: night2.runId, switched: true } });
    const moved = await objects();
    expect(latestRun(moved)).toBe(night2.runId);
    const fleet = fleetSummarySchema.parse(JSON.parse(text(moved.get(`runs/${night2.runId}/fleet/index.json`)!)));
    expect(fleet.generatedAt).toBe(at(60).toISOString());
    expect(fleet.clusters.every((c) => moved.has(`runs/${night2.runId}/${c.report.replace(/^\.\.\//, '')}`))).toBe(true);
    expect(text(moved.get(`runs/${night2.runId}/fleet/index.md`)!)).toContain(`## Changes since ${START.toISOString().slice(0, 10)}`);
    expect(await emails()).toHaveLength(2);

    // Once more, with latest/ now at this run: still the changes since the first night, and no second e-mail.
    await handlers.summarize(json(night2.summarizeInput), lambdaContext('summarize'));
    const again = await objects();
    for (const file of FLEET_FILES) {
      expect(again.get(`runs/${night2.runId}/fleet/${file}`)!.equals(moved.get(`runs/${night2.runId}/fleet/${file}`)!), file).toBe(true);
    }
    expect(fleetSummarySchema.parse(JSON.parse(text(again.get(`runs/${night2.runId}/fleet/index.json`)!)))).toMatchObject({ runId: night2.runId, comparedWith: night1.runId });
    expect(await emails()).toHaveLength(2);

    // A late summary of the first night (an old retry) leaves latest/ at the newer run.
    const late = json(await handlers.summarize(json(night1.summarizeInput), lambdaContext('summarize')));
    expect(late).toMatchObject({ latest: { runId: night2.runId, switched: false } });
    expect(latestRun(await objects())).toBe(night2.runId);
  });
});

describe('the suppressions file in the bucket (issue 15)', () => {
  it('applies to the nightly run as of the run\'s time: accepted objects with their owner, expired and unused entries and those expiring soon on the page and in the e-mail', async () => {
    vi.setSystemTime(at(120));
    const day = (offset: number) => new Date(START.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const yaml = [
      'suppressions:',
      '  - rule: CAL-AWS-01',
      '    clusters: ["777788889999/eu-west-2/native-*"]',
      '    match: ip-10-2-3-41*',
      '    reason: Node replaced by the autoscaler this week',
      '    owner: platform-team',
      `    expires: ${day(7)}`,
      '  - rule: CAL-DP-01',
      '    clusters: ["*"]',
      '    reason: iptables until the kernel upgrade lands',
      '    owner: network-team',
      `    expires: ${day(-1)}`,
      '  - rule: CAL-IPAM-03',
      '    clusters: ["payments"]',
      '    reason: the pools are being renumbered this quarter',
      '    owner: network-team',
      `    expires: ${day(90)}`,
    ].join('\n');
    await bucket.write('config/suppressions.yaml', yaml);
    vi.stubEnv('CALICO_AUDIT_SUPPRESSIONS_KEY', 'config/suppressions.yaml');
    const sentBefore = (await emails()).length;
    const night = await execute(at(120));
    // Unset again (an empty variable is ignored), keeping the rest of the functions' environment.
    vi.stubEnv('CALICO_AUDIT_SUPPRESSIONS_KEY', '');
    expect(night.failure).toBeUndefined();

    const report = JSON.parse(text(await bucket.read(`runs/${night.runId}/${folder({ accountId: '777788889999', clusterName: 'native-multisubnet-srcdst' })}/report.json`))) as Assessment;
    const srcDst = report.checks.find((c) => c.id === 'CAL-AWS-01')!;
    expect(srcDst.suppressedObjects).toEqual([
      { object: { kind: 'Node', name: 'ip-10-2-3-41.eu-west-2.compute.internal' }, suppression: { reason: 'Node replaced by the autoscaler this week', owner: 'platform-team', expires: day(7) } },
    ]);
    // The expired decision no longer applies: the finding counts again.
    expect(report.checks.find((c) => c.id === 'CAL-DP-01')!.suppression).toBeUndefined();
    expect(report.suppressions!.expired).toEqual([{ ruleId: 'CAL-DP-01', reason: 'iptables until the kernel upgrade lands', expires: day(-1), owner: 'network-team' }]);

    const fleet = fleetSummarySchema.parse(JSON.parse(text(await bucket.read(`runs/${night.runId}/fleet/index.json`))));
    expect(fleet.suppressions).toMatchObject({
      entries: 3,
      error: null,
      expiring: [{ ruleId: 'CAL-AWS-01', owner: 'platform-team', expires: day(7), line: 2 }],
      expired: [{ ruleId: 'CAL-DP-01', line: 8 }],
      // payments could not be audited: its entry matched nothing this run.
      unused: [{ ruleId: 'CAL-IPAM-03', line: 13 }],
    });
    const sent = (await emails()).slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.text).toContain(`Suppressions expiring within 14 days (renew with a new date, or fix the finding):\n- CAL-AWS-01 in ACCOUNT-`);
    expect(sent[0]!.body.text).toContain(`expires ${day(7)}, owner platform-team`);
    expect(sent[0]!.body.text).toContain('Expired suppressions (their findings count again):\n- CAL-DP-01 in *: expired after');
    // The ledger of this night continues the one before: nothing counted twice.
    const ledger = JSON.parse(text(await bucket.read('ledger/findings.json'))) as { runId: string; runs: Array<{ runId: string }> };
    expect(ledger.runId).toBe(night.runId);
    expect(new Set(ledger.runs.map((r) => r.runId)).size).toBe(ledger.runs.length);
  });

  it('runs with no suppression, and says why, when the file is broken', async () => {
    vi.setSystemTime(at(180));
    await bucket.write('config/suppressions.yaml', 'suppressions:\n  - rule: CAL-AWS-01\n    reason: too short\n');
    vi.stubEnv('CALICO_AUDIT_SUPPRESSIONS_KEY', 'config/suppressions.yaml');
    const night = await execute(at(180));
    // Unset again (an empty variable is ignored), keeping the rest of the functions' environment.
    vi.stubEnv('CALICO_AUDIT_SUPPRESSIONS_KEY', '');
    const fleet = fleetSummarySchema.parse(JSON.parse(text(await bucket.read(`runs/${night.runId}/fleet/index.json`))));
    expect(fleet.suppressions!.error).toMatch(/config\/suppressions\.yaml: line 2: suppressions\[0\]\.clusters: .*: no suppression applied$/);
    expect(text(await bucket.read(`runs/${night.runId}/fleet/index.md`))).toContain('**The suppressions file could not be used, so no suppression applied:**');
  });
});
