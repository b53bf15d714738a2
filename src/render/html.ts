/**
 * Markdown → one self-contained HTML page: marked (tables wrapped for small screens, cells labelled
 * for stacking, severity cells classed, headings given ids) → js-xss (the second line of defence:
 * only the tags, attributes and classes that rendering produces survive, any other tag is escaped to
 * text, and no link carries a scheme)
 * → the page shell in `templates/page.html.hbs` (inline CSS, no scripts, a strict
 * Content-Security-Policy), whose header block is filled with handlebars' HTML escaping.
 */
import Handlebars from 'handlebars';
import { Marked, type Tokens } from 'marked';
import type * as XssModule from 'xss';
import xssModule from 'xss';
import type { Assessment } from '../assess/assess.js';
import { SEVERITIES } from '../assess/rule.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';
import { anchorOf } from './anchor.js';
import { renderMarkdownBody, type RenderOptions } from './markdown.js';
import { templateSource } from './template-sources.js';
import { buildReportView, percent, type ReportView } from './report/index.js';
import { SVG_ALLOWED, SVG_CLASSES } from './svg.js';

/** Nothing may load: no script, image, font, frame or connection; only the inline stylesheet applies. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; font-src 'none'; script-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

const CSS = templateSource('page.css').replace(/\n/g, '');
const pageEngine = Handlebars.create();
const pageTemplate = pageEngine.compile(templateSource('page.html.hbs'), { strict: true });

const SEVERITY_CELL = new RegExp(`^(${SEVERITIES.join('|')})$`);
/** A reachability verdict (section 5): a mark alone in the matrix, or a mark and its word. */
const REACH_CELL = /^(?:(✓)|(✗)|(◐)|(\?))(?: (allowed|denied|partly|unknown))?$/;
const REACH_CLASS = ['allowed', 'denied', 'partly', 'unknown'];
const RULE_ID_CELL = /^(?:CAL|EKS)-[A-Z0-9]+(?:-\d+)?$/;

const escapeAttribute = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A marked instance whose tables and headings suit the page; heading ids are unique per document. */
function createMarked(): Marked {
  const used = new Map<string, number>();
  const slug = (text: string) => {
    const plain = text.replace(/<[^>]*>/g, '').replace(/&[#\w]+;/g, '');
    // A finding's anchor is its rule id (#cal-aws-01); a section's drops its number (#findings).
    const rule = /^((?:CAL|EKS)-[A-Z0-9]+(?:-\d+)?)\b/.exec(plain)?.[1];
    const base = anchorOf(rule ?? plain);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    return seen ? `${base}-${seen}` : base;
  };
  return new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        return `<h${depth} id="${slug(inner)}">${inner}</h${depth}>\n`;
      },
      table(token: Tokens.Table) {
        const labels = token.header.map((cell) => escapeAttribute(this.parser.parseInline(cell.tokens, this.parser.textRenderer)));
        const align = (a: Tokens.TableCell['align']) => (a ? ` align="${a}"` : '');
        const head = token.header.map((cell) => `<th${align(cell.align)}>${this.parser.parseInline(cell.tokens)}</th>`).join('');
        const rows = token.rows
          .map((row) => {
            const cells = row.map((cell, i) => {
              const severity = SEVERITY_CELL.exec(cell.text.trim())?.[1];
              const grade = labels[i] === 'Grade' ? /^([ABCDF])$/.exec(cell.text.trim())?.[1] : undefined;
              const rule = RULE_ID_CELL.test(cell.text.trim());
              const reachMatch = REACH_CELL.exec(cell.text.trim());
              const reach = reachMatch ? REACH_CLASS[[1, 2, 3, 4].findIndex((g) => reachMatch[g] !== undefined)] : undefined;
              const classes = severity
                ? ` class="sev sev-${severity}"`
                : grade
                  ? ` class="grade-cell grade-text-${grade}"`
                  : rule
                    ? ' class="rule"'
                    : reach
                      ? ` class="reach reach-${reach}"`
                      : '';
              return `<td data-label="${labels[i] ?? ''}"${classes}${align(cell.align)}>${this.parser.parseInline(cell.tokens)}</td>`;
            });
            return `<tr>${cells.join('')}</tr>`;
          })
          .join('\n');
        return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></div>\n`;
      },
    },
  });
}

// xss is CommonJS and sets most of its exports in a loop, so Node's ESM loader sees only a few as
// named exports; the default export (its module.exports) carries them all.
const xss = xssModule as unknown as typeof XssModule;

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  h1: ['id'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'],
  p: [], br: [], hr: [], blockquote: [], ul: [], li: [], strong: [], em: [], del: [], pre: [],
  table: [], thead: [], tbody: [], tr: [],
  a: ['href'],
  div: ['class'],
  code: ['class'],
  ol: ['start'],
  th: ['align'],
  td: ['align', 'data-label', 'class'],
  // The inline charts (src/render/svg.ts): shapes and a title, nothing that loads or runs.
  ...SVG_ALLOWED,
};
const SVG_NUMBER = /^-?\d+(\.\d+)?$/;
/** What each chart attribute may hold: numbers and point lists only, so no value can smuggle markup or a URL. */
const SVG_VALUES: Record<string, RegExp> = {
  viewbox: /^[\d. -]+$/,
  points: /^[\d., -]+$/,
  role: /^img$/,
  preserveaspectratio: /^none$/,
  width: SVG_NUMBER, height: SVG_NUMBER, cx: SVG_NUMBER, cy: SVG_NUMBER, r: SVG_NUMBER, x1: SVG_NUMBER, y1: SVG_NUMBER, x2: SVG_NUMBER, y2: SVG_NUMBER,
};
const ALLOWED_CLASSES: Record<string, ReadonlySet<string>> = {
  div: new Set(['table-wrap']),
  code: new Set(['language-sh']),
  td: new Set(['sev', ...SEVERITIES.map((s) => `sev-${s}`), 'grade-cell', ...['A', 'B', 'C', 'D', 'F'].map((g) => `grade-text-${g}`), 'rule', 'reach', ...REACH_CLASS.map((r) => `reach-${r}`)]),
};

/**
 * js-xss rather than sanitize-html: the same allow-list in 20 KB instead of 270 KB (sanitize-html
 * bundles postcss), which is what keeps the Lambda bundles within their size and cold-start budget.
 * Tags not on the list are escaped, so a stray `<script>` reads as text; comments are dropped.
 */
const sanitizer = new xss.FilterXSS({
  whiteList: ALLOWED_ATTRIBUTES,
  css: false,
  onTagAttr(tag, name, value) {
    if (Object.hasOwn(SVG_ALLOWED, tag)) {
      if (name === 'class') {
        const classes = value.split(/\s+/).filter((c) => SVG_CLASSES.has(c));
        return classes.length ? `class="${classes.join(' ')}"` : '';
      }
      const allowed = SVG_VALUES[name];
      if (allowed) return allowed.test(value) ? `${name}="${value}"` : '';
      return undefined; // aria-label: escaped by default
    }
    if (name === 'class') {
      const classes = value.split(/\s+/).filter((c) => ALLOWED_CLASSES[tag]?.has(c));
      return classes.length ? `class="${classes.join(' ')}"` : '';
    }
    if (name === 'href') {
      // Relative links (report pages, #anchors) only: no http, mailto, javascript or data URL, and
      // no protocol-relative `//host`. Entities are decoded first, so `javascript&#58;` is caught.
      const url = xss.friendlyAttrValue(value).trim();
      return /^[^/?#]*:/.test(url) || /^[/\\]{2}/.test(url) ? '' : `href="${xss.escapeAttrValue(url)}"`;
    }
    return undefined; // the default: an allowed attribute's value is escaped
  },
});

/** Markdown → sanitised HTML fragment. */
export function markdownToSafeHtml(markdown: string): string {
  return sanitizer.process(createMarked().parse(markdown, { async: false }));
}

export interface PageHeader {
  eyebrow: string;
  heading: string;
  grade: string | null;
  badgeText: string;
  badgeLabel: string;
  facts: Array<{ label: string; value: string }>;
  chips: Array<{ severity: string; text: string }>;
  masked: boolean;
}

/** The page shell around a Markdown body; every header value is HTML-escaped by handlebars, control characters shown escaped. */
export function renderPage(options: { title: string; header: PageHeader; markdown: string; footer: string }): string {
  return escapeUnsafeKeepingLines(
    pageTemplate({
      csp: CONTENT_SECURITY_POLICY,
      css: CSS,
      title: options.title,
      header: options.header,
      body: markdownToSafeHtml(options.markdown),
      footer: options.footer,
    }),
  );
}

/** Severity chips for the counts of failed rules (only the severities that failed). */
export const severityChips = (failed: Record<string, number>): PageHeader['chips'] =>
  SEVERITIES.filter((s) => (failed[s] ?? 0) > 0).map((s) => ({ severity: s, text: `${failed[s]} ${s}` }));

/** One cluster's report as an HTML page. */
export function renderHtml(assessment: Assessment, options: RenderOptions = {}, view: ReportView = buildReportView(assessment, options)): string {
  const { target, score, facts } = assessment;
  const title = `Calico networking audit: ${target.clusterName}`;
  return renderPage({
    title,
    header: {
      eyebrow: 'Calico networking audit',
      heading: target.clusterName,
      grade: score.grade,
      badgeText: score.value === null ? 'no score' : `${score.value}/100`,
      badgeLabel: score.grade ? `Grade ${score.grade}, score ${score.value} of 100` : 'No score',
      facts: [
        { label: 'Account / region', value: `${target.accountId} / ${target.region}` },
        { label: 'Date', value: assessment.collectedAt.slice(0, 10) },
        { label: 'Calico', value: facts.calico.version ? `${facts.calico.version} (${facts.calico.variant})` : `${facts.calico.variant}, version not determined` },
        { label: 'Kubernetes', value: facts.cluster.kubernetesVersion ?? 'not determined' },
        { label: 'CNI mode', value: facts.cni.label },
        { label: 'Coverage', value: `${percent(score.coverage)} of applicable rules judged` },
        { label: 'Auditor', value: view.header.auditor },
        { label: 'Rule catalogue', value: view.header.catalogue },
        { label: 'Snapshot collected by', value: view.header.collector },
      ],
      chips: severityChips(score.failedBySeverity),
      masked: options.masked === true,
    },
    markdown: renderMarkdownBody(assessment, options, view),
    footer: `Generated from the snapshot collected ${assessment.collectedAt}. report.json holds every value shown here.`,
  });
}
