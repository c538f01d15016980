// What several browser tests measure the same way: a page's width once it has loaded (phones must not
// scroll sideways), and a test clock's next Monday morning (a working day for the default calendar).
import type { Page } from 'playwright-core';

/** Waits until no "Loading" status is left: a screen may load several parts at once (a list, its owners' names). */
export async function waitLoaded(page: Page): Promise<void> {
  const loading = page.getByRole('status').filter({ hasText: /Loading/ });
  while ((await loading.count()) > 0) await loading.first().waitFor({ state: 'detached' });
}

/**
 * The widest of the page and its main area, once no "Loading" status is left: the main area scrolls on its
 * own (overflow-x: auto) and would hide an overflow from the page's width.
 */
export async function loadedWidth(page: Page): Promise<number> {
  await waitLoaded(page);
  return page.evaluate(() =>
    Math.max(document.documentElement.scrollWidth, document.querySelector('main')?.scrollWidth ?? 0),
  );
}

/** 09:00 UTC on the Monday after `nowIso` (a week later when it is a Monday), as an ISO instant. */
export function nextMondayAtNine(nowIso: string): string {
  const now = new Date(nowIso);
  const daysAhead = (8 - now.getUTCDay()) % 7 || 7;
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + daysAhead, 9));
  return monday.toISOString();
}
