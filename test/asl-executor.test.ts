/**
 * The test executor of Amazon States Language (test/support/asl/executor.ts) against the semantics
 * the Step Functions Developer Guide gives, one case per rule it implements, so that running the
 * packaged state machine through it means what it would mean on AWS.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_LIMIT_BYTES, StateMachineExecutor, StatesError, type StateMachineDefinition } from './support/asl/executor.js';
import { startLocalS3, type LocalS3 } from './support/s3-server.js';
import { stringContaining } from './helpers/matchers.js';

const failing = (name: string) => (): Promise<never> => {
  const error = new Error(`${name} happened`);
  error.name = name;
  return Promise.reject(error);
};

const task = (resource: string, extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: resource, End: true, ...extra });

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['machine']);
});
afterAll(async () => {
  await s3.close();
});

describe('paths and parameters ("Processing input and output")', () => {
  it('fills `.$` fields from the input and the context object, and places the result at ResultPath', async () => {
    const machine: StateMachineDefinition = {
      StartAt: 'Call',
      States: { Call: task('echo', { Parameters: { id: 'fixed', 'who.$': '$.user.name', 'started.$': '$$.Execution.StartTime', 'key.$': "States.Format('runs/{}/{}', $.run, $.user.name)" }, ResultPath: '$.called' }) },
    };
    const executor = new StateMachineExecutor(machine, { resources: { echo: (input) => Promise.resolve(input) } });
    const result = await executor.start({ run: 'r1', user: { name: 'ada' } }, 'e1', new Date('2026-11-23T02:00:00Z'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({
      run: 'r1',
      user: { name: 'ada' },
      called: { id: 'fixed', who: 'ada', started: '2026-11-23T02:00:00.000Z', key: 'runs/r1/ada' },
    });
  });

  it('fails with States.Runtime when a path selects nothing', async () => {
    const machine: StateMachineDefinition = { StartAt: 'Call', States: { Call: task('echo', { Parameters: { 'x.$': '$.missing' } }) } };
    const result = await new StateMachineExecutor(machine, { resources: { echo: (input) => Promise.resolve(input) } }).start({});
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('errors ("Handling errors in Step Functions workflows")', () => {
  it('retries a matching error MaxAttempts times with the backoff, then catches it into ResultPath', async () => {
    const waits: number[] = [];
    const machine: StateMachineDefinition = {
      StartAt: 'Call',
      States: {
        Call: task('flaky', {
          End: undefined,
          Next: 'Done',
          Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 3 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Caught' }],
        }),
        Done: { Type: 'Succeed' },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const executor = new StateMachineExecutor(machine, { resources: { flaky: failing('Throttled') }, sleep: (s) => {
      waits.push(s);
      return Promise.resolve();
    } });
    const result = await executor.start({ keep: true });
    expect(result.history.map((h) => h.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(waits).toEqual([2, 6]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ keep: true, failure: { Error: 'Throttled' } });
    expect(JSON.parse((result.output as { failure: { Cause: string } }).failure.Cause)).toEqual({ errorMessage: 'Throttled happened', errorType: 'Throttled', trace: [] });
  });

  it('does not let States.TaskFailed match States.Timeout, while States.ALL does', async () => {
    const machine = (errorEquals: string[]): StateMachineDefinition => ({
      StartAt: 'Call',
      States: { Call: task('slow', { End: undefined, Next: 'End', Catch: [{ ErrorEquals: errorEquals, Next: 'Caught' }] }), End: { Type: 'Succeed' }, Caught: { Type: 'Pass', Result: 'caught', End: true } },
    });
    const resources = { slow: failing('States.Timeout') };
    expect(await new StateMachineExecutor(machine(['States.TaskFailed']), { resources }).start({})).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(await new StateMachineExecutor(machine(['States.ALL']), { resources }).start({})).toMatchObject({ status: 'SUCCEEDED', output: 'caught' });
  });

  it('caps a retry wait at MaxDelaySeconds and spreads it with FULL jitter', async () => {
    const waits: number[] = [];
    const machine: StateMachineDefinition = {
      StartAt: 'Call',
      States: { Call: task('flaky', { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 10, MaxDelaySeconds: 50, JitterStrategy: 'FULL' }] }) },
    };
    await new StateMachineExecutor(machine, { resources: { flaky: failing('Boom') }, sleep: (s) => {
      waits.push(s);
      return Promise.resolve();
    }, random: () => 0.5 }).start({});
    expect(waits).toEqual([5, 25, 25]);
  });
});

describe('Map, inline ("Map state in Inline mode")', () => {
  it('runs each item through the processor with ItemSelector, at most MaxConcurrency at once, results in item order', async () => {
    let running = 0;
    let most = 0;
    const machine: StateMachineDefinition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ItemSelector: { 'run.$': '$.run', 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work', States: { Work: task('work') } },
          ResultPath: '$.results',
          End: true,
        },
      },
    };
    const work = async (input: unknown) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return input;
    };
    const result = await new StateMachineExecutor(machine, { resources: { work } }).start({ run: 'r', items: ['a', 'b', 'c', 'd', 'e'] });
    expect(most).toBe(2);
    expect((result.output as { results: unknown[] }).results).toEqual(['a', 'b', 'c', 'd', 'e'].map((item, index) => ({ run: 'r', item, index })));
  });

  it('takes its bound from MaxConcurrencyPath, and fails with States.Runtime when the path selects no non-negative integer ("MaxConcurrency (Map)")', async () => {
    let running = 0;
    let most = 0;
    const machine: StateMachineDefinition = {
      StartAt: 'Each',
      States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrencyPath: '$.bound', ItemProcessor: { StartAt: 'Work', States: { Work: task('work') } }, End: true } },
    };
    const work = async (input: unknown) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return input;
    };
    const items = [1, 2, 3, 4, 5, 6];
    expect(await new StateMachineExecutor(machine, { resources: { work } }).start({ bound: 3, items })).toMatchObject({ status: 'SUCCEEDED', output: items });
    expect(most).toBe(3);
    for (const bound of ['3', -1, 1.5]) {
      const result = await new StateMachineExecutor(machine, { resources: { work } }).start({ bound, items });
      expect(result, JSON.stringify(bound)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: stringContaining('MaxConcurrencyPath') });
    }
  });

  it('refuses a JSONata state rather than reading its fields as JSONPath', async () => {
    const machine: StateMachineDefinition = { StartAt: 'Call', States: { Call: task('echo', { QueryLanguage: 'JSONata', Arguments: '{% $states.input %}' }) } };
    const result = await new StateMachineExecutor(machine, { resources: { echo: (input) => Promise.resolve(input) } }).start({});
    expect(result).toMatchObject({ status: 'FAILED', cause: stringContaining('does not implement QueryLanguage') });
  });

  it('fails the whole Map when one iteration fails', async () => {
    const machine: StateMachineDefinition = {
      StartAt: 'Each',
      States: { Each: { Type: 'Map', ItemProcessor: { StartAt: 'Work', States: { Work: task('work') } }, End: true } },
    };
    const work = (input: unknown) => (input === 2 ? failing('Broken')() : Promise.resolve(input));
    expect(await new StateMachineExecutor(machine, { resources: { work } }).start([1, 2, 3])).toMatchObject({ status: 'FAILED', error: 'Broken' });
  });
});

describe('Map, distributed ("Distributed Map state", "ItemReader", "ResultWriter", "Tolerated failure threshold")', () => {
  const distributed = (tolerated: Record<string, number>): StateMachineDefinition => ({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'machine', 'Key.$': '$.itemsKey' } },
        ItemSelector: { 'item.$': '$$.Map.Item.Value' },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: task('work') } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'machine', 'Prefix.$': "States.Format('results/{}', $.run)" } },
        ...tolerated,
        ResultPath: '$.map',
        End: true,
      },
    },
  });
  const work = async (input: unknown) => {
    const { item } = input as { item: { n: number } };
    return item.n % 3 === 0 ? failing('Broken')() : { done: item.n };
  };

  beforeAll(async () => {
    const lines = [1, 2, 3, 4, 5, 6].map((n) => JSON.stringify({ n })).join('\n');
    await s3.client.send(new PutObjectCommand({ Bucket: 'machine', Key: 'items.jsonl', Body: `${lines}\n` }));
  });
  const read = async (key: string) => JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: 'machine', Key: key }))).Body!.transformToString()) as unknown;

  it('reads JSON Lines items from S3, runs each as a child execution, and writes the results and a manifest to S3', async () => {
    const result = await new StateMachineExecutor(distributed({ ToleratedFailurePercentage: 50 }), { resources: { work }, s3: s3.client }).start({ run: 'r1', itemsKey: 'items.jsonl' });
    expect(result.status).toBe('SUCCEEDED');
    const { map } = result.output as { map: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } } };
    expect(map.MapRunArn).toMatch(/^arn:aws:states:[^:]+:\d{12}:mapRun:/);
    expect(map.ResultWriterDetails.Key).toMatch(/^results\/r1\/[^/]+\/manifest\.json$/);
    const manifest = (await read(map.ResultWriterDetails.Key)) as { ResultFiles: Record<string, Array<{ Key: string }>> };
    const succeeded = (await read(manifest.ResultFiles['SUCCEEDED']![0]!.Key)) as Array<{ Status: string; Input: string; Output: string }>;
    const failed = (await read(manifest.ResultFiles['FAILED']![0]!.Key)) as Array<{ Status: string; Input: string; Error: string; Cause: string }>;
    expect(succeeded.map((r): unknown => JSON.parse(r.Output))).toEqual([{ done: 1 }, { done: 2 }, { done: 4 }, { done: 5 }]);
    expect(failed.map((r): [unknown, string] => [JSON.parse(r.Input), r.Error])).toEqual([
      [{ item: { n: 3 } }, 'Broken'],
      [{ item: { n: 6 } }, 'Broken'],
    ]);
    expect(manifest.ResultFiles['PENDING']).toEqual([]);
  });

  it('fails with States.ExceedToleratedFailureThreshold beyond the tolerated share, or beyond the count when both are set', async () => {
    const run = async (tolerated: Record<string, number>) =>
      new StateMachineExecutor(distributed(tolerated), { resources: { work }, s3: s3.client }).start({ run: 'r2', itemsKey: 'items.jsonl' });
    expect(await run({ ToleratedFailurePercentage: 20 })).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(await run({})).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(await run({ ToleratedFailureCount: 2 })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await run({ ToleratedFailurePercentage: 100, ToleratedFailureCount: 1 })).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('reads the tolerated share from ToleratedFailurePercentagePath (a number from 0 to 100) and the count from ToleratedFailureCountPath', async () => {
    const run = async (tolerated: Record<string, string>, input: Record<string, unknown>) =>
      new StateMachineExecutor(distributed(tolerated as never), { resources: { work }, s3: s3.client }).start({ run: 'r3', itemsKey: 'items.jsonl', ...input });
    // Two of six fail: 33%.
    expect(await run({ ToleratedFailurePercentagePath: '$.tolerated' }, { tolerated: 34 })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await run({ ToleratedFailurePercentagePath: '$.tolerated' }, { tolerated: 30 })).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(await run({ ToleratedFailureCountPath: '$.tolerated' }, { tolerated: 2 })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await run({ ToleratedFailurePercentagePath: '$.tolerated' }, { tolerated: 101 })).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(await run({ ToleratedFailurePercentagePath: '$.missing' }, {})).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('payloads ("Quotas related to state machine executions": 256 KiB)', () => {
  it('fails with States.DataLimitExceeded, which no Catch takes, when a task\'s result is over 256 KiB', async () => {
    const machine: StateMachineDefinition = {
      StartAt: 'Call',
      States: { Call: task('big', { End: undefined, Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }] }), Done: { Type: 'Succeed' }, Caught: { Type: 'Pass', End: true } },
    };
    const big = (bytes: number) => () => Promise.resolve({ data: 'x'.repeat(bytes) });
    expect(await new StateMachineExecutor(machine, { resources: { big: big(PAYLOAD_LIMIT_BYTES) } }).start({})).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await new StateMachineExecutor(machine, { resources: { big: big(PAYLOAD_LIMIT_BYTES - 100) } }).start({})).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('does not let States.ALL catch States.Runtime', async () => {
    const machine: StateMachineDefinition = {
      StartAt: 'Call',
      States: { Call: task('echo', { Parameters: { 'x.$': '$.missing' }, End: undefined, Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }] }), Done: { Type: 'Succeed' }, Caught: { Type: 'Pass', End: true } },
    };
    expect(await new StateMachineExecutor(machine, { resources: { echo: (input) => Promise.resolve(input) } }).start({})).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('holds 2,000 results of 200 bytes in a distributed Map with a ResultWriter, not in an inline one', async () => {
    const items = Array.from({ length: 2000 }, (_, n) => JSON.stringify({ n })).join('\n');
    await s3.client.send(new PutObjectCommand({ Bucket: 'machine', Key: 'many.jsonl', Body: items }));
    const result = (input: unknown) => Promise.resolve({ item: input, padding: 'p'.repeat(180) });
    const map = (mode: 'INLINE' | 'DISTRIBUTED'): StateMachineDefinition => ({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          // ItemReader and ResultWriter are the distributed mode's; an inline Map takes its items from the input.
          ...(mode === 'DISTRIBUTED'
            ? { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'machine', Key: 'many.jsonl' } } }
            : { ItemsPath: '$.items' }),
          ItemProcessor: { ProcessorConfig: { Mode: mode, ...(mode === 'DISTRIBUTED' ? { ExecutionType: 'STANDARD' } : {}) }, StartAt: 'Work', States: { Work: task('work') } },
          ...(mode === 'DISTRIBUTED' ? { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'machine', Prefix: 'many' } } } : {}),
          End: true,
        },
      },
    });
    const inline = { items: Array.from({ length: 2000 }, (_, n) => ({ n })) };
    expect(await new StateMachineExecutor(map('INLINE'), { resources: { work: result }, s3: s3.client }).start(inline)).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await new StateMachineExecutor(map('DISTRIBUTED'), { resources: { work: result }, s3: s3.client }).start({})).toMatchObject({ status: 'SUCCEEDED', output: { ResultWriterDetails: { Bucket: 'machine' } } });
  });
});

describe('what it does not implement', () => {
  it('refuses a state type it does not know, instead of guessing', async () => {
    const machine: StateMachineDefinition = { StartAt: 'Choose', States: { Choose: { Type: 'Choice', Choices: [] } } };
    const result = await new StateMachineExecutor(machine, { resources: {} }).start({});
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('does not implement Choice');
    expect(new StatesError('A', 'b').message).toBe('A: b');
  });
});
