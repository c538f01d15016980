// The Stepwise-Signature header, Stripe-style: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
// under the endpoint's secret. The timestamp is signed too, so a receiver can refuse old replays.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Stepwise-Signature';
export const EVENT_ID_HEADER = 'Stepwise-Event-Id';
export const EVENT_TYPE_HEADER = 'Stepwise-Event-Type';
export const DELIVERY_ID_HEADER = 'Stepwise-Delivery-Id';

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for `body` signed at `nowMs`. */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * A receiver's check (docs/webhooks.md shows the same in a few lines): some `v1` matches and `t` is
 * within `toleranceSeconds` of `nowMs`. Several `v1` values may be present.
 */
export function verifySignature(
  header: string,
  body: string,
  secret: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  let t: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && value !== undefined) signatures.push(value);
  }
  if (t === null || Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
