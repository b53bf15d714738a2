/** The per-cluster report's view, section 9. Findings and 10. Recommendations. */
import { evidenceLine, listWords } from './format.js';
import { type Area, AREAS } from '../../assess/rule.js';
import type { Assessment, Check } from '../../assess/assess.js';
import { codeSpan, fencedBlock, markdown } from '../escape.js';
export function findingView(check: Check) {
  return {
    id: check.id,
    title: check.title,
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
  const item = (c: Check) => ({ id: c.id, title: c.title, severity: c.severity });
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
