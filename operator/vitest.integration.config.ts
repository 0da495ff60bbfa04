import { defineConfig } from 'vitest/config';

// Tests against real servers started by src/testbed (`*.int.test.ts`). Files run one at a time:
// each starts the servers it needs, and two cores do not run two control planes well.
export default defineConfig({
  test: {
    name: 'operator-integration',
    include: ['src/**/*.int.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
