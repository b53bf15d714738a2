/** The per-cluster report's view, section 9. Findings and 10. Recommendations. */
import { evidenceLine, listWords, plural } from './format.js';
import { type Area, AREAS } from '../../assess/rule.js';
import type { Assessment, Check } from '../../assess/assess.js';
import { checkTitle } from '../../assess/check-title.js';
import { fingerprintOf, objectKey, objectLabel, type FindingHistory } from '../../assess/findings.js';
import { codeSpan, fencedBlock, markdown } from '../escape.js';
import { anchorOf } from '../anchor.js';

type OpenFinding = FindingHistory['open'][number];

/** How long a finding has been open, in words: `new in this run`, `12 days (since 2026-11-11), reopened once`. */
export function openFor(open: OpenFinding | undefined, asOf: string): string | null {
  if (!open) return null;
  const reopened = open.reopened ? `, reopened ${open.reopened === 1 ? 'once' : `${open.reopened} times`} (first seen ${open.firstSeen.slice(0, 10)})` : '';
  if (open.openedAt === asOf) return `new in this run${reopened}`;
  const days = open.openDays === 0 ? 'under a day' : `${open.openDays} day${open.openDays === 1 ? '' : 's'}`;
  return `${days} (since ${open.openedAt.slice(0, 10)})${reopened}`;
}

/** The open period of each finding of a check (one per object, or one for the cluster), from the report's history. */
function historyOf(assessment: Assessment, check: Check) {
  const history = assessment.history;
  if (!history) return { open: null, objects: [] };
  const byFingerprint = new Map(history.open.map((o) => [o.fingerprint, o]));
  const suppressed = new Map((check.suppressedObjects ?? []).map((s) => [objectKey(s.object), s.suppression]));
  const objects = (check.objects ?? []).map((object) => {
    const decision = suppressed.get(objectKey(object));
    const open = openFor(byFingerprint.get(fingerprintOf(assessment.target, check.id, object)), history.asOf);
    return {
      label: objectLabel(object)!,
      // `new in this run`, or `open 12 days (since …)`.
      open: open && !open.startsWith('new') ? `open ${open}` : open,
      suppressed: decision ? `suppressed by ${decision.owner ?? 'a recorded decision'} until ${decision.expires ?? 'no end date'}: ${decision.reason}` : null,
    };
  });
  // The finding as a whole has been open as long as its oldest open object.
  const periods = (check.objects?.length ? check.objects : [null])
    .filter((object) => !object || !suppressed.has(objectKey(object)))
    .map((object) => byFingerprint.get(fingerprintOf(assessment.target, check.id, object)))
    .filter((o): o is OpenFinding => !!o)
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  return { open: openFor(periods[0], history.asOf), objects };
}

/** Evidence lines a finding shows; the rest is in report.json (a long list reads as a dump). */
export const EVIDENCE_SHOWN = 3;

export function findingView(check: Check, assessment?: Assessment, step?: number) {
  const history = assessment ? historyOf(assessment, check) : { open: null, objects: [] };
  return {
    open: history.open,
    objects: history.objects,
    id: check.id,
    title: checkTitle(check),
    severity: check.severity,
    area: AREAS[check.area as Area] ?? check.area,
    seed: check.seed,
    summary: check.summary,
    evidence: check.evidence.slice(0, EVIDENCE_SHOWN).map(evidenceLine),
    moreEvidence: check.evidence.length > EVIDENCE_SHOWN,
    // The fix is told once, as a step of the plan under Recommendations.
    step: step ?? null,
    stepAnchor: step ? stepAnchor(step) : null,
    remediation: !step && check.remediation ? fencedBlock(check.remediation, 'sh') : null,
  };
}

/** What hid an unknown rule, briefly: each missing source with its error codes (the messages follow the table). */
export function unknownReason(check: Check): string {
  const parts = check.evidence.map((e) => {
    if (e.object === 'rule error') return `the rule failed: ${e.note ?? 'no message'}`;
    const codes = e.causes?.length ? e.causes.map((c) => c.code) : ['not collected'];
    return `${e.field ?? e.object}: ${[...new Set(codes)].join(', ')}`;
  });
  return parts.join('; ') || check.summary;
}

/**
 * Collection errors as a reader takes them in: an error that repeats another's code and message but
 * for its own API (five `UnauthorizedOperation`s of one role, each naming its action) is listed
 * under the first, by name, not printed again in full.
 */
export function collectionErrorsView(errors: Assessment['errors']) {
  const groups = new Map<string, { source: string; code: string; message: string; same: Set<string> }>();
  for (const error of errors) {
    const key = `${error.code}\u0000${error.source ? error.message.split(error.source).join('\u0000') : error.message}`;
    const group = groups.get(key);
    // The same error twice for one source is told once.
    if (group) {
      if (error.source !== group.source) group.same.add(error.source);
    } else groups.set(key, { source: error.source, code: error.code, message: error.message, same: new Set() });
  }
  return [...groups.values()].map((g) => ({ ...g, same: g.same.size ? listWords([...g.same]) : null }));
}

/**
 * The order of work: deadlines first, then the most severe, each finding after the findings whose
 * fixes it depends on (its rule's `after`, when those failed too).
 */
export function planOrder(findings: Check[]): Check[] {
  const base = [...findings].sort((a, b) => Number(b.deadline === true) - Number(a.deadline === true));
  const byId = new Map(base.map((c) => [c.id, c]));
  const ordered: Check[] = [];
  const placed = new Set<string>();
  const place = (check: Check, visiting: Set<string>) => {
    if (placed.has(check.id) || visiting.has(check.id)) return;
    visiting.add(check.id);
    for (const id of check.after ?? []) {
      const first = byId.get(id);
      if (first) place(first, visiting);
    }
    placed.add(check.id);
    ordered.push(check);
  };
  for (const check of base) place(check, new Set());
  return ordered;
}

/** A step's anchor: `Step 3` → `step-3`. */
export const stepAnchor = (n: number): string => anchorOf(`Step ${n}`);

export function recommendationView(assessment: Assessment, findings: Check[]) {
  const ordered = planOrder(findings);
  const stepOf = new Map(ordered.map((c, i) => [c.id, i + 1]));
  const unknown = assessment.checks.filter((c) => c.status === 'unknown');
  const sources = [...new Set(unknown.flatMap((c) => c.evidence.map((e) => e.field).filter((f): f is string => !!f)))].sort();
  const { score, target } = assessment;
  const first = ordered[0];
  const verdict = score.value === null
    ? markdown`${target.clusterName} could not be scored: no weighted rule was judged.`
    : first
      ? markdown`${target.clusterName} scores ${score.value}/100 (grade ${score.grade ?? 'n/a'}), with ${plural(score.failedBySeverity.critical, 'critical finding')} and ${plural(score.failedBySeverity.high, 'high one')}.`
      : markdown`${target.clusterName} meets every applicable rule (${score.value}/100, grade ${score.grade ?? 'n/a'}).`;
  const next = first
    ? markdown`Start with step 1: ${checkTitle(first)}${first.deadline ? ' (a deadline)' : ''}.`
    : unknown.length
      ? markdown`Next, let the audit read what it could not, so the rules it could not judge can be.`
      : markdown`Keep the nightly audit running to catch drift.`;
  // Immediate actions: every step up to the last critical, high or dated one. What comes before it
  // is one of those or a step one of them depends on (planOrder pulls dependencies forward).
  const urgent = (c: Check) => c.deadline === true || c.severity === 'critical' || c.severity === 'high';
  const immediate = ordered.findLastIndex(urgent) + 1;
  return {
    steps: ordered.map((c, i) => ({
      number: i + 1,
      // The heading of the phase this step opens, if it opens one.
      phase: i === 0 && immediate > 0 ? 'Immediate actions' : i === immediate ? (immediate ? 'Then, as time allows' : 'As time allows') : null,
      anchor: stepAnchor(i + 1),
      id: c.id,
      title: checkTitle(c),
      severity: c.severity,
      deadline: c.deadline === true,
      // A sentence of its own after the title: capitalised.
      why: c.why.charAt(0).toUpperCase() + c.why.slice(1),
      dependsOn: (c.after ?? [])
        .filter((id) => stepOf.has(id))
        .map((id) => ({ step: stepOf.get(id)!, anchor: stepAnchor(stepOf.get(id)!) })),
      command: c.remediation ? fencedBlock(c.remediation, 'sh') : null,
      verify: c.verify ? fencedBlock(c.verify, 'sh') : null,
    })),
    stepOf,
    deadlines: ordered.some((c) => c.deadline),
    coverage: unknown.length
      ? markdown`Let the audit read ${listWords(sources.map((s) => codeSpan(s)))} so that ${listWords(unknown.map((c) => c.id))} can be judged.`
      : null,
    conclusion: markdown`${verdict} ${next}`,
  };
}
