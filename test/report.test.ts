/**
 * The per-cluster Markdown report: the sections of shared/spec/report.md in order, well-formed
 * tables and fences, nothing a template failed to fill, and no number that is not in the JSON.
 */
import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/render/json.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { SAMPLE_NAMES, sampleAssessment } from './helpers/reports.js';

const SECTIONS = [
  'Executive summary',
  'Cluster architecture overview',
  'IP address management',
  'BGP',
  'Network security policies',
  'Workload endpoints',
  'Component health',
  'AWS layer',
  'Findings',
  'Recommendations',
  'Architecture diagram',
  'Diagnostic commands',
];

/** The Markdown outside fenced blocks (fences hold commands and the diagram, checked apart). */
function outsideFences(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^(`{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (marker) {
      fence = marker;
      lines.push('(fenced block)');
    } else lines.push(line);
  }
  expect(fence, 'every fenced block is closed').toBeNull();
  return lines;
}

/** Cells of a table row: split on pipes that are not escaped. */
const cells = (row: string): number => row.replace(/\\\|/g, '').split('|').length - 2;

const NUMBER = /(?<![\w.\-/:~])~?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:(%)|(?![\w\-/:%]|\.\d))/g;
const ADDRESS = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\w]|\.\d)/g;

/** Every number in a text (numbers inside identifiers, dates and addresses are not numbers). */
function numbersIn(text: string): Array<{ value: number; percent: boolean; raw: string }> {
  const cleaned = text
    // Code spans quote evidence values and fields exactly as the JSON holds them (arrays included).
    .replace(/(`+)[^`]*?\1/g, ' ')
    .replace(ADDRESS, ' ')
    .replace(/\b(?:CAL|EKS)-[A-Z]*-?\d+\b/g, ' ') // rule ids
    .replace(/\bv\d+(?:\.\d+)+\b/g, ' ') // versions such as v3.30.4
    .replace(/^#{1,6} \d+\. /gm, '') // section numbers
    .replace(/^- \[\d+\. /gm, '- [') // section numbers in the contents
    .replace(/\b[Ss]tep \d+\b/g, ' ') // the plan's step numbers
    .replace(/^\s*\d+\. /gm, ''); // ordered-list markers
  return [...cleaned.matchAll(NUMBER)].map((m) => ({ value: Number(m[1]!.replace(/,/g, '')), percent: m[2] === '%', raw: m[0] }));
}

describe('the Markdown report', () => {
  it.each(SAMPLE_NAMES)('%s has every section of the spec, in order', (name) => {
    const markdown = renderMarkdown(sampleAssessment(name));
    const headings = [...markdown.matchAll(/^## (\d+)\. (.+)$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(headings).toEqual(SECTIONS.map((title, i) => [i + 1, title]));
    expect(markdown.startsWith('---\n')).toBe(true);
  });

  it.each(SAMPLE_NAMES)('%s has nothing a template failed to fill, and well-formed tables and fences', (name) => {
    const markdown = renderMarkdown(sampleAssessment(name));
    const prose = outsideFences(markdown);
    const text = prose.join('\n');
    expect(text).not.toMatch(/undefined|\[object Object\]|NaN|&#x|&quot;|&lt;|&gt;/);
    // `null` only as an evidence value in a code span, never as a word.
    expect(text.replace(/`null`/g, '')).not.toMatch(/\bnull\b/);
    expect(text).not.toMatch(/\n\n\n/);
    // A table's rows have as many cells as its header.
    for (let i = 0; i < prose.length; i++) {
      if (!/^\|---/.test(prose[i + 1] ?? '')) continue;
      const width = cells(prose[i]!);
      for (let j = i + 2; j < prose.length && prose[j]!.startsWith('|'); j++) {
        expect(cells(prose[j]!), `${name}: row ${prose[j]}`).toBe(width);
      }
    }
  });

  it.each(SAMPLE_NAMES)('%s shows no number that is not in its JSON rendering', (name) => {
    const assessment = sampleAssessment(name);
    const markdown = renderMarkdown(assessment);
    const json = renderJson(assessment);
    const known = new Set<number>();
    const walk = (node: unknown): void => {
      if (typeof node === 'number') known.add(node);
      else if (typeof node === 'string') for (const n of numbersIn(node)) known.add(n.value);
      else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    };
    walk(JSON.parse(json));
    const ratios = [...known].filter((n) => n >= 0 && n <= 1);
    for (const address of markdown.match(ADDRESS) ?? []) expect(json, `${name}: ${address}`).toContain(address);
    for (const n of numbersIn(markdown)) {
      const ok = known.has(n.value) || (n.percent && ratios.some((r) => Math.abs(r * 100 - n.value) <= 0.005 + 1e-9));
      expect(ok, `${name}: "${n.raw}" is not in the JSON`).toBe(true);
    }
  });
});

describe('the report header', () => {
  it('names the auditor and its version and the rule catalogue version, apart from the snapshot’s collector', async () => {
    const { renderHtml } = await import('../src/render/html.js');
    const assessment = { ...sampleAssessment('enterprise-vxlan'), collector: { name: 'some-collector', version: '9.9.9' } };
    const { name, version } = assessment.auditor!;
    const markdown = renderMarkdown(assessment);
    const frontMatter = markdown.split('---')[1]!;
    expect(frontMatter).toContain(`auditor: "${name} ${version}"`);
    expect(frontMatter).toContain(`catalogue: "version ${assessment.catalogue.version} (${assessment.catalogue.rules} rules)"`);
    expect(frontMatter).toContain('collector: "some-collector 9.9.9"');
    expect(markdown).toContain(`**Auditor:** ${name} ${version}, rule catalogue version ${assessment.catalogue.version}`);
    expect(markdown).toContain('**Snapshot collected by:** some-collector 9.9.9');
    const html = renderHtml(assessment);
    expect(html).toMatch(new RegExp(`Auditor</dt>\\s*<dd>${name} ${version.replace(/\./g, '\\.')}</dd>`));
    expect(html).toMatch(/Snapshot collected by<\/dt>\s*<dd>some-collector 9\.9\.9<\/dd>/);
  });
});
