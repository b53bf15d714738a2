/**
 * `npm run test:conformance -- <dir> [vitest options]`: runs the Calico conformance suite
 * (vitest.conformance.config.ts) against the Calico corpus in <dir>, or in CALICO_CORPUS when no
 * directory is given. The path is handed to the suite as CALICO_CORPUS, since vitest would take a
 * bare argument for a test-file filter.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_ENV, corpusProblem } from '../test/conformance/corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dirArg = args[0] && !args[0].startsWith('-') ? args.shift() : undefined;
const given = dirArg ?? process.env[CORPUS_ENV];
const corpus = given ? path.resolve(given) : undefined;

const problem = corpusProblem(corpus);
if (problem) {
  console.error(problem);
  process.exit(2);
}

const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--config', path.join(root, 'vitest.conformance.config.ts'), ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, [CORPUS_ENV]: corpus },
});
process.exit(run.status ?? 1);
