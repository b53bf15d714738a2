/**
 * The findings ledger over consecutive runs (issue 15): findings that are new, persist, resolve and
 * reopen keep the right first-seen dates; a cluster that is not audited keeps its findings open; a
 * run that stops halfway leaves the ledger as it was and, run again, folds in once. The ledger is
 * stored in a local output folder through the same code the nightly run uses for S3.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import { clusterFindingsOf } from '../src/assess/findings.js';
import { clusterHistory, summarizeFleet, updateLedger, withLedger, type Ledger, type LedgerEntry } from '../src/fleet-summary/index.js';
import { ledgerBefore, recordRunInLedger } from '../src/fleet/ledger.js';
import { LEDGER_KEY, reportLinkFromFleetPage, runLedgerKey } from '../src/publish/layout.js';
import { LocalSink, type ReportSink } from '../src/publish/sink.js';
import { renderFleetHtml, renderFleetMarkdown } from '../src/render/fleet.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { NATIVE, NATIVE_NODES as NODES, nativeSnapshot, referenceSnapshot } from './support/history-samples.js';

const node = (name: string) => `${NATIVE}#CAL-AWS-01#Node/${name}.eu-west-2.compute.internal`;
const REFERENCE = '111122223333/eu-west-2/reference-crosssubnet';

const native = (at: string, options: { fixed?: string[]; reporting?: boolean } = {}): Assessment =>
  applySuppressions(assess(nativeSnapshot({ at, ...options })), []);
const reference = (at: string): Assessment => applySuppressions(assess(referenceSnapshot(at)), []);

const RUN_A = { runId: '2026-11-01T02-00-00Z', at: '2026-11-01T02:00:00Z' };
const RUN_B = { runId: '2026-11-08T02-00-00Z', at: '2026-11-08T02:00:00Z' };
const RUN_C = { runId: '2026-11-15T02-00-00Z', at: '2026-11-15T02:00:00Z' };
const RUN_D = { runId: '2026-11-22T02-00-00Z', at: '2026-11-22T02:00:00Z' };

const entry = (ledger: Ledger, fingerprint: string): LedgerEntry => {
  const found = ledger.findings.find((f) => f.fingerprint === fingerprint);
  if (!found) throw new Error(`no ledger entry ${fingerprint}`);
  return found;
};
const dates = (e: LedgerEntry) => ({ state: e.state, firstSeen: e.firstSeen, openedAt: e.openedAt, lastSeen: e.lastSeen, resolvedAt: e.resolvedAt, reopened: e.reopened });

async function threeRuns(sink: ReportSink) {
  const a = [native(RUN_A.at), reference(RUN_A.at)];
  const runA = await recordRunInLedger(sink, { ...RUN_A, assessments: a, notAudited: [], unlisted: [] });
  // B: ip-10-2-3-41 fixed; the new namespace reporting has no policy.
  const b = [native(RUN_B.at, { fixed: ['ip-10-2-3-41'], reporting: true }), reference(RUN_B.at)];
  const runB = await recordRunInLedger(sink, { ...RUN_B, assessments: b, notAudited: [], unlisted: [] });
  // C: ip-10-2-3-41's check back on (reopened), ip-10-2-11-8 fixed, reporting still unselected.
  const c = [native(RUN_C.at, { fixed: ['ip-10-2-11-8'], reporting: true }), reference(RUN_C.at)];
  const runC = await recordRunInLedger(sink, { ...RUN_C, assessments: c, notAudited: [], unlisted: [] });
  return { a, b, c, runA, runB, runC };
}

const tempSink = () => new LocalSink(mkdtempSync(path.join(tmpdir(), 'ledger-')));

describe('the findings ledger over three runs', () => {
  it('opens, keeps, resolves and reopens findings by fingerprint, with their first-seen dates', async () => {
    const { runA, runB, runC } = await threeRuns(tempSink());
    // Run A: one finding per node for the src/dst check, one per namespace without policy, one for the cluster's default deny.
    expect(runA.changes!.opened.map((f) => f.fingerprint)).toEqual(expect.arrayContaining(NODES.map((n) => node(n))));
    expect(runA.changes!.opened.map((f) => f.fingerprint)).toEqual(
      expect.arrayContaining([`${NATIVE}#CAL-POL-03#Namespace/analytics`, `${NATIVE}#CAL-POL-03#Namespace/batch`, `${NATIVE}#CAL-POL-01#cluster`, `${REFERENCE}#CAL-DP-01#cluster`]),
    );
    expect(runA.changes!.resolved).toEqual([]);

    expect(runB.changes!.opened.map((f) => f.fingerprint)).toEqual([`${NATIVE}#CAL-POL-03#Namespace/reporting`]);
    expect(runB.changes!.resolved.map((f) => f.fingerprint)).toEqual([node('ip-10-2-3-41')]);
    expect(runB.changes!.reopened).toEqual([]);

    expect(runC.changes!.opened).toEqual([]);
    expect(runC.changes!.reopened.map((f) => f.fingerprint)).toEqual([node('ip-10-2-3-41')]);
    expect(runC.changes!.resolved.map((f) => f.fingerprint)).toEqual([node('ip-10-2-11-8')]);

    const ledger = runC.ledger;
    // Persisting since A: first seen then, last seen now.
    expect(dates(entry(ledger, node('ip-10-2-18-77')))).toEqual({ state: 'open', firstSeen: RUN_A.at, openedAt: RUN_A.at, lastSeen: RUN_C.at, resolvedAt: null, reopened: 0 });
    // Reopened: first seen in A, open again since C.
    expect(dates(entry(ledger, node('ip-10-2-3-41')))).toEqual({ state: 'open', firstSeen: RUN_A.at, openedAt: RUN_C.at, lastSeen: RUN_C.at, resolvedAt: null, reopened: 1 });
    expect(entry(ledger, node('ip-10-2-3-41')).reopenedAt).toBe(RUN_C.at);
    // Resolved in C, last seen in B.
    expect(dates(entry(ledger, node('ip-10-2-11-8')))).toEqual({ state: 'resolved', firstSeen: RUN_A.at, openedAt: RUN_A.at, lastSeen: RUN_B.at, resolvedAt: RUN_C.at, reopened: 0 });
    expect(entry(ledger, node('ip-10-2-11-8')).resolution).toBe('fixed');
    // New in B.
    expect(dates(entry(ledger, `${NATIVE}#CAL-POL-03#Namespace/reporting`))).toEqual({ state: 'open', firstSeen: RUN_B.at, openedAt: RUN_B.at, lastSeen: RUN_C.at, resolvedAt: null, reopened: 0 });
    expect(ledger.runs.map((r) => r.runId)).toEqual([RUN_A.runId, RUN_B.runId, RUN_C.runId]);
    expect(ledger).toMatchObject({ runId: RUN_C.runId, previousRunId: RUN_B.runId });
  });

  it('gives each cluster report the same history the ledger keeps: days open per finding, and what was resolved', async () => {
    const sink = tempSink();
    const { b, c } = await threeRuns(sink);
    // What run C's audit of the native cluster read: the ledger as run B left it.
    const { base } = await ledgerBefore(sink, RUN_C.runId);
    expect(base?.runId).toBe(RUN_B.runId);
    const history = clusterHistory(base, c[0]!, RUN_C.runId, RUN_C.at);
    const open = new Map(history.open.map((o) => [o.fingerprint, o]));
    expect(open.get(node('ip-10-2-18-77'))).toMatchObject({ firstSeen: RUN_A.at, openDays: 14, reopened: 0 });
    expect(open.get(`${NATIVE}#CAL-POL-03#Namespace/reporting`)).toMatchObject({ firstSeen: RUN_B.at, openDays: 7 });
    expect(open.get(node('ip-10-2-3-41'))).toMatchObject({ firstSeen: RUN_A.at, openedAt: RUN_C.at, openDays: 0, reopened: 1 });
    expect(history.resolved.map((r) => [r.fingerprint, r.resolvedAt])).toEqual([[node('ip-10-2-11-8'), RUN_C.at]]);
    expect(history.since).toBe(RUN_B.runId);
    expect(b).toHaveLength(2);

    const report = renderMarkdown({ ...c[0]!, history });
    expect(report).toMatch(/\| critical \| CAL-AWS-01 \| .* \| 14 days \(since 2026-11-01\) \|/);
    expect(report).toContain('ip-10-2-3-41.eu-west-2.compute.internal: new in this run, reopened once (first seen 2026-11-01)');
    expect(report).toContain('Namespace reporting: open 7 days (since 2026-11-08)');
    expect(report).toContain('### Resolved in the last 30 days');
    expect(report).toMatch(/\| CAL-AWS-01 \| critical \| .* \| Node ip-10-2-11-8\.eu-west-2\.compute\.internal \| 2026-11-01 \| 2026-11-15 \|/);
  });

  it('draws each cluster\'s sparkline and the fleet\'s critical and high chart from the ledger\'s runs', async () => {
    const sink = tempSink();
    const { runA, runB, runC } = await threeRuns(sink);
    // D: every node fixed, so the score moves.
    const d = [native(RUN_D.at, { fixed: NODES, reporting: true }), reference(RUN_D.at)];
    const runD = await recordRunInLedger(sink, { ...RUN_D, assessments: d, notAudited: [], unlisted: [] });
    const scores = [runA, runB, runC, runD].map((r) => r.ledger.runs.at(-1)!.scores[NATIVE]);
    expect(scores[3]).toBeGreaterThan(scores[2]!);
    const summary = withLedger(
      summarizeFleet(d.map((assessment) => ({ assessment, report: reportLinkFromFleetPage(assessment.target) })), [], { generatedAt: RUN_D.at, runId: RUN_D.runId }),
      runD.ledger,
      runD.changes,
      RUN_D.at,
    );
    const row = summary.clusters.find((r) => r.clusterName === 'native-multisubnet-srcdst')!;
    expect(row.trend).toEqual(scores);
    expect(summary.trend!.map((t) => [t.critical, t.high])).toEqual(runD.ledger.runs.map((r) => [r.critical, r.high]));
    expect(summary.trend!.map((t) => t.critical).at(-1)).toBeLessThan(summary.trend![0]!.critical);
    expect(summary.failuresByRule.find((r) => r.id === 'CAL-POL-03')!.where).toEqual([
      expect.objectContaining({ clusterName: 'native-multisubnet-srcdst', objects: 3, openedAt: RUN_A.at, openDays: 21 }),
    ]);
    // Resolved within 30 days, latest first: the four nodes fixed in D, the one fixed in C.
    expect(summary.resolved!.map((r) => r.resolvedAt)).toEqual([RUN_D.at, RUN_D.at, RUN_D.at, RUN_D.at, RUN_C.at]);
    expect(summary.resolved!.at(-1)).toMatchObject({ fingerprint: node('ip-10-2-11-8'), object: 'Node ip-10-2-11-8.eu-west-2.compute.internal', firstSeen: RUN_A.at, resolution: 'fixed' });

    const html = renderFleetHtml(summary);
    // The sparkline survives the sanitiser as SVG, labelled with the scores it draws; no script anywhere.
    expect(html).toContain(`<svg class="spark" viewbox="0 0 80 18" width="80" height="18" role="img" aria-label="Score of native-multisubnet-srcdst over the last 4 runs: ${scores.join(', ')}">`);
    expect(html.match(/<polyline points="[\d., ]+" class="score" \/>/g)?.length).toBe(2);
    expect(html).toMatch(/<svg class="trend" [^>]*>.*<polyline points="[\d., ]+" class="critical" \/>/s);
    expect(html).not.toMatch(/<script|\son\w+=|javascript:/i);
    const markdown = renderFleetMarkdown(summary);
    expect(markdown).toContain('| Score over the last runs |');
    expect(markdown).toMatch(/\| \[native-multisubnet-srcdst\]\([^)]+\) \| [A-F] \| \d+ \| [▁▂▃▄▅▆▇█]{4} \|/);
    expect(markdown).toContain(`Critical and high findings over the last 4 runs (2026-11-01 to 2026-11-22)`);
  });
});

describe('a cluster not audited, and a run that stops halfway', () => {
  it('keeps the findings of a cluster not audited open, never resolved, and says since when', async () => {
    const sink = tempSink();
    const { runC } = await threeRuns(sink);
    const openBefore = runC.ledger.findings.filter((f) => f.state === 'open' && f.clusterName === 'native-multisubnet-srcdst');
    // D: the native cluster cannot be audited; reference is.
    const runD = await recordRunInLedger(sink, {
      ...RUN_D,
      assessments: [reference(RUN_D.at)],
      notAudited: [{ target: { accountId: '111122223333', region: 'eu-west-2', clusterName: 'native-multisubnet-srcdst' }, reason: 'AccessDeniedException: no access' }],
      unlisted: [],
    });
    expect(runD.changes!.resolved).toEqual([]);
    expect(runD.changes!.carried.map((f) => f.fingerprint)).toEqual(openBefore.map((f) => f.fingerprint));
    for (const before of openBefore) expect(entry(runD.ledger, before.fingerprint)).toEqual(before);
    expect(runD.ledger.clusters[NATIVE]).toEqual({ lastAudited: RUN_C.at, lastAuditedRun: RUN_C.runId, notAuditedSince: RUN_D.at, notAuditedReason: 'AccessDeniedException: no access' });

    const summary = withLedger(
      summarizeFleet([{ assessment: reference(RUN_D.at), report: 'r.html' }], [{ target: { accountId: '111122223333', region: 'eu-west-2', clusterName: 'native-multisubnet-srcdst' }, reason: 'AccessDeniedException: no access' }], { generatedAt: RUN_D.at, runId: RUN_D.runId }),
      runD.ledger,
      runD.changes,
      RUN_D.at,
    );
    expect(summary.notAudited[0]).toMatchObject({ clusterName: 'native-multisubnet-srcdst', openFindings: openBefore.length, lastAudited: RUN_C.at, notAuditedSince: RUN_D.at });
    expect(renderFleetMarkdown(summary)).toContain(`| native-multisubnet-srcdst | 111122223333 | eu-west-2 | AccessDeniedException: no access | ${openBefore.length} | 2026-11-15 |`);

    // An account that could not be listed keeps its clusters' findings open too; a cluster gone from a listed account resolves them.
    const unlisted = await recordRunInLedger(await tempSinkWith(runD.ledger), { runId: 'E', at: '2026-11-29T02:00:00Z', assessments: [], notAudited: [], unlisted: [{ accountId: '111122223333', region: null }] });
    expect(unlisted.changes!.resolved).toEqual([]);
    const gone = await recordRunInLedger(await tempSinkWith(runD.ledger), { runId: 'E', at: '2026-11-29T02:00:00Z', assessments: [reference('2026-11-29T02:00:00Z')], notAudited: [], unlisted: [] });
    expect(gone.changes!.resolved.map((f) => f.resolution)).toEqual(openBefore.map(() => 'cluster-gone'));
  });

  it('leaves the ledger as it was when a run stops before storing it, and folds the run in once when it runs again', async () => {
    const sink = tempSink();
    const { runC } = await threeRuns(sink);
    const stored = await sink.read(LEDGER_KEY);
    // Run D stops halfway: its copy is written, the ledger the next run reads is refused.
    const failing: ReportSink = Object.assign(Object.create(sink) as ReportSink, {
      write: async (key: string, body: string | Uint8Array) => {
        if (key === LEDGER_KEY) throw new Error('AccessDenied: the write is refused');
        return sink.write(key, body);
      },
    });
    const d = { ...RUN_D, assessments: [native(RUN_D.at), reference(RUN_D.at)], notAudited: [], unlisted: [] };
    await expect(recordRunInLedger(failing, d)).rejects.toThrow('AccessDenied');
    expect(Buffer.from((await sink.read(LEDGER_KEY))!).equals(Buffer.from(stored!))).toBe(true);
    expect(await sink.read(runLedgerKey(RUN_D.runId))).not.toBeNull();

    // Run again: from run C's ledger, exactly once; and again with the same run id: the same ledger.
    const once = await recordRunInLedger(sink, d);
    expect(once.changes!.reopened.map((f) => f.fingerprint)).toEqual([node('ip-10-2-11-8')]);
    expect(entry(once.ledger, node('ip-10-2-11-8')).reopened).toBe(1);
    const twice = await recordRunInLedger(sink, d);
    expect(twice.ledger).toEqual(once.ledger);
    expect(twice.changes).toEqual(once.changes);
    expect(once.ledger.runs.map((r) => r.runId)).toEqual([RUN_A.runId, RUN_B.runId, RUN_C.runId, RUN_D.runId]);

    // Summarising run C again now would move the ledger backwards: it is left alone.
    const late = await recordRunInLedger(sink, { ...RUN_C, assessments: [], notAudited: [], unlisted: [] });
    expect(late.changes).toBeNull();
    expect(late.note).toContain(RUN_D.runId);
    expect(late.ledger).toEqual(once.ledger);
    expect(runC.ledger.runId).toBe(RUN_C.runId);
  });

  it('folds the same from what a run keeps of each assessment (its findings and score) as from the assessment', () => {
    const a = [native(RUN_A.at), reference(RUN_A.at)];
    const b = [native(RUN_B.at, { fixed: ['ip-10-2-3-41'], reporting: true }), reference(RUN_B.at)];
    const whole = updateLedger(updateLedger(null, { ...RUN_A, assessments: a, notAudited: [] }).ledger, { ...RUN_B, assessments: b, notAudited: [] });
    const kept = updateLedger(updateLedger(null, { ...RUN_A, assessments: a.map(clusterFindingsOf), notAudited: [] }).ledger, { ...RUN_B, assessments: b.map(clusterFindingsOf), notAudited: [] });
    expect(kept).toEqual(whole);
  });

  it('refuses to start from a damaged ledger rather than treating every finding as new', async () => {
    const sink = tempSink();
    await sink.write(LEDGER_KEY, '{"schemaVersion": 1, "findings": "nope"}');
    await expect(recordRunInLedger(sink, { ...RUN_A, assessments: [reference(RUN_A.at)], notAudited: [], unlisted: [] })).rejects.toThrow(/is not a findings ledger/);
  });
});

async function tempSinkWith(ledger: Ledger): Promise<ReportSink> {
  const sink = tempSink();
  await sink.write(LEDGER_KEY, JSON.stringify(ledger));
  return sink;
}
