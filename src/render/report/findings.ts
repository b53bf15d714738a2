/** The per-cluster report's view, section 9. Findings and 10. Recommendations. */
import { evidenceLine, listWords } from './format.js';
import { type Area, AREAS } from '../../assess/rule.js';
import { checkTitle, type Assessment, type Check } from '../../assess/assess.js';
import { fingerprintOf, objectKey, objectLabel, type FindingHistory } from '../../assess/findings.js';
import { codeSpan, fencedBlock, markdown } from '../escape.js';

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

export function findingView(check: Check, assessment?: Assessment) {
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
    evidence: check.evidence.map(evidenceLine),
    remediation: check.remediation ? fencedBlock(check.remediation, 'sh') : null,
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

export function recommendationView(assessment: Assessment, findings: Check[]) {
  const item = (c: Check) => ({ id: c.id, title: checkTitle(c), severity: c.severity });
  const unknown = assessment.checks.filter((c) => c.status === 'unknown');
  const sources = [...new Set(unknown.flatMap((c) => c.evidence.map((e) => e.field).filter((f): f is string => !!f)))].sort();
  return {
    immediate: findings.filter((c) => c.severity === 'critical' || c.severity === 'high').map(item),
    later: findings.filter((c) => c.severity !== 'critical' && c.severity !== 'high').map(item),
    coverage: unknown.length
      ? markdown`Let the audit read ${listWords(sources.map((s) => codeSpan(s)))} so that ${listWords(unknown.map((c) => c.id))} can be judged.`
      : null,
  };
}
