import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects in one `npm test`: the server (unit, storage, engine, API, CLI), the web app's pure
// parts (web/vitest.config.ts) and the browser tests (e2e/, Debian's Chromium through playwright-core;
// skipped with a message when /usr/bin/chromium is missing). The PostgreSQL half of each storage suite
// runs only when STEPWISE_TEST_POSTGRES names a server (`.ci/run` sets it); see
// src/storage/test-support/dialects.ts.
export default defineConfig({
  test: {
    // One test file per core. Vitest's default is one fewer than the cores, a single worker on a 2-core
    // machine; the suite spends much of its time waiting (PostgreSQL, SQLite's fsync, SMTP on loopback,
    // child processes), and two workers took src/api from 164 s to 102 s on the 2-core CI machine.
    maxWorkers: Math.max(2, availableParallelism()),
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
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          // After the server and web suites, not beside them: a browser and a server starved of CPU by the
          // engine's multi-process tests would turn waits into flaky timeouts.
          sequence: { groupOrder: 1 },
          pool: 'forks',
          // One browser file at a time: two Chromiums and their servers on 2 cores turn waits into timeouts.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
