// Global set-up of the `e2e` project (runs once, in vitest's main process): skip with a clear message when
// Debian's Chromium is missing, otherwise bring the web and server builds up to date, as `npm start` does,
// so the browser tests drive the app a user would get.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH } from './support/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the browser tests can't run here, or null when they can. */
    e2eSkipReason: string | null;
  }
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function setup(project: TestProject): void {
  if (!existsSync(CHROMIUM_PATH)) {
    const reason =
      `Chromium is not installed at ${CHROMIUM_PATH}: the [e2e] browser tests are SKIPPED. ` +
      'Install it with `sudo apt-get install -y chromium` (CI does; `.ci/check-suites.mjs` fails when they are skipped).';
    console.warn(`\n[e2e] ${reason}\n`);
    project.provide('e2eSkipReason', reason);
    return;
  }
  try {
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  } catch (error) {
    throw new Error(
      `[e2e] scripts/build-if-stale.mjs failed, so the browser tests have no app to drive: ${String(error)}`,
    );
  }
  project.provide('e2eSkipReason', null);
}
