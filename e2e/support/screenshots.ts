// Screenshots of each screen, numbered in the order the scenario visits them: test-output/e2e/<nn>-<name>.png.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

export class ScreenshotBook {
  #next = 1;

  constructor() {
    rmSync(OUTPUT_DIR, { recursive: true, force: true });
    mkdirSync(OUTPUT_DIR, { recursive: true });
  }

  async take(page: Page, name: string): Promise<string> {
    const path = join(OUTPUT_DIR, `${String(this.#next++).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    return path;
  }
}
