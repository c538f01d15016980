import { defineConfig } from 'vitest/config';

// Unit, storage and engine suites. The PostgreSQL half of each storage suite runs only when
// STEPWISE_TEST_POSTGRES names a server (`.ci/run` sets it); see src/storage/test-support/dialects.ts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
