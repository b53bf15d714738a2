/**
 * Where a cluster's report lives relative to the fleet page, shared by the fleet page's links and
 * the publishing layout. Kept apart from the fleet page so that code which only needs a path (the
 * enumerate Lambda, the S3 layout) does not load the renderers.
 */
import * as z from 'zod';

export const clusterTargetSchema = z.object({ accountId: z.string(), region: z.string(), clusterName: z.string() });
export type ClusterTarget = z.infer<typeof clusterTargetSchema>;

/** `<account>/<region>/<cluster>`: one cluster's identity across runs. */
export const clusterKey = (t: ClusterTarget): string => `${t.accountId}/${t.region}/${t.clusterName}`;

/** The report folder of a cluster, relative to the fleet page: `clusters/<account>/<region>/<cluster>`. */
export const reportFolder = (t: ClusterTarget): string => ['clusters', t.accountId, t.region, t.clusterName].join('/');
