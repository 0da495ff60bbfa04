import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'services-smb-mount',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.int.test.ts'],
  },
});
