import { defineConfig } from 'vitest/config';

// The browser suite: real headless Chromium (Debian's, via playwright-core) against the real local
// stack, which e2e/global-setup.ts starts from bin/vehicled on a free port and stops afterwards.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90000,
    hookTimeout: 90000,
  },
});
