import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // No test reaches AWS: silence the SDK's Node-version notice and keep it off the instance metadata service.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/build-templates.ts'],
  },
});
