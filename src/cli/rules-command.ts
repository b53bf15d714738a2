/** `calico-audit rules`: the catalogue, generated from the rule registry. */
import { AREAS, type Rule } from '../assess/rule.js';
import { RULES } from '../assess/rules/index.js';
import { escapeMarkdown } from '../render/markdown.js';
import { UsageError } from './errors.js';

export function catalogueJson(rules: readonly Rule[] = RULES): string {
  const entries = rules.map(({ id, title, problem, why, area, severities, severityNote, seed }) => ({
    id,
    title,
    problem,
    why,
    area: AREAS[area],
    severities,
    ...(severityNote ? { severityNote } : {}),
    seed,
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

export function catalogueMarkdown(rules: readonly Rule[] = RULES): string {
  const lines = ['# Rule catalogue', ''];
  for (const [area, heading] of Object.entries(AREAS)) {
    const inArea = rules.filter((r) => r.area === area);
    if (!inArea.length) continue;
    lines.push(`## ${heading}`, '', '| id | rule (shown for a pass) | problem (shown for a failure) | why it matters | severity | seed |', '|---|---|---|---|---|---|');
    for (const rule of inArea) {
      const severity = rule.severityNote ?? rule.severities.join(' / ');
      lines.push(`| ${rule.id} | ${escapeMarkdown(rule.title)} | ${escapeMarkdown(rule.problem)} | ${escapeMarkdown(rule.why)} | ${escapeMarkdown(severity)} | ${escapeMarkdown(rule.seed)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

export function rulesCommand(options: { format: string }, stdout: (text: string) => void): number {
  if (options.format === 'json') stdout(catalogueJson());
  else if (options.format === 'md') stdout(catalogueMarkdown());
  else throw new UsageError(`--format must be md or json (got ${JSON.stringify(options.format)})`);
  return 0;
}
