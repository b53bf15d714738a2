/**
 * Every raw `crd.projectcalico.org/v1` object in the samples and rule fixtures validates against
 * the Calico project's own CRD schemas (<corpus>/crds), so fixtures cannot drift from what Calico accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchema } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FLEET_DIR, SAMPLE_VARIANTS_DIR } from '../../src/samples/index.js';
import { fixtureDocument, listRuleFixtures, sampleDocument } from '../helpers/fixtures.js';
import { corpusDir } from './corpus.js';

const CORPUS = corpusDir();

/**
 * Calico's patterns are Go regular expressions: `(?i)` makes one case-insensitive, and classes
 * such as `[a-z-_]` are not valid under JavaScript's unicode flag, so it is left off.
 */
const goRegExp = (pattern: string) =>
  pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), 'i') : new RegExp(pattern);
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, code: { regExp: goRegExp as never } });

/** The parts of a CustomResourceDefinition read here. */
interface Crd {
  spec: { names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: AnySchema } }> };
}

/** kind → validator, from each CRD's openAPIV3Schema. */
const validators = new Map(
  readdirSync(path.join(CORPUS, 'crds')).map((file) => {
    const crd = parse(readFileSync(path.join(CORPUS, 'crds', file), 'utf8')) as Crd;
    const version = crd.spec.versions.find((v) => v.name === 'v1') ?? crd.spec.versions[0]!;
    return [crd.spec.names.kind, ajv.compile(version.schema.openAPIV3Schema)];
  }),
);

/** An object of a document's `calico` lists, whatever its fields hold. */
type RawObject = Record<string, unknown> & { kind?: unknown; metadata?: { name?: unknown } };
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const labelOf = (object: RawObject) => `${String(object.kind)} ${String(object.metadata?.name)}`;

function rawCalicoObjects(document: unknown): RawObject[] {
  const calico = isRecord(document) && isRecord(document['calico']) ? document['calico'] : {};
  return Object.values(calico)
    .flatMap((value): unknown[] => (Array.isArray(value) ? value : []))
    .filter((o): o is RawObject => isRecord(o) && o['apiVersion'] === 'crd.projectcalico.org/v1');
}

const sampleNames = [SAMPLE_FLEET_DIR, SAMPLE_VARIANTS_DIR].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, '')),
);

const sources = [
  ...sampleNames.map((name) => ({ label: `sample ${name}`, document: () => sampleDocument(name) })),
  ...listRuleFixtures().map((f) => ({ label: `fixture ${f.ruleId}/${f.name}`, document: () => fixtureDocument(f) })),
];

describe('raw crd.projectcalico.org/v1 objects match the Calico CRD schemas', () => {
  it('finds raw objects to check, of kinds the corpus has schemas for', () => {
    const kinds = new Set(sources.flatMap((s) => rawCalicoObjects(s.document()).map((o) => String(o.kind))));
    expect(kinds.size).toBeGreaterThan(3);
    expect([...kinds].filter((k) => !validators.has(k))).toEqual([]);
  });

  for (const source of sources) {
    it(source.label, () => {
      const problems = rawCalicoObjects(source.document()).flatMap((object) => {
        const validate = typeof object.kind === 'string' ? validators.get(object.kind) : undefined;
        if (!validate) return [`${labelOf(object)}: no CRD schema for this kind`];
        return validate(object) ? [] : [`${labelOf(object)}: ${ajv.errorsText(validate.errors)}`];
      });
      expect(problems).toEqual([]);
    });
  }
});

it('rejects an object Calico would reject (the check can fail)', () => {
  const validate = validators.get('IPPool')!;
  expect(validate({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { blockSize: 26 } })).toBe(false);
  expect(validate({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '192.168.0.0/16', ipipMode: 5 } })).toBe(false);
});
