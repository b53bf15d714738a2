/**
 * Regenerates the sample fleet (samples/fleet/*.json) and its API-group variants
 * (samples/variants/*.json) from the plans in test/support/samples/fleet/. Output is deterministic;
 * every document is validated against the snapshot contract before any is written, and files the
 * builder no longer produces are removed so the fleet is exactly what the plans describe.
 *
 *   node --import tsx scripts/write-samples.ts
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSample, SAMPLE_COLLECTED_AT, SAMPLE_PLANS, SAMPLE_VARIANTS, type SampleName } from '../test/support/samples/index.js';
import { SAMPLE_FLEET_DIR, SAMPLE_VARIANTS_DIR } from '../src/samples/index.js';
import { validateSnapshot } from '../src/snapshot/load.js';

async function writeAll(dir: string, documents: Map<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, document] of documents) {
    await writeFile(path.join(dir, file), `${JSON.stringify(document, null, 2)}\n`);
  }
  for (const stale of (await readdir(dir)).filter((f) => f.endsWith('.json') && !documents.has(f))) {
    await rm(path.join(dir, stale));
  }
  for (const file of documents.keys()) console.log(path.relative(process.cwd(), path.join(dir, file)));
}

const options = { collectedAt: SAMPLE_COLLECTED_AT };
const fleet = new Map((Object.keys(SAMPLE_PLANS) as SampleName[]).map((name) => [`${name}.json`, buildSample(name, options)]));
const variants = new Map(SAMPLE_VARIANTS.map((v) => [v.file, buildSample(v.sample, { ...options, apiGroup: v.apiGroup })]));

// Validate everything before touching any file, so a bad plan leaves the checked-in samples intact.
for (const [file, document] of [...fleet, ...variants]) validateSnapshot(document, file);
await writeAll(SAMPLE_FLEET_DIR, fleet);
await writeAll(SAMPLE_VARIANTS_DIR, variants);
