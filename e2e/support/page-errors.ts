// What a page must never show: an uncaught error, or a Content-Security-Policy violation (the server's
// policy, security-headers.ts, refused a script, a style, an image or a connection the app wanted).
import type { Page } from 'playwright-core';

export function collectPageErrors(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      into.push(`${page.url()}: ${message.text()}`);
    }
  });
}
