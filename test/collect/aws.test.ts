/**
 * The AWS side: EKS and EC2 through aws-sdk-client-mock in the SDK's own shapes (pagination with
 * NextToken, AccessDenied), and through a stub HTTP handler speaking the services' wire formats so
 * the SDK's own adaptive retry is exercised (aws-sdk-client-mock replaces `send`, and with it the
 * retry middleware).
 */
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../src/collect/aws/clients.js';
import { collectorCredentials, memoizeCredentials } from '../../src/collect/aws/credentials.js';
import {
  describeInstancesById,
  describeSecurityGroups,
  describeVpc,
  instanceIdsFromProviderIds,
  relevantRouteTables,
  securityGroupIds,
} from '../../src/collect/aws/ec2.js';
import { describeCluster, describeNodegroups } from '../../src/collect/aws/eks.js';
import { describeClusterAutoScalingGroups } from '../../src/collect/aws/autoscaling.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { ClusterUnavailableError, ReadError, describeFailure } from '../../src/collect/errors.js';
import { buildScaledCluster } from '../support/samples/index.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { FAKE_CREDENTIALS, fakeCredentials, filtersOf, mockAwsFromSnapshot, testAwsClients, type AwsMock, type AwsMockOptions } from '../helpers/aws-mock.js';
import { ec2ErrorXml, ec2Xml, eksWireJson } from '../helpers/aws-shapes.js';
import { jsonCopy, sampleDocument } from '../helpers/fixtures.js';
import { stringContaining } from '../helpers/matchers.js';

const mocks: AwsMock[] = [];
afterEach(() => {
  mocks.splice(0).forEach((m) => m.restore());
  vi.unstubAllEnvs();
});

function mocked(document: Snapshot, options: AwsMockOptions = {}) {
  const clients = testAwsClients();
  const aws = mockAwsFromSnapshot(document, clients, options);
  mocks.push(aws);
  return { clients, aws };
}

/** Collects with the Kubernetes side switched off, so only AWS is under test. */
async function collectAwsOnly(document: Snapshot, options: AwsMockOptions = {}): Promise<{ snapshot: Snapshot; aws: AwsMock }> {
  const { clients, aws } = mocked(document, options);
  const snapshot = await collectSnapshot(
    { clusterName: document.target.clusterName, region: 'eu-west-2', now: () => new Date(document.collectedAt) },
    { aws: clients, credentials: fakeCredentials, connectKube: async () => Promise.reject(new ReadError('Skipped', 'Kubernetes not under test')) },
  );
  return { snapshot, aws };
}

/** A value as it reads after JSON (an SDK object's Dates as ISO text), to compare with a snapshot's. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('EKS and EC2 pagination', () => {
  const cluster = jsonCopy(buildScaledCluster(20));

  it('follows nextToken through ListNodegroups, then describes each node group', async () => {
    const { clients, aws } = mocked(cluster, { pageSize: 2 });
    const nodegroups = await describeNodegroups(clients.eks, 'scaled-20');
    expect(plain(nodegroups)).toEqual(cluster.aws.nodegroups);
    const lists = aws.calls.filter((c) => c.command === 'ListNodegroups');
    expect(lists.map((c) => c.input['nextToken'])).toEqual([undefined, '2']);
    expect(aws.count('DescribeNodegroup')).toBe(3);
  });

  it('follows NextToken through DescribeInstances and DescribeSecurityGroups', async () => {
    const { clients, aws } = mocked(cluster, { pageSize: 2, noDistractors: true });
    const ids = cluster.aws.instances!.map((i) => i.InstanceId);
    const instances = await describeInstancesById(clients.ec2, ids);
    expect(instances.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
    expect(aws.count('DescribeInstances')).toBe(10);
    const pages = aws.calls.filter((c) => c.command === 'DescribeInstances');
    expect(pages[0]!.input).toMatchObject({ MaxResults: 1000, Filters: [{ Name: 'instance-id' }] });
    expect(pages.slice(1).map((c) => c.input['NextToken'])).toEqual(['2', '4', '6', '8', '10', '12', '14', '16', '18']);

    const { clusterSecurityGroupId, securityGroupIds: additional } = cluster.aws.cluster!.resourcesVpcConfig!;
    const groups = await describeSecurityGroups(clients.ec2, securityGroupIds(instances, [clusterSecurityGroupId!, ...additional!]));
    expect(plain(groups)).toEqual(cluster.aws.securityGroups);
    expect(aws.calls.filter((c) => c.command === 'DescribeSecurityGroups').map((c) => c.input['NextToken'])).toEqual([undefined, '2']);
  });

  it('puts at most 200 instance ids in one filter (EC2 rejects more), chunks running concurrently', async () => {
    const big = jsonCopy(buildScaledCluster(450));
    const { clients, aws } = mocked(big, { noDistractors: true });
    const ids = big.aws.instances!.map((i) => i.InstanceId);
    const instances = await describeInstancesById(clients.ec2, ids);
    expect(instances).toHaveLength(450);
    const values = aws.calls.filter((c) => c.command === 'DescribeInstances').map((c) => filtersOf(c.input)![0]!.Values!);
    expect(values.map((v) => v.length)).toEqual([200, 200, 50]);
    expect(values.flat().sort()).toEqual([...ids].sort());
  });
});

describe('Auto Scaling groups', () => {
  it('asks for the groups tagged with the cluster and follows NextToken, leaving other clusters\' groups out', async () => {
    const sample = sampleDocument('karpenter-growth');
    const { clients, aws } = mocked(sample, { pageSize: 1 });
    const groups = await describeClusterAutoScalingGroups(clients.autoScaling, 'karpenter-growth');
    expect(plain(groups)).toEqual(sample.aws.autoScalingGroups);
    const calls = aws.calls.filter((c) => c.command === 'DescribeAutoScalingGroups');
    expect(calls.map((c) => c.input['NextToken'])).toEqual([undefined, '1']);
    for (const call of calls) expect(call.input).toMatchObject({ MaxRecords: 100, Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/karpenter-growth'] }] });
    // EKS tags the group behind a managed node group with the cluster too; the assessment tells them apart.
    expect(groups.map((g) => g.Tags?.find((t) => t.Key === 'eks:nodegroup-name')?.Value ?? null)).toEqual(['system', null]);
  });

  it('records a throttled DescribeAutoScalingGroups under its source and leaves the list null', async () => {
    const { snapshot } = await collectAwsOnly(sampleDocument('karpenter-growth'), { throttled: ['DescribeAutoScalingGroups'] });
    expect(snapshot.aws.autoScalingGroups).toBeNull();
    expect(snapshot.errors.find((e) => e.source === 'autoscaling:DescribeAutoScalingGroups')).toMatchObject({ code: 'Throttling', message: 'Rate exceeded (after 5 attempts)' });
    expect(snapshot.aws.nodegroups).toHaveLength(1);
  });
});

describe('AWS failures are data', () => {
  const sample = sampleDocument('reference-crosssubnet');

  it('records UnauthorizedOperation as an error under the call, leaves that list null, and reads the rest', async () => {
    const { snapshot } = await collectAwsOnly(sample, { denied: ['DescribeSecurityGroups', 'DescribeRouteTables'] });
    expect(snapshot.aws.securityGroups).toBeNull();
    expect(snapshot.aws.routeTables).toBeNull();
    expect(snapshot.errors.filter((e) => e.source.startsWith('ec2:'))).toEqual([
      { source: 'ec2:DescribeRouteTables', code: 'UnauthorizedOperation', message: stringContaining('ec2:DescribeRouteTables') },
      { source: 'ec2:DescribeSecurityGroups', code: 'UnauthorizedOperation', message: stringContaining('ec2:DescribeSecurityGroups') },
    ]);
    expect(plain(snapshot.aws.subnets)).toEqual(sample.aws.subnets);
    expect(plain(snapshot.aws.instances)).toEqual(sample.aws.instances);
  });

  it('records AccessDeniedException on ListAddons under the add-ons source', async () => {
    const { snapshot } = await collectAwsOnly(sample, { denied: ['ListAddons'] });
    expect(snapshot.aws.addons).toBeNull();
    expect(snapshot.errors.find((e) => e.source === 'eks:DescribeAddon')).toMatchObject({ code: 'AccessDeniedException', message: stringContaining('eks:ListAddons') });
    expect(plain(snapshot.aws.nodegroups)).toEqual(sample.aws.nodegroups);
  });

  it('records throttling that outlasted the SDK retries, with the attempts', async () => {
    const { snapshot } = await collectAwsOnly(sample, { throttled: ['DescribeNodegroup'] });
    expect(snapshot.aws.nodegroups).toBeNull();
    expect(snapshot.errors.find((e) => e.source === 'eks:DescribeNodegroup')).toEqual({ source: 'eks:DescribeNodegroup', code: 'ThrottlingException', message: 'Rate exceeded (after 5 attempts)' });
  });

  it('still reads the cluster security groups when the instances cannot be read', async () => {
    const { snapshot } = await collectAwsOnly(sample, { denied: ['DescribeInstances'] });
    expect(snapshot.aws.instances).toBeNull();
    const { clusterSecurityGroupId, securityGroupIds: extra } = sample.aws.cluster!.resourcesVpcConfig!;
    expect(snapshot.aws.securityGroups!.map((g) => g.GroupId).sort()).toEqual([clusterSecurityGroupId, ...extra!].sort());
  });

  it('cannot collect anything without DescribeCluster: it throws, naming the code', async () => {
    const denied = collectAwsOnly(sample, { denied: ['DescribeCluster'] });
    await expect(denied).rejects.toBeInstanceOf(ClusterUnavailableError);
    await expect(denied).rejects.toMatchObject({ code: 'AccessDeniedException' });
    await expect(collectAwsOnly({ ...sample, target: { ...sample.target, clusterName: 'nope' } })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });
});

/** A request handler answering from a script of raw HTTP responses; records what the SDK sent. */
function scripted(responses: Array<{ status: number; headers?: Record<string, string>; body: string }>) {
  const requests: Array<{ hostname: string; path: string; body: unknown }> = [];
  return {
    requests,
    handle: (request: { hostname: string; path: string; body?: unknown }) => {
      requests.push({ hostname: request.hostname, path: request.path, body: request.body });
      const answer = responses[Math.min(requests.length, responses.length) - 1]!;
      return Promise.resolve({ response: { statusCode: answer.status, headers: answer.headers ?? {}, body: Readable.from([Buffer.from(answer.body)]) } });
    },
  };
}

const eksThrottle = { status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException', 'content-type': 'application/json' }, body: '{"message":"Rate exceeded"}' };
const ec2Throttle = { status: 503, headers: { 'content-type': 'text/xml' }, body: ec2ErrorXml('RequestLimitExceeded', 'Request limit exceeded.') };

describe('SDK retry on the wire (adaptive, bounded)', () => {
  const sample = sampleDocument('reference-crosssubnet');
  const clusterOk = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: eksWireJson('Cluster', sample.aws.cluster) }) };
  const vpcOk = { status: 200, headers: { 'content-type': 'text/xml' }, body: ec2Xml('DescribeVpcs', { Vpcs: [sample.aws.vpc] }) };

  it('retries an EKS ThrottlingException and returns the cluster as DescribeCluster describes it', async () => {
    const handler = scripted([eksThrottle, clusterOk]);
    const { eks } = createAwsClients({ region: 'eu-west-2', credentials: fakeCredentials, requestHandler: handler });
    const cluster = await describeCluster(eks, 'reference-crosssubnet');
    expect(handler.requests).toHaveLength(2);
    expect(handler.requests[0]).toMatchObject({ hostname: 'eks.eu-west-2.amazonaws.com', path: '/clusters/reference-crosssubnet' });
    expect(plain(cluster)).toEqual(sample.aws.cluster);
  });

  it('retries an EC2 RequestLimitExceeded and parses the VPC from the query-protocol XML', async () => {
    const handler = scripted([ec2Throttle, vpcOk]);
    const { ec2 } = createAwsClients({ region: 'eu-west-2', credentials: fakeCredentials, requestHandler: handler });
    const vpc = await describeVpc(ec2, sample.aws.vpc!.VpcId);
    expect(handler.requests).toHaveLength(2);
    expect(plain(vpc)).toEqual(sample.aws.vpc);
  });

  it('gives up after the bounded number of attempts and reports the throttling', async () => {
    const handler = scripted([eksThrottle]);
    const { eks } = createAwsClients({ region: 'eu-west-2', credentials: fakeCredentials, requestHandler: handler, maxAttempts: 2 });
    const error = await describeCluster(eks, 'reference-crosssubnet').catch((e: unknown) => e);
    expect(handler.requests).toHaveLength(2);
    expect(describeFailure(error)).toEqual({ code: 'ThrottlingException', message: 'Rate exceeded (after 2 attempts)' });
  });

  it('takes endpoints from the SDK configuration (AWS_ENDPOINT_URL_EC2), never from the code', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', 'https://vpce-0abc-ec2.eu-west-2.vpce.amazonaws.com');
    const handler = scripted([vpcOk]);
    const { ec2 } = createAwsClients({ region: 'eu-west-2', credentials: fakeCredentials, requestHandler: handler });
    await describeVpc(ec2, sample.aws.vpc!.VpcId);
    expect(handler.requests[0]!.hostname).toBe('vpce-0abc-ec2.eu-west-2.vpce.amazonaws.com');
  });
});

describe('choosing what to keep', () => {
  it('takes EC2 instance ids from provider ids and skips Fargate and other providers', () => {
    expect(instanceIdsFromProviderIds(['aws:///eu-west-2a/i-0abc123', 'aws:///eu-west-2b/fargate-ip-10-0-1-2.eu-west-2.compute.internal', undefined, 'kind://docker/x', 'aws:///eu-west-2a/i-0abc123'])).toEqual(['i-0abc123']);
  });

  it('keeps the main route table only when a kept subnet has no table of its own', () => {
    const tables = [
      { RouteTableId: 'rtb-a', Associations: [{ SubnetId: 'subnet-a' }] },
      { RouteTableId: 'rtb-other', Associations: [{ SubnetId: 'subnet-other' }] },
      { RouteTableId: 'rtb-main', Associations: [{ Main: true }] },
    ];
    expect(relevantRouteTables(tables, new Set(['subnet-a'])).map((t) => t.RouteTableId)).toEqual(['rtb-a']);
    expect(relevantRouteTables(tables, new Set(['subnet-a', 'subnet-b'])).map((t) => t.RouteTableId)).toEqual(['rtb-a', 'rtb-main']);
  });
});

describe('credentials', () => {
  const assumed = {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLEASSUMED</AccessKeyId><SecretAccessKey>assumedSecret</SecretAccessKey><SessionToken>assumedSession</SessionToken><Expiration>2099-11-23T03:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/CalicoAuditReadOnly/calico-audit</Arn><AssumedRoleId>AROAEXAMPLE:calico-audit</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };

  it('assumes --role-arn once through regional STS with the external id, for every client that asks', async () => {
    const handler = scripted([assumed]);
    const provider = collectorCredentials({
      region: 'eu-west-2',
      roleArn: 'arn:aws:iam::444455556666:role/CalicoAuditReadOnly',
      externalId: 'audit-7f3a',
      masterCredentials: fakeCredentials,
      stsRequestHandler: handler,
    });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ accessKeyId: 'ASIAEXAMPLEASSUMED', sessionToken: 'assumedSession' });
    expect(handler.requests).toHaveLength(1);
    expect(handler.requests[0]!.hostname).toBe('sts.eu-west-2.amazonaws.com');
    const form = new URLSearchParams(String(handler.requests[0]!.body));
    expect(Object.fromEntries(form)).toMatchObject({
      Action: 'AssumeRole',
      RoleArn: 'arn:aws:iam::444455556666:role/CalicoAuditReadOnly',
      ExternalId: 'audit-7f3a',
      RoleSessionName: 'calico-audit',
      DurationSeconds: '900',
    });
  });

  it('refreshes shared credentials only when they are about to expire', async () => {
    let now = Date.parse('2026-11-23T02:00:00Z');
    let calls = 0;
    const provider = memoizeCredentials(() => Promise.resolve({ ...FAKE_CREDENTIALS, expiration: new Date(now + 15 * 60_000), sessionToken: String(++calls) }), () => now);
    await provider();
    await provider();
    expect(calls).toBe(1);
    now += 11 * 60_000;
    expect((await provider()).sessionToken).toBe('2');
  });
});
