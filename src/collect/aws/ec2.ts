/**
 * EC2 reads: the cluster's node instances, their security groups, subnets, route tables and VPC,
 * exactly as the Describe* calls return them. Every call is paginated; ids go in filters of at
 * most 200 values (EC2's limit per filter), so a large cluster costs a few concurrent calls more,
 * never one per node.
 */
import {
  DescribeVpcsCommand,
  paginateDescribeInstances,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  type EC2Client,
  type Filter,
  type Instance,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';
import pMap from 'p-map';
import { collectBounded } from '../pages.js';
import type { CallBounds } from './eks.js';

/** Splits a list into chunks of at most `size` (EC2 filters take at most 200 values). */
const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** EC2 rejects more values than this in one filter (FilterLimitExceeded). */
const FILTER_VALUES_MAX = 200;
/** The largest page DescribeInstances, DescribeSecurityGroups and DescribeSubnets serve. */
const PAGE = 1000;
/** DescribeRouteTables serves at most 100 a page. */
const ROUTE_TABLE_PAGE = 100;
const FAN_OUT = 8;

type Paginator<I, O> = (config: { client: EC2Client; pageSize?: number }, input: I, options?: { abortSignal?: AbortSignal }) => AsyncIterable<O>;

/** Every page of one EC2 read, bounded (page cap, repeated NextToken) and aborted at the deadline. */
function collectPages<I extends { Filters?: Filter[] }, O extends { NextToken?: string }, T>(
  paginate: Paginator<I, O>,
  client: EC2Client,
  pageSize: number,
  input: I,
  items: (page: O) => T[] | undefined,
  what: string,
  bounds: CallBounds,
): Promise<T[]> {
  return collectBounded(paginate({ client, pageSize }, input, { abortSignal: bounds.signal }), (p) => p.NextToken, items, what, bounds.maxPages);
}

/** One paginated call per chunk of ids, chunks concurrently, results in id-chunk order. */
async function byIdFilter<I extends { Filters?: Filter[] }, O extends { NextToken?: string }, T>(
  ids: readonly string[],
  filterName: string,
  paginate: Paginator<I, O>,
  client: EC2Client,
  pageSize: number,
  items: (page: O) => T[] | undefined,
  what: string,
  bounds: CallBounds,
): Promise<T[]> {
  const unique = [...new Set(ids)].sort();
  const chunks = await pMap(chunk(unique, FILTER_VALUES_MAX), (values) =>
    collectPages(paginate, client, pageSize, { Filters: [{ Name: filterName, Values: values }] } as I, items, what, bounds),
    { concurrency: FAN_OUT },
  );
  return chunks.flat();
}

/** Instances flattened out of their reservations; `UserData` never travels (DescribeInstances does not return it, and it is dropped if it ever does). */
const instancesOf = (page: { Reservations?: Array<{ Instances?: Instance[] }> }): Instance[] =>
  (page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((instance) => {
    const kept: Instance & { UserData?: unknown } = { ...instance };
    delete kept.UserData;
    return kept;
  });

/** The instances with these ids (the Kubernetes nodes' `spec.providerID`). */
export const describeInstancesById = (ec2: EC2Client, ids: readonly string[], bounds: CallBounds = {}): Promise<Instance[]> =>
  ids.length ? byIdFilter(ids, 'instance-id', paginateDescribeInstances, ec2, PAGE, instancesOf, 'DescribeInstances', bounds) : Promise.resolve([]);

/** The cluster's instances by the `kubernetes.io/cluster/<name>` tag, for when the Kubernetes nodes cannot be read. */
export const describeInstancesByClusterTag = (ec2: EC2Client, clusterName: string, bounds: CallBounds = {}): Promise<Instance[]> =>
  collectPages(
    paginateDescribeInstances,
    ec2,
    PAGE,
    {
      Filters: [
        { Name: 'tag-key', Values: [`kubernetes.io/cluster/${clusterName}`] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    },
    instancesOf,
    'DescribeInstances',
    bounds,
  );

export const describeSecurityGroups = (ec2: EC2Client, ids: readonly string[], bounds: CallBounds = {}): Promise<SecurityGroup[]> =>
  ids.length ? byIdFilter(ids, 'group-id', paginateDescribeSecurityGroups, ec2, PAGE, (p) => p.SecurityGroups, 'DescribeSecurityGroups', bounds) : Promise.resolve([]);

/** Every subnet of the VPC; the caller keeps the cluster's and the nodes' (one call that needs no instance ids). */
export const describeVpcSubnets = (ec2: EC2Client, vpcId: string, bounds: CallBounds = {}): Promise<Subnet[]> =>
  collectPages(paginateDescribeSubnets, ec2, PAGE, { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }, (p) => p.Subnets, 'DescribeSubnets', bounds);

/** Every route table of the VPC; the caller keeps those of the kept subnets and the main table. */
export const describeVpcRouteTables = (ec2: EC2Client, vpcId: string, bounds: CallBounds = {}): Promise<RouteTable[]> =>
  collectPages(paginateDescribeRouteTables, ec2, ROUTE_TABLE_PAGE, { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }, (p) => p.RouteTables, 'DescribeRouteTables', bounds);

export async function describeVpc(ec2: EC2Client, vpcId: string, bounds: CallBounds = {}): Promise<Vpc> {
  const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }), { abortSignal: bounds.signal });
  const vpc = Vpcs?.find((v) => v.VpcId === vpcId);
  if (!vpc) throw Object.assign(new Error(`DescribeVpcs returned no VPC ${vpcId}`), { name: 'InvalidVpcID.NotFound' });
  return vpc;
}

// ---------------------------------------------------------------------------------------------
// Choosing what to keep (pure)

/** EC2 instance ids from Kubernetes nodes' `spec.providerID` (`aws:///eu-west-2a/i-0abc…`); Fargate and other providers are skipped. */
export function instanceIdsFromProviderIds(providerIds: ReadonlyArray<string | undefined>): string[] {
  const ids = providerIds.map((p) => /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(p ?? '')?.[1]).filter((id): id is string => !!id);
  return [...new Set(ids)];
}

/** Security groups on the nodes' network interfaces (and the instance-level list), plus the cluster's own. */
export function securityGroupIds(instances: readonly Instance[] | null, clusterGroupIds: readonly string[]): string[] {
  const ids = new Set(clusterGroupIds);
  for (const instance of instances ?? []) {
    for (const group of instance.SecurityGroups ?? []) if (group.GroupId) ids.add(group.GroupId);
    for (const eni of instance.NetworkInterfaces ?? []) for (const group of eni.Groups ?? []) if (group.GroupId) ids.add(group.GroupId);
  }
  return [...ids];
}

/** The subnet ids that matter: every subnet holding a node (any interface), plus the cluster's and the node groups'. */
export function relevantSubnetIds(instances: readonly Instance[] | null, clusterSubnetIds: readonly string[], nodegroupSubnetIds: readonly string[]): Set<string> {
  const ids = new Set([...clusterSubnetIds, ...nodegroupSubnetIds]);
  for (const instance of instances ?? []) {
    if (instance.SubnetId) ids.add(instance.SubnetId);
    for (const eni of instance.NetworkInterfaces ?? []) if (eni.SubnetId) ids.add(eni.SubnetId);
  }
  return ids;
}

/** Route tables explicitly associated with the kept subnets, plus the VPC's main table when a kept subnet has no table of its own. */
export function relevantRouteTables(tables: readonly RouteTable[], subnetIds: ReadonlySet<string>): RouteTable[] {
  const keptSubnetsOf = (table: RouteTable): string[] =>
    (table.Associations ?? []).map((a) => a.SubnetId).filter((id): id is string => !!id && subnetIds.has(id));
  const explicit = new Set(tables.flatMap(keptSubnetsOf));
  const needsMain = [...subnetIds].some((id) => !explicit.has(id));
  const isMain = (table: RouteTable): boolean => (table.Associations ?? []).some((a) => a.Main === true);
  return tables.filter((table) => keptSubnetsOf(table).length > 0 || (needsMain && isMain(table)));
}
