import { defineConfig } from 'vitest/config';

// Two projects in one `npm test`: the server (unit, storage, engine, API, CLI) and the web app's pure
// parts (web/vitest.config.ts). The PostgreSQL half of each storage suite runs only when
// STEPWISE_TEST_POSTGRES names a server (`.ci/run` sets it); see src/storage/test-support/dialects.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: ['src/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      'web/vitest.config.ts',
    ],
  },
});
