/**
 * Golden Markdown reports for the sample fleet: each report is compared byte for byte with
 * test/golden/<cluster>.md, so any change to a report shows up as a diff in review.
 *
 * After an intended change, regenerate them and read the diff before committing:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/report-golden.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../src/render/markdown.js';
import { ROOT } from './helpers/fixtures.js';
import { SAMPLE_NAMES, sampleAssessment } from './helpers/reports.js';

const GOLDEN_DIR = path.join(ROOT, 'test/golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('the sample fleet’s Markdown reports', () => {
  it.each(SAMPLE_NAMES)('%s matches its golden file', (name) => {
    const markdown = renderMarkdown(sampleAssessment(name));
    const file = path.join(GOLDEN_DIR, `${name}.md`);
    if (update) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, markdown);
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 to write it`).toBe(true);
    expect(markdown).toBe(readFileSync(file, 'utf8'));
  });
});
