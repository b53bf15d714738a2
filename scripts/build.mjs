/**
 * `npm run build` (run by `npm ci` and before test, start, typecheck, bench and package): embeds
 * the templates, then compiles the CLI to dist/cli/ with esbuild — ES modules split per command,
 * so a command loads only its own chunk and what it shares with others. dist/cli/meta.json records
 * which source went into which chunk (a test reads it to check what each command loads).
 * Plain Node on purpose: it runs before anything else is ready.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'dist/cli');

execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-templates.mjs')], { stdio: 'inherit' });

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { run: 'src/cli/run.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ES module builds first: the AWS SDK's dist-es tree-shakes, its CommonJS build does not.
  mainFields: ['module', 'main'],
  // Some bundled CommonJS packages call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // The Lambdas use the same shim for whatwg-url (serverless.yml): Node's own URL serves.
  alias: { 'whatwg-url': './src/lambda/whatwg-url.ts' },
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(path.join(OUT, 'meta.json'), JSON.stringify(result.metafile));
