import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: long crash tests against real servers, outside the default run.
export default defineConfig({
  test: {
    name: 'operator-chaos',
    include: ['src/**/*.chaos.test.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
