// Adds open and click tracking to the HTML part of an outgoing message: links go through
// `/t/c/{token}` and a 1×1 image at `/t/o/{token}` records opens.
// The HTML is the one render.ts builds (attribute values double-quoted and escaped), so a regular
// expression over `<a href>` is enough; no HTML parser on the send path.
import { escapeHtml } from './plain-text-to-html.js';
import { signClickToken, signOpenToken, type TrackingKey } from './tracking-token.js';

export interface LinkTrackingOptions {
  /** Public base URL of the server, without a trailing slash (`STEPWISE_PUBLIC_URL`). */
  baseUrl: string;
  key: TrackingKey;
  /** The outbox message the tokens name. */
  messageId: string;
  /** Left as it is: an unsubscribe click must work even when tracking breaks, and is its own signal. */
  unsubscribeUrl?: string;
}

const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)("([^"]*)"|'([^']*)')/gi;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

function isTrackable(url: string, options: LinkTrackingOptions): boolean {
  // Only web links: mailto:, tel:, #anchors and relative links are left alone.
  if (!/^https?:\/\//i.test(url)) return false;
  if (options.unsubscribeUrl !== undefined && url === options.unsubscribeUrl) return false;
  // Our own unsubscribe and tracking routes are never wrapped twice.
  return !url.startsWith(`${options.baseUrl}/u/`) && !url.startsWith(`${options.baseUrl}/t/`);
}

function openPixel(options: LinkTrackingOptions): string {
  const src = `${options.baseUrl}/t/o/${signOpenToken(options.key, { messageId: options.messageId })}`;
  return `<img src="${escapeHtml(src)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
}

export function rewriteLinksForTracking(html: string, options: LinkTrackingOptions): string {
  let linkIndex = 0;
  const rewritten = html.replace(
    ANCHOR_HREF,
    (whole, prefix: string, _quoted: string, double: string | undefined, single: string | undefined) => {
      const url = decodeAttribute((double ?? single ?? '').trim());
      if (!isTrackable(url, options)) return whole;
      const token = signClickToken(options.key, { messageId: options.messageId, url, linkIndex });
      linkIndex += 1;
      return `${prefix}"${escapeHtml(`${options.baseUrl}/t/c/${token}`)}"`;
    },
  );
  const pixel = openPixel(options);
  const bodyEnd = rewritten.toLowerCase().lastIndexOf('</body>');
  return bodyEnd === -1
    ? `${rewritten}${pixel}`
    : `${rewritten.slice(0, bodyEnd)}${pixel}\n${rewritten.slice(bodyEnd)}`;
}
