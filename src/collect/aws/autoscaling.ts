/**
 * Auto Scaling reads: the groups tagged `kubernetes.io/cluster/<name>`, exactly as
 * DescribeAutoScalingGroups returns them. Self-managed node groups (eksctl, terraform-aws-eks,
 * CloudFormation) carry that tag, and so do the groups EKS creates behind managed node groups
 * (with `eks:nodegroup-name` as well): the assessment tells them apart.
 */
import { paginateDescribeAutoScalingGroups, type AutoScalingClient, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { collectBounded } from '../pages.js';
import type { CallBounds } from './eks.js';

/** DescribeAutoScalingGroups serves at most 100 groups a page. */
const PAGE = 100;

/** The tag the Kubernetes AWS cloud provider and EKS put on a cluster's instances and Auto Scaling groups. */
export const clusterTagKey = (clusterName: string): string => `kubernetes.io/cluster/${clusterName}`;

export function describeClusterAutoScalingGroups(autoScaling: AutoScalingClient, clusterName: string, bounds: CallBounds = {}): Promise<AutoScalingGroup[]> {
  const pages = paginateDescribeAutoScalingGroups(
    { client: autoScaling, pageSize: PAGE },
    { Filters: [{ Name: 'tag-key', Values: [clusterTagKey(clusterName)] }] },
    { abortSignal: bounds.signal },
  );
  return collectBounded(pages, (p) => p.NextToken, (p) => p.AutoScalingGroups, 'DescribeAutoScalingGroups', bounds.maxPages);
}
