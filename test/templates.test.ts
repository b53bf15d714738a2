/**
 * The renderers read templates/ through a module the build writes (scripts/build-templates.mjs,
 * git-ignored): it must hold exactly what templates/ holds, and every template in templates/ must
 * be one a renderer reads, so none is edited in vain.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { TEMPLATE_SOURCES } from '../src/render/templates.generated.js';
import { partialSources, templateSource } from '../src/render/template-sources.js';
import { ROOT } from './helpers/fixtures.js';

const TEMPLATES_DIR = path.join(ROOT, 'templates');

/** templates/ read independently of the build: path (with `/`) → text, the README aside. */
const onDisk: Record<string, string> = Object.fromEntries(
  readdirSync(TEMPLATES_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(TEMPLATES_DIR, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((name) => name !== 'README.md')
    .map((name) => [name, readFileSync(path.join(TEMPLATES_DIR, name), 'utf8')]),
);
const names = Object.keys(onDisk).sort();

/** The entries of a module the build wrote: each line is `  "<name>": "<text>",` in JSON. */
function embedded(moduleText: string): Record<string, string> {
  const body = /= \{\n([\s\S]*)\n\};\n$/.exec(moduleText)?.[1];
  if (body === undefined) throw new Error(`not a templates module:\n${moduleText.slice(0, 200)}`);
  return JSON.parse(`{${body.replace(/,$/, '')}}`) as Record<string, string>;
}

describe('the templates build', () => {
  it('writes a module holding every file of templates/ but the README, byte for byte', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'templates-build-')), 'templates.generated.ts');
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/build-templates.mjs'), '--out', out], { cwd: ROOT });
    const built = embedded(readFileSync(out, 'utf8'));
    expect(Object.keys(built).sort()).toEqual(names);
    for (const name of names) expect(built[name], name).toBe(onDisk[name]);
  });

  it('has been run: the module the renderers import holds templates/ as it is now (tests build first)', () => {
    expect(Object.keys(TEMPLATE_SOURCES).sort()).toEqual(names);
    for (const name of names) expect(templateSource(name), `${name}: run \`npm run build\``).toBe(onDisk[name]);
    expect(partialSources().map(([partial]) => `partials/${partial}.md.hbs`).sort()).toEqual(names.filter((n) => n.startsWith('partials/')));
    expect(() => templateSource('missing.hbs')).toThrow(/npm run build/);
  });
});

describe('the renderers', () => {
  it('read every template in templates/: each top-level one is loaded, each partial is used by another template', async () => {
    const loaded = new Set<string>();
    vi.resetModules();
    vi.doMock('../src/render/template-sources.js', async (importOriginal) => {
      const actual = await importOriginal<typeof import('../src/render/template-sources.js')>();
      return {
        ...actual,
        templateSource: (name: string) => {
          loaded.add(name);
          return actual.templateSource(name);
        },
      };
    });
    try {
      // Every module in src/render, so the check holds however the renderers are arranged; they compile their templates on load.
      for (const file of readdirSync(path.join(ROOT, 'src/render')).filter((f) => f.endsWith('.ts') && !f.endsWith('.generated.ts'))) {
        await import(path.join(ROOT, 'src/render', file));
      }
    } finally {
      vi.doUnmock('../src/render/template-sources.js');
      vi.resetModules();
    }
    expect([...loaded].sort()).toEqual(names.filter((n) => !n.startsWith('partials/')));

    const partialNames = names.filter((n) => n.startsWith('partials/')).map((n) => n.slice('partials/'.length).replace(/\.md\.hbs$/, ''));
    for (const partial of partialNames) {
      const users = names.filter((n) => new RegExp(`\\{\\{>\\s*${partial}\\s*\\}\\}`).test(onDisk[n]!));
      expect(users, `partial ${partial} is used by no template`).not.toEqual([]);
    }
  });
});
