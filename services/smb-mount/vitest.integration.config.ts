import { defineConfig } from 'vitest/config';

// Tests against real Samba started by operator/src/testbed (`*.int.test.ts`), one file at a time.
// The name must end in -integration (the root test:integration picks those) and must not start
// with services- (the root test:unit runs those before the test bed is built).
export default defineConfig({
  test: {
    name: 'smb-mount-integration',
    include: ['src/**/*.int.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
