/**
 * A whole fleet's AWS, mocked at the client-class level (aws-sdk-client-mock on the classes), so code
 * that builds its own clients — the Lambda handlers, `MemberAccess` — is answered too:
 * - STS AssumeRole: credentials whose access key names the member account (`ASIA<account>TEST`), or
 *   AccessDenied for accounts whose role cannot be assumed;
 * - Organizations ListAccounts, EKS ListClusters per account and region;
 * - every collector call, routed to the cluster it is about (by the calling client's account and
 *   region, then the cluster name for EKS, or the VPC, instance or group ids for EC2) and answered by
 *   `answersFromSnapshot` from that cluster's sample.
 */
import { createRequire } from 'node:module';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { SAMPLE_ACCOUNT_ID } from '../support/samples/index.js';
import { sampleText } from './fixtures.js';
import { answerCommands, answersFromSnapshot, AUTO_SCALING_COMMANDS, EC2_COMMANDS, EKS_COMMANDS, filtersOf, textOf, vpcIdsOf, type AwsMock, type AwsMockOptions, type CommandName, type Json } from './aws-mock.js';

/**
 * `fromTemporaryCredentials` assumes roles through the STS client of `@aws-sdk/nested-clients`,
 * loaded with `require` from `@aws-sdk/credential-providers`: mock that very class (an `import` of
 * the package would load its ES build, a different class the provider never uses).
 */
const requireFromProviders = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/credential-providers'));
const nestedSts = requireFromProviders('@aws-sdk/nested-clients/sts') as { STSClient: new (config: object) => unknown; AssumeRoleCommand: new (input: object) => unknown };

export interface FleetMember {
  accountId: string;
  region: string;
  /** A snapshot document (as in samples/fleet) whose `aws` section answers for this cluster. */
  snapshot: Snapshot;
  /** Per cluster: DescribeCluster's endpoint and CA (its Kubernetes server), denied calls, … */
  options?: AwsMockOptions;
}

export interface AwsFleetOptions {
  /** Milliseconds before every answer, STS, Organizations and ListClusters included. */
  delayMs?: number;
  /** Organizations' accounts; default: the members' accounts, all ACTIVE. */
  accounts?: Array<{ Id: string; State: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' }>;
  /** Accounts whose member role cannot be assumed (AssumeRole answers AccessDenied). */
  unassumable?: string[];
}

export interface FleetCall {
  service: 'sts' | 'organizations' | 'eks' | 'ec2' | 'autoscaling';
  command: string;
  /** The member account the calling client's credentials belong to (null: the auditor's own identity). */
  accountId: string | null;
  region: string;
  input: Json;
}

export interface AwsFleetMock {
  calls: FleetCall[];
  /** Forgets the calls so far (ours and the mocks' own records, which keep every client and answer alive). */
  resetHistory(): void;
  restore(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The access key an assumed member role's credentials carry: the account, recoverable from any client. */
const accessKeyFor = (accountId: string) => `ASIA${accountId}TEST`;
const accountOfKey = (accessKeyId: string): string | null => /^ASIA(\d{12})TEST$/.exec(accessKeyId)?.[1] ?? null;

interface ClientConfig {
  config: { region: () => Promise<string>; credentials: () => Promise<{ accessKeyId: string }> };
}

/** Who is calling: the account (from the credentials) and region of the client that sent the command. */
async function callerOf(getClient: () => unknown): Promise<{ accountId: string | null; region: string }> {
  // The mock knows the sending client only until the next send: read it before any await.
  const client = getClient() as ClientConfig;
  const [region, credentials] = await Promise.all([client.config.region(), client.config.credentials()]);
  return { accountId: accountOfKey(credentials.accessKeyId), region };
}

/** The sample's EKS cluster, which a fleet member must have. */
function clusterOf(snapshot: Snapshot) {
  const cluster = snapshot.aws.cluster;
  if (!cluster?.name) throw new Error(`fleet member ${snapshot.target.clusterName}: the sample has no named EKS cluster`);
  return { ...cluster, name: cluster.name };
}

/** Every id an EC2 request of the collector may filter on, for routing it to its cluster. */
function ec2Ids(snapshot: Snapshot): Set<string> {
  const aws = snapshot.aws;
  const cluster = clusterOf(snapshot);
  return new Set<string>([
    ...(cluster.resourcesVpcConfig?.vpcId ? [cluster.resourcesVpcConfig.vpcId] : []),
    ...(aws.instances ?? []).map((i) => i.InstanceId),
    ...(aws.securityGroups ?? []).map((g) => g.GroupId),
    `kubernetes.io/cluster/${cluster.name}`,
  ]);
}

const requestedIds = (input: Json): string[] => [...(vpcIdsOf(input) ?? []), ...(filtersOf(input) ?? []).flatMap((f) => f.Values ?? [])];

export function mockAwsFleet(members: FleetMember[], options: AwsFleetOptions = {}): AwsFleetMock {
  const calls: FleetCall[] = [];
  const unassumable = new Set(options.unassumable ?? []);
  const wait = () => (options.delayMs ? sleep(options.delayMs) : Promise.resolve());
  const clusters = members.map((member) => {
    const memberCalls: AwsMock['calls'] = [];
    return {
      ...member,
      name: clusterOf(member.snapshot).name,
      ids: ec2Ids(member.snapshot),
      answers: answersFromSnapshot(member.snapshot, { ...(options.delayMs ? { delayMs: options.delayMs } : {}), ...member.options }, memberCalls),
    };
  });
  const inScope = (accountId: string | null, region: string) => clusters.filter((c) => c.accountId === accountId && c.region === region);

  const sts = mockClient(nestedSts.STSClient as never);
  sts.on(nestedSts.AssumeRoleCommand as never).callsFake((async (input: { RoleArn: string; RoleSessionName: string }, getClient: () => unknown) => {
    const region = await (getClient() as ClientConfig).config.region();
    const accountId = /^arn:[\w-]+:iam::(\d{12}):role\//.exec(input.RoleArn)?.[1] ?? null;
    calls.push({ service: 'sts', command: 'AssumeRole', accountId: null, region, input: structuredClone(input) });
    await wait();
    if (!accountId || unassumable.has(accountId)) {
      throw Object.assign(new Error(`User: arn:aws:sts::000011112222:assumed-role/calico-audit-hub/auditor is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      });
    }
    return {
      Credentials: { AccessKeyId: accessKeyFor(accountId), SecretAccessKey: 'fleet-test-secret', SessionToken: 'fleet-test-session', Expiration: new Date(Date.now() + 3_600_000) },
      AssumedRoleUser: { Arn: `arn:aws:sts::${accountId}:assumed-role/${input.RoleArn.split('/').pop()}/${input.RoleSessionName}`, AssumedRoleId: `AROA${accountId}:${input.RoleSessionName}` },
    };
  }) as never);

  const organizations = mockClient(OrganizationsClient);
  organizations.on(ListAccountsCommand).callsFake(async (input: Json, getClient) => {
    const region = await (getClient() as unknown as ClientConfig).config.region();
    calls.push({ service: 'organizations', command: 'ListAccounts', accountId: null, region, input: structuredClone(input) });
    await wait();
    const accounts = options.accounts ?? [...new Set(members.map((m) => m.accountId))].map((Id) => ({ Id, State: 'ACTIVE' as const }));
    return { Accounts: accounts.map((a) => ({ ...a, Status: a.State === 'ACTIVE' ? 'ACTIVE' : 'SUSPENDED' })) } as never;
  });

  /** A collector call, answered by the sample of the cluster it is about. */
  const routed =
    (service: 'eks' | 'ec2' | 'autoscaling', name: CommandName, pick: (candidates: typeof clusters, input: Json) => (typeof clusters)[number] | undefined) =>
    async (input: Json, getClient: () => unknown): Promise<Json> => {
      const { accountId, region } = await callerOf(getClient);
      calls.push({ service, command: name, accountId, region, input: structuredClone(input) });
      const cluster = pick(inScope(accountId, region), input);
      if (cluster) return cluster.answers[name](input);
      await wait();
      if (service === 'eks') throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 404 }, message: `No cluster found for name: ${textOf(input['name']) ?? textOf(input['clusterName'])}.` });
      // Ids nobody in this account and region owns: EC2 and Auto Scaling answer with nothing.
      return service === 'autoscaling' ? { AutoScalingGroups: [] } : { Reservations: [], SecurityGroups: [], Subnets: [], RouteTables: [], Vpcs: [] };
    };

  const eks = mockClient(EKSClient);
  eks.on(ListClustersCommand).callsFake(async (input: Json, getClient) => {
    const { accountId, region } = await callerOf(getClient);
    calls.push({ service: 'eks', command: 'ListClusters', accountId, region, input: structuredClone(input) });
    await wait();
    return { clusters: inScope(accountId, region).map((c) => c.name) };
  });
  answerCommands(eks, EKS_COMMANDS, (name) => routed('eks', name, (candidates, input) => candidates.find((c) => c.name === (textOf(input['name']) ?? textOf(input['clusterName'])))));
  const ec2 = mockClient(EC2Client);
  answerCommands(ec2, EC2_COMMANDS, (name) => routed('ec2', name, (candidates, input) => candidates.find((c) => requestedIds(input).some((id) => c.ids.has(id)))));

  const autoScaling = mockClient(AutoScalingClient);
  // Routed by the cluster tag the collector filters on.
  answerCommands(autoScaling, AUTO_SCALING_COMMANDS, (name) => routed('autoscaling', name, (candidates, input) => candidates.find((c) => requestedIds(input).includes(`kubernetes.io/cluster/${c.name}`))));

  const mocks = [sts, organizations, eks, ec2, autoScaling];
  return {
    calls,
    resetHistory: () => {
      calls.length = 0;
      for (const mock of mocks) mock.resetHistory();
    },
    restore: () => {
      for (const mock of mocks) mock.restore();
    },
  };
}

/** A sample re-targeted to a member account and renamed: what that account's AWS and Kubernetes serve. */
export function memberDocument(member: { sample: string; accountId: string; clusterName: string }): Snapshot {
  const document = validateSnapshot(JSON.parse(sampleText(member.sample).replaceAll(SAMPLE_ACCOUNT_ID, member.accountId)), member.sample);
  const cluster = document.aws.cluster!;
  cluster.name = member.clusterName;
  cluster.arn = cluster.arn!.replace(/cluster\/.*$/, `cluster/${member.clusterName}`);
  document.target.clusterName = member.clusterName;
  return document;
}
