/** Assessment → Markdown report, through the handlebars templates in `templates/`. */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Assessment } from '../assess/assess.js';
import { bySeverity } from './text.js';

const templatesDir = new URL('../../templates/', import.meta.url);

/** Escapes Markdown (and HTML) metacharacters so cluster values render as text. */
export function escapeMarkdown(value: unknown): string {
  return String(value ?? '')
    .replace(/[\\`*_{}[\]()#+!|<>~&]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/\r?\n/g, ' ');
}

const engine = Handlebars.create();
engine.registerHelper('md', (value: unknown) => escapeMarkdown(value));
engine.registerHelper('code', (value: unknown) => String(value ?? '').replace(/`/g, "'").replace(/\r?\n/g, ' '));
engine.registerHelper('fence', (value: unknown) => String(value ?? '').replace(/```/g, "'''"));
engine.registerHelper('json', (value: unknown) => JSON.stringify(value));
engine.registerHelper('defined', (value: unknown) => value !== undefined);
engine.registerHelper('or', (a: unknown, b: unknown) => (a === null || a === undefined ? b : a));
engine.registerHelper('percent', (value: unknown) => (typeof value === 'number' ? `${Math.round(value * 100)}%` : '-'));

const clusterTemplate = engine.compile(readFileSync(new URL('cluster-report.md.hbs', templatesDir), 'utf8'), { noEscape: false, strict: false });

export function renderMarkdown(assessment: Assessment): string {
  const findings = assessment.checks.filter((c) => c.status === 'fail').sort(bySeverity);
  return clusterTemplate({
    ...assessment,
    findings,
    checked: assessment.score.counts.pass + assessment.score.counts.fail,
  });
}
