/** `calico-audit diff`: a comparison of two audits as plain text, Markdown or JSON. Pure. */
import type { ComparedFinding, Comparison } from '../fleet-summary/index.js';
import { escapeMarkdown } from './escape.js';

const where = (f: ComparedFinding, fleet: boolean) => `${fleet ? `${f.clusterName} (${f.accountId}, ${f.region})` : ''}${f.object ? `${fleet ? ': ' : ''}${f.object}` : ''}`;
const day = (at: string | null) => at?.slice(0, 10) ?? 'undated';
const signed = (from: number | null, to: number | null) => (from === null || to === null ? '' : ` (${to - from >= 0 ? '+' : '−'}${Math.abs(to - from)})`);

function headline(c: Comparison): string {
  const subject = c.kind === 'fleet' ? 'Fleet' : 'Cluster';
  const from = c.from.runId ?? day(c.from.at);
  const to = c.to.runId ?? day(c.to.at);
  return `${subject} audit ${from} → ${to}: ${c.newFindings.length} new, ${c.resolvedFindings.length} resolved, ${c.changedFindings.length} changed, ${c.unchanged} unchanged findings; ${c.scoreMoves.length} score move${c.scoreMoves.length === 1 ? '' : 's'}${c.kind === 'fleet' ? `; ${c.added.length} cluster${c.added.length === 1 ? '' : 's'} added, ${c.gone.length} gone` : ''}.`;
}

export function renderDiffText(c: Comparison): string {
  const fleet = c.kind === 'fleet';
  const lines = [headline(c)];
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', `${title}:`, ...items.map((i) => `  ${i}`));
  };
  const finding = (f: ComparedFinding) => `[${f.severity.toUpperCase()}] ${f.ruleId} ${f.title}${where(f, fleet) ? ` — ${where(f, fleet)}` : ''}${f.suppressed ? ' (suppressed)' : ''}`;
  section('New findings', c.newFindings.map(finding));
  section('Resolved findings', c.resolvedFindings.map(finding));
  section(
    'Changed findings',
    c.changedFindings.map(
      (f) => `${finding(f)}: was ${f.was.severity}${f.was.suppressed !== f.suppressed ? (f.was.suppressed ? ', suppressed' : ', not suppressed') : ''}${f.was.title !== f.title ? `, "${f.was.title}"` : ''}`,
    ),
  );
  section('Score moves', c.scoreMoves.map((m) => `${fleet ? `${m.clusterName} (${m.accountId}, ${m.region}): ` : ''}${m.from ?? 'n/a'} (${m.gradeFrom ?? 'n/a'}) → ${m.to ?? 'n/a'} (${m.gradeTo ?? 'n/a'})${signed(m.from, m.to)}`));
  section('Clusters added', c.added.map((t) => `${t.clusterName} (${t.accountId}, ${t.region})`));
  section('Clusters gone', c.gone.map((t) => `${t.clusterName} (${t.accountId}, ${t.region})`));
  return `${lines.join('\n')}\n`;
}

export function renderDiffMarkdown(c: Comparison): string {
  const md = escapeMarkdown;
  const fleet = c.kind === 'fleet';
  const out = [`# What changed`, '', md(headline(c))];
  const table = (title: string, items: ComparedFinding[], extra?: (f: ComparedFinding) => string) => {
    if (!items.length) return;
    out.push('', `## ${title}`, '', `| Severity | Rule | Title | ${fleet ? 'Cluster | ' : ''}Object |${extra ? ' Before |' : ''}`, `|---|---|---|${fleet ? '---|' : ''}---|${extra ? '---|' : ''}`);
    for (const f of items) {
      out.push(
        `| ${f.severity}${f.suppressed ? ' (suppressed)' : ''} | ${md(f.ruleId)} | ${md(f.title)} | ${fleet ? `${md(f.clusterName)} (${md(f.accountId)}, ${md(f.region)}) | ` : ''}${md(f.object ?? 'the cluster')} |${extra ? ` ${md(extra(f))} |` : ''}`,
      );
    }
  };
  table('New findings', c.newFindings);
  table('Resolved findings', c.resolvedFindings);
  table('Changed findings', c.changedFindings, (f) => {
    const was = c.changedFindings.find((x) => x.fingerprint === f.fingerprint)!.was;
    return `${was.severity}${was.suppressed ? ', suppressed' : ''}${was.title !== f.title ? `, "${was.title}"` : ''}`;
  });
  if (c.scoreMoves.length) {
    out.push('', '## Score moves', '', `| ${fleet ? 'Cluster | ' : ''}Before | Now |`, `|${fleet ? '---|' : ''}---|---|`);
    for (const m of c.scoreMoves) out.push(`| ${fleet ? `${md(m.clusterName)} (${md(m.accountId)}, ${md(m.region)}) | ` : ''}${m.from ?? 'n/a'} (${m.gradeFrom ?? 'n/a'}) | ${m.to ?? 'n/a'} (${m.gradeTo ?? 'n/a'}) |`);
  }
  for (const [title, list] of [['Clusters added', c.added], ['Clusters gone', c.gone]] as const) {
    if (list.length) out.push('', `## ${title}`, '', ...list.map((t) => `- ${md(t.clusterName)} (${md(t.accountId)}, ${md(t.region)})`));
  }
  return `${out.join('\n')}\n`;
}

export const renderDiffJson = (c: Comparison): string => `${JSON.stringify(c, null, 2)}\n`;
