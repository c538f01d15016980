import { describe, expect, it } from 'vitest';
import { htmlDocument, plainTextToHtmlBody } from './plain-text-to-html.js';
import { rewriteLinksForTracking } from './tracking-links.js';
import { verifyToken } from './tracking-token.js';

const KEY = 'k'.repeat(32);
const BASE = 'https://sw.example';
const options = { baseUrl: BASE, key: KEY, messageId: 'obx_1', unsubscribeUrl: 'https://sw.example/u/abc' };

function tokensIn(html: string, route: 'c' | 'o'): string[] {
  return [...html.matchAll(new RegExp(`${BASE}/t/${route}/([A-Za-z0-9_.-]+)`, 'g'))].map(
    (match) => match[1] ?? '',
  );
}

describe('rewriteLinksForTracking', () => {
  it('wraps web links in signed click links, in order, and keeps the original URL in the token', () => {
    const html = htmlDocument(
      plainTextToHtmlBody('See https://example.com/a?x=1&y=2 and\nhttps://example.com/b.\n\nBye'),
    );
    const tracked = rewriteLinksForTracking(html, options);
    const clicks = tokensIn(tracked, 'c').map((token) => verifyToken(KEY, token));
    expect(clicks).toEqual([
      { kind: 'click', messageId: 'obx_1', linkIndex: 0, url: 'https://example.com/a?x=1&y=2' },
      { kind: 'click', messageId: 'obx_1', linkIndex: 1, url: 'https://example.com/b' },
    ]);
    // The link text stays the original URL: readers see where they are going.
    expect(tracked).toContain('>https://example.com/a?x=1&amp;y=2</a>');
  });

  it('adds one open pixel before </body>', () => {
    const tracked = rewriteLinksForTracking(htmlDocument('<p>Hi</p>'), options);
    const opens = tokensIn(tracked, 'o');
    expect(opens.map((token) => verifyToken(KEY, token))).toEqual([{ kind: 'open', messageId: 'obx_1' }]);
    expect(tracked).toMatch(
      /<img src="https:\/\/sw\.example\/t\/o\/[^"]+" width="1" height="1" alt=""[^>]*>\n<\/body>/,
    );
  });

  it('appends the pixel to a fragment without a body', () => {
    expect(rewriteLinksForTracking('<p>Hi</p>', options)).toMatch(/^<p>Hi<\/p><img src=/);
  });

  it('leaves mailto, tel, anchors, relative links, the unsubscribe link and our own routes alone', () => {
    const html = [
      '<a href="mailto:ada@example.com">mail</a>',
      '<a href="tel:+4930123">call</a>',
      '<a href="#top">top</a>',
      '<a href="/pricing">relative</a>',
      '<a href="https://sw.example/u/abc">unsubscribe</a>',
      '<a href="https://sw.example/u/other">another unsubscribe</a>',
      '<a href="https://sw.example/t/c/already">tracked</a>',
    ].join('');
    const tracked = rewriteLinksForTracking(html, options);
    expect(tracked.startsWith(html)).toBe(true);
    expect(tokensIn(tracked, 'c')).toEqual(['already']);
  });

  it('handles single quotes, other attributes and upper case', () => {
    const tracked = rewriteLinksForTracking(
      `<A class="btn" HREF='https://example.com/x?a=1&amp;b=2' target="_blank">x</A>`,
      options,
    );
    expect(tracked).toMatch(
      /^<A class="btn" HREF="https:\/\/sw\.example\/t\/c\/[^"]+" target="_blank">x<\/A>/,
    );
    expect(verifyToken(KEY, tokensIn(tracked, 'c')[0] ?? '')).toMatchObject({
      url: 'https://example.com/x?a=1&b=2',
    });
  });
});
