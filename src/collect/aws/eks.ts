/** EKS reads: the cluster, its managed node groups and its add-ons, exactly as DescribeCluster/Nodegroup/Addon return them. */
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  paginateListAddons,
  paginateListNodegroups,
  type Addon,
  type Cluster,
  type EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import pMap from 'p-map';
import { boundedPages } from '../pages.js';

/** What bounds one collection's calls: the deadline's signal (aborts calls in flight) and the page cap. */
export interface CallBounds {
  signal?: AbortSignal;
  maxPages?: number;
}

/** Describe calls in flight at once when fanning out over node groups or add-ons. */
const FAN_OUT = 8;
/** ListNodegroups and ListAddons return at most 100 names a page. */
const LIST_PAGE = 100;

export async function describeCluster(eks: EKSClient, name: string, bounds: CallBounds = {}): Promise<Cluster> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name }), { abortSignal: bounds.signal });
  if (!cluster) throw Object.assign(new Error(`DescribeCluster returned no cluster named ${name}`), { name: 'ResourceNotFoundException' });
  return cluster;
}

/** Every managed node group: ListNodegroups (paginated), then DescribeNodegroup for each, concurrently. */
export async function describeNodegroups(eks: EKSClient, clusterName: string, bounds: CallBounds = {}): Promise<Nodegroup[]> {
  const names: string[] = [];
  const pages = paginateListNodegroups({ client: eks, pageSize: LIST_PAGE }, { clusterName }, { abortSignal: bounds.signal });
  for await (const page of boundedPages(pages, (p) => p.nextToken, 'ListNodegroups', bounds.maxPages)) names.push(...(page.nodegroups ?? []));
  return pMap(names, async (nodegroupName) => {
    const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }), { abortSignal: bounds.signal });
    return nodegroup ?? { nodegroupName };
  }, { concurrency: FAN_OUT });
}

/**
 * Every add-on: ListAddons (paginated), then DescribeAddon for each, concurrently. An add-on's
 * `configurationValues` is dropped: it is free-form user configuration and may hold credentials
 * (marketplace add-ons take API keys there), and no rule reads it.
 */
export async function describeAddons(eks: EKSClient, clusterName: string, bounds: CallBounds = {}): Promise<Addon[]> {
  const names: string[] = [];
  const pages = paginateListAddons({ client: eks, pageSize: LIST_PAGE }, { clusterName }, { abortSignal: bounds.signal });
  for await (const page of boundedPages(pages, (p) => p.nextToken, 'ListAddons', bounds.maxPages)) names.push(...(page.addons ?? []));
  return pMap(names, async (addonName) => {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }), { abortSignal: bounds.signal });
    const kept: Addon = { ...(addon ?? { addonName }) };
    delete kept.configurationValues;
    return kept;
  }, { concurrency: FAN_OUT });
}
