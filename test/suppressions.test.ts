/** Suppressions: recorded decisions that keep a finding visible but out of the score, until they expire. */
import { describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { applySuppressions, suppressionsFileSchema } from '../src/assess/suppressions.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';

const reference = () => assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference-crosssubnet'));

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
    expect(after.suppressions).toEqual({ applied: ['CAL-DP-01'], expired: [] });
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
    const { main } = await import('../src/cli/main.js');
    const { SAMPLE_FLEET_DIR } = await import('../src/samples/index.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'suppressions-'));
    const file = path.join(dir, 'suppressions.json');
    const snapshot = path.join(SAMPLE_FLEET_DIR, 'reference-crosssubnet.json');
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(['node', 'calico-audit', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrStream: process.stderr });
      return { code, stdout, stderr };
    };
    // The reference cluster's one finding is CAL-DP-01 (low).
    expect((await run('assess', '--snapshot', snapshot, '--format', 'json', '--fail-on', 'low')).code).toBe(1);
    writeFileSync(file, JSON.stringify({ suppressions: [{ ruleId: 'CAL-DP-01', reason: 'iptables is our standard dataplane until the kernel upgrade' }] }));
    const accepted = await run('assess', '--snapshot', snapshot, '--format', 'json', '--fail-on', 'low', '--suppressions', file);
    expect(accepted.code).toBe(0);
    expect((JSON.parse(accepted.stdout) as Assessment).checks.find((c) => c.id === 'CAL-DP-01')!.suppression!.reason).toContain('kernel upgrade');
    writeFileSync(file, JSON.stringify({ suppressions: [{ ruleId: 'CAL-DP-01', reason: '' }] }));
    const rejected = await run('assess', '--snapshot', snapshot, '--suppressions', file);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain(`${file}: not a suppressions file: suppressions.0.reason`);
  });
});
