/**
 * Published JSON Schemas the exports are validated against, compiled with ajv.
 *
 * SARIF: the OASIS SARIF 2.1.0 schema (sarif-2.1.0-rtm.5.json) as shipped by the npm package
 * @microsoft/jest-sarif. It is written for JSON Schema draft-04; its only draft-04 construct ajv 8
 * does not read is the root `id`, which becomes `$id` (the schema uses no exclusiveMinimum or
 * exclusiveMaximum, the other draft-04 differences). Its formats (uri, uri-reference, date-time)
 * are checked with the URL parser and Date.parse.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

function withFormats(ajv: Ajv): Ajv {
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///base/'));
  ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
  return ajv;
}

export function sarifValidator(): ValidateFunction {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  // Published as draft-04 with `id`; ajv reads it as draft-07 with `$id`.
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const id = schema['id'];
  delete schema['id'];
  delete schema['$schema'];
  // One of its patterns (language tags) is not valid under the `u` flag ajv adds by default.
  const ajv = withFormats(new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }));
  return ajv.compile({ ...schema, $id: id as string, $schema: 'http://json-schema.org/draft-07/schema#' });
}

export { withFormats };

/**
 * ASFF (SchemaVersion 2018-10-08): AWS publishes no JSON Schema file for it, so this is the subset
 * this product writes, transcribed from the specification:
 * - AWS Security Hub User Guide, "Required top-level ASFF attributes": AwsAccountId, CreatedAt,
 *   Description, GeneratorId, Id, ProductArn, Resources, SchemaVersion, Severity, Title, Types,
 *   UpdatedAt;
 * - AWS Security Hub API Reference, AwsSecurityFinding: Id, ProductArn, GeneratorId ≤ 512
 *   characters; Title ≤ 256; Description ≤ 1024; Types ≤ 50, each `namespace/category/classifier`
 *   with namespace one of the five of "Types taxonomy for ASFF"; Resources ≤ 32, each with Type and
 *   Id; ProductFields ≤ 50 pairs, keys ≤ 128 and values ≤ 2048 characters; RecordState ACTIVE or
 *   ARCHIVED; timestamps RFC 3339 (`date-time`); Severity.Label INFORMATIONAL, LOW, MEDIUM, HIGH,
 *   CRITICAL; Recommendation.Text ≤ 512 characters;
 * - Partner Guide, "Guidelines for mapping findings into ASFF": SchemaVersion is always 2018-10-08.
 */
export const ASFF_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'asff-2018-10-08-subset',
  type: 'object',
  required: ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Severity', 'Title', 'Types', 'UpdatedAt'],
  properties: {
    SchemaVersion: { const: '2018-10-08' },
    Id: { type: 'string', minLength: 1, maxLength: 512 },
    ProductArn: { type: 'string', maxLength: 512, pattern: '^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:(\\d{12})?:product/' },
    GeneratorId: { type: 'string', minLength: 1, maxLength: 512 },
    AwsAccountId: { type: 'string', pattern: '^\\d{12}$' },
    Types: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', pattern: '^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$' },
    },
    FirstObservedAt: { type: 'string', format: 'date-time' },
    LastObservedAt: { type: 'string', format: 'date-time' },
    CreatedAt: { type: 'string', format: 'date-time' },
    UpdatedAt: { type: 'string', format: 'date-time' },
    Severity: {
      type: 'object',
      required: ['Label'],
      properties: { Label: { enum: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] }, Original: { type: 'string' } },
    },
    Title: { type: 'string', minLength: 1, maxLength: 256 },
    Description: { type: 'string', minLength: 1, maxLength: 1024 },
    Remediation: {
      type: 'object',
      properties: {
        Recommendation: { type: 'object', properties: { Text: { type: 'string', minLength: 1, maxLength: 512 }, Url: { type: 'string', format: 'uri' } } },
      },
    },
    SourceUrl: { type: 'string', format: 'uri' },
    ProductFields: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { maxLength: 128 },
      additionalProperties: { type: 'string', maxLength: 2048 },
    },
    Resources: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        required: ['Type', 'Id'],
        properties: {
          Type: { type: 'string', minLength: 1 },
          Id: { type: 'string', minLength: 1, maxLength: 512 },
          Partition: { enum: ['aws', 'aws-cn', 'aws-us-gov'] },
          Region: { type: 'string', minLength: 1 },
        },
      },
    },
    RecordState: { enum: ['ACTIVE', 'ARCHIVED'] },
  },
} as const;

export function asffValidator(): ValidateFunction {
  return withFormats(new Ajv({ strict: false, allErrors: true })).compile(ASFF_SCHEMA);
}
