import { defineConfig } from 'vitest/config';

// Each workspace owns its vitest config; the root only lists them.
export default defineConfig({
  test: {
    projects: [
      'operator/vitest.config.ts',
      'operator/vitest.integration.config.ts',
      'operator/vitest.chaos.config.ts',
      'operator/vitest.audit.config.ts',
      'services/*/vitest.config.ts',
      'services/*/vitest.integration.config.ts',
    ],
  },
});
