/**
 * A run's inputs in the bucket, as JSON Lines: the targets `enumerate` found (the Distributed Map's
 * ItemReader reads them, one child execution a line) and the accounts/regions it could not list.
 * They travel through S3, not through the state machine's state, which Step Functions caps at
 * 256 KiB ("Quotas related to state machine executions"): ten thousand targets are about 800 KB.
 */
import { clusterTargetSchema, type ClusterTarget } from '../target/index.js';
import { enumerationFailuresKey, targetsKey } from '../publish/layout.js';
import type { ReportSink } from '../publish/sink.js';
import type { Enumeration, EnumerationFailure } from './targets.js';

/** Where a run's inputs are, and how many lines each holds: what `enumerate` hands the state machine. */
export interface RunFiles {
  targets: { key: string; count: number };
  enumerationFailures: { key: string; count: number };
}

const jsonLines = (items: readonly unknown[]): string => items.map((item) => `${JSON.stringify(item)}\n`).join('');

/** Writes the targets (in the order the run audits them) and the enumeration failures; keys relative to the sink. */
export async function writeRunFiles(sink: ReportSink, runId: string, enumeration: Enumeration): Promise<RunFiles> {
  const files: RunFiles = {
    targets: { key: targetsKey(runId), count: enumeration.targets.length },
    enumerationFailures: { key: enumerationFailuresKey(runId), count: enumeration.failures.length },
  };
  // Only the three identity fields: what the ItemReader hands each child execution.
  const targets = enumeration.targets.map(({ accountId, region, clusterName }) => ({ accountId, region, clusterName }));
  await Promise.all([sink.write(files.targets.key, jsonLines(targets)), sink.write(files.enumerationFailures.key, jsonLines(enumeration.failures))]);
  return files;
}

/** The JSON values of a JSON Lines object, one at a time; nothing when it is absent. */
export async function* readJsonLines(sink: ReportSink, key: string): AsyncGenerator<unknown> {
  const body = await sink.read(key);
  if (body === null) return;
  const text = new TextDecoder().decode(body);
  let start = 0;
  let line = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end === -1 ? text.length : end).trim();
    start = end === -1 ? text.length : end + 1;
    line += 1;
    if (!raw) continue;
    try {
      yield JSON.parse(raw) as unknown;
    } catch (error) {
      throw new Error(`${key}: line ${line} is not JSON (${(error as Error).message})`, { cause: error });
    }
  }
}

/** The run's targets, as `enumerate` wrote them. */
export async function* readTargets(sink: ReportSink, runId: string): AsyncGenerator<ClusterTarget> {
  for await (const value of readJsonLines(sink, targetsKey(runId))) yield clusterTargetSchema.parse(value);
}

/** The accounts/regions whose clusters could not be listed; none when the file is absent. */
export async function readEnumerationFailures(sink: ReportSink, runId: string): Promise<EnumerationFailure[]> {
  const failures: EnumerationFailure[] = [];
  for await (const value of readJsonLines(sink, enumerationFailuresKey(runId))) {
    const f = value as Partial<EnumerationFailure>;
    failures.push({ accountId: String(f.accountId), region: typeof f.region === 'string' ? f.region : null, code: String(f.code), message: String(f.message) });
  }
  return failures;
}
