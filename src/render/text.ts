/** A terminal summary of one assessment: score line, findings most severe first, unknowns. */
import type { Assessment, Check } from '../assess/assess.js';
import { checkTitle } from '../assess/check-title.js';
import { SEVERITIES } from '../assess/rule.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';

export const bySeverity = (a: Check, b: Check): number =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id);

export const formatScore = (assessment: Assessment): string => {
  const { value, grade, coverage } = assessment.score;
  return `${grade ?? '-'} ${value ?? '-'}/100, coverage ${coverage === null ? '-' : `${Math.round(coverage * 100)}%`}`;
};

export function renderText(assessment: Assessment): string {
  const { facts, score } = assessment;
  const lines: string[] = [];
  lines.push(`${assessment.target.clusterName} (${assessment.target.accountId}, ${assessment.target.region}): ${formatScore(assessment)}`);
  lines.push(
    `  ${facts.cni.label}; Calico ${facts.calico.version ?? 'version unknown'} (${facts.calico.variant}); ` +
      `${facts.topology.nodeCount ?? '?'} nodes in ${facts.topology.subnets?.length ?? '?'} subnets`,
  );
  lines.push(
    `  ${score.counts.pass} passed, ${score.counts.fail} failed, ${score.counts.not_applicable} not applicable, ${score.counts.unknown} unknown`,
  );
  const failed = assessment.checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity);
  if (failed.length) {
    lines.push('', 'Findings:');
    for (const check of failed) {
      lines.push(`  [${check.severity.toUpperCase()}] ${check.id} ${checkTitle(check)}`);
      lines.push(`      ${check.summary}`);
    }
  }
  const suppressed = assessment.checks.filter((c) => c.status === 'fail' && c.suppression).sort(bySeverity);
  if (suppressed.length) {
    lines.push('', 'Suppressed (not scored):');
    for (const check of suppressed) {
      const { reason, owner, expires } = check.suppression!;
      lines.push(`  [${check.severity.toUpperCase()}] ${check.id} ${checkTitle(check)}: ${reason}${owner ? ` (${owner}` : ' ('}${expires ? `${owner ? ', ' : ''}until ${expires})` : owner ? ')' : 'no end date)'}`);
    }
  }
  const expired = assessment.suppressions?.expired ?? [];
  if (expired.length) {
    lines.push('', 'Expired suppressions (their findings count again):');
    for (const s of expired) lines.push(`  ${s.ruleId}: ${s.reason} (expired after ${s.expires})`);
  }
  const unused = assessment.suppressions?.unused ?? [];
  if (unused.length) {
    lines.push('', 'Suppressions naming this cluster that matched nothing:');
    for (const s of unused) lines.push(`  ${s.ruleId}${s.match ? ` match ${s.match}` : ''}${s.line ? ` (line ${s.line})` : ''}`);
  }
  const unknown = assessment.checks.filter((c) => c.status === 'unknown');
  if (unknown.length) {
    lines.push('', 'Not determined (data not collected):');
    for (const check of unknown) lines.push(`  ${check.id} ${checkTitle(check)}: ${check.summary}`);
  }
  // For a terminal: a cluster's ESC sequences or bidi overrides are shown escaped, never acted on.
  return `${escapeUnsafeKeepingLines(lines.join('\n'))}\n`;
}
