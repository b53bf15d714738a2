/**
 * Assessment → Markdown report, through the handlebars templates in `templates/` (one partial per
 * section). The engine is private to this module; its helpers are the only way a template prints a
 * cluster value, and each escapes for Markdown (see escape.ts). Templates compile in strict mode,
 * so a field the view does not have fails loudly instead of printing nothing.
 */
import Handlebars from 'handlebars';
import type { Assessment } from '../assess/assess.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';
import { asLineStart, codeSpan, escapeMarkdown, md, SafeMarkdown, yamlScalar } from './escape.js';
import { anchorOf, findingAnchor } from './anchor.js';
import { partialSources, templateSource } from './template-sources.js';
import { buildReportView, formatNumber, percent, type RenderOptions, type ReportView } from './report/index.js';

export { escapeMarkdown } from './escape.js';
export type { RenderOptions } from './report/index.js';

/** A handlebars environment with the Markdown helpers and every partial in `templates/partials/`. */
export function createEngine(): typeof Handlebars {
  const engine = Handlebars.create();
  engine.registerHelper('md', (value: unknown) => md(value));
  engine.registerHelper('code', (value: unknown) => codeSpan(value));
  // For a list item whose text starts with a value: `- {{line fragment}}`.
  engine.registerHelper('line', (value: unknown) => asLineStart(value instanceof SafeMarkdown ? value : md(value)));
  engine.registerHelper('num', (value: unknown) => new SafeMarkdown(typeof value === 'number' ? formatNumber(value) : escapeMarkdown(value ?? 'n/a')));
  engine.registerHelper('percent', (value: unknown) => new SafeMarkdown(typeof value === 'number' ? percent(value) : 'n/a'));
  engine.registerHelper('yaml', (value: unknown) => new SafeMarkdown(yamlScalar(value)));
  engine.registerHelper('inc', (value: unknown) => Number(value) + 1);
  // `{{anchorLink title anchor}}` → `[title](#anchor)`: a link within the page (anchors come from anchor.ts).
  engine.registerHelper('anchorLink', (text: unknown, anchor: unknown) =>
    new SafeMarkdown(`[${(text instanceof SafeMarkdown ? text : md(text)).text}](#${anchorOf(String(anchor))})`));
  // `{{plural count "cluster"}}` → `1 cluster`, `2 clusters`.
  engine.registerHelper('plural', (count: unknown, noun: unknown) =>
    new SafeMarkdown(`${formatNumber(Number(count))} ${escapeMarkdown(noun)}${Number(count) === 1 ? '' : 's'}`));
  engine.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  for (const [name, source] of partialSources()) engine.registerPartial(name, source);
  return engine;
}

const engine = createEngine();

/** Compiles a template from `templates/` with the Markdown engine. */
export const compileTemplate = (name: string): HandlebarsTemplateDelegate =>
  engine.compile(templateSource(name), { strict: true, noEscape: false });

const reportTemplate = compileTemplate('cluster-report.md.hbs');
const bodyTemplate = engine.compile('{{> body}}', { strict: true, noEscape: false });

/**
 * Tidies template output: no run of blank lines and no trailing spaces outside fenced blocks
 * (inside them, text is left exactly as the command or diagram has it).
 */
export function tidyMarkdown(text: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const raw of text.split('\n')) {
    const line: string = fence ? raw : raw.replace(/(?<! ) $/, '');
    const marker: string | undefined = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (marker) {
      fence = marker;
    } else if (line.trim() === '' && (out.length === 0 || out.at(-1)!.trim() === '')) {
      continue;
    }
    out.push(line);
  }
  while (out.length && out.at(-1)!.trim() === '') out.pop();
  // Control characters and bidi overrides from the cluster are shown escaped, never acted on.
  return `${escapeUnsafeKeepingLines(out.join('\n'))}\n`;
}

/** The top-level sections of a rendered body: its `## ` headings outside fenced blocks, in order. */
function sectionHeadings(body: string): string[] {
  const headings: string[] = [];
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (marker) fence = marker;
    else if (line.startsWith('## ')) headings.push(line.slice(3).trim());
  }
  return headings;
}

/**
 * The table of contents: every section (read from the body as rendered, so a new section appears
 * without being listed twice), and on the Findings line each finding's rule id, linked to its anchor.
 */
function contents(body: string, view: ReportView): string {
  const findingsAnchor = anchorOf('Findings');
  const lines = ['**Contents**', ''];
  for (const heading of sectionHeadings(body)) {
    // The heading is Markdown already (escaped when it was rendered): it is linked as it stands.
    const anchor = anchorOf(heading.replace(/\\(.)/g, '$1'));
    // Findings: each by its rule id, on the section's line (their titles are in the summary and the plan).
    const findings = anchor === findingsAnchor ? view.findings.map((finding) => `[${finding.id}](#${findingAnchor(finding)})`) : [];
    lines.push(`- [${heading}](#${anchor})${findings.length ? `: ${findings.join(' · ')}` : ''}`);
  }
  return lines.join('\n');
}

/** The contents, inserted before the first section of a rendered document (its header, if any, stays above). */
function withContents(document: string, view: ReportView): string {
  const first = document.search(/^## /m);
  if (first === -1) return document;
  return `${document.slice(0, first)}${contents(document.slice(first), view)}\n\n${document.slice(first)}`;
}

/** The whole Markdown report: front matter, title, header lines, the contents and the sections. */
export function renderMarkdown(assessment: Assessment, options: RenderOptions = {}, view: ReportView = buildReportView(assessment, options)): string {
  return withContents(tidyMarkdown(reportTemplate(view)), view);
}

/** The contents and the sections, for the HTML page (which draws its own header block). */
export function renderMarkdownBody(assessment: Assessment, options: RenderOptions = {}, view: ReportView = buildReportView(assessment, options)): string {
  return withContents(tidyMarkdown(bodyTemplate(view)), view);
}
