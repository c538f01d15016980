import { describe, expect, it } from 'vitest';
import { insertAt, SAMPLE_CONTEXT } from './merge-fields.js';
import { looksLikeHtml, renderPreview } from './render-preview.js';

describe('template preview', () => {
  it('renders merge fields with the sample record', async () => {
    const result = await renderPreview(
      'Hi {{ record.name | split: " " | first }}',
      'From {{ sender.name }}',
      SAMPLE_CONTEXT,
    );
    expect(result).toEqual({ ok: true, subject: 'Hi Nancy', body: 'From Alex Seller' });
  });

  it('reports a syntax error with its line and column', async () => {
    const result = await renderPreview('ok', 'Hello\n{{ record.name ', SAMPLE_CONTEXT);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.field).toBe('body');
      expect(result.message).toMatch(/^Line 2, column \d+/);
    }
  });

  it('inserts a snippet at the cursor', () => {
    expect(insertAt('Hi , bye', 3, 3, '{{ x }}')).toEqual({ text: 'Hi {{ x }}, bye', cursor: 10 });
  });
});

describe('looksLikeHtml', () => {
  it('finds the tags an HTML email is written with, not a "<" in prose', () => {
    expect(looksLikeHtml('<p>Hello {{ record.name }}</p>')).toBe(true);
    expect(looksLikeHtml('See <a href="https://example.com">our demo</a>')).toBe(true);
    expect(looksLikeHtml('Line one<br/>line two')).toBe(true);
    expect(looksLikeHtml('Prices < 100 € and we <3 you')).toBe(false);
    expect(looksLikeHtml('Reply to <sales@example.com> or see <https://example.com>')).toBe(false);
  });
});
