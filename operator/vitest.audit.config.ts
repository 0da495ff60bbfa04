import { defineConfig } from 'vitest/config';

// The secret-leak audit over the logs the integration suite wrote: `npm run test:integration` runs
// it as a second vitest run, after the suite.
export default defineConfig({
  test: {
    name: 'operator-log-audit',
    include: ['src/**/*.audit.test.ts'],
  },
});
