// Unit tests of the web app's pure parts (designer graph functions, API client). Run from the repository
// root with `npx vitest run --config web/vitest.config.ts`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: { '@domain': fileURLToPath(new URL('../src/domain', import.meta.url)) },
  },
  test: {
    include: ['src/**/*.test.ts'],
    name: 'web',
    environment: 'node',
  },
});
