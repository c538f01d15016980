// Deterministic Message-IDs for outgoing mail, and finding them again in the threading headers of
// replies. The same outbox row always gets the same Message-ID, so a re-send after `send_unknown` is
// recognisable as the same message by every receiving server, and a reply names the row it answers.
import { createHmac } from 'node:crypto';

/** Separates these MACs from every other use of the installation secret (tokens, password encryption). */
const MAC_CONTEXT = 'stepwise.message-id.v1.';

/**
 * 32 lowercase hex characters (128 bits of HMAC-SHA-256 under the installation secret): collision-free
 * for any number of outbox rows, and lowercase hex survives servers and clients that change the case of
 * header values. Store it beside the outbox row (indexed) to find the row of a reply.
 *
 * Keyed, not a plain hash of the key: an idempotency key is `{enrollmentId}:{seq}`, and the enrollments of
 * one bulk connect have consecutive ids (ids.ts), so a recipient who matched their own Message-ID to a
 * guess near the outbox id in their tracking links could compute their neighbours' Message-IDs and end
 * those enrollments, or suppress those addresses, with forged replies and bounces naming them.
 */
export function outboxKeyHash(secret: string, idempotencyKey: string): string {
  if (secret.length < 16) throw new Error('the Message-ID key must have at least 16 characters');
  return createHmac('sha256', secret)
    .update(MAC_CONTEXT)
    .update(idempotencyKey, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/** `<sw.{hash}@{domain}>`, the domain being the sending domain (RFC 5322 §3.6.4). */
export function messageIdFor(secret: string, idempotencyKey: string, domain: string): string {
  return `<sw.${outboxKeyHash(secret, idempotencyKey)}@${domain.toLowerCase()}>`;
}

const OUR_MESSAGE_ID = /<\s*sw\.([0-9a-f]{32})@([^>\s]+)\s*>/gi;

/**
 * The outbox key hashes named by `In-Reply-To` and `References` values, most relevant first:
 * `In-Reply-To` (the message answered), then `References` from newest to oldest. Pass `domain` to
 * accept only IDs of our own sending domain.
 */
export function outboxKeyHashesFromHeaders(
  headers: { inReplyTo?: string | undefined; references?: string | readonly string[] | undefined },
  domain?: string,
): string[] {
  const references =
    typeof headers.references === 'string' ? [headers.references] : (headers.references ?? []);
  const found: string[] = [];
  const scan = (value: string): string[] =>
    [...value.matchAll(OUR_MESSAGE_ID)]
      .filter((match) => domain === undefined || match[2]?.toLowerCase() === domain.toLowerCase())
      .map((match) => (match[1] ?? '').toLowerCase());
  const ordered = [...scan(headers.inReplyTo ?? ''), ...references.flatMap(scan).reverse()];
  for (const hash of ordered) if (!found.includes(hash)) found.push(hash);
  return found;
}
