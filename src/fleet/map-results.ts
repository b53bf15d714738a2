/**
 * The Distributed Map's results as cluster outcomes, read from S3 where its ResultWriter put them
 * (Step Functions Developer Guide, "ResultWriter (Map)"): a `manifest.json` naming the result files
 * by status, each file a JSON array of child execution records whose `Input` and `Output` are JSON
 * strings, and `Error`/`Cause` for a child execution that failed. Each file is read, reduced to one
 * small outcome per cluster and let go before the next, so a run of any size never holds every
 * result at once; the run's targets file then names any cluster the Map recorded nothing for.
 */
import * as z from 'zod';
import { isMapManifestKey, isMapResultFileKey } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import { clusterId, clusterTargetSchema, type ClusterTarget } from '../target/index.js';
import { readTargets } from './run-files.js';
import type { RunOutcome } from './summarize.js';

/** One item of the Map's output: what auditCluster returned, or what the ClusterNotAudited state recorded. */
export interface MapResult {
  status: 'audited' | 'failed';
  target: ClusterTarget;
  reason?: string | undefined;
  /** Set by the Catch state: the Lambda error's name and its JSON. */
  error?: string | undefined;
  cause?: string | undefined;
}

const mapResultSchema = z.looseObject({
  status: z.enum(['audited', 'failed']),
  target: clusterTargetSchema,
  reason: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

const resultFile = z.object({ Key: z.string() });
const manifestSchema = z.looseObject({
  ResultFiles: z.looseObject({
    SUCCEEDED: z.array(resultFile).default([]),
    FAILED: z.array(resultFile).default([]),
    PENDING: z.array(resultFile).default([]),
  }),
});

const executionRecordSchema = z.looseObject({
  Status: z.string().optional(),
  Input: z.string().optional(),
  Output: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});

/** Step Functions puts the Lambda error's JSON in `cause`; its `errorMessage` is the readable part. */
function causeMessage(cause: string | undefined): string | null {
  if (!cause) return null;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

const withCause = (error: string, cause: string | undefined) => {
  const message = causeMessage(cause);
  return `${error}${message ? `: ${message}` : ''}`;
};

/** One Map result as what summarize needs: audited, or failed with one line of reason. */
export function outcomeOfMapResult(result: MapResult): RunOutcome {
  if (typeof result.error === 'string') return { status: 'failed', target: result.target, reason: withCause(result.error, result.cause) };
  if (result.status === 'failed') return { status: 'failed', target: result.target, reason: result.reason ?? 'not audited' };
  return { status: 'audited', target: result.target };
}

/** The Map's results as outcomes, for runs in one process that hold them already. */
export const outcomesFromMap = (results: readonly MapResult[]): RunOutcome[] => results.map(outcomeOfMapResult);

const decoder = new TextDecoder();

async function readJsonObject(sink: ReportSink, key: string, what: string): Promise<unknown> {
  const body = await sink.read(key);
  if (body === null) throw new Error(`the Map's ${what} ${key} is missing`);
  try {
    return JSON.parse(decoder.decode(body));
  } catch (error) {
    throw new Error(`the Map's ${what} ${key} is not JSON (${(error as Error).message})`, { cause: error });
  }
}

const targetOfInput = (input: string | undefined): ClusterTarget | null => {
  try {
    const parsed = clusterTargetSchema.safeParse((JSON.parse(input ?? '') as { target?: unknown }).target);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
};

/** A child execution record as an outcome; `null` for a record that names no cluster. */
function outcomeOfRecord(record: z.infer<typeof executionRecordSchema>, status: 'SUCCEEDED' | 'FAILED' | 'PENDING'): RunOutcome | null {
  const target = targetOfInput(record.Input);
  if (status === 'SUCCEEDED') {
    let output: unknown;
    try {
      output = JSON.parse(record.Output ?? '');
    } catch {
      output = null;
    }
    const parsed = mapResultSchema.safeParse(output);
    if (parsed.success) return outcomeOfMapResult(parsed.data);
    return target && { status: 'failed', target, reason: 'the Map recorded an output that is not an outcome' };
  }
  if (!target) return null;
  // A child execution that failed outright (its own Catch did not end it) or never finished.
  if (status === 'FAILED') return { status: 'failed', target, reason: withCause(record.Error ?? 'States.ChildExecutionFailed', record.Cause) };
  return { status: 'failed', target, reason: 'not audited: its child execution had not finished when the Map ended' };
}

/**
 * The outcome of every cluster of the run from the Map's ResultWriter output (`manifestKey`, relative
 * to the sink): one per cluster in its results, then one for each target of the run it has none for.
 * `keyPrefix` is the sink's own prefix in the bucket, which the manifest's full keys start with.
 */
export async function outcomesFromMapRun(sink: ReportSink, runId: string, manifestKey: string, keyPrefix = ''): Promise<RunOutcome[]> {
  if (!isMapManifestKey(runId, manifestKey)) throw new Error(`${manifestKey} is not a manifest of run ${runId}'s Map`);
  const outcomes = new Map<string, RunOutcome>();
  // No manifest (a Map of no items may write none): the reports in the run still count, the rest say why.
  if ((await sink.size(manifestKey)) === null) return withTargets(sink, runId, outcomes, `not audited: the Map's results (${manifestKey}) are missing`);
  const manifest = manifestSchema.safeParse(await readJsonObject(sink, manifestKey, 'manifest'));
  if (!manifest.success) throw new Error(`the Map's manifest ${manifestKey} is not a ResultWriter manifest: ${manifest.error.issues[0]!.message}`);
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    for (const file of manifest.data.ResultFiles[status]) {
      // The manifest names full object keys; the sink reads below its prefix, and only this map run's files.
      const key = file.Key.startsWith(keyPrefix) ? file.Key.slice(keyPrefix.length) : file.Key;
      if (!isMapResultFileKey(manifestKey, key)) throw new Error(`the Map's manifest names ${file.Key}, outside its own results`);
      const records = z.array(executionRecordSchema).safeParse(await readJsonObject(sink, key, 'result file'));
      if (!records.success) throw new Error(`the Map's result file ${key} is not a list of child executions`);
      for (const record of records.data) {
        const outcome = outcomeOfRecord(record, status);
        if (!outcome) continue;
        // A child that succeeded (read first) counts over a failed or unfinished attempt of the same
        // cluster (a redriven Map run), and an audit over any other outcome.
        const known = outcomes.get(clusterId(outcome.target));
        if (!known || (status === 'SUCCEEDED' && outcome.status === 'audited')) outcomes.set(clusterId(outcome.target), outcome);
      }
    }
  }
  return withTargets(sink, runId, outcomes, 'not audited: the Map recorded no result for it');
}

/** The outcomes, and one with `reason` for each target of the run that has none. */
async function withTargets(sink: ReportSink, runId: string, outcomes: Map<string, RunOutcome>, reason: string): Promise<RunOutcome[]> {
  for await (const target of readTargets(sink, runId)) {
    if (!outcomes.has(clusterId(target))) outcomes.set(clusterId(target), { status: 'failed', target, reason });
  }
  return [...outcomes.values()];
}
