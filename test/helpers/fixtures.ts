/**
 * Rule fixtures: `test/rules/<RULE-ID>/<status>-<case>.json`, each a sample snapshot plus a JSON
 * Patch (RFC 6902). The file name carries the expected status, so a new case is a new file.
 *
 *   { "description": "…", "base": "reference-crosssubnet", "patch": [ … ], "expect": { "severity": "high" } }
 *
 * `base` names a file in samples/fleet/ or samples/variants/ (without `.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonPatch from 'fast-json-patch';
import * as z from 'zod';
import { SAMPLE_FLEET_DIR, SAMPLE_VARIANTS_DIR } from '../../src/samples/index.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { validateSnapshot } from '../../src/snapshot/load.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RULE_FIXTURES_DIR = path.join(ROOT, 'test/rules');
const SAMPLE_DIRS = [SAMPLE_FLEET_DIR, SAMPLE_VARIANTS_DIR];

export const EXPECTED_STATUSES = ['pass', 'fail', 'not_applicable', 'unknown'] as const;
export type ExpectedStatus = (typeof EXPECTED_STATUSES)[number];

export interface RuleFixture {
  ruleId: string;
  file: string;
  name: string;
  status: ExpectedStatus;
  description: string;
  base: string;
  patch: jsonPatch.Operation[];
  /** `evidenceIncludes`: text of an evidence line (its object or note), for what a finding names once, in its evidence. */
  expect: { severity?: string; summaryIncludes?: string; evidenceIncludes?: string };
}

/** A fixture file; fast-json-patch checks each operation itself when it applies the patch. */
const fixtureFileSchema = z.object({
  description: z.string().optional(),
  base: z.string(),
  patch: z.array(z.custom<jsonPatch.Operation>((op) => typeof op === 'object' && op !== null)).optional(),
  expect: z.object({ severity: z.string().optional(), summaryIncludes: z.string().optional(), evidenceIncludes: z.string().optional() }).optional(),
});

const sampleCache = new Map<string, string>();

/** The raw JSON text of a sample, by name. */
export function sampleText(name: string): string {
  let text = sampleCache.get(name);
  if (text === undefined) {
    const file = SAMPLE_DIRS.map((d) => path.join(d, `${name}.json`)).find((f) => existsSync(f));
    if (!file) throw new Error(`no sample named ${name} in ${SAMPLE_DIRS.join(', ')}`);
    text = readFileSync(file, 'utf8');
    sampleCache.set(name, text);
  }
  return text;
}

/**
 * A deep copy through JSON, as a value arrives from disk or the wire. Only for values that are JSON
 * already (a snapshot, an assessment): the copy then has the original's type.
 */
export const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A fresh, mutable copy of a sample snapshot document, validated as a snapshot. */
export const sampleDocument = (name: string): Snapshot => validateSnapshot(JSON.parse(sampleText(name)), name);

export function listRuleFixtures(): RuleFixture[] {
  if (!existsSync(RULE_FIXTURES_DIR)) return [];
  return readdirSync(RULE_FIXTURES_DIR)
    .sort()
    .flatMap((ruleId) =>
      readdirSync(path.join(RULE_FIXTURES_DIR, ruleId))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((name) => {
          const file = path.join(RULE_FIXTURES_DIR, ruleId, name);
          const status = EXPECTED_STATUSES.find((s) => name.startsWith(`${s}-`));
          if (!status) throw new Error(`${file}: the name must start with one of ${EXPECTED_STATUSES.map((s) => `${s}-`).join(', ')}`);
          const body = fixtureFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
          return {
            ruleId,
            file,
            name,
            status,
            description: body.description ?? name,
            base: body.base,
            patch: body.patch ?? [],
            expect: body.expect ?? {},
          };
        }),
    );
}

/** The fixture's document: its base sample with its patch applied (not validated: a patch may break it on purpose). */
export function fixtureDocument(fixture: RuleFixture): unknown {
  const document = sampleDocument(fixture.base);
  return jsonPatch.applyPatch(document, fixture.patch, true, true).newDocument;
}

export const fixtureSnapshot = (fixture: RuleFixture): Snapshot => validateSnapshot(fixtureDocument(fixture), fixture.file);
