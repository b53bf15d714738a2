/** The rule registry against the pinned catalogue ids (ids are permanent) and the generated docs/rules.md. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, SEVERITIES } from '../src/assess/rule.js';
import { RULE_IDS } from '../src/assess/rule-ids.js';
import { RULES } from '../src/assess/rules/index.js';
import { catalogueJson, catalogueMarkdown } from '../src/cli/rules-command.js';
import { GENERATED_DOCS } from '../scripts/docs.js';
import { ROOT } from './helpers/fixtures.js';

/**
 * Every rule id of the catalogue, in catalogue order. Reports, JSON and e-mails carry these ids, so
 * an id is never renamed, reused or dropped: a new rule appends here, nothing else changes.
 */
const CATALOGUE_IDS = [
  'CAL-DS-01', 'CAL-DS-02', 'CAL-DS-03', 'CAL-DS-04', 'CAL-DS-05',
  'CAL-RT-01', 'CAL-RT-02', 'CAL-RT-03', 'CAL-RT-04', 'CAL-RT-05', 'CAL-RT-06', 'CAL-RT-07',
  'CAL-AWS-01', 'CAL-AWS-02', 'CAL-AWS-03', 'CAL-AWS-04', 'CAL-AWS-05', 'CAL-AWS-06', 'CAL-AWS-07',
  'CAL-BGP-01', 'CAL-BGP-02', 'CAL-BGP-03', 'CAL-BGP-04', 'CAL-BGP-05',
  'CAL-IPAM-01', 'CAL-IPAM-02', 'CAL-IPAM-03', 'CAL-IPAM-04',
  'CAL-POL-01', 'CAL-POL-02', 'CAL-POL-03', 'CAL-POL-04', 'CAL-POL-05', 'CAL-POL-06',
  'CAL-ENC-01', 'CAL-DP-01', 'CAL-OBS-01', 'CAL-OBS-02',
  'EKS-01', 'EKS-02', 'EKS-03', 'EKS-04',
];

describe('the rule catalogue', () => {
  it('pins the catalogue ids, each once and in the id format', () => {
    expect(CATALOGUE_IDS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CATALOGUE_IDS).size).toBe(CATALOGUE_IDS.length);
    for (const id of CATALOGUE_IDS) expect(id).toMatch(/^(?:CAL-[A-Z]+|EKS)-\d\d$/);
  });

  it('has exactly the catalogue ids, in catalogue order', () => {
    expect(RULES.map((r) => r.id)).toEqual(CATALOGUE_IDS);
  });

  it('lists the same ids, in the same order, in src/assess/rule-ids.ts (what suppressions files are checked against)', () => {
    expect(RULE_IDS).toEqual(RULES.map((r) => r.id));
  });

  it('has unique ids', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('keeps each rule in a file named after its id, in the folder of its id prefix', () => {
    for (const rule of RULES) {
      // The folder is the id's prefix: CAL-DP-01 in dp/, EKS-01 in eks/.
      const folder = rule.id.replace(/^CAL-/, '').replace(/-\d\d$/, '').toLowerCase();
      const file = path.join(ROOT, 'src/assess/rules', folder, `${rule.id}.ts`);
      expect(existsSync(file), `${rule.id} should live in ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(`id: '${rule.id}'`);
    }
  });

  it('gives every rule a title, an area, severities most severe first, and a seed reference', () => {
    for (const rule of RULES) {
      expect(rule.title.length, rule.id).toBeGreaterThan(10);
      expect(Object.keys(AREAS)).toContain(rule.area);
      expect(rule.severities.length, rule.id).toBeGreaterThan(0);
      const order = rule.severities.map((s) => SEVERITIES.indexOf(s));
      expect(order, rule.id).toEqual([...order].sort((a, b) => a - b));
      expect(rule.seed.length, rule.id).toBeGreaterThan(0);
    }
  });

  it('is generated from the registry in Markdown and JSON', () => {
    const markdown = catalogueMarkdown();
    const json = JSON.parse(catalogueJson()) as Array<{ id: string }>;
    for (const rule of RULES) expect(markdown).toContain(`| ${rule.id} |`);
    expect(json.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
  });

  it('is checked in as docs/rules.md, generated from the registry (run `npm run docs` after changing a rule)', () => {
    const doc = GENERATED_DOCS.find((d) => d.path === 'docs/rules.md')!;
    const file = path.join(ROOT, doc.path);
    expect(existsSync(file), `${doc.path} is missing: run \`npm run docs\``).toBe(true);
    expect(readFileSync(file, 'utf8'), `${doc.path} differs from the rule registry: run \`npm run docs\` and commit it`).toBe(doc.render());
    for (const id of CATALOGUE_IDS) expect(doc.render()).toContain(`| ${id} |`);
  });
});
