/**
 * The score, grade and coverage exactly as the rules catalogue defines them:
 * - weights critical 10, high 5, medium 3, low 1, info 0; a failed rule weighs as the severity it
 *   failed at, a passed one as its highest severity;
 * - score = 100 × passed weight / (passed + failed weight), rounded; `not_applicable` and
 *   `unknown` do not count;
 * - grade A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F; any failed critical rule caps the grade at D;
 * - coverage = known / (known + unknown) applicable rules.
 */
import type { Severity, Status } from './rule.js';

export const SEVERITY_WEIGHTS: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1, info: 0 };

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

export interface Score {
  /** 0–100, or `null` when no weighted rule passed or failed. */
  value: number | null;
  grade: Grade | null;
  /** 0–1 (two decimals), or `null` when no rule applied. */
  coverage: number | null;
  counts: Record<Status, number>;
  failedBySeverity: Record<Severity, number>;
}

export interface ScoredCheck {
  status: Status;
  /** The severity it failed at, or its highest severity. */
  severity: Severity;
}

const GRADE_FLOORS: Array<[Grade, number]> = [
  ['A', 90],
  ['B', 80],
  ['C', 70],
  ['D', 60],
];

export function gradeFor(value: number, criticalFailed: boolean): Grade {
  const grade = GRADE_FLOORS.find(([, floor]) => value >= floor)?.[0] ?? 'F';
  return criticalFailed && (grade === 'A' || grade === 'B' || grade === 'C') ? 'D' : grade;
}

export function score(checks: ScoredCheck[]): Score {
  const counts: Record<Status, number> = { pass: 0, fail: 0, not_applicable: 0, unknown: 0 };
  const failedBySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let passed = 0;
  let failed = 0;
  for (const check of checks) {
    counts[check.status] += 1;
    if (check.status === 'pass') passed += SEVERITY_WEIGHTS[check.severity];
    if (check.status === 'fail') {
      failed += SEVERITY_WEIGHTS[check.severity];
      failedBySeverity[check.severity] += 1;
    }
  }
  const value = passed + failed > 0 ? Math.round((100 * passed) / (passed + failed)) : null;
  const known = counts.pass + counts.fail;
  const applicable = known + counts.unknown;
  return {
    value,
    grade: value === null ? null : gradeFor(value, failedBySeverity.critical > 0),
    coverage: applicable ? Math.round((known / applicable) * 100) / 100 : null,
    counts,
    failedBySeverity,
  };
}
