/** The JSON rendering's contract: the checked-in JSON Schema, and every sample's assessment against it. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { assess, type Assessment } from '../src/assess/assess.js';
import { CATALOGUE_VERSION, RULES } from '../src/assess/rules/index.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import {
  ASSESSMENT_JSON_SCHEMA_PATH,
  assessmentJsonSchema,
  assessmentSchema,
  renderAssessmentJsonSchema,
} from '../src/assess/assessment-schema.js';
import { renderJson } from '../src/render/json.js';
import { mask } from '../src/render/mask.js';
import { SAMPLE_NAMES, sampleAssessment, sampleSnapshot } from './helpers/reports.js';

const ajv = new Ajv2020({ strict: false, validateFormats: false });
const validate = ajv.compile(assessmentJsonSchema());

describe('the assessment JSON Schema', () => {
  it('is checked in and matches the zod definitions (run `npm run schema` after changing them)', () => {
    expect(readFileSync(ASSESSMENT_JSON_SCHEMA_PATH, 'utf8')).toBe(renderAssessmentJsonSchema());
  });

  it.each(SAMPLE_NAMES)('accepts the JSON rendering of %s, masked or not', (name) => {
    for (const assessment of [sampleAssessment(name), mask(sampleAssessment(name))]) {
      const document: unknown = JSON.parse(renderJson(assessment));
      expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
      expect(assessmentSchema.safeParse(document).error).toBeUndefined();
    }
  });

  it('names the auditor and the rule catalogue apart from the snapshot’s collector, and requires both', () => {
    const document = JSON.parse(renderJson(sampleAssessment('enterprise-vxlan'))) as Assessment;
    expect(document.auditor).toEqual({ name: packageJson.name, version: packageJson.version });
    expect(document.catalogue).toEqual({ version: CATALOGUE_VERSION, rules: RULES.length });
    expect(document.collector).toEqual(sampleSnapshot('enterprise-vxlan').collector);
    // A library caller that does not name the auditor gets null, never a guess.
    expect(assess(sampleSnapshot('enterprise-vxlan')).auditor).toBeNull();
    for (const field of ['auditor', 'catalogue'] as const) {
      const without = { ...document } as Partial<Assessment>;
      delete without[field];
      expect(validate(without), field).toBe(false);
    }
  });

  it('accepts an assessment with suppressions, and rejects one with a field it does not know', () => {
    const suppressed = applySuppressions(sampleAssessment('enterprise-vxlan'), [
      { ruleId: 'CAL-DP-01', clusters: ['*'], reason: 'iptables is a deliberate choice here' },
    ]);
    expect(validate(JSON.parse(renderJson(suppressed))), ajv.errorsText(validate.errors)).toBe(true);
    const extra = JSON.parse(renderJson(sampleAssessment('enterprise-vxlan'))) as Assessment;
    Object.assign(extra.facts, { surprise: 1 });
    expect(validate(extra)).toBe(false);
  });
});
