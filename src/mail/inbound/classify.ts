// The one classifier for inbound mail, whichever way it arrived (HTTP, SMTP listener, IMAP poll):
// a raw RFC 5322 message in, what it means for a sequence out.
import { type ParsedMail, simpleParser } from 'mailparser';
import { outboxKeyHashesFromHeaders } from '../message-id.js';
import { autoReplyReason } from './auto-reply.js';
import { type BounceDetails, detectBounce } from './bounce.js';
import { messageIdsIn, senderOf } from './parsed-headers.js';
import { replyTextWithoutQuote } from './reply-text.js';

export type InboundKind = 'reply' | 'auto_reply' | 'bounce' | 'unknown';

interface InboundFacts {
  /** Why this kind: the header, subject or report that decided it (for logs and support). */
  reason: string;
  messageId?: string;
  /** Sender address, lowercased. */
  from?: string;
  fromName?: string;
  subject?: string;
  /** The `Date` header, epoch milliseconds. */
  date?: number;
  /** Message-IDs from `In-Reply-To`. */
  inReplyTo: string[];
  /** Message-IDs from `References`, in header order (oldest first). */
  references: string[];
  /**
   * Our outbox rows this message concerns, most relevant first (see message-id.ts): the bounced
   * message of a bounce, then the threading headers. Empty: fall back to the sender address.
   */
  outboxKeyHashes: string[];
}

export type InboundClassification =
  | (InboundFacts & { kind: 'reply' /** The new text, quoted history removed. */; replyText: string })
  | (InboundFacts & { kind: 'auto_reply' })
  | (InboundFacts & { kind: 'bounce'; bounce: BounceDetails })
  | (InboundFacts & { kind: 'unknown' });

/** Mail software and notification senders: they do not write replies. */
const MACHINE_SENDER =
  /^(?:no-?reply|do-?not-?reply|donotreply|notifications?|mailer-daemon|postmaster|bounces?)(?:[+.-][^@]*)?@/i;

/** "Re:" and its translations and variants (`RE[2]:`, `AW:`, `SV:`, `Antw:`, `RV:`, `Réf. :`). */
const REPLY_SUBJECT =
  /^\s*(?:re|aw|sv|vs|antw|antwort|rv|res|r|ref|réf|odp|ynt|atb)\s*(?:\[\d+\]|\(\d+\))?\.?\s*:/i;

// Skip work the classifier never looks at: link rewriting, image inlining, attachment hashes.
const PARSER_OPTIONS = {
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  keepCidLinks: true,
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: false,
} as const;

function factsOf(mail: ParsedMail, reason: string, bouncedMessageId?: string): InboundFacts {
  const sender = senderOf(mail);
  const inReplyTo = messageIdsIn(mail.inReplyTo);
  const references = messageIdsIn(mail.references);
  const date = mail.headers.has('date') ? mail.date?.getTime() : undefined;
  const hashes = outboxKeyHashesFromHeaders({
    inReplyTo: [bouncedMessageId ?? '', ...inReplyTo].join(' '),
    references,
  });
  return {
    reason,
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    ...(sender.address ? { from: sender.address } : {}),
    ...(sender.name ? { fromName: sender.name } : {}),
    ...(mail.subject !== undefined ? { subject: mail.subject } : {}),
    ...(date !== undefined && Number.isFinite(date) ? { date } : {}),
    inReplyTo,
    references,
    outboxKeyHashes: hashes,
  };
}

/** Needs `keepDeliveryStatus` and `ignoreEmbedded` (PARSER_OPTIONS): the DSN and the returned message as attachments. */
function classifyParsed(mail: ParsedMail): InboundClassification {
  // Bounces first: DSNs carry Auto-Submitted too, and must not end up as mere auto-replies.
  const bounce = detectBounce(mail);
  switch (bounce.kind) {
    case 'bounce':
      return {
        kind: 'bounce',
        bounce: bounce.bounce,
        ...factsOf(
          mail,
          bounce.bounce.action === undefined ? 'bounce text' : `delivery status: ${bounce.bounce.action}`,
          bounce.bounce.originalMessageId,
        ),
      };
    case 'delivered':
      return { kind: 'unknown', ...factsOf(mail, 'delivery status: delivered') };
    case 'none':
      break;
    default: {
      const unhandled: never = bounce;
      throw new Error(`unhandled bounce verdict ${JSON.stringify(unhandled)}`);
    }
  }

  const autoReason = autoReplyReason(mail);
  if (autoReason !== null) return { kind: 'auto_reply', ...factsOf(mail, autoReason) };

  const facts = factsOf(mail, '');
  const machine = MACHINE_SENDER.test(facts.from ?? '');
  const threaded = facts.inReplyTo.length > 0 || facts.references.length > 0;
  const reSubject = REPLY_SUBJECT.test(mail.subject ?? '');
  if (!machine && (threaded || reSubject)) {
    return {
      kind: 'reply',
      ...facts,
      reason: threaded ? 'threading headers' : 'reply subject',
      replyText: replyTextWithoutQuote(mail.text ?? ''),
    };
  }
  return { kind: 'unknown', ...facts, reason: machine ? 'machine sender' : 'not a reply' };
}

/**
 * Parses and classifies one raw message. Throws only if the input is not a message at all;
 * callers limit the size of what they accept before calling.
 */
export async function classifyInbound(raw: Buffer | string): Promise<InboundClassification> {
  const mail = await simpleParser(raw, PARSER_OPTIONS);
  return classifyParsed(mail);
}
