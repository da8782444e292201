import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Component tests: jsdom, no network. The browser suite is vitest.e2e.config.ts.
export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    css: false,
    testTimeout: 20000,
  },
});
