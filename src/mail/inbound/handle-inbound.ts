// What an inbound message does, whichever way it came (POST /api/inbound-email, `stepwise inbound`):
// classify it, find the message or record it concerns, and turn it into signals. A reply becomes
// `email_replied` (exitOnReply, reply conditions); a hard bounce `email_bounced` (ends the record's
// enrollments, suppresses the address) when it names a message we sent; auto-replies, soft bounces and
// hard bounces that name none of our messages are kept on the timeline only.
import type { EngineDeps } from '../../engine/deps.js';
import type { OutboxMessage } from '../../engine/ports/store.js';
import { ingestSignals, type SignalInput } from '../../engine/signals.js';
import { classifyInbound, type InboundClassification } from './classify.js';

/** Inbound messages larger than this are refused before parsing (HTTP 413, SMTP 552). */
export const MAX_INBOUND_BYTES = 10 * 1024 * 1024;

export interface InboundResult {
  kind: InboundClassification['kind'];
  reason: string;
  /** How the message was tied to us: our Message-ID in its headers, the sender's address, or not at all. */
  matched: 'message' | 'sender' | 'none';
  /** Signals stored (repeats of the same inbound message count 0). */
  signals: number;
}

async function ourMessage(deps: EngineDeps, hashes: readonly string[]): Promise<OutboxMessage | null> {
  for (const hash of hashes) {
    const row = await deps.store.outbox.getByMessageKeyHash(hash);
    if (row !== null) return row;
  }
  return null;
}

async function recordIdsByAddress(deps: EngineDeps, address: string | undefined): Promise<string[]> {
  if (address === undefined || address === '') return [];
  return (await deps.store.records.findByEmail(address)).map((record) => record.id);
}

/** Stores a timeline-only signal (auto-reply, soft bounce) for the message's record or the sender's records. */
async function recordOnly(
  deps: EngineDeps,
  type: 'email_auto_reply' | 'email_soft_bounce' | 'email_unmatched_bounce',
  dedupe: string,
  message: OutboxMessage | null,
  recordIds: readonly string[],
  data: Record<string, string>,
): Promise<number> {
  const at = deps.clock.now();
  const recordId = typeof message?.payload.recordId === 'string' ? message.payload.recordId : null;
  const enrollmentId =
    typeof message?.payload.enrollmentId === 'string' ? message.payload.enrollmentId : null;
  const targets = recordId !== null ? [recordId] : recordIds;
  const rows = targets.map((target, i) => ({
    id: deps.ids.newId('sig'),
    dedupeKey: `${dedupe}:${i}`,
    type,
    recordId: target,
    enrollmentId: target === recordId ? enrollmentId : null,
    messageKey: target === recordId ? (message?.idempotencyKey ?? null) : null,
    stepId: null,
    at,
    data,
    counts: [],
  }));
  return rows.length === 0 ? 0 : (await deps.store.signals.insert(rows)).length;
}

export async function handleInboundEmail(deps: EngineDeps, raw: Buffer | string): Promise<InboundResult> {
  const c = await classifyInbound(raw);
  const message = await ourMessage(deps, c.outboxKeyHashes);
  // A repeat of the same inbound message (a retried webhook, a re-delivered SMTP session) is a no-op.
  const dedupe = `inbound:${c.messageId ?? `${c.from ?? ''}:${c.date ?? ''}:${c.subject ?? ''}`}`;
  const data: Record<string, string> = { reason: c.reason };
  if (c.subject !== undefined) data.subject = c.subject.slice(0, 300);
  if (c.from !== undefined) data.from = c.from;

  const toSignals = async (type: 'email_replied' | 'email_bounced', address: string | undefined) => {
    if (message !== null) {
      const signal: SignalInput = { id: dedupe, type, messageId: message.id, data };
      return { matched: 'message' as const, stored: (await ingestSignals(deps, [signal])).accepted };
    }
    const recordIds = await recordIdsByAddress(deps, address);
    if (recordIds.length === 0) return { matched: 'none' as const, stored: 0 };
    const signals = recordIds.map(
      (recordId, i): SignalInput => ({ id: `${dedupe}:${i}`, type, recordId, data }),
    );
    return { matched: 'sender' as const, stored: (await ingestSignals(deps, signals)).accepted };
  };

  switch (c.kind) {
    case 'reply': {
      const { matched, stored } = await toSignals('email_replied', c.from);
      return { kind: c.kind, reason: c.reason, matched, signals: stored };
    }
    case 'bounce': {
      const { bounce } = c;
      if (bounce.status !== undefined) data.status = bounce.status;
      if (bounce.recipient !== undefined) data.recipient = bounce.recipient;
      // A hard bounce suppresses an address and ends every owner's enrollments with it, so it must name a
      // message we sent (a delivery report carries the original headers, our Message-ID among them).
      // One that names none is only kept on the timeline: anyone can send a report naming any address.
      if (bounce.hard && message !== null) {
        const { matched, stored } = await toSignals('email_bounced', bounce.recipient);
        return { kind: c.kind, reason: c.reason, matched, signals: stored };
      }
      const recordIds = message === null ? await recordIdsByAddress(deps, bounce.recipient) : [];
      const type = bounce.hard ? 'email_unmatched_bounce' : 'email_soft_bounce';
      const stored = await recordOnly(deps, type, dedupe, message, recordIds, data);
      return { kind: c.kind, reason: c.reason, matched: matchOf(message, recordIds), signals: stored };
    }
    case 'auto_reply': {
      const recordIds = message === null ? await recordIdsByAddress(deps, c.from) : [];
      const stored = await recordOnly(deps, 'email_auto_reply', dedupe, message, recordIds, data);
      return { kind: c.kind, reason: c.reason, matched: matchOf(message, recordIds), signals: stored };
    }
    case 'unknown':
      return { kind: c.kind, reason: c.reason, matched: message === null ? 'none' : 'message', signals: 0 };
    default:
      c satisfies never;
      throw new Error('unhandled inbound kind');
  }
}

function matchOf(message: OutboxMessage | null, recordIds: readonly string[]): InboundResult['matched'] {
  if (message !== null) return 'message';
  return recordIds.length > 0 ? 'sender' : 'none';
}
