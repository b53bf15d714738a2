/**
 * Suppressions: a recorded decision to accept a finding — `{ ruleId, clusters, reason, expires }`,
 * reason required (Popeye's exclusions, cdk-nag's acknowledgements). A suppressed finding stays in
 * every report, marked with its reason, but no longer counts against the score. An expired
 * suppression no longer applies and is listed, so nobody's old decision silently outlives its date.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import type { Assessment } from './assess.js';
import { score } from './score.js';

export const suppressionSchema = z.object({
  ruleId: z.string().regex(/^(CAL|EKS)-[A-Z0-9-]+$/, 'must be a rule id such as CAL-DP-01'),
  /** `account/region/cluster` patterns, `*` matching any run of characters; all clusters when absent. */
  clusters: z.array(z.string().min(1)).default(['*']),
  reason: z.string().trim().min(10, 'give the reason (at least 10 characters): a suppression is a recorded decision'),
  /** Last day the suppression applies (UTC, inclusive). */
  expires: z.iso.date().optional(),
});
export const suppressionsFileSchema = z.object({ suppressions: z.array(suppressionSchema) });
export type Suppression = z.infer<typeof suppressionSchema>;

const patternCache = new Map<string, RegExp>();
function clusterPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** True when the suppression names this cluster (by `account/region/cluster`). */
export function suppressionMatches(suppression: Suppression, target: Assessment['target']): boolean {
  const id = `${target.accountId}/${target.region}/${target.clusterName}`;
  return suppression.clusters.some((pattern) => clusterPattern(pattern).test(id));
}

/** Applies suppressions to failed checks, as of the snapshot's collection date, and rescores. */
export function applySuppressions(assessment: Assessment, suppressions: readonly Suppression[]): Assessment {
  const today = assessment.collectedAt.slice(0, 10);
  const relevant = suppressions.filter((s) => suppressionMatches(s, assessment.target));
  const active = relevant.filter((s) => !s.expires || s.expires >= today);
  const expired = relevant.filter((s) => s.expires && s.expires < today);
  const checks = assessment.checks.map((check) => {
    const suppression = check.status === 'fail' ? active.find((s) => s.ruleId === check.id) : undefined;
    return suppression ? { ...check, suppression: { reason: suppression.reason, expires: suppression.expires ?? null } } : check;
  });
  return {
    ...assessment,
    checks,
    score: score(checks.filter((c) => !c.suppression)),
    suppressions: {
      applied: checks.filter((c) => c.suppression).map((c) => c.id),
      expired: expired.map((s) => ({ ruleId: s.ruleId, reason: s.reason, expires: s.expires! })),
    },
  };
}
