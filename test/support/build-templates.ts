/**
 * Vitest global setup: the templates build (scripts/build-templates.mjs) runs before any test file
 * loads, so `npx vitest` picks up an edited template just as `npm test` (its pretest) does.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildTemplates(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-templates.mjs', import.meta.url))], { stdio: 'inherit' });
}
