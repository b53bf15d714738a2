/**
 * A small executor of Amazon States Language, for running the packaged state machine against the
 * real handlers in tests. It implements the states and fields this project's definition uses, as
 * the Step Functions Developer Guide specifies them, and refuses anything else loudly:
 *
 * - Paths: InputPath → Parameters → task → ResultSelector → ResultPath → OutputPath
 *   ("Processing input and output in Step Functions"); `.$` keys take a JSONPath (`$.a.b[0]`, `$$.`
 *   for the context object) or the intrinsic `States.Format` ("Intrinsic functions").
 * - Task: a resource named by the caller; a thrown error becomes `{ Error: name, Cause }`, with
 *   Lambda's cause JSON (`errorMessage`, `errorType`, `trace`). Retry (first retrier whose
 *   ErrorEquals matches; IntervalSeconds 1, MaxAttempts 3, BackoffRate 2 by default; MaxDelaySeconds;
 *   JitterStrategy FULL) then Catch (first catcher that matches; ResultPath) — "Handling errors in
 *   Step Functions workflows": `States.ALL` matches any error, `States.TaskFailed` any error but
 *   `States.Timeout`.
 * - Payloads: a state's input or output, or a task's result, over 256 KiB fails the execution with
 *   `States.DataLimitExceeded`, which nothing catches; States.ALL does not catch States.Runtime either.
 * - Pass (Parameters / Result), Succeed, Fail. Every state is JSONPath (`QueryLanguage` absent or
 *   "JSONPath"); a JSONata state is refused.
 * - Map, INLINE: ItemsPath, ItemSelector with `$$.Map.Item.{Index,Value}`, MaxConcurrency (0 = no
 *   bound) or MaxConcurrencyPath (a reference path into the state's input that must select a
 *   non-negative integer); an iteration that fails fails the Map ("Map state in Inline mode",
 *   "MaxConcurrency (Map)").
 * - Map, DISTRIBUTED: ItemReader from S3 (`arn:aws:states:::s3:getObject`, ReaderConfig InputType
 *   JSON or JSONL), each item a child execution of the ItemProcessor; ToleratedFailurePercentage /
 *   ToleratedFailureCount, or their `…Path` forms read from the state's input (a percentage must be a
 *   number from 0 to 100, a count a non-negative integer; beyond them:
 *   `States.ExceedToleratedFailureThreshold`); ResultWriter
 *   (`arn:aws:states:::s3:putObject`, Bucket and Prefix) writes `<Prefix>/<map run id>/manifest.json`
 *   and `SUCCEEDED_0.json` / `FAILED_0.json` (child execution records with Input, Output or Error and
 *   Cause, Status) and the state's result is `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`
 *   ("Distributed Map state", "ResultWriter (Map)", "ItemReader (Map)").
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';

type Json = unknown;
type JsonObject = Record<string, Json>;

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, JsonObject>;
  Comment?: string;
}

export interface ExecutorOptions {
  /** Task resources by the name the definition uses (its `Resource` value after substitution). */
  resources: Record<string, (input: Json) => Promise<Json>>;
  /** For ItemReader and ResultWriter. */
  s3?: S3Client;
  /** How retries wait; tests scale the seconds down. */
  sleep?: (seconds: number) => Promise<void>;
  /** Deterministic jitter in tests. */
  random?: () => number;
}

/** An error as Step Functions carries it between states. */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = error;
  }
}

export interface ExecutionResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  cause?: string;
  /** Every task invocation, in order: state name, input, and how it ended. */
  history: Array<{ state: string; input: Json; outcome: 'succeeded' | 'failed'; error?: string }>;
}

interface Context {
  Execution: { Id: string; Name: string; StartTime: string; Input: Json };
  State?: { Name: string; EnteredTime: string; RetryCount: number };
  StateMachine: { Id: string; Name: string };
  Map?: { Item: { Index: number; Value: Json } };
}

const textOr = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** `$.a.b[0]` against `data`; `$$.x` against `context`. A path that selects nothing is an error, as in Step Functions. */
export function readPath(path: string, data: Json, context: Json): Json {
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : path.startsWith('$') ? [data, path.slice(1)] : [undefined, null];
  if (rest === null) throw new StatesError('States.Runtime', `not a path: ${path}`);
  let value: Json = root;
  for (const match of rest.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    const key = match[1] ?? Number(match[2]);
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new StatesError('States.Runtime', `the JSONPath ${path} could not be found in the input`);
    }
    value = (value as Record<string | number, Json>)[key];
  }
  return value;
}

/** The intrinsics this project uses. */
function intrinsic(expression: string, data: Json, context: Json): Json {
  const format = /^States\.Format\('((?:[^'\\]|\\.)*)'\s*((?:,\s*\$[^,)]*)*)\)$/.exec(expression.trim());
  if (!format) throw new Error(`this executor does not implement ${expression}`);
  const args = [...format[2]!.matchAll(/,\s*(\$[^,)]*)/g)].map((m) => readPath(m[1]!.trim(), data, context));
  let i = 0;
  return format[1]!.replace(/\\(.)/g, '$1').replace(/\{\}/g, () => {
    const value = args[i++];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** A Parameters / ItemSelector / ResultSelector template, with its `.$` fields filled in. */
export function applyTemplate(template: Json, data: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, data, context));
  if (template === null || typeof template !== 'object') return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      const expression = value as string;
      out[key.slice(0, -2)] = expression.startsWith('$') ? clone(readPath(expression, data, context)) : intrinsic(expression, data, context);
    } else {
      out[key] = applyTemplate(value, data, context);
    }
  }
  return out;
}

/** Places `result` into `input` at a ResultPath (`null` discards the result; `$` replaces the input). */
export function placeResult(input: Json, resultPath: string | null | undefined, result: Json): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const keys = resultPath.replace(/^\$\.?/, '').split('.');
  const out = clone(input) as JsonObject;
  let target = out;
  for (const key of keys.slice(0, -1)) {
    if (target[key] === undefined || typeof target[key] !== 'object') target[key] = {};
    target = target[key] as JsonObject;
  }
  target[keys.at(-1)!] = result;
  return out;
}

/**
 * Whether a retrier's or catcher's ErrorEquals takes `error`. States.ALL and States.TaskFailed take
 * neither States.Runtime nor the terminal States.DataLimitExceeded ("Error names": States.ALL "can't
 * catch the States.DataLimitExceeded terminal error type and runtime error types"), and the terminal
 * one is never caught at all.
 */
const matches = (names: string[], error: string) => {
  if (error === 'States.DataLimitExceeded') return false;
  if (names.includes(error)) return true;
  if (error === 'States.Runtime') return false;
  return names.includes('States.ALL') || (names.includes('States.TaskFailed') && error !== 'States.Timeout');
};

/**
 * The most a state's input, output or a task's result may hold: 256 KiB of UTF-8 JSON ("Quotas related
 * to state machine executions"; the API's StateExitedEventDetails.output is at most 262,144 bytes).
 */
export const PAYLOAD_LIMIT_BYTES = 262_144;

function withinPayloadLimit(value: Json, what: string): void {
  const bytes = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > PAYLOAD_LIMIT_BYTES) throw new StatesError('States.DataLimitExceeded', `${what} is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte payload quota`);
}

function asStatesError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  const e = error as { name?: string; message?: string };
  const errorType = e.name ?? 'Error';
  return new StatesError(errorType, JSON.stringify({ errorMessage: e.message ?? String(error), errorType, trace: [] }));
}

/**
 * A Map bound given as a reference path into the state's input: MaxConcurrencyPath and
 * ToleratedFailureCountPath must select a non-negative integer, ToleratedFailurePercentagePath a
 * number from 0 to 100; anything else fails the state with States.Runtime.
 */
function boundAt(state: JsonObject, field: string, input: Json, context: Context, kind: 'integer' | 'percentage'): number {
  const value = readPath(state[field] as string, input, context);
  const valid = typeof value === 'number' && (kind === 'integer' ? Number.isInteger(value) && value >= 0 : value >= 0 && value <= 100);
  if (!valid) throw new StatesError('States.Runtime', `${field} ${String(state[field])} selected ${JSON.stringify(value)}, not ${kind === 'integer' ? 'a non-negative integer' : 'a number from 0 to 100'}`);
  return value;
}

export class StateMachineExecutor {
  private readonly sleep: (seconds: number) => Promise<void>;
  private readonly random: () => number;
  private mapRuns = 0;

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly options: ExecutorOptions,
    private readonly name = 'state-machine',
  ) {
    this.sleep = options.sleep ?? (async () => {});
    this.random = options.random ?? Math.random;
  }

  /** Runs one execution to its end. */
  async start(input: Json, executionName = 'execution', startTime = new Date()): Promise<ExecutionResult> {
    const history: ExecutionResult['history'] = [];
    const context: Context = {
      Execution: { Id: `arn:aws:states:eu-west-2:111122223333:execution:${this.name}:${executionName}`, Name: executionName, StartTime: startTime.toISOString(), Input: input },
      StateMachine: { Id: `arn:aws:states:eu-west-2:111122223333:stateMachine:${this.name}`, Name: this.name },
    };
    try {
      const output = await this.run(this.definition, clone(input), context, history);
      return { status: 'SUCCEEDED', output, history };
    } catch (error) {
      const failure = asStatesError(error);
      return { status: 'FAILED', error: failure.error, cause: failure.cause, history };
    }
  }

  private async run(machine: StateMachineDefinition, input: Json, context: Context, history: ExecutionResult['history']): Promise<Json> {
    let name: string | undefined = machine.StartAt;
    let data = input;
    while (name) {
      const state = machine.States[name];
      if (!state) throw new Error(`no state ${name}`);
      const stateContext: Context = { ...context, State: { Name: name, EnteredTime: new Date().toISOString(), RetryCount: 0 } };
      const type = state['Type'];
      if (state['QueryLanguage'] !== undefined && state['QueryLanguage'] !== 'JSONPath') throw new Error(`this executor does not implement QueryLanguage ${JSON.stringify(state['QueryLanguage'])}`);
      if (type === 'Succeed') return data;
      // Error and Cause are strings ("Fail workflow state").
      if (type === 'Fail') throw new StatesError(textOr(state['Error'], 'States.Fail'), textOr(state['Cause'], ''));
      withinPayloadLimit(data, `the input of ${name}`);
      const effective = state['InputPath'] === undefined ? data : state['InputPath'] === null ? {} : readPath(state['InputPath'] as string, data, stateContext);
      let next: string | undefined = state['Next'] as string | undefined;
      let output: Json;
      try {
        const parameters = state['Parameters'] === undefined ? effective : applyTemplate(state['Parameters'], effective, stateContext);
        let result: Json;
        if (type === 'Pass') result = state['Result'] !== undefined ? clone(state['Result']) : parameters;
        else if (type === 'Task') result = await this.task(name, state, parameters, stateContext, history);
        else if (type === 'Map') result = await this.map(state, effective, stateContext, history);
        else throw new Error(`this executor does not implement ${String(type)} states`);
        withinPayloadLimit(result, `the result of ${name}`);
        if (state['ResultSelector'] !== undefined) result = applyTemplate(state['ResultSelector'], result, stateContext);
        output = placeResult(data, state['ResultPath'] as string | null | undefined, result);
      } catch (error) {
        const failure = asStatesError(error);
        const catcher = ((state['Catch'] ?? []) as JsonObject[]).find((c) => matches(c['ErrorEquals'] as string[], failure.error));
        if (!catcher) throw failure;
        output = placeResult(data, (catcher['ResultPath'] as string | null | undefined) ?? '$', { Error: failure.error, Cause: failure.cause });
        next = catcher['Next'] as string;
      }
      data = state['OutputPath'] === undefined ? output : state['OutputPath'] === null ? {} : readPath(state['OutputPath'] as string, output, stateContext);
      withinPayloadLimit(data, `the output of ${name}`);
      if (state['End'] === true && !next) return data;
      name = next;
    }
    return data;
  }

  private async task(name: string, state: JsonObject, input: Json, context: Context, history: ExecutionResult['history']): Promise<Json> {
    const resourceName = state['Resource'] as string;
    const resource = this.options.resources[resourceName];
    if (!resource) throw new Error(`no resource ${resourceName} for state ${name}`);
    const retriers = (state['Retry'] ?? []) as JsonObject[];
    const attempts = new Map<JsonObject, number>();
    for (;;) {
      try {
        // Every hand-over goes through JSON, as Step Functions passes state.
        const output = clone(await resource(clone(input)));
        history.push({ state: name, input, outcome: 'succeeded' });
        return output === undefined ? null : output;
      } catch (error) {
        const failure = asStatesError(error);
        history.push({ state: name, input, outcome: 'failed', error: failure.error });
        const retrier = retriers.find((r) => matches(r['ErrorEquals'] as string[], failure.error));
        if (!retrier) throw failure;
        const done = attempts.get(retrier) ?? 0;
        if (done >= ((retrier['MaxAttempts'] as number | undefined) ?? 3)) throw failure;
        attempts.set(retrier, done + 1);
        context.State!.RetryCount += 1;
        const interval = (retrier['IntervalSeconds'] as number | undefined) ?? 1;
        const backoff = (retrier['BackoffRate'] as number | undefined) ?? 2;
        let delay = interval * backoff ** done;
        if (retrier['MaxDelaySeconds'] !== undefined) delay = Math.min(delay, retrier['MaxDelaySeconds'] as number);
        if (retrier['JitterStrategy'] === 'FULL') delay *= this.random();
        await this.sleep(delay);
      }
    }
  }

  private async map(state: JsonObject, input: Json, context: Context, history: ExecutionResult['history']): Promise<Json> {
    const processor = state['ItemProcessor'] as (StateMachineDefinition & { ProcessorConfig?: { Mode?: string } }) | undefined;
    if (!processor) throw new Error('this executor needs ItemProcessor (the older Iterator field is not implemented)');
    const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
    // "ItemReader", "ResultWriter" and the tolerated failure thresholds belong to the distributed mode.
    const distributedOnly = ['ItemReader', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailureCount', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath'].filter((f) => state[f] !== undefined);
    if (!distributed && distributedOnly.length) throw new Error(`${distributedOnly.join(', ')} need ProcessorConfig Mode DISTRIBUTED`);
    const items = state['ItemReader'] ? await this.readItems(state['ItemReader'] as JsonObject, input, context) : readPath((state['ItemsPath'] as string | undefined) ?? '$', input, context);
    if (!Array.isArray(items)) throw new StatesError('States.Runtime', 'the Map items are not an array');
    const list: Json[] = items;
    const concurrency = state['MaxConcurrencyPath'] !== undefined ? boundAt(state, 'MaxConcurrencyPath', input, context, 'integer') : (state['MaxConcurrency'] as number | undefined);
    const limit = pLimit(concurrency || Number.MAX_SAFE_INTEGER);
    const selector = state['ItemSelector'];
    const iterations = list.map((value, index) =>
      limit(async () => {
        const itemContext: Context = { ...context, Map: { Item: { Index: index, Value: value } } };
        const itemInput = selector === undefined ? clone(value) : applyTemplate(selector, input, itemContext);
        if (!distributed) return { input: itemInput, output: await this.run(processor, itemInput, itemContext, history) };
        // A child execution: its own context, and its failure is its own.
        const child = new StateMachineExecutor(processor, this.options, `${this.name}/Map`);
        const result = await child.start(itemInput, `child-${index}`);
        history.push(...result.history);
        return { input: itemInput, result };
      }),
    );
    const done = await Promise.all(iterations);
    if (!distributed) return done.map((d) => d.output);

    const runs = done as Array<{ input: Json; result: ExecutionResult }>;
    const failed = runs.filter((r) => r.result.status === 'FAILED').length;
    // "Tolerated failure threshold for Distributed Map state": percentage 0 by default; with both set, exceeding either fails the run.
    const count = state['ToleratedFailureCountPath'] !== undefined ? boundAt(state, 'ToleratedFailureCountPath', input, context, 'integer') : (state['ToleratedFailureCount'] as number | undefined);
    const givenPercentage =
      state['ToleratedFailurePercentagePath'] !== undefined ? boundAt(state, 'ToleratedFailurePercentagePath', input, context, 'percentage') : (state['ToleratedFailurePercentage'] as number | undefined);
    const percentage = givenPercentage ?? (count === undefined ? 0 : undefined);
    const exceeded = (count !== undefined && failed > count) || (percentage !== undefined && runs.length > 0 && (failed / runs.length) * 100 > percentage);
    const mapRunArn = `arn:aws:states:eu-west-2:111122223333:mapRun:${this.name}/${context.State!.Name}:map-run-${++this.mapRuns}`;
    const writer = state['ResultWriter'] as JsonObject | undefined;
    let details: JsonObject | null = null;
    if (writer) details = await this.writeResults(writer, input, context, mapRunArn, runs);
    if (exceeded) {
      throw new StatesError('States.ExceedToleratedFailureThreshold', `The specified tolerated failure threshold was exceeded: ${failed} of ${runs.length} child executions failed`);
    }
    if (details) return { MapRunArn: mapRunArn, ResultWriterDetails: details };
    return runs.map((r) => r.result.output);
  }

  private s3(): S3Client {
    if (!this.options.s3) throw new Error('this state needs S3: pass an S3 client');
    return this.options.s3;
  }

  private async readItems(reader: JsonObject, input: Json, context: Context): Promise<Json[]> {
    if (reader['Resource'] !== 'arn:aws:states:::s3:getObject') throw new Error(`this executor reads items only with s3:getObject, not ${String(reader['Resource'])}`);
    const { Bucket, Key } = applyTemplate(reader['Parameters'], input, context) as { Bucket: string; Key: string };
    const object = await this.s3().send(new GetObjectCommand({ Bucket, Key }));
    const text = await object.Body!.transformToString();
    const type = (reader['ReaderConfig'] as JsonObject | undefined)?.['InputType'] ?? 'JSON';
    if (type === 'JSONL') return text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as Json);
    if (type === 'JSON') return JSON.parse(text) as Json[];
    throw new Error(`this executor does not read InputType ${JSON.stringify(type)}`);
  }

  private async writeResults(writer: JsonObject, input: Json, context: Context, mapRunArn: string, runs: Array<{ input: Json; result: ExecutionResult }>): Promise<JsonObject> {
    if (writer['Resource'] !== 'arn:aws:states:::s3:putObject') throw new Error(`this executor writes results only with s3:putObject`);
    const { Bucket, Prefix } = applyTemplate(writer['Parameters'], input, context) as { Bucket: string; Prefix?: string };
    const base = `${Prefix ? `${Prefix.replace(/\/$/, '')}/` : ''}${mapRunArn.split(':').at(-1)}/`;
    const records = (status: 'SUCCEEDED' | 'FAILED') =>
      runs
        .map((r, index) => ({ r, index }))
        .filter(({ r }) => r.result.status === status)
        .map(({ r, index }) => ({
          ExecutionArn: `${mapRunArn.replace(':mapRun:', ':execution:')}:child-${index}`,
          Input: JSON.stringify(r.input),
          InputDetails: { Included: true },
          Name: `child-${index}`,
          MapRunArn: mapRunArn,
          Status: status,
          ...(status === 'SUCCEEDED' ? { Output: JSON.stringify(r.result.output), OutputDetails: { Included: true } } : { Error: r.result.error, Cause: r.result.cause }),
        }));
    const files: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const body = records(status);
      if (!body.length) continue;
      const key = `${base}${status}_0.json`;
      const text = JSON.stringify(body);
      await this.s3().send(new PutObjectCommand({ Bucket, Key: key, Body: text }));
      files[status]!.push({ Key: key, Size: Buffer.byteLength(text) });
    }
    const manifestKey = `${base}manifest.json`;
    await this.s3().send(new PutObjectCommand({ Bucket, Key: manifestKey, Body: JSON.stringify({ DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles: files }) }));
    return { Bucket, Key: manifestKey };
  }
}
