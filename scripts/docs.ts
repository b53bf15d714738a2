/**
 * The documents under docs/ that are generated from the code: `npm run docs` writes them and
 * test/catalogue.test.ts fails when a checked-in copy drifts, so the docs cannot disagree with it.
 */
import { catalogueMarkdown } from '../src/cli/rules-command.js';

export interface GeneratedDoc {
  /** Relative to the repository root. */
  path: string;
  render(): string;
}

const GENERATED_NOTE = '<!-- Generated from the rule registry (src/assess/rules/) by `npm run docs`: edit the rules, not this file. -->';

export const GENERATED_DOCS: readonly GeneratedDoc[] = [{ path: 'docs/rules.md', render: () => `${GENERATED_NOTE}\n\n${catalogueMarkdown()}` }];
