/** Regenerates the checked-in JSON Schemas (`npm run schema`); a test fails when they drift. */
import { writeFileSync } from 'node:fs';
import { renderSnapshotJsonSchema, SNAPSHOT_JSON_SCHEMA_PATH } from '../src/snapshot/json-schema.js';

writeFileSync(SNAPSHOT_JSON_SCHEMA_PATH, renderSnapshotJsonSchema());
console.log(`wrote ${SNAPSHOT_JSON_SCHEMA_PATH.pathname}`);
