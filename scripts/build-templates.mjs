/**
 * Embeds templates/ into src/render/templates.generated.ts, so the renderers read their templates
 * the same way from the CLI, the tests and a bundled Lambda (which has no templates/ folder beside
 * it). The module is git-ignored: `npm run build` writes it, and npm runs that on `npm ci` and
 * before test, start, typecheck, bench and package, so an edited template is always picked up.
 * Plain Node on purpose: it runs before anything else is ready.
 *
 *   node scripts/build-templates.mjs [--out <file>]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATES_DIR = path.join(ROOT, 'templates');
const GENERATED_TEMPLATES = path.join(ROOT, 'src/render/templates.generated.ts');

/** Paths under `dir`, relative and with `/` separators, of every file in it and below. */
function filesUnder(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return filesUnder(path.join(dir, entry.name), `${relative}/`);
    return entry.isFile() ? [relative] : [];
  });
}

/** The module text: every file in templates/ but its README, by path, in code-point order. */
function templatesModule() {
  const names = filesUnder(TEMPLATES_DIR)
    .filter((name) => name !== 'README.md')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = names.map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(readFileSync(path.join(TEMPLATES_DIR, name), 'utf8'))},`);
  return [
    '// Generated from templates/ by scripts/build-templates.mjs (`npm run build`): edit those files, not this one.',
    'export const TEMPLATE_SOURCES: Readonly<Record<string, string>> = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

const outIndex = process.argv.indexOf('--out');
if (outIndex > 0 && !process.argv[outIndex + 1]) throw new Error('--out needs a file');
const out = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : GENERATED_TEMPLATES;

const text = templatesModule();
// Rewrite only on change: an unchanged mtime keeps watchers and incremental type checks quiet.
if (!existsSync(out) || readFileSync(out, 'utf8') !== text) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
}
