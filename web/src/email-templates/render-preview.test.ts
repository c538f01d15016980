import { describe, expect, it } from 'vitest';
import { insertAt, SAMPLE_CONTEXT } from './merge-fields.js';
import { renderPreview } from './render-preview.js';

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
