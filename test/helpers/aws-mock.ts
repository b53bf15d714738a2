/**
 * EKS, EC2 and Auto Scaling mocked with aws-sdk-client-mock from a sample snapshot's `aws` section, answering in
 * the SDK's own shapes (timestamps as Date, reservations around instances), honouring the filters
 * the collector sends, paginating with NextToken, and optionally denying, throttling or delaying.
 * A few objects of another workload share the VPC, so the collector's choice of what to keep shows.
 */
import { AutoScalingServiceException, DescribeAutoScalingGroupsCommand, type Filter as AutoScalingFilter } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  AccessDeniedException,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListAddonsCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/collect/aws/clients.js';
import { createAwsClients } from '../../src/collect/aws/clients.js';
import type { AutoScalingGroup, Ec2Instance, Ec2RouteTable, Ec2Subnet, Snapshot } from '../../src/snapshot/schema.js';
import { sdkShaped } from './aws-shapes.js';

/** A command's input or answer as the mocks handle it: the SDK's object, whichever command it is. */
export type Json = Record<string, unknown>;

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** A credential provider answering with `FAKE_CREDENTIALS`. */
export const fakeCredentials = (): Promise<typeof FAKE_CREDENTIALS> => Promise.resolve(FAKE_CREDENTIALS);

/** A request handler that fails every request: proof that nothing reaches the network. */
export const noNetwork = {
  handle: (): Promise<never> => Promise.reject(new Error('test clients must not reach the network')),
};

/** Clients as the CLI builds them, with fixed credentials and no way out to the network. */
export const testAwsClients = (region = 'eu-west-2'): AwsClients =>
  createAwsClients({ region, credentials: fakeCredentials, requestHandler: noNetwork });

/** A string member of a command's input (`NextToken`, `name`, …), or undefined. */
export const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
/** The `Filters` of an EC2 Describe* input (the collector builds them with the SDK's `Filter` type). */
export const filtersOf = (input: Json): Filter[] | undefined => input['Filters'] as Filter[] | undefined;
/** The `VpcIds` of a DescribeVpcs input. */
export const vpcIdsOf = (input: Json): string[] | undefined => input['VpcIds'] as string[] | undefined;

export type CommandName =
  | 'DescribeCluster'
  | 'ListNodegroups'
  | 'DescribeNodegroup'
  | 'ListAddons'
  | 'DescribeAddon'
  | 'DescribeInstances'
  | 'DescribeSecurityGroups'
  | 'DescribeSubnets'
  | 'DescribeRouteTables'
  | 'DescribeVpcs'
  | 'DescribeAutoScalingGroups';

export interface AwsMockOptions {
  /** Largest page served, whatever MaxResults asks (forces pagination). */
  pageSize?: number;
  /** Calls answered with AccessDenied (EKS) / UnauthorizedOperation (EC2). */
  denied?: CommandName[];
  /** Calls answered with ThrottlingException as the SDK reports it after its retries. */
  throttled?: CommandName[];
  /** The first N calls of a command answered with ThrottlingException, the later ones served (an account over its rate for a while). */
  throttledFirst?: Partial<Record<CommandName, number>>;
  /** Milliseconds before each answer. */
  delayMs?: number;
  /** Replaces DescribeCluster's endpoint and CA (point it at a local server). */
  endpoint?: string;
  caData?: string;
  /** Leave out the other workload's subnet, route tables and instance. */
  noDistractors?: boolean;
  /** Calls that never answer (a hung connection). */
  hang?: CommandName[];
  /** A paginated call whose every page carries a next-page token: the same one again, or always a new one. */
  endless?: { command: CommandName; tokens: 'repeated' | 'fresh' };
}

export interface AwsMock {
  calls: Array<{ command: CommandName; input: Json }>;
  count(command?: CommandName): number;
  restore(): void;
}

/** The collector's identity in the sample's account, as AWS names it in a denial. */
const roleOf = (accountId: string) => `arn:aws:sts::${accountId}:assumed-role/CalicoAuditReadOnly/calico-audit`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deniedError(command: CommandName, cluster: { arn?: string; name?: string }): Error {
  const role = roleOf(cluster.arn?.split(':')[4] ?? '111122223333');
  const metadata = { httpStatusCode: 403, requestId: 'b1a0d7c2-denied', attempts: 1, totalRetryDelay: 0 };
  if (command === 'DescribeAutoScalingGroups') {
    // Auto Scaling speaks awsQuery: a denial is the code AccessDenied, its message naming the action.
    return new AutoScalingServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: metadata,
      message: `User: ${role} is not authorized to perform: autoscaling:DescribeAutoScalingGroups because no identity-based policy allows the autoscaling:DescribeAutoScalingGroups action`,
    });
  }
  if (command.startsWith('Describe') && !['DescribeCluster', 'DescribeNodegroup', 'DescribeAddon'].includes(command)) {
    return new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: metadata,
      message: `You are not authorized to perform this operation. User: ${role} is not authorized to perform: ec2:${command} because no identity-based policy allows the ec2:${command} action`,
    });
  }
  return new AccessDeniedException({ $metadata: metadata, message: `User: ${role} is not authorized to perform: eks:${command} on resource: ${cluster.arn ?? `arn:aws:eks:eu-west-2:111122223333:cluster/${cluster.name}`}` });
}

const throttledError = () =>
  new ThrottlingException({ $metadata: { httpStatusCode: 429, requestId: 'c0ffee-throttled', attempts: 5, totalRetryDelay: 3100 }, message: 'Rate exceeded' });

/** Auto Scaling (awsQuery) reports throttling as the code `Throttling`, HTTP 400. */
const autoScalingThrottled = () =>
  new AutoScalingServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'c0ffee-throttled', attempts: 5, totalRetryDelay: 3100 }, message: 'Rate exceeded' });

const filterValues = (filters: Filter[] | undefined, name: string): string[] | undefined => filters?.find((f) => f.Name === name)?.Values;

/** One page of `items` from `NextToken` (an offset here), at most `max` long. */
function page<T>(items: T[], token: string | undefined, max: number): { items: T[]; next?: string } {
  const offset = token ? Number(token) : 0;
  const end = offset + max;
  return { items: items.slice(offset, end), ...(end < items.length ? { next: String(end) } : {}) };
}

/** A mocked call's answer: records the call, waits, fails as configured, or answers from the sample. */
export type AwsAnswer = (input: Json) => Promise<Json>;

/** The commands the collector sends, by client. */
export const EKS_COMMANDS = {
  DescribeCluster: DescribeClusterCommand,
  ListNodegroups: ListNodegroupsCommand,
  DescribeNodegroup: DescribeNodegroupCommand,
  ListAddons: ListAddonsCommand,
  DescribeAddon: DescribeAddonCommand,
} as const;
export const EC2_COMMANDS = {
  DescribeInstances: DescribeInstancesCommand,
  DescribeSecurityGroups: DescribeSecurityGroupsCommand,
  DescribeSubnets: DescribeSubnetsCommand,
  DescribeRouteTables: DescribeRouteTablesCommand,
  DescribeVpcs: DescribeVpcsCommand,
} as const;
export const AUTO_SCALING_COMMANDS = {
  DescribeAutoScalingGroups: DescribeAutoScalingGroupsCommand,
} as const;

/** Does an Auto Scaling group pass DescribeAutoScalingGroups' filters (`tag-key`, `tag-value`, `tag:<key>`)? */
function asgMatches(group: AutoScalingGroup, filters: AutoScalingFilter[] | undefined): boolean {
  const tags = group.Tags ?? [];
  return (filters ?? []).every((filter) => {
    const values = filter.Values ?? [];
    if (filter.Name === 'tag-key') return tags.some((t) => t.Key !== undefined && values.includes(t.Key));
    if (filter.Name === 'tag-value') return tags.some((t) => t.Value !== undefined && values.includes(t.Value));
    if (filter.Name?.startsWith('tag:')) return tags.some((t) => t.Key === filter.Name!.slice(4) && t.Value !== undefined && values.includes(t.Value));
    throw new Error(`the mock does not filter Auto Scaling groups by ${filter.Name}`);
  });
}

/**
 * EKS's and EC2's answers about one sample cluster, by command, each recording its call in `calls`.
 * `mockAwsFromSnapshot` registers them on one set of clients; a fleet mock routes to them by cluster.
 */
export function answersFromSnapshot(snapshot: Snapshot, options: AwsMockOptions, calls: AwsMock['calls']): Record<CommandName, AwsAnswer> {
  const aws = snapshot.aws;
  const sampleCluster = aws.cluster;
  if (!sampleCluster) throw new Error(`sample ${snapshot.target.clusterName} has no EKS cluster to answer for`);
  const cluster: Json = { ...sampleCluster };
  if (options.endpoint) cluster['endpoint'] = options.endpoint;
  if (options.caData) cluster['certificateAuthority'] = { data: options.caData };
  const vpcId = sampleCluster.resourcesVpcConfig?.vpcId;

  const distractors = !options.noDistractors;
  const otherSubnet = { SubnetId: 'subnet-0f0f0f0f0f0f0ffff', VpcId: vpcId, CidrBlock: '10.99.0.0/24', AvailabilityZone: 'eu-west-2a', State: 'available' };
  const subnets: Ec2Subnet[] = [...(aws.subnets ?? []), ...(distractors ? [otherSubnet] : [])];
  const routeTables: Ec2RouteTable[] = [
    ...(aws.routeTables ?? []),
    ...(distractors
      ? [
          { RouteTableId: 'rtb-0f0f0f0f0f0f0ffff', VpcId: vpcId, Associations: [{ Main: false, SubnetId: otherSubnet.SubnetId, RouteTableId: 'rtb-0f0f0f0f0f0f0ffff' }], Routes: [] },
          { RouteTableId: 'rtb-0f0f0f0f0f0f0main', VpcId: vpcId, Associations: [{ Main: true, RouteTableId: 'rtb-0f0f0f0f0f0f0main' }], Routes: [] },
        ]
      : []),
  ];
  const otherInstance = { InstanceId: 'i-0f0f0f0f0f0f0ffff', SubnetId: otherSubnet.SubnetId, VpcId: vpcId, Tags: [{ Key: 'Name', Value: 'bastion' }], State: { Code: 16, Name: 'running' } };
  const instances: Ec2Instance[] = [...(aws.instances ?? []), ...(distractors ? [otherInstance] : [])];
  // Another cluster's self-managed group in the same account and region: the tag filter must leave it out.
  const otherGroup: AutoScalingGroup = {
    AutoScalingGroupName: 'other-cluster-workers',
    AutoScalingGroupARN: 'arn:aws:autoscaling:eu-west-2:111122223333:autoScalingGroup:0f0f0f0f-0f0f-0f0f-0f0f-0f0f0f0f0f0f:autoScalingGroupName/other-cluster-workers',
    MinSize: 1,
    MaxSize: 200,
    DesiredCapacity: 1,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-2a'],
    HealthCheckType: 'EC2',
    CreatedTime: '2026-01-06T16:18:30.000Z',
    Tags: [{ ResourceId: 'other-cluster-workers', ResourceType: 'auto-scaling-group', Key: 'kubernetes.io/cluster/other-cluster', Value: 'owned', PropagateAtLaunch: true }],
  };
  const autoScalingGroups: AutoScalingGroup[] = [...(aws.autoScalingGroups ?? []), ...(distractors ? [otherGroup] : [])];

  const pageSize = options.pageSize ?? 1000;
  const throttledSoFar = new Map<CommandName, number>();
  const handle =
    (command: CommandName, answer: (input: Json) => Json): AwsAnswer =>
    async (input) => {
      calls.push({ command, input: structuredClone(input) });
      if (options.delayMs) await sleep(options.delayMs);
      if (options.hang?.includes(command)) await new Promise(() => {});
      if (options.denied?.includes(command)) throw deniedError(command, sampleCluster);
      const throttleFirst = options.throttledFirst?.[command] ?? 0;
      const throttled = throttledSoFar.get(command) ?? 0;
      if (throttled < throttleFirst) throttledSoFar.set(command, throttled + 1);
      if (options.throttled?.includes(command) || throttled < throttleFirst) throw command === 'DescribeAutoScalingGroups' ? autoScalingThrottled() : throttledError();
      const answered = answer(input);
      if (options.endless?.command !== command) return answered;
      const key = command.startsWith('List') ? 'nextToken' : 'NextToken';
      const token = options.endless.tokens === 'repeated' ? 'page-token-again' : `page-token-${calls.filter((c) => c.command === command).length}`;
      return { ...answered, [key]: token };
    };

  /** An EKS List* call: names, paginated with nextToken. */
  const eksList = (command: CommandName, key: string, names: Array<string | undefined>) =>
    handle(command, (input) => {
      const p = page(names, textOf(input['nextToken']), Math.min(numberOf(input['maxResults']) ?? 100, pageSize));
      return { [key]: p.items, ...(p.next ? { nextToken: p.next } : {}) };
    });
  /** An EC2 Describe* call: objects kept by one filter on one field, in the SDK's shape, paginated with NextToken. */
  const ec2List = (command: CommandName, key: string, shape: string, items: Json[], filter: string, field: string, maxPage: number) =>
    handle(command, (input) => {
      const wanted = filterValues(filtersOf(input), filter);
      const kept = (o: Json) => {
        const value = textOf(o[field]);
        return !wanted || (value !== undefined && wanted.includes(value));
      };
      const p = page(items.filter(kept), textOf(input['NextToken']), Math.min(numberOf(input['MaxResults']) ?? maxPage, pageSize));
      return { [key]: p.items.map((o) => sdkShaped('ec2', shape, o)), ...(p.next ? { NextToken: p.next } : {}) };
    });

  return {
    DescribeCluster: handle('DescribeCluster', (input) => {
      if (input['name'] !== cluster['name']) throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 404 }, message: `No cluster found for name: ${textOf(input['name'])}.` });
      return { cluster: sdkShaped('eks', 'Cluster', cluster) };
    }),
    ListNodegroups: eksList('ListNodegroups', 'nodegroups', (aws.nodegroups ?? []).map((n) => n.nodegroupName)),
    DescribeNodegroup: handle('DescribeNodegroup', (input) => ({ nodegroup: sdkShaped('eks', 'Nodegroup', (aws.nodegroups ?? []).find((n) => n.nodegroupName === input['nodegroupName'])) })),
    ListAddons: eksList('ListAddons', 'addons', (aws.addons ?? []).map((a) => a.addonName)),
    DescribeAddon: handle('DescribeAddon', (input) => ({ addon: sdkShaped('eks', 'Addon', (aws.addons ?? []).find((a) => a.addonName === input['addonName'])) })),
    DescribeInstances: handle('DescribeInstances', (input) => {
      const ids = filterValues(filtersOf(input), 'instance-id');
      const tag = filterValues(filtersOf(input), 'tag-key')?.[0];
      const selected = instances.filter((i) => (ids ? ids.includes(i.InstanceId) : tag ? (i.Tags ?? []).some((t) => t.Key === tag) : true));
      const p = page(selected, textOf(input['NextToken']), Math.min(numberOf(input['MaxResults']) ?? 1000, pageSize));
      return {
        Reservations: p.items.map((i, n) => ({ ReservationId: `r-0${String(n).padStart(16, '0')}`, OwnerId: snapshot.target.accountId, Groups: [], Instances: [sdkShaped('ec2', 'Instance', i)] })),
        ...(p.next ? { NextToken: p.next } : {}),
      };
    }),
    DescribeSecurityGroups: ec2List('DescribeSecurityGroups', 'SecurityGroups', 'SecurityGroup', aws.securityGroups ?? [], 'group-id', 'GroupId', 1000),
    DescribeSubnets: ec2List('DescribeSubnets', 'Subnets', 'Subnet', subnets, 'vpc-id', 'VpcId', 1000),
    DescribeRouteTables: ec2List('DescribeRouteTables', 'RouteTables', 'RouteTable', routeTables, 'vpc-id', 'VpcId', 100),
    DescribeVpcs: handle('DescribeVpcs', (input) => ({ Vpcs: aws.vpc && (vpcIdsOf(input) ?? []).includes(aws.vpc.VpcId) ? [sdkShaped('ec2', 'Vpc', aws.vpc)] : [] })),
    DescribeAutoScalingGroups: handle('DescribeAutoScalingGroups', (input) => {
      const named = input['AutoScalingGroupNames'] as string[] | undefined;
      const filters = input['Filters'] as AutoScalingFilter[] | undefined;
      const selected = autoScalingGroups.filter((g) => (!named?.length || (g.AutoScalingGroupName !== undefined && named.includes(g.AutoScalingGroupName))) && asgMatches(g, filters));
      // MaxRecords: at most 100 (the service's limit), 50 by default.
      const p = page(selected, textOf(input['NextToken']), Math.min(numberOf(input['MaxRecords']) ?? 50, 100, pageSize));
      return { AutoScalingGroups: p.items.map((g) => sdkShaped('autoscaling', 'AutoScalingGroup', g)), ...(p.next ? { NextToken: p.next } : {}) };
    }),
  };
}

/** Registers each command's answer on a client mock (the commands' input types differ; the answers take any). */
export function answerCommands(mock: { on(command: never): { callsFake(fn: never): unknown } }, commands: Record<string, unknown>, answer: (name: CommandName) => (input: Json, getClient: () => unknown) => Promise<Json>): void {
  for (const name of Object.keys(commands) as CommandName[]) mock.on(commands[name] as never).callsFake(answer(name) as never);
}

export function mockAwsFromSnapshot(snapshot: Snapshot, clients: AwsClients, options: AwsMockOptions = {}): AwsMock {
  const calls: AwsMock['calls'] = [];
  const answers = answersFromSnapshot(snapshot, options, calls);
  const eks = mockClient(clients.eks);
  const ec2 = mockClient(clients.ec2);
  const autoScaling = mockClient(clients.autoScaling);
  answerCommands(eks, EKS_COMMANDS, (name) => answers[name]);
  answerCommands(ec2, EC2_COMMANDS, (name) => answers[name]);
  answerCommands(autoScaling, AUTO_SCALING_COMMANDS, (name) => answers[name]);
  return {
    calls,
    count: (command) => (command ? calls.filter((c) => c.command === command).length : calls.length),
    restore: () => {
      eks.restore();
      ec2.restore();
      autoScaling.restore();
    },
  };
}
