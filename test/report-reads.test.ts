/**
 * How the report reads (shared/spec/report.md, "How it reads"): no statement contradicts another,
 * data that was not collected is unknown and never zero, one figure is rounded one way, evidence
 * reads as sentences (no JSON notation), and a component's failure names the node behind it.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { renderMarkdown } from '../src/render/markdown.js';
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
