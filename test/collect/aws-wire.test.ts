/**
 * The sample fleet's AWS objects are what the real SDK returns. Each sample's `aws` section is
 * served over the services' own wire formats (EC2's query protocol in XML, Auto Scaling's awsQuery
 * XML, EKS's REST-JSON) from a loopback HTTP server, read back with the real `EC2Client`,
 * `AutoScalingClient` and `EKSClient`, and must come out equal to
 * the fixture: a member the API does not have, a value of the wrong kind or a timestamp the SDK
 * would not produce fails here, not silently in a rule.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import {
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DescribeAddonCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, type Cluster } from '@aws-sdk/client-eks';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { FAKE_CREDENTIALS } from '../helpers/aws-mock.js';
import { autoScalingXml, ec2ErrorXml, ec2Xml, eksWireJson, queryErrorXml, sdkShaped } from '../helpers/aws-shapes.js';
import { sampleDocument } from '../helpers/fixtures.js';
import { SAMPLE_FLEET_DIR } from '../../src/samples/index.js';

/** A snapshot's `aws` section. */
type Aws = Snapshot['aws'];

/** The snapshot's `aws` fields, each with the SDK shape of its objects. */
const FIELDS = {
  vpc: ['ec2', 'Vpc'],
  subnets: ['ec2', 'Subnet'],
  securityGroups: ['ec2', 'SecurityGroup'],
  routeTables: ['ec2', 'RouteTable'],
  instances: ['ec2', 'Instance'],
  cluster: ['eks', 'Cluster'],
  nodegroups: ['eks', 'Nodegroup'],
  addons: ['eks', 'Addon'],
  autoScalingGroups: ['autoscaling', 'AutoScalingGroup'],
} as const;
type Field = keyof typeof FIELDS;

/** A value as it reads after JSON (the SDK's Dates as ISO text), to compare with a fixture. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const readBody = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
};

/**
 * A loopback server answering EC2 query calls (POST / with `Action=…`) and EKS REST calls
 * (`/clusters/{name}[/node-groups|addons/{name}]`) from one `aws` section. It records every
 * request, and answers anything it does not serve with an error, so nothing passes by default.
 */
async function serveAws(aws: Aws) {
  const requests: Array<{ method: string; url: string; host: string | undefined; action?: string }> = [];
  const ec2Outputs: Record<string, () => Record<string, unknown>> = {
    DescribeVpcs: () => ({ Vpcs: [aws.vpc] }),
    DescribeSubnets: () => ({ Subnets: aws.subnets }),
    DescribeSecurityGroups: () => ({ SecurityGroups: aws.securityGroups }),
    DescribeRouteTables: () => ({ RouteTables: aws.routeTables }),
    // One reservation per instance, as EC2 groups instances launched apart.
    DescribeInstances: () => ({ Reservations: aws.instances!.map((instance, n) => ({ ReservationId: `r-0${String(n).padStart(16, '0')}`, OwnerId: '111122223333', Instances: [instance] })) }),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const answer = (status: number, type: string, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(text);
    };
    try {
      if (req.method === 'POST' && req.url === '/') {
        const action = new URLSearchParams(body).get('Action') ?? '';
        requests.push({ method: req.method, url: req.url, host: req.headers.host, action });
        if (action === 'DescribeAutoScalingGroups') {
          return answer(200, 'text/xml', autoScalingXml(action, 'AutoScalingGroupsType', { AutoScalingGroups: aws.autoScalingGroups ?? [] }));
        }
        const output = ec2Outputs[action];
        return output ? answer(200, 'text/xml', ec2Xml(action, output())) : answer(400, 'text/xml', ec2ErrorXml('InvalidAction', `not served: ${action}`));
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host });
      const [, clusters, clusterName, collection, itemName, ...rest] = decodeURI(req.url ?? '').split('?')[0]!.split('/');
      const notFound = () => answer(404, 'application/json', JSON.stringify({ message: `not served: ${req.url}` }), { 'x-amzn-errortype': 'ResourceNotFoundException' });
      if (req.method !== 'GET' || clusters !== 'clusters' || clusterName !== aws.cluster?.name || rest.length) return notFound();
      if (collection === undefined) return answer(200, 'application/json', JSON.stringify({ cluster: eksWireJson('Cluster', aws.cluster) }));
      const [key, shape, item] =
        collection === 'node-groups'
          ? (['nodegroup', 'Nodegroup', aws.nodegroups?.find((n) => n.nodegroupName === itemName)] as const)
          : collection === 'addons'
            ? (['addon', 'Addon', aws.addons?.find((a) => a.addonName === itemName)] as const)
            : [];
      return item ? answer(200, 'application/json', JSON.stringify({ [key!]: eksWireJson(shape!, item) })) : notFound();
    } catch (error) {
      // A fixture the shape helpers refuse (a member the shape lacks, a wrong kind) reaches the test as the SDK's error.
      const message = error instanceof Error ? error.message : String(error);
      if (req.url === '/' && new URLSearchParams(body).get('Action') === 'DescribeAutoScalingGroups') return answer(400, 'text/xml', queryErrorXml('FixtureRefused', message));
      return req.url === '/'
        ? answer(400, 'text/xml', ec2ErrorXml('FixtureRefused', message))
        : answer(400, 'application/json', JSON.stringify({ message }), { 'x-amzn-errortype': 'FixtureRefused' });
    }
  };
  // node:http does not wait for a handler's promise; each request is answered inside `handle`.
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Reads an `aws` section back through the real clients; the result has the fixture's layout. */
async function readThroughSdk(aws: Aws): Promise<{ read: Partial<Record<Field, unknown>>; requests: Awaited<ReturnType<typeof serveAws>>['requests']; url: string }> {
  const served = await serveAws(aws);
  // The endpoint, fixed credentials and one attempt keep every request on the loopback server.
  const config = { region: 'eu-west-2', endpoint: served.url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const eks = new EKSClient(config);
  const autoScaling = new AutoScalingClient(config);
  try {
    const read: Partial<Record<Field, unknown>> = {};
    if (aws.vpc) read.vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [aws.vpc.VpcId] }))).Vpcs?.[0];
    if (aws.subnets) read.subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets;
    if (aws.securityGroups) read.securityGroups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups;
    if (aws.routeTables) read.routeTables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables;
    if (aws.instances) read.instances = (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []);
    // Node groups and add-ons belong to the cluster: a section with them has it.
    const clusterName = aws.cluster?.name;
    if (aws.cluster) read.cluster = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    if (aws.nodegroups) read.nodegroups = await Promise.all(aws.nodegroups.map(async (n) => (await eks.send(new DescribeNodegroupCommand({ clusterName: clusterName!, nodegroupName: n.nodegroupName }))).nodegroup));
    if (aws.addons) read.addons = await Promise.all(aws.addons.map(async (a) => (await eks.send(new DescribeAddonCommand({ clusterName: clusterName!, addonName: a.addonName }))).addon));
    if (aws.autoScalingGroups) read.autoScalingGroups = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups;
    return { read, requests: served.requests, url: served.url };
  } finally {
    ec2.destroy();
    eks.destroy();
    autoScaling.destroy();
    await served.close();
  }
}

/** The fixture's present fields, as JSON and as the SDK returns them (timestamps as Date). */
function expected(aws: Aws) {
  const present = (Object.keys(FIELDS) as Field[]).filter((field) => aws[field] !== null && aws[field] !== undefined);
  const asSdk = (field: Field) => {
    const [service, shape] = FIELDS[field];
    const value = aws[field];
    return Array.isArray(value) ? value.map((o) => sdkShaped(service, shape, o)) : sdkShaped(service, shape, value);
  };
  return {
    present,
    json: Object.fromEntries(present.map((field) => [field, aws[field]])),
    sdk: Object.fromEntries(present.map((field) => [field, asSdk(field)])),
  };
}

const fleet = readdirSync(SAMPLE_FLEET_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe("the sample fleet's AWS objects, read back through the real EC2 and EKS clients", () => {
  it('covers the whole sample fleet', () => {
    expect(fleet.length).toBeGreaterThanOrEqual(9);
    // Self-managed groups and the groups behind managed ones are on the wire too.
    expect(fleet.filter((name) => (sampleDocument(name).aws.autoScalingGroups ?? []).length > 0)).toContain('karpenter-growth');
  });

  for (const name of fleet) {
    it(`${name}: every collected EC2 and EKS object comes back from the wire equal to the fixture`, async () => {
      const aws = sampleDocument(name).aws;
      const want = expected(aws);
      expect(want.present).toContain('cluster');
      const { read, requests, url } = await readThroughSdk(aws);
      expect(Object.keys(read).sort()).toEqual([...want.present].sort());
      // Field for field as the snapshot stores them (what JSON.stringify makes of the SDK's objects) …
      expect(plain(read)).toEqual(want.json);
      // … and as the SDK hands them over, timestamps as Date.
      expect(read).toEqual(want.sdk);
      expect((read.cluster as Cluster).createdAt).toBeInstanceOf(Date);
      // Every answer came from the loopback server.
      expect(requests.length).toBeGreaterThanOrEqual(want.present.length);
      for (const request of requests) expect(`http://${request.host}`).toBe(url);
    });
  }

  it('reads EC2 timestamps as Date from the XML (an instance launch time)', async () => {
    const aws = sampleDocument('reference-crosssubnet').aws;
    const { read } = await readThroughSdk({ cluster: aws.cluster, instances: aws.instances });
    const [instance] = read.instances as Instance[];
    expect(instance!.LaunchTime).toBeInstanceOf(Date);
    expect(instance!.LaunchTime!.toISOString()).toBe(aws.instances![0]!['LaunchTime']);
  });
});

describe('a fixture the real API could not have produced fails the round trip', () => {
  const sample = () => sampleDocument('reference-crosssubnet').aws;

  it('a member misnamed (SourceDestcheck for SourceDestCheck)', async () => {
    const aws = sample();
    const [first, ...others] = aws.instances!;
    const { SourceDestCheck, ...rest } = first!;
    aws.instances = [{ ...rest, SourceDestcheck: SourceDestCheck }, ...others];
    await expect(readThroughSdk(aws)).rejects.toThrow(/Instances\[0\]\.SourceDestcheck: the SDK's Instance has no member SourceDestcheck/);
  });

  it('a member in the wrong shape (tags as a map where EC2 has a list of Key/Value)', async () => {
    const aws = sample();
    aws.vpc = { ...aws.vpc!, Tags: { Name: 'main' } };
    await expect(readThroughSdk(aws)).rejects.toThrow(/Vpcs\[0\]\.Tags: object .* does not fit the SDK's shape .*\(list\)/);
  });

  it('a scalar of the wrong kind (a node count as text)', async () => {
    const aws = sample();
    const [nodegroup] = aws.nodegroups!;
    // Text where the shape has a number: the snapshot's type does not allow it either, hence the cast.
    aws.nodegroups = [{ ...nodegroup, scalingConfig: { ...nodegroup!.scalingConfig, desiredSize: '3' as unknown as number } }];
    await expect(readThroughSdk(aws)).rejects.toThrow(/Nodegroup\.scalingConfig\.desiredSize: string "3" does not fit/);
  });

  it('an Auto Scaling group member of the wrong kind (MaxSize as text)', async () => {
    const aws = sampleDocument('karpenter-growth').aws;
    // Text where the shape has a number: the snapshot's type does not allow it either, hence the cast.
    aws.autoScalingGroups = [{ ...aws.autoScalingGroups![0]!, MaxSize: '3' as unknown as number }];
    await expect(readThroughSdk(aws)).rejects.toThrow(/AutoScalingGroups\[0\]\.MaxSize: string "3" does not fit/);
  });

  it('an Auto Scaling group member the API does not have (a tag map beside the Tags list)', async () => {
    const aws = sampleDocument('karpenter-growth').aws;
    aws.autoScalingGroups = [{ ...aws.autoScalingGroups![0]!, TagMap: { Name: 'workers' } }];
    await expect(readThroughSdk(aws)).rejects.toThrow(/the SDK's AutoScalingGroup has no member TagMap/);
  });

  it('a timestamp the SDK would not write (no milliseconds): it comes back different', async () => {
    const aws = sample();
    aws.cluster = { ...aws.cluster, createdAt: '2026-01-06T16:18:30Z' };
    const { read } = await readThroughSdk({ cluster: aws.cluster });
    expect((plain(read.cluster) as { createdAt?: unknown }).createdAt).toBe('2026-01-06T16:18:30.000Z');
    expect(plain(read)).not.toEqual({ cluster: aws.cluster });
  });
});
