import { describe, expect, it } from 'vitest';
import { markMerged } from './merged-text.js';
import { plainTextToHtmlBody } from './plain-text-to-html.js';

describe('plainTextToHtmlBody', () => {
  it('links URLs of unmarked text, without the punctuation that ends a sentence', () => {
    expect(plainTextToHtmlBody('See https://example.com/a?b=1&c=2.')).toBe(
      '<p>See <a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>.</p>',
    );
  });

  it('leaves a URL that starts in a merged value as escaped text, over lines and paragraphs too', () => {
    const value = markMerged('ACME\n\nhttps://evil.example/a?x=<b>\nhttps://evil.example/b');
    expect(plainTextToHtmlBody(`Hi ${value}, see https://example.com/.`)).toBe(
      '<p>Hi ACME</p>\n<p>https://evil.example/a?x=&lt;b&gt;<br>\nhttps://evil.example/b, see <a href="https://example.com/">https://example.com/</a>.</p>',
    );
  });

  it('links a URL that starts in the text and goes on into a merged value', () => {
    expect(plainTextToHtmlBody(`https://example.com/offer?id=${markMerged('42&x=1')}.`)).toBe(
      '<p><a href="https://example.com/offer?id=42&amp;x=1">https://example.com/offer?id=42&amp;x=1</a>.</p>',
    );
  });

  it('does not link a URL whose host a merged value writes or ends', () => {
    for (const text of [
      `https://example.com${markMerged('@evil.example/')}x`,
      `https://${markMerged('evil.example')}/x`,
      `https://example.${markMerged('evil')}`,
    ]) {
      expect(plainTextToHtmlBody(text)).not.toContain('<a ');
      expect(plainTextToHtmlBody(text)).not.toMatch(/[\uE000-\uF8FF]/);
    }
  });
});
