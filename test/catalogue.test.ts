/** The rule registry against the catalogue in shared/spec/rules.md: ids are permanent. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, SEVERITIES } from '../src/assess/rule.js';
import { RULES } from '../src/assess/rules/index.js';
import { catalogueJson, catalogueMarkdown } from '../src/cli/rules-command.js';
import { ROOT } from './helpers/fixtures.js';

const catalogue = readFileSync(path.resolve(ROOT, '../shared/spec/rules.md'), 'utf8');
const catalogueIds = [...catalogue.matchAll(/^\| ((?:CAL|EKS)-[A-Z]*-?\d\d) \|/gm)].map((m) => m[1]!);

describe('the rule catalogue', () => {
  it('reads the ids from shared/spec/rules.md', () => {
    expect(catalogueIds.length).toBeGreaterThanOrEqual(40);
  });

  it('has exactly the catalogue ids, in catalogue order', () => {
    expect(RULES.map((r) => r.id)).toEqual(catalogueIds);
  });

  it('has unique ids', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('keeps each rule in a file named after its id, in its area folder', () => {
    for (const rule of RULES) {
      const file = path.join(ROOT, 'src/assess/rules', rule.area.toLowerCase(), `${rule.id}.ts`);
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
    const json = JSON.parse(catalogueJson());
    for (const rule of RULES) expect(markdown).toContain(`| ${rule.id} |`);
    expect(json.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
  });
});
