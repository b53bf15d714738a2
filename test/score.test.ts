/** The score, grade and coverage formulas from the catalogue. */
import { describe, expect, it } from 'vitest';
import { gradeFor, score } from '../src/assess/score.js';

describe('score', () => {
  it('weighs passes and failures by severity and ignores not_applicable and unknown', () => {
    const result = score([
      { status: 'pass', severity: 'critical' }, // 10
      { status: 'pass', severity: 'high' }, // 5
      { status: 'fail', severity: 'medium' }, // 3
      { status: 'fail', severity: 'low' }, // 1
      { status: 'not_applicable', severity: 'critical' },
      { status: 'unknown', severity: 'critical' },
    ]);
    expect(result.value).toBe(Math.round((100 * 15) / 19)); // 79
    expect(result.grade).toBe('C');
    expect(result.coverage).toBe(0.8); // 4 known of 5 applicable
    expect(result.counts).toEqual({ pass: 2, fail: 2, not_applicable: 1, unknown: 1 });
  });

  it('gives info rules no weight', () => {
    expect(score([{ status: 'fail', severity: 'info' }, { status: 'pass', severity: 'low' }]).value).toBe(100);
  });

  it('caps the grade at D when a critical rule fails', () => {
    const checks = [
      ...Array.from({ length: 30 }, () => ({ status: 'pass' as const, severity: 'critical' as const })),
      { status: 'fail' as const, severity: 'critical' as const },
    ];
    const result = score(checks);
    expect(result.value).toBe(97);
    expect(result.grade).toBe('D');
    expect(result.failedBySeverity.critical).toBe(1);
  });

  it('grades at the catalogue boundaries', () => {
    expect([90, 89, 80, 79, 70, 69, 60, 59].map((v) => gradeFor(v, false))).toEqual(['A', 'B', 'B', 'C', 'C', 'D', 'D', 'F']);
    expect(gradeFor(59, true)).toBe('F');
  });

  it('has no score or coverage when nothing applied', () => {
    expect(score([{ status: 'not_applicable', severity: 'high' }])).toMatchObject({ value: null, grade: null, coverage: null });
    expect(score([{ status: 'unknown', severity: 'high' }])).toMatchObject({ value: null, grade: null, coverage: 0 });
  });
});
