/** The renderers read the templates embedded in src/render/templates.generated.ts: it must match templates/. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TEMPLATES_PATH, partialSources, renderTemplatesModule, templateSource } from '../src/render/template-sources.js';

describe('embedded templates', () => {
  it('are current with templates/ (run `npm run templates` after editing a template)', () => {
    expect(readFileSync(GENERATED_TEMPLATES_PATH, 'utf8')).toBe(renderTemplatesModule());
  });

  it('hold the report, page, fleet and email templates and every section partial', () => {
    for (const name of ['cluster-report.md.hbs', 'fleet-report.md.hbs', 'page.html.hbs', 'page.css', 'email.html.hbs', 'email.txt.hbs'])
      expect(templateSource(name).length, name).toBeGreaterThan(0);
    expect(partialSources().map(([name]) => name)).toEqual(expect.arrayContaining(['summary', 'architecture', 'ipam', 'bgp', 'findings', 'diagram', 'commands']));
    expect(() => templateSource('missing.hbs')).toThrow(/npm run templates/);
  });
});
