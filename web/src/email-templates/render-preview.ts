// Live preview of a template in the browser with the same LiquidJS limits as the server, so a syntax
// error shows its line and column while typing. The server's rendering stays the reference.
import { Liquid } from 'liquidjs';

const engine = new Liquid({
  ownPropertyOnly: true,
  strictFilters: true,
  parseLimit: 100_000,
  renderLimit: 200,
});

export type PreviewResult =
  | { ok: true; subject: string; body: string }
  | { ok: false; field: 'subject' | 'body'; message: string };

export async function renderPreview(subject: string, body: string, context: object): Promise<PreviewResult> {
  const parts = { subject, body } as const;
  const out: Record<'subject' | 'body', string> = { subject: '', body: '' };
  for (const field of ['subject', 'body'] as const) {
    try {
      out[field] = await engine.parseAndRender(parts[field], context);
    } catch (error) {
      return { ok: false, field, message: describeLiquidError(error) };
    }
  }
  return { ok: true, ...out };
}

function describeLiquidError(error: unknown): string {
  if (!(error instanceof Error)) return 'The template can’t be read.';
  // LiquidJS messages end with ", line:3, col:5"; say it the way people read it.
  const match = /^(.*?),?\s*line:(\d+),\s*col:(\d+)/s.exec(error.message);
  if (match === null) return error.message.split('\n')[0] ?? error.message;
  return `Line ${match[2]}, column ${match[3]}: ${match[1]?.trim()}`;
}

// Tags an HTML email is written with; a "<" in prose ("a < b", "<3") is not one of them.
const HTML_TAG =
  /<\/?(?:p|a|br|div|span|b|i|u|strong|em|ul|ol|li|table|tbody|tr|td|th|h[1-6]|img|html|body|font|hr)\b[^<>]*>/i;

/**
 * Whether a template's text looks written in HTML. Templates are plain text (line breaks become
 * paragraphs, web addresses links), so such tags would reach the recipient as typed: the editor says so.
 */
export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}
