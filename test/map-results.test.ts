/**
 * Reading a Distributed Map's results back as cluster outcomes (src/fleet/map-results.ts): the
 * ResultWriter's manifest and result files as the Step Functions Developer Guide describes them
 * ("ResultWriter (Map)": Input and Output as JSON strings, Error and Cause for a failed child), and
 * the run's targets file for the clusters the Map recorded nothing for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcomesFromMapRun } from '../src/fleet/map-results.js';
import { readEnumerationFailures, readJsonLines, readTargets, writeRunFiles } from '../src/fleet/run-files.js';
import { LocalSink } from '../src/publish/sink.js';
import type { ClusterTarget } from '../src/target/index.js';

const RUN = '2026-11-23T02-00-00Z';
const PREFIX = 'calico-audit/';
const target = (clusterName: string, accountId = '111122223333'): ClusterTarget => ({ accountId, region: 'eu-west-2', clusterName });
const MAP = `runs/${RUN}/map/0f1e2d3c-map-run/`;

let folder: string;
let sink: LocalSink;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'map-results-'));
  sink = new LocalSink(folder);
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** A child execution record as ResultWriter writes it. */
const record = (status: 'SUCCEEDED' | 'FAILED' | 'PENDING', t: ClusterTarget, extra: Record<string, string>) => ({
  ExecutionArn: `arn:aws:states:eu-west-2:111122223333:execution:fleet-audit/AuditClusters:${t.clusterName}`,
  Input: JSON.stringify({ runId: RUN, target: t }),
  InputDetails: { Included: true },
  Name: t.clusterName,
  Status: status,
  ...extra,
});

async function writeMapRun(files: Partial<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', unknown[]>>, keyPrefix = PREFIX): Promise<void> {
  const resultFiles: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const [status, records] of Object.entries(files)) {
    const key = `${MAP}${status}_0.json`;
    const body = JSON.stringify(records);
    await sink.write(key, body);
    resultFiles[status]!.push({ Key: keyPrefix + key, Size: body.length });
  }
  await sink.write(`${MAP}manifest.json`, JSON.stringify({ DestinationBucket: 'reports', MapRunArn: 'arn:aws:states:eu-west-2:111122223333:mapRun:fleet-audit/AuditClusters:0f1e2d3c', ResultFiles: resultFiles }));
}

describe('the run files', () => {
  it('writes the targets and the enumeration failures as JSON Lines and reads them back', async () => {
    const targets = [target('a'), target('b', '444455556666')];
    const failures = [{ accountId: '999900001111', region: 'eu-west-2', code: 'AccessDenied', message: 'not authorized' }];
    const files = await writeRunFiles(sink, RUN, { targets, failures });
    expect(files).toEqual({ targets: { key: `runs/${RUN}/targets.jsonl`, count: 2 }, enumerationFailures: { key: `runs/${RUN}/enumeration-failures.jsonl`, count: 1 } });
    expect(Buffer.from((await sink.read(files.targets.key))!).toString('utf8')).toBe(`${targets.map((t) => JSON.stringify(t)).join('\n')}\n`);
    const read: ClusterTarget[] = [];
    for await (const t of readTargets(sink, RUN)) read.push(t);
    expect(read).toEqual(targets);
    expect(await readEnumerationFailures(sink, RUN)).toEqual(failures);
  });

  it('names the line that is not JSON', async () => {
    await sink.write('x.jsonl', '{"a":1}\n\n{broken\n');
    const read = async () => {
      for await (const value of readJsonLines(sink, 'x.jsonl')) expect(value).toEqual({ a: 1 });
    };
    await expect(read()).rejects.toThrow(/^x\.jsonl: line 3 is not JSON/);
  });
});

describe('outcomes from the Map run', () => {
  it('takes each child execution\'s outcome, a failed child\'s error, and names the targets the Map recorded nothing for', async () => {
    await writeRunFiles(sink, RUN, { targets: ['audited', 'denied', 'caught', 'crashed', 'pending', 'missing', 'redriven', 'redriven-caught'].map((n) => target(n)), failures: [] });
    await writeMapRun({
      SUCCEEDED: [
        record('SUCCEEDED', target('audited'), { Output: JSON.stringify({ status: 'audited', target: target('audited') }) }),
        record('SUCCEEDED', target('denied'), { Output: JSON.stringify({ status: 'failed', target: target('denied'), reason: 'AccessDeniedException: cannot describe' }) }),
        record('SUCCEEDED', target('caught'), {
          Output: JSON.stringify({ status: 'failed', target: target('caught'), error: 'States.Timeout', cause: JSON.stringify({ errorMessage: 'Task timed out after 660.00 seconds' }) }),
        }),
        record('SUCCEEDED', target('redriven'), { Output: JSON.stringify({ status: 'audited', target: target('redriven') }) }),
        record('SUCCEEDED', target('redriven-caught'), { Output: JSON.stringify({ status: 'failed', target: target('redriven-caught'), reason: 'AccessDeniedException: on the second try' }) }),
      ],
      FAILED: [
        record('FAILED', target('crashed'), { Error: 'States.Runtime', Cause: 'The JSONPath $.failure.Cause could not be found in the input' }),
        record('FAILED', target('redriven'), { Error: 'States.Runtime', Cause: 'an earlier attempt' }),
        record('FAILED', target('redriven-caught'), { Error: 'States.Runtime', Cause: 'an earlier attempt' }),
      ],
      PENDING: [record('PENDING', target('pending'), {})],
    });
    const outcomes = await outcomesFromMapRun(sink, RUN, `${MAP}manifest.json`, PREFIX);
    expect(Object.fromEntries(outcomes.map((o) => [o.target.clusterName, 'reason' in o ? o.reason : o.status]))).toEqual({
      audited: 'audited',
      denied: 'AccessDeniedException: cannot describe',
      caught: 'States.Timeout: Task timed out after 660.00 seconds',
      crashed: 'States.Runtime: The JSONPath $.failure.Cause could not be found in the input',
      pending: 'not audited: its child execution had not finished when the Map ended',
      missing: 'not audited: the Map recorded no result for it',
      // A redriven Map run: the child that succeeded counts, not the attempt before it.
      redriven: 'audited',
      'redriven-caught': 'AccessDeniedException: on the second try',
    });
  });

  it('reads only this run\'s manifest and the result files in its own folder, and says so when the manifest is missing', async () => {
    await writeRunFiles(sink, RUN, { targets: [target('a')], failures: [] });
    await expect(outcomesFromMapRun(sink, RUN, `runs/other-run/map/x/manifest.json`, PREFIX)).rejects.toThrow(/is not a manifest of run/);
    // No manifest at all: each target says so (the reports in the run still count: summarize reads them).
    expect(await outcomesFromMapRun(sink, RUN, `${MAP}manifest.json`, PREFIX)).toEqual([{ status: 'failed', target: target('a'), reason: `not audited: the Map's results (${MAP}manifest.json) are missing` }]);
    await sink.write(`${MAP}manifest.json`, JSON.stringify({ ResultFiles: { SUCCEEDED: [{ Key: `${PREFIX}ledger/findings.json`, Size: 2 }] } }));
    await expect(outcomesFromMapRun(sink, RUN, `${MAP}manifest.json`, PREFIX)).rejects.toThrow(/names calico-audit\/ledger\/findings\.json, outside its own results/);
  });
});
