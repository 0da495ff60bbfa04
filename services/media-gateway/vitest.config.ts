import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'services-media-gateway',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.int.test.ts'],
  },
});
