/**
 * The run-completed event: one PutEvents entry in EventBridge's shape after each run, with the
 * counts, the new critical findings and their report links; the example rule in docs/events.md
 * matches it; a refused event does not fail the run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { auditCluster } from '../src/fleet/audit-cluster.js';
import type { RunCompletedDetail } from '../src/fleet/run-event.js';
import { summarizeRun } from '../src/fleet/summarize.js';
import { LocalSink } from '../src/publish/sink.js';
import { sdkShaped } from './helpers/aws-shapes.js';
import { ROOT } from './helpers/fixtures.js';
import { NATIVE_NODES, NATIVE_TARGET, nativeSnapshot } from './support/history-samples.js';
import { stringMatching } from './helpers/matchers.js';

type Json = Record<string, unknown>;
const events = mockClient(EventBridgeClient);
afterEach(() => events.reset());

const target = NATIVE_TARGET;
/** The native sample at `at`, with the src/dst check off everywhere unless `broken`. */
const snapshot = (at: string, broken: boolean) => nativeSnapshot({ at, fixed: broken ? [] : NATIVE_NODES });

async function run(sink: LocalSink, runId: string, at: string, broken: boolean) {
  const outcome = await auditCluster(runId, target, { sink, collect: () => Promise.resolve(snapshot(at, broken)) });
  return summarizeRun(runId, [outcome], [], {
    sink,
    fleetUrl: 'https://audit.example.com/latest/fleet/index.html',
    maskEmail: true,
    now: () => new Date(at),
    exports: {
      reportUrl: (t) => `https://audit.example.com/runs/${runId}/clusters/${t.accountId}/${t.region}/${t.clusterName}/report.html`,
      events: { client: new EventBridgeClient({ region: 'eu-west-2' }), busName: 'default' },
    },
  });
}

/** The JSON blocks of docs/events.md, in order: the event, then the example rule's pattern. */
const docBlocks = () => [...readFileSync(path.join(ROOT, 'docs/events.md'), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Json);

/** EventBridge's matching for the pattern forms the docs use: lists of values and `numeric` comparisons. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (!Array.isArray(rule)) return typeof value === 'object' && value !== null && matches(rule as Json, value as Json);
    return rule.some((allowed: unknown) => {
      if (typeof allowed === 'object' && allowed !== null && 'numeric' in allowed) {
        const [op, bound] = (allowed as { numeric: [string, number] }).numeric;
        return typeof value === 'number' && ({ '>': value > bound, '>=': value >= bound, '<': value < bound, '<=': value <= bound, '=': value === bound } as Record<string, boolean>)[op]!;
      }
      return value === allowed;
    });
  });
}

describe('the run-completed event', () => {
  it('announces each run, with the new critical findings and their report links on the run that brings them', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const sink = new LocalSink(mkdtempSync(path.join(tmpdir(), 'event-')));
    // A first run, the run that breaks the src/dst check on every node, and a run where nothing changed.
    const runs = [
      await run(sink, '2026-11-01T02-00-00Z', '2026-11-01T02:00:00Z', false),
      await run(sink, '2026-11-08T02-00-00Z', '2026-11-08T02:00:00Z', true),
      await run(sink, '2026-11-15T02-00-00Z', '2026-11-15T02:00:00Z', true),
    ];
    for (const summary of runs) expect(summary.exports.event).toEqual({ eventId: 'e-1' });

    const entries = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(entries.map((e) => e.length)).toEqual([1, 1, 1]);
    const [, second, unchanged] = entries.map((e) => e[0]!);
    // In the exact shape the SDK sends.
    expect(() => sdkShaped('eventbridge', 'PutEventsRequestEntry', second)).not.toThrow();
    expect(second).toMatchObject({ EventBusName: 'default', Source: 'calico-audit', DetailType: 'Calico Audit Run Completed', Resources: ['arn:aws:eks:eu-west-2:111122223333:cluster/native-multisubnet-srcdst'] });
    const before = JSON.parse(unchanged!.Detail!) as RunCompletedDetail;
    const detail = JSON.parse(second!.Detail!) as RunCompletedDetail;
    expect(before).toMatchObject({ runId: '2026-11-15T02-00-00Z', newCriticalTotal: 0, newCritical: [] });
    expect(detail).toMatchObject({
      schemaVersion: 1,
      runId: '2026-11-08T02-00-00Z',
      completedAt: '2026-11-08T02:00:00Z',
      clusters: { total: 1, audited: 1, notAudited: 0, unlistedAccountRegions: 0 },
      newCriticalTotal: 5,
      links: { fleetPage: 'https://audit.example.com/latest/fleet/index.html' },
    });
    expect(detail.critical).toBe(before.critical);
    expect(detail.findings).toMatchObject({ new: 5, resolved: 0 });
    expect(detail.newCritical[0]).toEqual({
      ...target,
      ruleId: 'CAL-AWS-01',
      title: 'Source/destination check is on where pod traffic is unencapsulated',
      object: stringMatching(/^Node ip-10-2-/),
      report: 'https://audit.example.com/runs/2026-11-08T02-00-00Z/clusters/111122223333/eu-west-2/native-multisubnet-srcdst/report.html',
    });

    // The documented rule matches this run's event and not the unchanged one's; the documented event has the shape sent.
    const [documented, pattern] = docBlocks();
    const asDelivered = (entry: typeof second) => ({ source: entry!.Source, 'detail-type': entry!.DetailType, detail: JSON.parse(entry!.Detail!) as Json });
    expect(matches(pattern!, asDelivered(second))).toBe(true);
    expect(matches(pattern!, asDelivered(unchanged))).toBe(false);
    expect(Object.keys(documented!['detail'] as Json).sort()).toEqual(Object.keys(detail).sort());
    expect(matches(pattern!, documented!)).toBe(true);
  });

  it('does not fail the run when EventBridge refuses the event, and says why', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const sink = new LocalSink(mkdtempSync(path.join(tmpdir(), 'event-')));
    const summary = await run(sink, '2026-11-01T02-00-00Z', '2026-11-01T02:00:00Z', true);
    expect(summary.exports.event).toEqual({ error: 'Error: EventBridge refused the event: InternalFailure try again' });
    expect(summary.audited).toBe(1);
  });
});
