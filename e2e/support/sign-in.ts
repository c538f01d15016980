// A user signed in through the sign-in page, in a browser context of their own (a desktop-sized window),
// with the page's uncaught errors and CSP violations collected for the file's "no uncaught errors" test.

import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { collectPageErrors } from './page-errors.js';
import type { StackUser } from './stepwise-stack.js';

export async function signInPage(
  browser: Browser,
  baseUrl: string,
  user: StackUser,
  pageErrors: string[],
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    baseURL: baseUrl,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  collectPageErrors(page, pageErrors);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Hashing the password takes a while on a loaded machine: more than expect.poll's default second.
  await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).not.toBe('/sign-in');
  return page;
}
