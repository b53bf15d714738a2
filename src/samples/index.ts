/**
 * Where the built-in sample fleet lives on disk: `samples/` at the repository root (written by
 * `npm run samples`), kept out of src/ because it is data, not code.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `samples/fleet`: one snapshot per cluster, the demo fleet. */
export const SAMPLE_FLEET_DIR = fileURLToPath(new URL('../../samples/fleet', import.meta.url));

/** Absolute path of `samples/variants`: fleet clusters re-emitted in the other Calico API group. */
export const SAMPLE_VARIANTS_DIR = fileURLToPath(new URL('../../samples/variants', import.meta.url));

/** Sorted absolute paths of the fleet's snapshot files. */
export async function listSampleSnapshots(): Promise<string[]> {
  const names = await readdir(SAMPLE_FLEET_DIR);
  return names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(SAMPLE_FLEET_DIR, name));
}
