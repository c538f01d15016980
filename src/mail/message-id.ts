// Deterministic Message-IDs for outgoing mail, and finding them again in the threading headers of
// replies. The same outbox row always gets the same Message-ID, so a re-send after `send_unknown` is
// recognisable as the same message by every receiving server, and a reply names the row it answers.
import { createHash } from 'node:crypto';

/**
 * 32 lowercase hex characters (128 bits of SHA-256): collision-free for any number of outbox rows,
 * and lowercase hex survives servers and clients that change the case of header values.
 * Store it beside the outbox row (indexed) to find the row of a reply.
 */
export function outboxKeyHash(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
}

/** `<sw.{hash}@{domain}>`, the domain being the sending domain (RFC 5322 §3.6.4). */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<sw.${outboxKeyHash(idempotencyKey)}@${domain.toLowerCase()}>`;
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
