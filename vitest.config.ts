import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Calico conformance suite needs a corpus from outside the repository: `npm run test:conformance -- <dir>`.
    exclude: [...configDefaults.exclude, 'test/conformance/**'],
    testTimeout: 30_000,
    // Several suites set up a whole run (servers, a night of audits) in beforeAll: on a busy machine that outlasts vitest's 10 s default.
    hookTimeout: 120_000,
    // No test reaches AWS: silence the SDK's Node-version notice and keep it off the instance metadata service.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/build.ts'],
  },
});
