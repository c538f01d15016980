// Signed open/click tracking tokens (`/t/o/{token}`, `/t/c/{token}`). A token names an outbox message
// and, for a click, the link; it is not secret, but it cannot be forged or altered without the key,
// so a tracking request records only what we sent.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingPayload =
  | { kind: 'open'; messageId: string }
  | { kind: 'click'; messageId: string; linkIndex: number; url: string };

export type TrackingKey = string | Buffer;

/** Shorter keys are a configuration bug, not something to run with. */
const MIN_KEY_BYTES = 16;
/** Separates our MACs from any other use of the same key (unsubscribe tokens, SMTP password encryption). */
const MAC_CONTEXT = 'stepwise.tracking.v1.';
/** Longer than any URL we would put in an email; anything past it is garbage and is not hashed. */
const MAX_TOKEN_LENGTH = 8192;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

function keyBytes(key: TrackingKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`tracking key must have at least ${MIN_KEY_BYTES} bytes`);
  return bytes;
}

function mac(key: TrackingKey, body: string): string {
  return createHmac('sha256', keyBytes(key)).update(MAC_CONTEXT).update(body).digest('base64url');
}

// Compact wire form: short keys keep tokens (and so tracked links) short.
type WirePayload = { k: 'o'; m: string } | { k: 'c'; m: string; i: number; u: string };

function sign(key: TrackingKey, wire: WirePayload): string {
  const body = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${body}.${mac(key, body)}`;
}

export function signOpenToken(key: TrackingKey, payload: { messageId: string }): string {
  return sign(key, { k: 'o', m: payload.messageId });
}

export function signClickToken(
  key: TrackingKey,
  payload: { messageId: string; url: string; linkIndex?: number },
): string {
  return sign(key, { k: 'c', m: payload.messageId, i: payload.linkIndex ?? 0, u: payload.url });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromWire(value: unknown): TrackingPayload | null {
  if (!isRecord(value) || typeof value.m !== 'string' || value.m === '') return null;
  if (value.k === 'o') return { kind: 'open', messageId: value.m };
  if (
    value.k === 'c' &&
    typeof value.u === 'string' &&
    Number.isSafeInteger(value.i) &&
    typeof value.i === 'number'
  ) {
    return { kind: 'click', messageId: value.m, linkIndex: value.i, url: value.u };
  }
  return null;
}

/**
 * The payload of a token we signed with `key`, or null for anything else. Never throws on input.
 * The MAC is compared as text, not as decoded bytes: base64url decoding ignores the spare bits of
 * the last character, so two different strings could decode to the same MAC.
 */
export function verifyToken(key: TrackingKey, token: string): TrackingPayload | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const shape = TOKEN_SHAPE.exec(token);
  if (shape === null) return null;
  const [, body = '', given = ''] = shape;
  const expected = Buffer.from(mac(key, body), 'ascii');
  const received = Buffer.from(given, 'ascii');
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return null;
  try {
    return fromWire(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}
