#!/usr/bin/env node
// The compiled CLI (dist/cli/), which `npm ci` builds (the `prepare` script) and `npm run build` rebuilds.
try {
  await import('../dist/cli/run.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/run.js')) throw error;
  process.stderr.write('calico-audit: the CLI is not built yet: run `npm run build` (npm ci does it)\n');
  process.exitCode = 3;
}
