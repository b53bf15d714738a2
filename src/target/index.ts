/**
 * Who is audited, and in which run: the identity every stage of the pipeline shares, defined once
 * at the bottom so that the snapshot, the fleet summary, publishing and the handlers agree on it.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';

/** One EKS cluster: the account and region it lives in, and its name. */
export const clusterTargetSchema = z.object({ accountId: z.string(), region: z.string(), clusterName: z.string() });
export type ClusterTarget = z.infer<typeof clusterTargetSchema>;

/** `<account>/<region>/<cluster>`: one cluster's identity across runs. */
export const clusterId = (t: ClusterTarget): string => `${t.accountId}/${t.region}/${t.clusterName}`;

/** Only the three identity fields of something that carries more (a fleet row, a change). */
export const targetOf = (t: ClusterTarget): ClusterTarget => ({ accountId: t.accountId, region: t.region, clusterName: t.clusterName });

/** Run ids are UTC timestamps or caller-chosen words: nothing that could climb out of a key prefix. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** A run id from the run's start time: `2026-11-23T02-00-00Z` (sortable, safe in keys). */
export const runIdAt = (startedAt: Date): string => startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');

/** The start time a run id made by `runIdAt` stands for (ISO); `null` for a run id chosen by hand. */
export function runTimeOf(runId: string): string | null {
  const parts = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z$/.exec(runId);
  if (!parts) return null;
  const iso = `${parts[1]}T${parts[2]}:${parts[3]}:${parts[4]}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}
