// Unsubscribe tokens (`/u/{token}`): name the outbox message and the address it went to, signed with
// the installation secret under their own label, so a tracking token can never serve as one.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { emailKey } from '../domain/email-address.js';

const MAC_CONTEXT = 'stepwise.unsubscribe.v1.';
const MAX_TOKEN_LENGTH = 2048;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/**
 * The unsubscribe link a preview shows (`{publicUrl}` + this): a preview has no message yet to sign a
 * token for. A seller's edited text, which starts from a preview, gets the recipient's own link in its
 * place when it is sent (SmtpMailer.prepare).
 */
export const PREVIEW_UNSUBSCRIBE_PATH = '/u/preview';

export interface UnsubscribePayload {
  /** The outbox row the link was sent in. */
  messageId: string;
  /** The address to suppress, lowercased. */
  email: string;
}

function mac(key: string, body: string): string {
  if (key.length < 16) throw new Error('the unsubscribe key must have at least 16 characters');
  return createHmac('sha256', key).update(MAC_CONTEXT).update(body).digest('base64url');
}

export function signUnsubscribeToken(key: string, payload: UnsubscribePayload): string {
  const body = Buffer.from(
    // emailKey, not toLowerCase: the unsubscribe looks the records up by it (domain/email-address.ts).
    JSON.stringify({ m: payload.messageId, e: emailKey(payload.email) }),
    'utf8',
  ).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The payload of a token we signed, or null for anything else. Never throws on input. */
export function verifyUnsubscribeToken(key: string, token: string): UnsubscribePayload | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const shape = TOKEN_SHAPE.exec(token);
  if (shape === null) return null;
  const [, body = '', given = ''] = shape;
  const expected = Buffer.from(mac(key, body), 'ascii');
  const received = Buffer.from(given, 'ascii');
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { m, e } = value as Record<string, unknown>;
    if (typeof m !== 'string' || m === '' || typeof e !== 'string' || !e.includes('@')) return null;
    return { messageId: m, email: e };
  } catch {
    return null;
  }
}
