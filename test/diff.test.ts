/** `calico-audit diff --from A --to B`: two assessments, or two fleet summaries, compared by finding fingerprint. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import { summarizeFleet, type Comparison } from '../src/fleet-summary/index.js';
import { renderJson } from '../src/render/json.js';
import { renderFleetJson } from '../src/render/fleet.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';
import { nativeSnapshot } from './support/history-samples.js';
import { anyOf, stringContaining, stringMatching } from './helpers/matchers.js';
import { runCli } from './helpers/cli.js';

const native = (options: { fixed?: string[]; reporting?: boolean; at?: string } = {}): Assessment => assess(nativeSnapshot(options));
const reference = () => assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference'));

const dir = mkdtempSync(path.join(tmpdir(), 'diff-'));
const file = (name: string, body: string) => {
  const target = path.join(dir, name);
  writeFileSync(target, body);
  return target;
};
const run = (...args: string[]) => runCli('diff', ...args);

describe('calico-audit diff of two assessments', () => {
  const before = native({ at: '2026-11-01T02:00:00Z' });
  // Later: one node fixed, a new namespace without policy, and the batch namespace accepted by a suppression.
  const after = applySuppressions(native({ at: '2026-11-08T02:00:00Z', fixed: ['ip-10-2-3-41'], reporting: true }), [
    { ruleId: 'CAL-POL-03', clusters: ['*'], match: 'batch', reason: 'batch jobs run in their own VPC', owner: 'platform', expires: '2027-01-31' },
  ]);
  const from = file('before.json', renderJson(before));
  const to = file('after.json', renderJson(after));

  it('lists new, resolved and changed findings by object, and the score move, as JSON', async () => {
    const { code, stdout } = await run('--from', from, '--to', to, '--format', 'json');
    expect(code).toBe(0);
    const c = JSON.parse(stdout) as Comparison;
    expect(c.kind).toBe('assessment');
    expect(c.newFindings.map((f) => [f.ruleId, f.object])).toEqual([['CAL-POL-03', 'Namespace reporting']]);
    expect(c.resolvedFindings.map((f) => [f.ruleId, f.object])).toEqual([['CAL-AWS-01', 'Node ip-10-2-3-41.eu-west-2.compute.internal']]);
    expect(c.changedFindings).toEqual([expect.objectContaining({ ruleId: 'CAL-POL-03', object: 'Namespace batch', suppressed: true, was: { severity: 'medium', title: anyOf(String), suppressed: false } })]);
    expect(c.unchanged).toBeGreaterThan(4);
    expect(c.scoreMoves).toEqual(before.score.value === after.score.value ? [] : [expect.objectContaining({ from: before.score.value, to: after.score.value })]);
  });

  it('says the same in text and Markdown', async () => {
    const text = (await run('--from', from, '--to', to)).stdout;
    expect(text).toMatch(/^Cluster audit 2026-11-01 → 2026-11-08: 1 new, 1 resolved, 1 changed, \d+ unchanged findings; 0 score moves\.\n/);
    expect(text).toContain('New findings:\n  [MEDIUM] CAL-POL-03');
    expect(text).toContain('— Node ip-10-2-3-41.eu-west-2.compute.internal');
    expect(text).toContain('— Namespace batch (suppressed): was medium, not suppressed');
    const md = (await run('--from', from, '--to', to, '--format', 'md')).stdout;
    expect(md).toContain('## Resolved findings');
    expect(md).toContain('| medium (suppressed) | CAL-POL-03 |');
  });

  it('refuses two different clusters, or an assessment against a fleet summary, with one clear line', async () => {
    const other = file('other.json', renderJson(reference()));
    const mixed = file('fleet.json', renderFleetJson(summarizeFleet([{ assessment: before, report: 'r.html' }])));
    expect(await run('--from', from, '--to', other)).toMatchObject({ code: 2, stderr: stringMatching(/^calico-audit: --from is 111122223333\/eu-west-2\/native-multisubnet-srcdst and --to is .*reference-crosssubnet: compare two audits of the same cluster/) });
    expect(await run('--from', from, '--to', mixed)).toMatchObject({ code: 2, stderr: 'calico-audit: --from is an assessment and --to a fleet summary: compare two of the same kind\n' });
    expect(await run('--from', path.join(dir, 'missing.json'), '--to', to)).toMatchObject({ code: 2, stderr: stringContaining('missing.json: no such file') });
    expect(await run('--from', file('junk.json', '{"hello": 1}'), '--to', to)).toMatchObject({ code: 2, stderr: stringContaining('neither an assessment (report.json) nor a fleet summary') });
  });
});

describe('calico-audit diff of two fleet summaries', () => {
  it('compares the clusters in both by finding, and lists clusters added and gone', async () => {
    const entry = (assessment: Assessment) => ({ assessment, report: 'r.html' });
    const first = summarizeFleet([entry(native()), entry(reference())], [], { generatedAt: '2026-11-01T02:00:00Z', runId: '2026-11-01T02-00-00Z' });
    const enterprise = assess(validateSnapshot(sampleDocument('enterprise-vxlan'), 'enterprise'));
    const second = summarizeFleet([entry(native({ fixed: ['ip-10-2-3-41', 'ip-10-2-11-8'] })), entry(enterprise)], [], { generatedAt: '2026-11-08T02:00:00Z', runId: '2026-11-08T02-00-00Z' });
    const { code, stdout } = await run('--from', file('a.json', renderFleetJson(first)), '--to', file('b.json', renderFleetJson(second)), '--format', 'json');
    expect(code).toBe(0);
    const c = JSON.parse(stdout) as Comparison;
    expect(c.resolvedFindings.map((f) => f.object)).toEqual(['Node ip-10-2-11-8.eu-west-2.compute.internal', 'Node ip-10-2-3-41.eu-west-2.compute.internal']);
    expect(c.newFindings).toEqual([]);
    expect(c.added.map((t) => t.clusterName)).toEqual(['enterprise-vxlan']);
    expect(c.gone.map((t) => t.clusterName)).toEqual(['reference-crosssubnet']);
    const text = (await run('--from', file('a.json', renderFleetJson(first)), '--to', file('b.json', renderFleetJson(second)))).stdout;
    expect(text).toMatch(/^Fleet audit 2026-11-01T02-00-00Z → 2026-11-08T02-00-00Z: 0 new, 2 resolved, 0 changed, \d+ unchanged findings; 0 score moves; 1 cluster added, 1 gone\./);
  });
});
