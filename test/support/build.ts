/**
 * Vitest global setup: the build (scripts/build.mjs: the templates, then the compiled CLI) runs
 * before any test file loads, so `npx vitest` picks up an edited template or command just as
 * `npm test` (its pretest) does.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function build(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
