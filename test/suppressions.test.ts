/** Suppressions: recorded decisions that keep a finding visible but out of the score, until they expire. */
import { describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { clusterFindingsOf, findingsOf } from '../src/assess/findings.js';
import { applySuppressions, expiringSuppressions, suppressionsFileSchema, unusedSuppressions } from '../src/assess/suppressions.js';
import { parseSuppressions, SuppressionsFileError } from '../src/assess/suppressions-file.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';
import { runCli } from './helpers/cli.js';

const reference = () => assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference-crosssubnet'));
// Fails CAL-AWS-01 on five nodes and CAL-POL-03 on two namespaces (analytics, batch).
const native = () => assess(validateSnapshot(sampleDocument('native-multisubnet-srcdst'), 'native-multisubnet-srcdst'));
const NATIVE = '111122223333/eu-west-2/native-multisubnet-srcdst';

describe('applySuppressions', () => {
  it('marks the matching failed check with its reason and leaves it out of the score', () => {
    const before = reference();
    expect(before.checks.find((c) => c.id === 'CAL-DP-01')?.status).toBe('fail');
    const after = applySuppressions(before, [
      { ruleId: 'CAL-DP-01', clusters: ['111122223333/eu-west-2/*'], reason: 'iptables is our standard dataplane until the kernel upgrade', expires: '2027-06-30' },
    ]);
    const check = after.checks.find((c) => c.id === 'CAL-DP-01')!;
    expect(check.status).toBe('fail');
    expect(check.suppression).toEqual({ reason: 'iptables is our standard dataplane until the kernel upgrade', expires: '2027-06-30' });
    expect(after.score.value).toBeGreaterThan(before.score.value!);
    expect(after.score.counts.fail).toBe(before.score.counts.fail - 1);
    expect(after.suppressions).toEqual({ applied: ['CAL-DP-01'], expired: [], unused: [] });
  });

  it('ignores suppressions for other clusters, and expired ones (which it lists)', () => {
    const before = reference();
    const after = applySuppressions(before, [
      { ruleId: 'CAL-DP-01', clusters: ['444455556666/*/*'], reason: 'another account decided this' },
      { ruleId: 'CAL-DP-01', clusters: ['*'], reason: 'accepted until the end of last year', expires: '2025-12-31' },
    ]);
    expect(after.checks.find((c) => c.id === 'CAL-DP-01')?.suppression).toBeUndefined();
    expect(after.score).toEqual(before.score);
    expect(after.suppressions?.expired).toEqual([{ ruleId: 'CAL-DP-01', reason: 'accepted until the end of last year', expires: '2025-12-31' }]);
  });

  it('never touches a check that did not fail', () => {
    const after = applySuppressions(reference(), [{ ruleId: 'CAL-RT-01', clusters: ['*'], reason: 'a passing rule cannot be suppressed' }]);
    expect(after.checks.find((c) => c.id === 'CAL-RT-01')).not.toHaveProperty('suppression');
  });
});

describe('the suppressions file', () => {
  it('requires a reason and a real rule id', () => {
    const result = suppressionsFileSchema.safeParse({ suppressions: [{ ruleId: 'dp01', reason: 'ok' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['suppressions.0.ruleId', 'suppressions.0.reason']);
  });
});

describe('calico-audit assess --suppressions', () => {
  it('shows the accepted finding with its reason, leaves it out of --fail-on, and rejects a file without reasons', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { SAMPLE_FLEET_DIR } = await import('../src/samples/index.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'suppressions-'));
    const file = path.join(dir, 'suppressions.json');
    const snapshot = path.join(SAMPLE_FLEET_DIR, 'reference-crosssubnet.json');
    const run = runCli;
    // The reference cluster's one finding is CAL-DP-01 (low).
    expect((await run('assess', '--snapshot', snapshot, '--format', 'json', '--fail-on', 'low')).code).toBe(1);
    writeFileSync(file, JSON.stringify({ suppressions: [{ ruleId: 'CAL-DP-01', reason: 'iptables is our standard dataplane until the kernel upgrade' }] }));
    const accepted = await run('assess', '--snapshot', snapshot, '--format', 'json', '--fail-on', 'low', '--suppressions', file);
    expect(accepted.code).toBe(0);
    expect((JSON.parse(accepted.stdout) as Assessment).checks.find((c) => c.id === 'CAL-DP-01')!.suppression!.reason).toContain('kernel upgrade');
    writeFileSync(file, JSON.stringify({ suppressions: [{ ruleId: 'CAL-DP-01', reason: '' }] }));
    const rejected = await run('assess', '--snapshot', snapshot, '--suppressions', file);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain(`${file}:1: not a suppressions file: suppressions[0].reason: give the reason`);
  });
});

describe('suppressions by cluster and object', () => {
  const entry = { clusters: [NATIVE], reason: 'accepted while the namespaces move to their own VPC', owner: 'platform-team', expires: '2027-06-30' };

  it('accepts only the findings about the object it names: the rest of the rule still fails and counts', () => {
    const before = native();
    const after = applySuppressions(before, [{ ...entry, ruleId: 'CAL-POL-03', match: 'batch' }]);
    const check = after.checks.find((c) => c.id === 'CAL-POL-03')!;
    expect(check.suppression).toBeUndefined();
    expect(check.suppressedObjects).toEqual([
      { object: { kind: 'Namespace', name: 'batch' }, suppression: { reason: entry.reason, expires: '2027-06-30', owner: 'platform-team' } },
    ]);
    // Still failing on analytics: the score does not move.
    expect(after.score).toEqual(before.score);
    const findings = findingsOf(after).filter((f) => f.ruleId === 'CAL-POL-03');
    expect(findings.map((f) => [f.objectKey, f.suppression?.owner ?? null])).toEqual([
      ['Namespace/analytics', null],
      ['Namespace/batch', 'platform-team'],
    ]);
  });

  it('leaves the score once every object of the finding is accepted, by name, Kind/name or pattern', () => {
    const before = native();
    const after = applySuppressions(before, [
      { ...entry, ruleId: 'CAL-POL-03', match: 'Namespace/analytics' },
      { ...entry, ruleId: 'CAL-POL-03', match: 'b*' },
    ]);
    const check = after.checks.find((c) => c.id === 'CAL-POL-03')!;
    expect(check.suppression?.owner).toBe('platform-team');
    expect(after.score.counts.fail).toBe(before.score.counts.fail - 1);
    expect(after.suppressions?.unused).toEqual([]);
  });

  it('never hides a finding in a cluster it does not name, by full id or by cluster name', () => {
    const before = native();
    for (const clusters of [['111122223333/eu-west-2/reference-crosssubnet'], ['444455556666/eu-west-2/native-multisubnet-srcdst'], ['native'], ['reference-*']]) {
      const after = applySuppressions(before, [{ ...entry, clusters, ruleId: 'CAL-AWS-01' }]);
      expect(after.checks.find((c) => c.id === 'CAL-AWS-01')!.suppression, clusters[0]).toBeUndefined();
      expect(after.score).toEqual(before.score);
    }
    // The cluster's name alone, or a pattern over it, does name it.
    const named = applySuppressions(before, [{ ...entry, clusters: ['native-*'], ruleId: 'CAL-AWS-01' }]);
    expect(named.checks.find((c) => c.id === 'CAL-AWS-01')!.suppression?.owner).toBe('platform-team');
  });

  it('judges expiry against the run time it is given, not the wall clock', () => {
    const before = native();
    const suppression = { ...entry, ruleId: 'CAL-AWS-01', expires: '2026-11-30' };
    // The snapshot is from 2026-11-23: in force then, and on the last day, whatever today is.
    expect(applySuppressions(before, [suppression]).checks.find((c) => c.id === 'CAL-AWS-01')!.suppression).toBeDefined();
    expect(applySuppressions(before, [suppression], { asOf: '2026-11-30T23:59:00Z' }).checks.find((c) => c.id === 'CAL-AWS-01')!.suppression).toBeDefined();
    const late = applySuppressions(before, [suppression], { asOf: '2026-12-01T00:00:00Z' });
    expect(late.checks.find((c) => c.id === 'CAL-AWS-01')!.suppression).toBeUndefined();
    expect(late.score).toEqual(before.score);
    expect(late.suppressions?.expired).toEqual([{ ruleId: 'CAL-AWS-01', reason: entry.reason, expires: '2026-11-30', owner: 'platform-team' }]);
    // Within 14 days of the run, it is listed as expiring.
    expect(expiringSuppressions([{ ...suppression, expires: '2026-12-07' }], '2026-11-23T02:00:00Z').map((s) => s.expires)).toEqual(['2026-12-07']);
    expect(expiringSuppressions([{ ...suppression, expires: '2026-12-08' }], '2026-11-23T02:00:00Z')).toEqual([]);
  });

  it('reports unused entries: one matching no object, one for a rule that passes, one naming no audited cluster', () => {
    const suppressions = [
      { ...entry, ruleId: 'CAL-POL-03', match: 'payments', line: 2 },
      { ...entry, ruleId: 'CAL-IPAM-03', line: 9 },
      { ...entry, clusters: ['999988887777/*/*'], ruleId: 'CAL-AWS-01', line: 16 },
      { ...entry, ruleId: 'CAL-AWS-01', line: 23 },
    ];
    const after = applySuppressions(native(), suppressions);
    // For the one cluster: the entries naming it that accepted nothing here.
    expect(after.suppressions?.unused?.map((s) => s.line)).toEqual([2, 9]);
    expect(unusedSuppressions(suppressions, [after], '2026-11-23T02:00:00Z').map((s) => s.line)).toEqual([2, 9, 16]);
    // The same from what a run keeps of the assessment.
    expect(unusedSuppressions(suppressions, [clusterFindingsOf(after)], '2026-11-23T02:00:00Z').map((s) => s.line)).toEqual([2, 9, 16]);
  });
});

describe('the suppressions file (YAML)', () => {
  const yaml = [
    'suppressions:',
    '  - rule: CAL-POL-03',
    '    clusters: ["111122223333/eu-west-2/native-*"]',
    '    match: batch',
    '    reason: Batch jobs are isolated by their own VPC until Q3',
    '    owner: platform-team@example.com',
    '    ticket: SEC-1234',
    '    expires: 2027-06-30',
    '  - ruleId: CAL-DP-01',
    '    reason: the earlier form still reads as before',
  ].join('\n');

  it('reads both forms, keeping where each entry was written', () => {
    expect(parseSuppressions(yaml)).toEqual([
      {
        ruleId: 'CAL-POL-03',
        clusters: ['111122223333/eu-west-2/native-*'],
        match: 'batch',
        reason: 'Batch jobs are isolated by their own VPC until Q3',
        owner: 'platform-team@example.com',
        ticket: 'SEC-1234',
        expires: '2027-06-30',
        line: 2,
      },
      { ruleId: 'CAL-DP-01', clusters: ['*'], reason: 'the earlier form still reads as before', line: 9 },
    ]);
  });

  const errorOf = (text: string): SuppressionsFileError => {
    try {
      parseSuppressions(text);
    } catch (error) {
      return error as SuppressionsFileError;
    }
    throw new Error('parsed without error');
  };

  it('names the line of each kind of mistake', () => {
    const lines = yaml.split('\n');
    const variant = (index: number, replacement: string | null) =>
      lines.flatMap((line, i) => (i === index ? (replacement === null ? [] : [replacement]) : [line])).join('\n');
    // A reason too short, on line 5.
    expect(errorOf(variant(4, '    reason: because')).message).toBe('line 5: suppressions[0].reason: give the reason (at least 10 characters): a suppression is a recorded decision');
    // No owner: the entry's first line.
    expect(errorOf(variant(5, null)).message).toMatch(/^line 2: suppressions\[0\]\.owner: /);
    // A date that is not one.
    expect(errorOf(variant(7, '    expires: next summer')).message).toMatch(/^line 8: suppressions\[0\]\.expires: must be a date such as 2027-06-30/);
    // A misspelt field.
    expect(errorOf(variant(6, '    tiket: SEC-1234')).message).toBe(
      'line 7: suppressions[0].tiket: unknown field "tiket" (expected rule, clusters, match, reason, owner, ticket, expires)',
    );
    // Not a rule id.
    expect(errorOf(variant(1, '  - rule: dp01')).message).toBe('line 2: suppressions[0].rule: must be a rule id such as CAL-DP-01');
    // A rule the catalogue does not have.
    expect(errorOf(variant(1, '  - rule: CAL-XYZ-99')).message).toBe('line 2: suppressions[0].rule: no rule CAL-XYZ-99 in the catalogue (calico-audit rules lists them)');
    // Broken YAML.
    expect(errorOf(variant(3, '    match: batch: extra')).message).toBe('line 4: Nested mappings are not allowed in compact mappings');
    expect(errorOf(variant(3, '\tmatch: batch')).message).toBe('line 4: Tabs are not allowed as indentation');
    // A duplicated key.
    expect(errorOf(variant(6, '    owner: someone-else')).line).toBe(7);
    expect(errorOf('- just a list of words').message).toMatch(/^line 1: \[0\]: /);
    expect(errorOf('hello: world').message).toBe('line 1: (file): expected "suppressions:" followed by a list of entries');
  });
});
