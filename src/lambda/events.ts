/** The events the three functions accept, validated at the edge. */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { clusterTargetSchema, RUN_ID_PATTERN } from '../target/index.js';

const runId = z.string().regex(RUN_ID_PATTERN, 'must be letters, digits, ".", "_" or "-" (at most 80)');
const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-2');
/** EKS cluster names: 1-100 characters, alphanumerics, hyphens and underscores, starting alphanumeric. */
const clusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name');

/** A ClusterTarget whose fields have the formats AWS allows. */
export const targetSchema = clusterTargetSchema.extend({ accountId, region, clusterName });

/** Started by the schedule (Step Functions passes its start time), or by hand with a run id. */
export const enumerateEventSchema = z.object({
  startedAt: z.iso.datetime({ offset: true }).optional(),
  executionName: z.string().optional(),
  runId: runId.optional(),
});

/** One Map item of a run, or an on-demand audit: `{ accountId?, region, clusterName }`. */
export const auditClusterEventSchema = z.union([
  z.object({ runId, target: targetSchema }),
  z.object({ accountId: accountId.optional(), region, clusterName, runId: runId.optional() }),
]);

/**
 * Started by the state machine after the Map: the run, and where the Map's ResultWriter put its
 * manifest (the Map's `ResultWriterDetails`). The outcomes themselves are read from S3, never from
 * the state, which Step Functions caps at 256 KiB.
 */
export const summarizeEventSchema = z.object({
  runId,
  mapResults: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }),
});
export type SummarizeEvent = z.infer<typeof summarizeEventSchema>;
