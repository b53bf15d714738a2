/**
 * Live collection: one EKS cluster's AWS and Calico state → one snapshot (snapshot.md), I/O only.
 *
 * The call plan, in dependent steps (everything within a step runs concurrently):
 *   1. EKS DescribeCluster (endpoint, CA, VPC, subnets, security groups).
 *   2. Kubernetes: /version, /apis, then every resource in the table (Calico lists once /apis has
 *      named the group; v3 tiered policies once the tiers are read). AWS: ListNodegroups →
 *      DescribeNodegroup×n, ListAddons → DescribeAddon×n, DescribeVpcs, the VPC's subnets and
 *      route tables by vpc-id filter, and the Auto Scaling groups by the cluster tag.
 *   3. DescribeInstances by the nodes' providerID ids (or by the cluster tag when the nodes cannot
 *      be read) → 4. DescribeSecurityGroups for the groups on their interfaces plus the cluster's.
 * Calls grow with node count only through pagination.
 */
import { setMaxListeners } from 'node:events';
import type { Cluster } from '@aws-sdk/client-eks';
import packageJson from '../../package.json' with { type: 'json' };
import { validateSnapshot } from '../snapshot/load.js';
import { SNAPSHOT_SCHEMA_VERSION, type KubeObject, type Snapshot } from '../snapshot/schema.js';
import { SNAPSHOT_SOURCES } from '../snapshot/sources.js';
import { createAwsClients, type AwsClients } from './aws/clients.js';
import { collectorCredentials, type CredentialProvider } from './aws/credentials.js';
import {
  describeInstancesByClusterTag,
  describeInstancesById,
  describeSecurityGroups,
  describeVpc,
  describeVpcRouteTables,
  describeVpcSubnets,
  instanceIdsFromProviderIds,
  relevantRouteTables,
  relevantSubnetIds,
  securityGroupIds,
} from './aws/ec2.js';
import { describeAddons, describeCluster, describeNodegroups } from './aws/eks.js';
import { describeClusterAutoScalingGroups } from './aws/autoscaling.js';
import { ClusterUnavailableError, ErrorLog, ReadError, describeFailure, withinDeadline, type SourceSettled } from './errors.js';
import { createKubeApi, type KubeApi, type KubeClientOptions } from './kube/client.js';
import { collectKubernetes } from './kube/collect-kube.js';
import { eksToken, resolveStsEndpoint } from './kube/token.js';

export const COLLECTOR = { name: packageJson.name, version: packageJson.version } as const;

export interface CollectDeps {
  aws: AwsClients;
  credentials: CredentialProvider;
  /** Opens the cluster's Kubernetes API; by default with an EKS token and the cluster's CA. */
  connectKube?: (cluster: Cluster) => Promise<KubeApi>;
}

export interface CollectOptions {
  clusterName: string;
  region: string;
  /** "Now": `collectedAt` and the token's signing time. */
  now?: () => Date;
  /** Kubernetes list page size (`limit`); default 1000. */
  pageSize?: number;
  kube?: KubeClientOptions;
  /** Called as each source settles (progress). */
  onProgress?: (event: SourceSettled) => void;
  /**
   * The whole collection's deadline (default 7 minutes, under the auditCluster Lambda's 10): at it,
   * calls in flight are aborted and the snapshot holds what was read, every other source recorded as
   * `DeadlineExceeded` (its list `null`, so the rules that need it are `unknown`).
   */
  deadlineMs?: number;
  /** Pages read at most per paginated list (default 1,000). */
  maxPages?: number;
}

export const DEFAULT_COLLECTION_DEADLINE_MS = 420_000;

/** The default Kubernetes connection: the cluster endpoint, its CA from DescribeCluster, an EKS token signed in-process. */
export async function connectWithEksToken(cluster: Cluster, deps: CollectDeps, options: CollectOptions): Promise<KubeApi> {
  if (!cluster.endpoint) throw new ReadError('NoEndpoint', `the cluster has no API endpoint yet (status ${cluster.status ?? 'unknown'})`);
  const caData = cluster.certificateAuthority?.data;
  if (!caData) throw new ReadError('NoCertificateAuthority', 'DescribeCluster returned no certificateAuthority.data');
  const endpoint = await resolveStsEndpoint(deps.aws.sts);
  const token = await eksToken({ clusterName: options.clusterName, credentials: deps.credentials, endpoint, signingDate: (options.now ?? (() => new Date()))() });
  return createKubeApi({ server: cluster.endpoint, caData, token }, options.kube);
}

/** The account id in an EKS cluster ARN (`arn:aws:eks:<region>:<account>:cluster/<name>`). */
const accountOf = (arn: string | undefined): string => arn?.split(':')[4] ?? '';

/** Dates (AWS SDK timestamps) to ISO strings, undefined members dropped: the section as it will be written. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Collects one cluster. Throws `ClusterUnavailableError` when DescribeCluster fails; every other failure is data. */
export async function collectSnapshot(options: CollectOptions, deps: CollectDeps): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const deadlineMs = options.deadlineMs ?? DEFAULT_COLLECTION_DEADLINE_MS;
  const deadline = new AbortController();
  // Every call in flight listens to this one deadline (dozens of AWS and Kubernetes reads at once):
  // more than Node's default 10 listeners is the design here, not a leak.
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(
    () => deadline.abort(`not finished within the collection deadline of ${deadlineMs / 1000} s; the snapshot holds what was read by then`),
    deadlineMs,
  );
  try {
    return await collectWithin(options, deps, deadline.signal, now);
  } finally {
    clearTimeout(timer);
    // Whatever is still in flight (a retry waiting out its backoff) stops now.
    if (!deadline.signal.aborted) deadline.abort('collection finished');
  }
}

async function collectWithin(options: CollectOptions, deps: CollectDeps, signal: AbortSignal, now: () => Date): Promise<Snapshot> {
  const collectedAt = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { clusterName, region } = options;
  const { eks, ec2 } = deps.aws;
  const bounds = { signal, maxPages: options.maxPages };
  const log = new ErrorLog(options.onProgress, signal);

  let cluster: Cluster;
  try {
    cluster = await withinDeadline(signal, () => describeCluster(eks, clusterName, bounds));
  } catch (error) {
    const { code, message } = describeFailure(error);
    throw new ClusterUnavailableError(clusterName, region, code, message, { cause: error });
  }
  options.onProgress?.({ source: SNAPSHOT_SOURCES['aws.cluster'], ok: true, count: 1 });

  const vpcConfig = cluster.resourcesVpcConfig ?? {};
  const connect = deps.connectKube ?? ((c: Cluster) => connectWithEksToken(c, deps, { ...options, kube: { ...options.kube, signal } }));
  const kubeApi = await withinDeadline(signal, () => connect(cluster)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const kube = collectKubernetes(kubeApi, log, { pageSize: options.pageSize, maxPages: options.maxPages });

  const inVpc = <T>(source: string, read: (vpcId: string) => Promise<T>): Promise<T | null> =>
    log.attempt(source, () => (vpcConfig.vpcId ? read(vpcConfig.vpcId) : Promise.reject(new ReadError('NoVpc', 'DescribeCluster named no VPC'))));

  const nodegroups = log.attempt(SNAPSHOT_SOURCES['aws.nodegroups'], () => describeNodegroups(eks, clusterName, bounds));
  const addons = log.attempt(SNAPSHOT_SOURCES['aws.addons'], () => describeAddons(eks, clusterName, bounds));
  const autoScalingGroups = log.attempt(SNAPSHOT_SOURCES['aws.autoScalingGroups'], () => describeClusterAutoScalingGroups(deps.aws.autoScaling, clusterName, bounds));
  const vpc = inVpc(SNAPSHOT_SOURCES['aws.vpc'], (id) => describeVpc(ec2, id, bounds));
  const vpcSubnets = inVpc(SNAPSHOT_SOURCES['aws.subnets'], (id) => describeVpcSubnets(ec2, id, bounds));
  const vpcRouteTables = inVpc(SNAPSHOT_SOURCES['aws.routeTables'], (id) => describeVpcRouteTables(ec2, id, bounds));
  const instances = log.attempt(SNAPSHOT_SOURCES['aws.instances'], async () => {
    const nodes: KubeObject[] | null = await kube.nodes;
    // The nodes name their instances; without them, fall back to the tag EKS puts on cluster instances.
    if (nodes === null) return describeInstancesByClusterTag(ec2, clusterName, bounds);
    return describeInstancesById(ec2, instanceIdsFromProviderIds(nodes.map((n) => (n.spec as { providerID?: string } | undefined)?.providerID)), bounds);
  });
  const clusterGroups = [vpcConfig.clusterSecurityGroupId, ...(vpcConfig.securityGroupIds ?? [])].filter((id): id is string => !!id);
  const securityGroups = log.attempt(SNAPSHOT_SOURCES['aws.securityGroups'], async () => describeSecurityGroups(ec2, securityGroupIds(await instances, clusterGroups), bounds));

  const [sections, nodegroupList, addonList, vpcObject, allSubnets, allRouteTables, instanceList, groupList, autoScalingGroupList] = await Promise.all([
    // Every Kubernetes read has settled once the sections are assembled: let the connections go.
    kube.sections.finally(() => (kubeApi instanceof Error ? undefined : kubeApi.close?.())),
    nodegroups,
    addons,
    vpc,
    vpcSubnets,
    vpcRouteTables,
    instances,
    securityGroups,
    autoScalingGroups,
  ]);

  // Subnets and route tables were read for the whole VPC (no wait on the instances); keep the cluster's.
  const wanted = relevantSubnetIds(instanceList, vpcConfig.subnetIds ?? [], (nodegroupList ?? []).flatMap((ng) => ng.subnets ?? []));
  const subnets = allSubnets?.filter((s) => !!s.SubnetId && wanted.has(s.SubnetId)) ?? null;
  const keptSubnetIds = subnets ? new Set(subnets.map((s) => s.SubnetId!)) : wanted;
  const routeTables = allRouteTables ? relevantRouteTables(allRouteTables, keptSubnetIds) : null;

  const document = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt,
    collector: { ...COLLECTOR },
    target: { accountId: accountOf(cluster.arn), region, clusterName },
    aws: asJson({
      cluster,
      nodegroups: nodegroupList,
      addons: addonList,
      instances: instanceList,
      securityGroups: groupList,
      subnets,
      routeTables,
      vpc: vpcObject,
      autoScalingGroups: autoScalingGroupList,
    }),
    kubernetes: sections.kubernetes,
    calico: sections.calico,
    errors: log.sorted(),
  };
  return validateSnapshot(document, `snapshot collected from ${clusterName}`);
}

export interface LiveOptions {
  region: string;
  roleArn?: string;
  externalId?: string;
}

/** Real clients: the default credential chain or an assumed role, and SDK clients configured for collection. */
export function liveCollectDeps(options: LiveOptions): CollectDeps {
  const credentials = collectorCredentials(options);
  return { aws: createAwsClients({ region: options.region, credentials }), credentials };
}
