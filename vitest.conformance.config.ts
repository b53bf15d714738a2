/**
 * The Calico conformance suite (`npm run test:conformance -- <dir>`): fixtures and install
 * detection checked against a Calico release's own CRD schemas and manifests, which live outside
 * the repository, so it is not part of `npm test`.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { CORPUS_ENV, corpusProblem } from './test/conformance/corpus.js';

const corpus = process.env[CORPUS_ENV] ? path.resolve(process.env[CORPUS_ENV]) : undefined;
const problem = corpusProblem(corpus);
// Refuse before any test runs: without the corpus every test here would fail for the same reason.
if (problem) throw new Error(problem);

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    testTimeout: 30_000,
    env: { [CORPUS_ENV]: corpus!, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
