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
  const { id, $schema: _draft04, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // One of its patterns (language tags) is not valid under the `u` flag ajv adds by default.
  const ajv = withFormats(new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }));
  return ajv.compile({ ...schema, $id: id as string, $schema: 'http://json-schema.org/draft-07/schema#' });
}

export { withFormats };
