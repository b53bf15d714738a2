/** Every rule against its fixture files: the file name says the status the rule must reach. */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { RULES } from '../src/assess/rules/index.js';
import { fixtureSnapshot, listRuleFixtures } from './helpers/fixtures.js';

const fixtures = listRuleFixtures();

/** Rules for which no cluster can make the rule inapplicable, with the reason. */
const ALWAYS_APPLICABLE: Record<string, string> = {
  'EKS-01': 'every EKS cluster has an API endpoint',
  'EKS-02': 'every EKS cluster has control plane logging settings',
  'EKS-03': 'every EKS cluster stores Secrets',
  'EKS-04': 'every EKS cluster runs a Kubernetes version',
};

describe('rule fixtures', () => {
  for (const rule of RULES) {
    describe(rule.id, () => {
      const own = fixtures.filter((f) => f.ruleId === rule.id);
      it('has a pass, a fail and an unknown case, and a not_applicable case where one exists', () => {
        const statuses = new Set(own.map((f) => f.status));
        expect([...statuses]).toEqual(expect.arrayContaining(['pass', 'fail', 'unknown']));
        if (!ALWAYS_APPLICABLE[rule.id]) expect(statuses).toContain('not_applicable');
      });
      for (const fixture of own) {
        it(`${fixture.status}: ${fixture.description} (${fixture.name})`, () => {
          const check = assess(fixtureSnapshot(fixture)).checks.find((c) => c.id === rule.id)!;
          expect(check, `${rule.id} missing from the assessment`).toBeDefined();
          expect({ status: check.status, summary: check.summary }).toMatchObject({ status: fixture.status });
          if (fixture.expect.severity) expect(check.severity).toBe(fixture.expect.severity);
          if (fixture.expect.summaryIncludes) expect(check.summary).toContain(fixture.expect.summaryIncludes);
          if (fixture.expect.evidenceIncludes) expect(check.evidence.map((e) => `${e.object} ${e.note ?? ''}`).join('\n')).toContain(fixture.expect.evidenceIncludes);
          if (check.status === 'fail') {
            expect(check.evidence.length).toBeGreaterThan(0);
            expect(check.remediation?.trim().length).toBeGreaterThan(0);
          }
          if (check.status === 'unknown') expect(check.evidence.length).toBeGreaterThan(0);
        });
      }
    });
  }

  it('names only rules that exist', () => {
    const ids = new Set(RULES.map((r) => r.id));
    expect(fixtures.filter((f) => !ids.has(f.ruleId)).map((f) => f.file)).toEqual([]);
  });
});
