/**
 * Suppressions: a recorded decision to accept a finding — which rule, in which clusters, optionally
 * on which object (a node, pool, policy), why, who owns the decision, and until when (Popeye's
 * exclusions, cdk-nag's acknowledgements). A suppressed finding stays in every report, marked with
 * its reason and owner, but no longer counts against the score. An expired suppression no longer
 * applies and is listed, so nobody's old decision silently outlives its date; one that matches
 * nothing is reported as unused. Dates are judged against the run's time, never the wall clock.
 *
 * Two written forms (src/assess/suppressions-file.ts): the YAML form
 * `{ rule, clusters, match?, reason, owner, ticket?, expires }` and the earlier JSON form
 * `{ ruleId, clusters?, reason, expires? }`; both become the `Suppression` below.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import type { Assessment, Check, CheckSuppression } from './assess.js';
import { asClusterFindings, type ClusterFindings } from './findings.js';
import type { FindingObject } from './rule.js';
import { score } from './score.js';

const ruleId = z.string().regex(/^(CAL|EKS)-[A-Z0-9-]+$/, 'must be a rule id such as CAL-DP-01');
const reason = z.string().trim().min(10, 'give the reason (at least 10 characters): a suppression is a recorded decision');

/** The earlier JSON form: `{ ruleId, clusters?, reason, expires? }` (still read as it was). */
export const suppressionSchema = z.object({
  ruleId,
  /** `account/region/cluster` patterns, `*` matching any run of characters; all clusters when absent. */
  clusters: z.array(z.string().min(1)).default(['*']),
  reason,
  /** Last day the suppression applies (UTC, inclusive). */
  expires: z.iso.date().optional(),
});
export const suppressionsFileSchema = z.object({ suppressions: z.array(suppressionSchema) });

/** The YAML form: every decision names its owner and its end. */
export const suppressionEntrySchema = z.strictObject({
  rule: ruleId,
  clusters: z.array(z.string().min(1, 'a cluster pattern cannot be empty')).min(1, 'name at least one cluster pattern (use "*" for every cluster)'),
  /** The object the finding is about: its name, `namespace/name` or `Kind/name`; `*` matches any run of characters. */
  match: z.string().min(1).optional(),
  reason,
  owner: z.string().trim().min(1, 'name the owner of the decision (a person or team)'),
  ticket: z.string().trim().min(1).optional(),
  expires: z.iso.date('must be a date such as 2027-06-30 (the last day it applies, UTC)'),
});

/** One suppression, whichever form it was written in. */
export interface Suppression {
  ruleId: string;
  /** `account/region/cluster` or cluster-name patterns; `*` matches any run of characters. */
  clusters: string[];
  /** Only findings about an object whose name (or `namespace/name`, `Kind/name`) matches. */
  match?: string;
  reason: string;
  owner?: string;
  ticket?: string;
  /** Last day it applies (UTC, inclusive); absent in the earlier form: no end. */
  expires?: string;
  /** Where it was written, for messages (the line in its file). */
  line?: number;
}

/** A suppression as the assessment and the fleet page list it (expired or unused). */
export interface SuppressionNote {
  ruleId: string;
  clusters: string[];
  match?: string;
  reason: string;
  owner?: string;
  ticket?: string;
  expires: string | null;
  line?: number;
}

export const noteOf = (s: Suppression): SuppressionNote => ({
  ruleId: s.ruleId,
  clusters: [...s.clusters],
  ...(s.match !== undefined ? { match: s.match } : {}),
  reason: s.reason,
  ...(s.owner !== undefined ? { owner: s.owner } : {}),
  ...(s.ticket !== undefined ? { ticket: s.ticket } : {}),
  expires: s.expires ?? null,
  ...(s.line !== undefined ? { line: s.line } : {}),
});

const patternCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
    patternCache.set(pattern, regex);
  }
  return regex;
}

/**
 * True when the suppression names this cluster: a pattern matches `account/region/cluster`, or —
 * without a `/` — the cluster's name alone. A pattern never reaches a cluster it does not match.
 */
export function suppressionMatches(suppression: Pick<Suppression, 'clusters'>, target: Assessment['target']): boolean {
  const id = `${target.accountId}/${target.region}/${target.clusterName}`;
  return suppression.clusters.some((pattern) => glob(pattern).test(id) || (!pattern.includes('/') && glob(pattern).test(target.clusterName)));
}

/** True when `match` names this object: its name, `namespace/name`, `Kind/name` or `Kind/namespace/name`. */
export function objectMatches(match: string, object: FindingObject): boolean {
  const regex = glob(match);
  const qualified = object.namespace ? `${object.namespace}/${object.name}` : object.name;
  return [object.name, qualified, `${object.kind}/${object.name}`, `${object.kind}/${qualified}`].some((name) => regex.test(name));
}

/** True when the suppression is in force on `asOf` (an ISO date or time: the run's). */
export const isActive = (s: Pick<Suppression, 'expires'>, asOf: string): boolean => !s.expires || s.expires >= asOf.slice(0, 10);

const decisionOf = (s: Suppression): CheckSuppression => ({
  reason: s.reason,
  expires: s.expires ?? null,
  ...(s.owner !== undefined ? { owner: s.owner } : {}),
  ...(s.ticket !== undefined ? { ticket: s.ticket } : {}),
});

/** What the active suppressions make of one failed check; `used` collects the entries that applied. */
function suppressCheck(check: Check, active: readonly Suppression[], used: Set<Suppression>): Check {
  if (check.status !== 'fail') return check;
  const forRule = active.filter((s) => s.ruleId === check.id);
  if (!forRule.length) return check;
  // A suppression without `match` accepts the whole finding, whatever objects it names.
  const whole = forRule.find((s) => s.match === undefined);
  if (whole) {
    used.add(whole);
    return { ...check, suppression: decisionOf(whole) };
  }
  const objects = check.objects ?? [];
  const suppressedObjects: NonNullable<Check['suppressedObjects']> = [];
  for (const object of objects) {
    const entry = forRule.find((s) => objectMatches(s.match!, object));
    if (!entry) continue;
    used.add(entry);
    suppressedObjects.push({ object, suppression: decisionOf(entry) });
  }
  if (!suppressedObjects.length) return check;
  // Every object accepted: the finding leaves the score; otherwise the rest still count.
  const all = suppressedObjects.length === objects.length;
  return { ...check, ...(all ? { suppression: suppressedObjects[0]!.suppression } : {}), suppressedObjects };
}

export interface ApplyOptions {
  /** The run's time (ISO): expiry is judged against it. Default: the snapshot's collection time. */
  asOf?: string;
}

/** Applies suppressions to failed checks, as of the run's time, and rescores. */
export function applySuppressions(assessment: Assessment, suppressions: readonly Suppression[], options: ApplyOptions = {}): Assessment {
  const asOf = options.asOf ?? assessment.collectedAt;
  const relevant = suppressions.filter((s) => suppressionMatches(s, assessment.target));
  const active = relevant.filter((s) => isActive(s, asOf));
  const used = new Set<Suppression>();
  const checks = assessment.checks.map((check) => suppressCheck(check, active, used));
  const failed = new Set(checks.filter((c) => c.status === 'fail').map((c) => c.id));
  return {
    ...assessment,
    checks,
    score: score(checks.filter((c) => !c.suppression)),
    suppressions: {
      applied: checks.filter((c) => c.suppression || c.suppressedObjects?.length).map((c) => c.id),
      // Expired decisions whose finding is back: the rule fails here again.
      expired: relevant
        .filter((s) => !isActive(s, asOf) && failed.has(s.ruleId))
        .map((s) => ({ ruleId: s.ruleId, reason: s.reason, expires: s.expires!, ...(s.owner !== undefined ? { owner: s.owner } : {}) })),
      unused: active.filter((s) => !used.has(s)).map(noteOf),
    },
  };
}

/**
 * The entries that accepted nothing in any of these clusters, as of `asOf`: active, but naming no
 * audited cluster or no finding there. Judged afresh from each finding, as `applySuppressions`
 * does (the first entry for a rule without `match` takes the whole finding; otherwise the first
 * whose `match` names the object). Expired entries are listed apart (`expiredSuppressions`).
 */
export function unusedSuppressions(suppressions: readonly Suppression[], audited: ReadonlyArray<Assessment | ClusterFindings>, asOf: string): SuppressionNote[] {
  const used = new Set<Suppression>();
  for (const cluster of audited.map(asClusterFindings)) {
    const active = suppressions.filter((s) => isActive(s, asOf) && suppressionMatches(s, cluster.target));
    if (!active.length) continue;
    for (const finding of cluster.findings) {
      const forRule = active.filter((s) => s.ruleId === finding.ruleId);
      const entry = forRule.find((s) => s.match === undefined) ?? (finding.object ? forRule.find((s) => objectMatches(s.match!, finding.object!)) : undefined);
      if (entry) used.add(entry);
    }
  }
  return suppressions.filter((s) => isActive(s, asOf) && !used.has(s)).map(noteOf);
}

/** Entries past their date as of `asOf`. */
export const expiredSuppressions = (suppressions: readonly Suppression[], asOf: string): SuppressionNote[] =>
  suppressions.filter((s) => !isActive(s, asOf)).map(noteOf);

/** Entries still in force that end within `days` days of `asOf` (inclusive). */
export function expiringSuppressions(suppressions: readonly Suppression[], asOf: string, days = 14): SuppressionNote[] {
  const today = asOf.slice(0, 10);
  const limit = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return suppressions.filter((s) => s.expires && s.expires >= today && s.expires <= limit).map(noteOf);
}
