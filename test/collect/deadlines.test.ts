/**
 * Deadlines everywhere. Every AWS call fails at its request timeout (the real SDK against a
 * loopback server that never answers); every paginated read stops at a repeated token or its page
 * cap; and a cluster whose EKS, EC2 or Kubernetes API hangs or pages forever is still collected
 * within the collection's deadline — what was read by then kept, the rest recorded as errors (so
 * the rules that need it are `unknown`). Deadlines and caps are short here; the defaults are minutes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/assess/assess.js';
import { awsClientDefaults } from '../../src/collect/aws/clients.js';
import { collectSnapshot, type CollectOptions } from '../../src/collect/collect.js';
import { ClusterUnavailableError } from '../../src/collect/errors.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { FAKE_CREDENTIALS, mockAwsFromSnapshot, testAwsClients, type AwsMock, type AwsMockOptions } from '../helpers/aws-mock.js';
import { sampleDocument } from '../helpers/fixtures.js';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '../helpers/kube-server.js';

/** An HTTP server that accepts every request and never answers it. */
let silent: Server;
let silentUrl: string;
beforeAll(async () => {
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

const elapsed = async <T>(work: () => Promise<T>): Promise<{ ms: number; result: T | Error }> => {
  const started = performance.now();
  const result = await work().catch((error: unknown) => error as Error);
  return { ms: performance.now() - started, result };
};

describe('every AWS call aborts at its request timeout', () => {
  // The clients' own settings, with a 300 ms timeout and a single attempt so that one timeout is measured.
  const settings = { region: 'eu-west-2', credentials: FAKE_CREDENTIALS, ...awsClientDefaults({ connectionTimeout: 300, requestTimeout: 300 }), maxAttempts: 1 };

  it.each([
    ['eks:DescribeCluster', () => new EKSClient({ ...settings, endpoint: silentUrl }).send(new DescribeClusterCommand({ name: 'x' }))],
    ['ec2:DescribeInstances', () => new EC2Client({ ...settings, endpoint: silentUrl }).send(new DescribeInstancesCommand({}))],
    ['s3:GetObject', () => new S3Client({ ...settings, endpoint: silentUrl, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))],
  ])('%s fails with TimeoutError instead of waiting for an answer that never comes', async (_name, call) => {
    const { ms, result } = await elapsed(call);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).name).toBe('TimeoutError');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2_000);
  });

  it('retries a timed-out call a bounded number of times, then gives up', async () => {
    const client = new EKSClient({ ...settings, maxAttempts: 3, endpoint: silentUrl });
    const { ms, result } = await elapsed(() => client.send(new DescribeClusterCommand({ name: 'x' })));
    expect((result as Error).name).toBe('TimeoutError');
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5_000);
  });
});

// ---------------------------------------------------------------------------------------------

const open: Array<{ kube: FakeKube; aws: AwsMock }> = [];
afterEach(async () => {
  for (const { kube, aws } of open.splice(0)) {
    aws.restore();
    await kube.close();
  }
});

const DEADLINE_MS = 1_500;
const sample = validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference-crosssubnet');

async function collect(kubeOptions: Omit<FakeKubeOptions, 'snapshot'>, awsOptions: AwsMockOptions, options: Partial<CollectOptions> = {}) {
  const kube = await startFakeKube({ snapshot: sample, ...kubeOptions });
  const clients = testAwsClients();
  const aws = mockAwsFromSnapshot(sample, clients, { endpoint: kube.url, caData: kube.caData, ...awsOptions });
  open.push({ kube, aws });
  return elapsed(() =>
    collectSnapshot(
      {
        clusterName: sample.target.clusterName,
        region: sample.target.region,
        now: () => new Date(sample.collectedAt),
        deadlineMs: DEADLINE_MS,
        maxPages: 25,
        kube: { retryBaseMs: 1 },
        ...options,
      },
      { aws: clients, credentials: () => Promise.resolve(FAKE_CREDENTIALS) },
    ),
  );
}

const errorsOf = (snapshot: Snapshot) => Object.fromEntries(snapshot.errors.map((e) => [e.source, e.code]));

describe('a hung API: the collection ends at its deadline with what it read', () => {
  it('EKS DescribeCluster hanging: the cluster is unavailable, said at the deadline', async () => {
    const { ms, result } = await collect({}, { hang: ['DescribeCluster'] });
    expect(result).toBeInstanceOf(ClusterUnavailableError);
    expect((result as ClusterUnavailableError).code).toBe('DeadlineExceeded');
    expect((result as Error).message).toContain('collection deadline of 1.5 s');
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
  });

  it('EKS ListNodegroups hanging: node groups unknown, everything else collected', async () => {
    const { ms, result } = await collect({}, { hang: ['ListNodegroups'] });
    const snapshot = result as Snapshot;
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
    expect(errorsOf(snapshot)).toEqual({ 'eks:DescribeNodegroup': 'DeadlineExceeded' });
    expect(snapshot.aws.nodegroups).toBeNull();
    expect(snapshot.aws.instances).toHaveLength(sample.aws.instances!.length);
    expect(snapshot.kubernetes.pods).toHaveLength(sample.kubernetes.pods!.length);
    // The node group's own Auto Scaling group (tagged with the cluster) still bounds the growth; the rest judge what was read.
    const { checks, facts } = assess(snapshot);
    const complete = assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference-crosssubnet')).facts.growth;
    expect(facts.growth.maxNodes).toBe(complete.maxNodes);
    expect(facts.growth.sources.map((s) => s.kind)).toEqual(['managed node group']);
    expect(checks.filter((c) => c.status === 'pass').length).toBeGreaterThan(10);
  });

  it('EC2 DescribeInstances hanging: instances and their security groups unknown, the rest collected', async () => {
    const { ms, result } = await collect({}, { hang: ['DescribeInstances'] });
    const snapshot = result as Snapshot;
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
    expect(errorsOf(snapshot)).toEqual({ 'ec2:DescribeInstances': 'DeadlineExceeded', 'ec2:DescribeSecurityGroups': 'DeadlineExceeded' });
    expect(snapshot.aws.subnets).not.toBeNull();
    expect(snapshot.kubernetes.nodes).toHaveLength(sample.kubernetes.nodes!.length);
  });

  it('the Kubernetes API hanging on one list: that list unknown, the rest collected', async () => {
    const { ms, result } = await collect({ hang: ['/api/v1/pods'] }, {});
    const snapshot = result as Snapshot;
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
    expect(errorsOf(snapshot)).toEqual({ 'kubernetes:pods': 'DeadlineExceeded' });
    expect(snapshot.kubernetes.pods).toBeNull();
    expect(snapshot.calico.ippools).toHaveLength(sample.calico.ippools!.length);
  });

  it('the Kubernetes API answering nothing at all: each request times out first, and AWS is collected without it', async () => {
    const paths = ['/version', '/apis', '/api/v1/nodes', '/api/v1/namespaces', '/api/v1/pods', '/apis/networking.k8s.io/v1/networkpolicies'];
    // ~40 lists, 6 in flight, 200 ms each: about 1.4 s of timeouts, so a deadline with room above
    // them (on a loaded machine too); the collection must end on the timeouts, well before it.
    const deadlineMs = 6_000;
    const { ms, result } = await collect({ hang: paths }, {}, { kube: { timeoutMs: 200, maxAttempts: 1 }, deadlineMs });
    const snapshot = result as Snapshot;
    expect(ms).toBeLessThan(deadlineMs - 1_000);
    expect(snapshot.kubernetes.nodes).toBeNull();
    expect(snapshot.calico.ippools).toBeNull();
    expect(errorsOf(snapshot)['kubernetes:nodes']).toBe('TimeoutError');
    // Without the nodes, the instances are found by the cluster tag, well before the deadline.
    expect(snapshot.aws.instances?.length).toBeGreaterThan(0);
    expect(snapshot.aws.securityGroups?.length).toBeGreaterThan(0);
  });
});

describe('endless pagination stops', () => {
  it.each([
    ['EKS ListNodegroups', { endless: { command: 'ListNodegroups', tokens: 'repeated' } }, {}, 'eks:DescribeNodegroup', 'PaginationLoop'],
    ['EKS ListNodegroups', { endless: { command: 'ListNodegroups', tokens: 'fresh' } }, {}, 'eks:DescribeNodegroup', 'TooManyPages'],
    ['EC2 DescribeInstances', { endless: { command: 'DescribeInstances', tokens: 'repeated' } }, {}, 'ec2:DescribeInstances', 'PaginationLoop'],
    ['EC2 DescribeInstances', { endless: { command: 'DescribeInstances', tokens: 'fresh' } }, {}, 'ec2:DescribeInstances', 'TooManyPages'],
    ['Kubernetes pods', {}, { endless: { path: '/api/v1/pods', tokens: 'repeated' } }, 'kubernetes:pods', 'PaginationLoop'],
    ['Kubernetes pods', {}, { endless: { path: '/api/v1/pods', tokens: 'fresh' } }, 'kubernetes:pods', 'TooManyPages'],
  ] as const)('%s, its page tokens %j %j, ends in time: %s %s', async (_name, awsOptions, kubeOptions, source, code) => {
    const { ms, result } = await collect(kubeOptions, awsOptions, { deadlineMs: 10_000 });
    const snapshot = result as Snapshot;
    expect(ms).toBeLessThan(5_000);
    expect(errorsOf(snapshot)[source]).toBe(code);
    expect(snapshot.errors.find((e) => e.source === source)?.message).toMatch(code === 'PaginationLoop' ? /already returned; stopped reading/ : /more than 25 pages; stopped reading/);
  });
});
