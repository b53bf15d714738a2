/**
 * How the report reads (shared/spec/report.md, "How it reads"): no statement contradicts another,
 * data that was not collected is unknown and never zero, one figure is rounded one way, evidence
 * reads as sentences (no JSON notation), and a component's failure names the node behind it.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { bySeverity } from '../src/render/text.js';
import { sampleDocument } from './helpers/fixtures.js';
import { SAMPLE_NAMES, sampleAssessment } from './helpers/reports.js';

/** The Markdown outside fenced blocks (commands and the diagram are code, not prose). */
const prose = (markdown: string): string => markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '');

describe('the report never contradicts itself', () => {
  it('says allocation is not collected, not "0 addresses", when no IPAM block was read while pods hold pool addresses', () => {
    const doc = sampleDocument('enterprise-vxlan');
    doc.calico.ipamBlocks = [];
    const assessment = assess(doc);
    expect(assessment.facts.ipam?.allocated).toBeNull();
    expect(assessment.facts.ipam?.utilisation).toBeNull();
    const markdown = renderMarkdown(assessment);
    expect(markdown).toContain('- **Allocated:** not collected (IPAM blocks)');
    expect(markdown).not.toMatch(/Allocated:\*\* 0 addresses/);
    expect(markdown).not.toMatch(/utilisation 0%/);
  });

  it('never says no Typha pod is scheduled while the Deployment reports ready replicas', () => {
    const doc = sampleDocument('enterprise-vxlan');
    doc.kubernetes.pods = doc.kubernetes.pods!.filter((p) => p.metadata?.labels?.['k8s-app'] !== 'calico-typha');
    const assessment = assess(doc);
    expect(assessment.facts.typha.ready).toBe(2);
    expect(assessment.facts.typha.nodes).toBeNull();
    const markdown = renderMarkdown(assessment);
    expect(markdown).toContain('read through Typha (2 of 2 replicas ready)');
    expect(markdown).not.toContain('no Typha pod is scheduled');
  });

  it.each(SAMPLE_NAMES)('%s: prints each utilisation one way, and no evidence in JSON notation', (name) => {
    const assessment = sampleAssessment(name);
    const markdown = prose(renderMarkdown(assessment));
    for (const pool of assessment.facts.pools ?? []) {
      if (pool.utilisation === null || !pool.routesWorkloads) continue;
      const shown = [...markdown.matchAll(new RegExp(`${pool.name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')} (\\d+(?:\\.\\d+)?%)`, 'g'))].map((m) => m[1]);
      for (const figure of shown) expect(figure, pool.name).toBe(`${Number((pool.utilisation * 100).toFixed(2))}%`);
    }
    const evidence = markdown.split('\n').filter((line) => line.startsWith('- ') && !line.startsWith('- **'));
    for (const line of evidence) {
      expect(line, 'evidence in JSON notation').not.toMatch(/`\[|`\{|\["|":|= `/);
    }
  });

  it('names the node whose calico-node is not ready (CAL-DS-04)', () => {
    const check = sampleAssessment('mesh-120-no-typha').checks.find((c) => c.id === 'CAL-DS-04')!;
    expect(check.status).toBe('fail');
    expect(check.summary).toContain('not ready: ip-10-3-35-251.eu-west-2.compute.internal');
    expect(renderMarkdown(sampleAssessment('mesh-120-no-typha'))).toContain('Node ip-10-3-35-251.eu-west-2.compute.internal: `status.conditions Ready` is `not True`');
  });
});

describe('findings told once, everything else links to them', () => {
  const ids = (html: string) => new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  const links = (html: string) => [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
  /** The HTML between a section heading's id and the next h2. */
  const section = (html: string, id: string) => {
    const start = html.indexOf(`<h2 id="${id}">`);
    expect(start, id).toBeGreaterThan(-1);
    const end = html.indexOf('<h2 ', start + 1);
    return html.slice(start, end === -1 ? undefined : end);
  };

  it.each(SAMPLE_NAMES)('%s: every finding has an anchor, reached from the contents and the summary, and every link lands', async (name) => {
    const { renderHtml } = await import('../src/render/html.js');
    const { findingAnchor } = await import('../src/render/anchor.js');
    const assessment = sampleAssessment(name);
    const html = renderHtml(assessment);
    const anchors = ids(html);
    for (const target of links(html)) expect(anchors, `link #${target}`).toContain(target);
    const findings = assessment.checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity);
    const contents = html.slice(html.indexOf('<strong>Contents</strong>'), html.indexOf('<h2 id="executive-summary">'));
    const summary = section(html, 'executive-summary');
    for (const check of findings) {
      const anchor = findingAnchor(check);
      expect(anchors, check.id).toContain(anchor);
      expect(links(contents), `contents → ${check.id}`).toContain(anchor);
    }
    // The summary links its three findings and, when there are more, the Findings section.
    const summaryLinks = links(summary);
    for (const check of findings.slice(0, 3)) expect(summaryLinks).toContain(findingAnchor(check));
    if (findings.length > 3) expect(summaryLinks).toContain('findings');
    for (const check of findings) expect(links(section(html, 'recommendations'))).toContain(findingAnchor(check));
  });

  it.each(SAMPLE_NAMES)('%s: tells each finding’s account once, under Findings, and lists at most five strengths, none beside a finding of its area', (name) => {
    const assessment = sampleAssessment(name);
    const markdown = renderMarkdown(assessment);
    // The finding's own account (its summary, as rendered) appears once: in Findings, nowhere else.
    const plain = markdown.replace(/\\(.)/g, '$1');
    for (const check of assessment.checks.filter((c) => c.status === 'fail' && !c.suppression)) {
      expect(plain.split(check.summary).length - 1, check.id).toBe(1);
    }
    const strengths = markdown.slice(markdown.indexOf('### Strengths'), markdown.indexOf('## 2.')).split('\n').filter((l) => l.startsWith('- ✓'));
    expect(strengths.length).toBeLessThanOrEqual(5);
    const badAreas = new Set(assessment.checks.filter((c) => c.status === 'fail' && ['critical', 'high', 'medium'].includes(c.severity)).map((c) => c.area));
    for (const line of strengths) {
      const check = assessment.checks.find((c) => line.endsWith(`(${c.id})`))!;
      expect(check.status).toBe('pass');
      expect(badAreas.has(check.area), `${check.id} beside a finding of its area`).toBe(false);
    }
  });
});

/** Words a reader reads: tokens with a letter or digit (table pipes and rules are not words), front matter left out. */
const wordsOf = (markdown: string): number => {
  const body = markdown.startsWith('---\n') ? markdown.slice(markdown.indexOf('\n---\n', 4) + 5) : markdown;
  return body.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
};

describe('length', () => {
  const fourNodes = SAMPLE_NAMES.filter((name) => sampleAssessment(name).facts.topology.nodeCount === 4);

  it('has 4-node samples to measure', () => expect(fourNodes.length).toBeGreaterThanOrEqual(2));

  // shared/spec/report.md: under 3,000 words, counted as a reader reads them (commands included;
  // table pipes, rules and the matrix's ✓/✗ marks are not words).
  it.each(fourNodes)('%s (4 nodes): the Markdown report stays under 3,000 words, commands included', (name) => {
    expect(wordsOf(renderMarkdown(sampleAssessment(name)))).toBeLessThan(3000);
  });

  it.each(SAMPLE_NAMES)('%s: no table runs past 50 rows (report.json keeps every row)', (name) => {
    const lines = prose(renderMarkdown(sampleAssessment(name))).split('\n');
    let rows = 0;
    for (const line of lines) {
      rows = line.startsWith('|') ? rows + 1 : 0;
      // Header and rule lines included: 52 lines at most.
      expect(rows, `${name}: ${line.slice(0, 60)}`).toBeLessThanOrEqual(52);
    }
  });

  it('summarises the 120-node cluster’s node tables', () => {
    const assessment = sampleAssessment('mesh-120-no-typha');
    expect(assessment.facts.topology.nodes!.length).toBe(120);
    const markdown = renderMarkdown(assessment);
    for (const node of assessment.facts.topology.nodes!.slice(0, 120)) {
      expect(markdown.split(node.name).length - 1, node.name).toBeLessThanOrEqual(3);
    }
  });
});

describe('Calico Enterprise', () => {
  it('lists the Enterprise components found, as seed 001 does', () => {
    const assessment = sampleAssessment('enterprise-vxlan');
    expect(assessment.facts.enterpriseComponents?.map((c) => c.component)).toEqual([
      'Compliance reporting',
      'Intrusion detection',
      'Policy recommendation',
      'Flow logs (fluentd)',
      'Prometheus',
    ]);
    const markdown = renderMarkdown(assessment);
    expect(markdown).toContain('### Calico Enterprise components');
    expect(markdown).toContain('- ✅ **Intrusion detection:** running in tigera-intrusion-detection (1 pod)');
    expect(renderMarkdown(sampleAssessment('reference-crosssubnet'))).not.toContain('Calico Enterprise components');
  });
});
