/** `npm run bench`: runs every benchmark in turn; each records its section in bench/results.md. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['cli-start.ts', 'assess.ts', 'render.ts', 'collect.ts', 'bundles.ts', 'fleet-run.ts', 'fleet-sim.ts', 'reach.ts', 'assess-shapes.ts'];

for (const file of BENCHMARKS) {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  if (!existsSync(path)) continue;
  console.log(`\n== ${file}`);
  execFileSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
}
