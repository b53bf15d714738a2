/** Regenerates the checked-in JSON Schemas (`npm run schema`); a test fails when they drift. */
import { writeFileSync } from 'node:fs';
import { ASSESSMENT_JSON_SCHEMA_PATH, renderAssessmentJsonSchema } from '../src/assess/assessment-schema.js';
import { renderSnapshotJsonSchema, SNAPSHOT_JSON_SCHEMA_PATH } from '../src/snapshot/json-schema.js';

for (const [path, text] of [
  [SNAPSHOT_JSON_SCHEMA_PATH, renderSnapshotJsonSchema()],
  [ASSESSMENT_JSON_SCHEMA_PATH, renderAssessmentJsonSchema()],
] as const) {
  writeFileSync(path, text);
  console.log(`wrote ${path.pathname}`);
}
