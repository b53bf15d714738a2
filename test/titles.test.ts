/**
 * Problem titles (shared/spec/rules.md, "Titles"): a failed rule is shown under the problem it
 * names ("No cluster-wide default deny"), never under the condition it failed ("A cluster-wide
 * default deny exists"). Checked in every rendering a failure reaches — the report in Markdown,
 * HTML and JSON, the CLI's text, SARIF, Security Hub, the fleet page and the e-mail — for every
 * sample and every rule fixture.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess, checkTitle, type Assessment } from '../src/assess/assess.js';
import { findingsOf } from '../src/assess/findings.js';
import { RULES } from '../src/assess/rules/index.js';
import { summarizeFleet, updateLedger } from '../src/fleet-summary/index.js';
import { asffFinding } from '../src/render/asff.js';
import { renderEmail } from '../src/render/email.js';
import { renderClusterReports, renderFleetPages } from '../src/render/index.js';
import { renderSarif } from '../src/render/sarif.js';
import { renderText } from '../src/render/text.js';
import { SAMPLE_VARIANTS_DIR } from '../src/samples/index.js';
import { fixtureSnapshot, listRuleFixtures, sampleDocument } from './helpers/fixtures.js';
import { SAMPLE_NAMES, sampleAssessment } from './helpers/reports.js';

/** What a reader sees: (in HTML) tags gone and entities decoded; Markdown's backslash escapes dropped. */
function readable(text: string, html = false): string {
  if (!html) return text.replace(/\\(.)/g, '$1').replace(/\s+/g, ' ');
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ');
}

/** The condition titles of the failed rules that appear in `text`. */
function passingTitlesShown(text: string, failedTitles: Iterable<string>, html: boolean): string[] {
  const seen = readable(text, html);
  return [...failedTitles].filter((title) => seen.includes(title));
}

/** Every rendering of one cluster a failure appears in. */
function clusterRenderings(assessment: Assessment): Record<string, string> {
  const { json, markdown, html } = renderClusterReports(assessment);
  const masked = renderClusterReports(assessment, { masked: true });
  const { ledger } = updateLedger(null, { runId: 'r1', at: assessment.collectedAt, assessments: [assessment], notAudited: [] });
  const findings = new Map(findingsOf(assessment).map((f) => [f.fingerprint, f]));
  const asff = ledger.findings.map((entry) => asffFinding(entry, findings.get(entry.fingerprint) ?? null, { at: assessment.collectedAt }));
  // The JSON keeps both titles on every check; what reads a failure from it reads its findings.
  const jsonFailures = (JSON.parse(json) as Assessment).checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${checkTitle(c)}`);
  return {
    markdown,
    html,
    'masked markdown': masked.markdown,
    'masked html': masked.html,
    'report.json failures': jsonFailures.join('\n'),
    text: renderText(assessment),
    sarif: renderSarif(assessment),
    'security hub': JSON.stringify(asff),
  };
}

function expectNoPassingTitle(assessment: Assessment, label: string): void {
  const failed = assessment.checks.filter((c) => c.status === 'fail');
  const titles = new Set(failed.map((c) => c.title));
  for (const [format, text] of Object.entries(clusterRenderings(assessment))) {
    const html = format.includes('html');
    expect(passingTitlesShown(text, titles, html), `${label}, ${format}`).toEqual([]);
    // And the failure is there under its problem.
    for (const check of failed) expect(readable(text, html), `${label}, ${format}: ${check.id}`).toContain(check.problem);
  }
}

const variantNames = readdirSync(SAMPLE_VARIANTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.basename(f, '.json'))
  .sort();

describe('problem titles', () => {
  it('every rule has a problem title of its own, different from its condition', () => {
    for (const rule of RULES) {
      expect(rule.problem.trim(), rule.id).not.toBe('');
      expect(rule.problem, rule.id).not.toBe(rule.title);
    }
    expect(new Set(RULES.map((r) => r.problem)).size).toBe(RULES.length);
  });

  it('takes the catalogue’s own examples', () => {
    const problem = (id: string) => RULES.find((r) => r.id === id)?.problem;
    expect(problem('CAL-POL-01')).toBe('No cluster-wide default deny');
    expect(problem('CAL-DS-04')).toBe('Calico components are not healthy');
  });

  it.each(SAMPLE_NAMES)('%s: no failure is rendered under its passing title, in any format', (name) => {
    expectNoPassingTitle(sampleAssessment(name), name);
  });

  it.each(variantNames)('variant %s: no failure is rendered under its passing title', (name) => {
    expectNoPassingTitle(assess(sampleDocument(name)), name);
  });

  it('every rule fixture that fails: no rendering shows the failure under its passing title', () => {
    const failing = listRuleFixtures().filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(40);
    for (const fixture of failing) expectNoPassingTitle(assess(fixtureSnapshot(fixture)), fixture.file);
  }, 120_000);

  it('the fleet page and the e-mail name the fleet’s failures by their problems', () => {
    const assessments = SAMPLE_NAMES.map(sampleAssessment);
    const summary = summarizeFleet(assessments.map((assessment) => ({ assessment, report: `${assessment.target.clusterName}/report.html` })));
    const failed = assessments.flatMap((a) => a.checks.filter((c) => c.status === 'fail'));
    const titles = new Set(failed.map((c) => c.title));
    const pages = renderFleetPages(summary);
    const emails = [renderEmail(summary, null, { fleetUrl: 'https://audit.example/index.html' }), renderEmail(summary, null, { fleetUrl: 'https://audit.example/index.html', masked: false })];
    const renderings = { 'fleet markdown': pages.markdown, 'fleet html': pages.html, 'fleet json': pages.json, ...Object.fromEntries(emails.flatMap((e, i) => [[`e-mail ${i} html`, e.html], [`e-mail ${i} text`, e.text]])) };
    for (const [format, text] of Object.entries(renderings)) {
      expect(passingTitlesShown(text, titles, format.includes('html')), format).toEqual([]);
    }
    for (const check of failed.filter((c) => c.severity === 'critical')) expect(readable(pages.markdown)).toContain(check.problem);
  });
});
