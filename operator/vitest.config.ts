import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'operator',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.int.test.ts', 'src/**/*.chaos.test.ts', 'src/**/*.audit.test.ts'],
  },
});
