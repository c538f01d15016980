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
