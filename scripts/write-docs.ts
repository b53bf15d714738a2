/** Regenerates the checked-in documents under docs/ (`npm run docs`); a test fails when they drift. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS } from './docs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const doc of GENERATED_DOCS) {
  const file = path.join(root, doc.path);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, doc.render());
  console.log(`wrote ${doc.path}`);
}
