// Recognising bounces: RFC 3464 delivery status notifications first, then the plain-text formats
// that qmail, older Exim, Yahoo and old Exchange still send. Hard (5.x.x) bounces suppress the
// address for good, so when the evidence is thin we say soft.
import type { Attachment, ParsedMail } from 'mailparser';
import { type DeliveryStatus, parseDeliveryStatus, type RecipientStatus } from './delivery-status.js';
import { contentTypeOf, firstHeader, messageIdsIn, senderOf } from './parsed-headers.js';

export interface BounceDetails {
  /** Permanent failure (status class 5): the address should not be mailed again. */
  hard: boolean;
  /** `failed` or `delayed` from a DSN; absent for a plain-text bounce. */
  action?: string;
  /** Enhanced status code (RFC 3463), e.g. `5.1.1`, when the bounce names one. */
  status?: string;
  recipient?: string;
  /** The Message-ID of the message that bounced, angle brackets kept. */
  originalMessageId?: string;
  diagnostic?: string;
}

/** A bounce; a delivery report that says everything arrived; or neither. */
export type BounceVerdict =
  | { kind: 'bounce'; bounce: BounceDetails }
  | { kind: 'delivered' }
  | { kind: 'none' };

const DAEMON_SENDER =
  /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|mdaemon)@|^(?:double-)?bounces?@/i;
const DAEMON_NAME = /^mail (?:delivery )?(?:system|subsystem)$|^mail administrator$/i;

const BOUNCE_SUBJECT =
  /^(?:undeliverable|undelivered mail|mail delivery failed|delivery status notification|failure notice|returned mail|delivery failure|delivery (?:has )?failed|mail system error|non[- ]?delivery|delivery delayed|delayed mail|warning: message .* delayed|message delivery failure|unzustellbar|non remis|no se puede entregar)/i;

/** Sentences only delivery software writes; enough on their own. */
const BOUNCE_BODY =
  /This is the qmail-send program|This message was created automatically by mail delivery software|I'm afraid I wasn't able to deliver your message|This is the mail system at host|Delivery to the following recipients? (?:failed|has been delayed)|Your message (?:did not reach|couldn't be delivered|wasn't delivered)|Delivery has failed to these recipients|Delivery is delayed to these recipients|The following addresses had permanent fatal errors|Sorry, we were unable to deliver your message/i;

/** Where the copy of the original message starts in a plain-text bounce. */
const COPY_MARKER =
  /^(?:--- Below this line is a copy of the message\.|-+ This is a copy of the message|-+ Original message -+|-+ The header of the original message is following\. -+)/im;

// Status in order of reliability: the SMTP reply with its enhanced code, qmail's `(#5.1.1)`, a bare
// enhanced code, a bare SMTP reply code. Lookarounds keep IP addresses and version numbers out.
const SMTP_WITH_ENHANCED = /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
const QMAIL_STATUS = /\(#([245]\.\d{1,3}\.\d{1,3})\)/;
const BARE_ENHANCED = /(?<![\w.])([245]\.\d{1,3}\.\d{1,3})(?![\w.])/;
const BARE_SMTP = /(?:^|[\s(:])([45][0-5]\d)(?=[\s:-])/m;

const PERMANENT_TEXT =
  /permanent(?:ly)? (?:error|failure|fatal)|failed permanently|fatal errors|user unknown|no such user|unknown user|does not exist|doesn't have an? \S+ account|no mailbox here|address not found|recipient not found|couldn't be found|mailbox unavailable/i;
const TEMPORARY_TEXT =
  /temporar(?:y|ily)|not (?:been )?delivered yet|not yet been delivered|still being retried|will (?:be )?retr(?:y|ied)|delivery will continue|delivery attempts will continue|deferred|delayed/i;

function statusIn(text: string): string | undefined {
  for (const pattern of [SMTP_WITH_ENHANCED, QMAIL_STATUS, BARE_ENHANCED]) {
    const found = pattern.exec(text)?.[1];
    if (found) return found;
  }
  return undefined;
}

/** `5` or `4` from a bare SMTP reply code (Yahoo's `554: delivery error`), when there is no enhanced code. */
function smtpClassIn(text: string): string | undefined {
  return BARE_SMTP.exec(text)?.[1]?.[0];
}

function attachmentText(attachment: Attachment): string {
  return attachment.content.toString('utf8');
}

function attachmentsOf(mail: ParsedMail, ...types: string[]): Attachment[] {
  return mail.attachments.filter((attachment) => types.includes(attachment.contentType.toLowerCase()));
}

/** The Message-ID in a header block: the returned message, or a bounce body quoting it. */
function messageIdInHeaders(text: string): string | undefined {
  return /^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/im.exec(text)?.[1];
}

function originalMessageIdOf(
  mail: ParsedMail,
  dsn: DeliveryStatus | undefined,
  notification: string,
): string | undefined {
  for (const attachment of attachmentsOf(
    mail,
    'message/rfc822',
    'text/rfc822-headers',
    'message/global',
    'message/global-headers',
  )) {
    const text = attachmentText(attachment);
    const headerBlock = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
    const found = messageIdInHeaders(headerBlock);
    if (found) return found;
  }
  if (dsn?.originalMessageId) return dsn.originalMessageId;
  const copy = COPY_MARKER.exec(notification);
  const quoted = copy === null ? undefined : messageIdInHeaders(notification.slice(copy.index));
  if (quoted) return quoted;
  // Gmail and Exchange also thread the bounce to the message that bounced.
  return messageIdsIn(mail.inReplyTo)[0] ?? messageIdsIn(mail.references).at(-1);
}

/** `status` is an enhanced status code or just its class digit. */
function isPermanent(status: string | undefined, action: string | undefined, text: string): boolean {
  // X.2.2, mailbox full: the address is good and will take mail again once emptied, so mail providers
  // treat it as soft even when reported with a 5 (as Amazon SES's "MailboxFull"): not suppressed for good.
  if (status?.endsWith('.2.2')) return false;
  if (status?.startsWith('5')) return true;
  if (status?.startsWith('4') || status?.startsWith('2')) return false;
  if (action === 'failed') return true;
  if (action === 'delayed') return false;
  return PERMANENT_TEXT.test(text) && !TEMPORARY_TEXT.test(text);
}

/** Exim reports `Status: 5.0.0` and puts the precise code in the diagnostic; prefer the precise one. */
function preciseStatus(recipient: RecipientStatus): string | undefined {
  const fromDiagnostic = recipient.diagnostic === undefined ? undefined : statusIn(recipient.diagnostic);
  if (recipient.status === undefined) return fromDiagnostic;
  const sameClass = fromDiagnostic?.[0] === recipient.status[0];
  return recipient.status.endsWith('.0.0') && sameClass && !fromDiagnostic?.endsWith('.0.0')
    ? fromDiagnostic
    : recipient.status;
}

function fromDeliveryStatus(mail: ParsedMail, dsn: DeliveryStatus, notification: string): BounceVerdict {
  const failed = dsn.recipients.find((recipient) => recipient.action === 'failed');
  const delayed = dsn.recipients.find((recipient) => recipient.action === 'delayed');
  const chosen = failed ?? delayed;
  if (chosen === undefined) {
    // Only delivered/relayed/expanded recipients: a success report (RFC 3461 NOTIFY=SUCCESS).
    if (dsn.recipients.length > 0) return { kind: 'delivered' };
    return fromNotificationText(mail, notification, dsn);
  }
  const status = preciseStatus(chosen) ?? statusIn(notification);
  const originalMessageId = originalMessageIdOf(mail, dsn, notification);
  return {
    kind: 'bounce',
    bounce: {
      hard: isPermanent(status, chosen.action, notification),
      action: chosen.action,
      ...(status ? { status } : {}),
      ...(chosen.recipient ? { recipient: chosen.recipient } : {}),
      ...(originalMessageId ? { originalMessageId } : {}),
      ...(chosen.diagnostic ? { diagnostic: chosen.diagnostic } : {}),
    },
  };
}

/** `<user@example.com>:` (qmail, Postfix) or an indented address line (Exim) in the notification. */
function recipientIn(mail: ParsedMail, notification: string): string | undefined {
  const failedHeader = firstHeader(mail, 'x-failed-recipients')?.split(',')[0]?.trim();
  if (failedHeader) return failedHeader;
  const angled = /^<([^<>\s@]+@[^<>\s]+)>:?/m.exec(notification)?.[1];
  if (angled) return angled;
  return /(?:delivered to|deliver your message to|message to|^ {2,})\s*<?([^\s<>@()]+@[\w.-]+\w)>?/m.exec(
    notification,
  )?.[1];
}

function diagnosticIn(notification: string): string | undefined {
  const line = /^.*\b[45]\d\d[ :-].*$/m.exec(notification)?.[0];
  return line?.trim().replace(/\s+/g, ' ');
}

function fromNotificationText(mail: ParsedMail, notification: string, dsn?: DeliveryStatus): BounceVerdict {
  const copy = COPY_MARKER.exec(notification);
  // Only the notification, not the copy of our own message, says why delivery failed.
  const report = copy === null ? notification : notification.slice(0, copy.index);
  const status = statusIn(report);
  const severity = status ?? smtpClassIn(report);
  const recipient = recipientIn(mail, report);
  const originalMessageId = originalMessageIdOf(mail, dsn, notification);
  const diagnostic = diagnosticIn(report);
  const subjectSaysFailed =
    /^(?:undeliverable|undelivered|mail delivery failed|failure notice|returned mail|delivery (?:status notification \(failure\)|failure|has failed))/i.test(
      mail.subject ?? '',
    );
  const hard =
    severity !== undefined || PERMANENT_TEXT.test(report) || TEMPORARY_TEXT.test(report)
      ? isPermanent(severity, undefined, report)
      : subjectSaysFailed;
  return {
    kind: 'bounce',
    bounce: {
      hard,
      ...(status ? { status } : {}),
      ...(recipient ? { recipient } : {}),
      ...(originalMessageId ? { originalMessageId } : {}),
      ...(diagnostic ? { diagnostic } : {}),
    },
  };
}

function looksLikePlainBounce(mail: ParsedMail, notification: string): boolean {
  const sender = senderOf(mail);
  const fromDaemon = DAEMON_SENDER.test(sender.address ?? '') || DAEMON_NAME.test(sender.name ?? '');
  // Bounces travel with the null reverse-path (RFC 5321 §4.5.5), which the final server records.
  const nullSender = mail.headerLines.some(
    (header) => header.key === 'return-path' && /:\s*<?\s*(?:MAILER-DAEMON)?\s*>?\s*$/i.test(header.line),
  );
  const subject = BOUNCE_SUBJECT.test(mail.subject ?? '');
  if (BOUNCE_BODY.test(notification)) return fromDaemon || nullSender || subject;
  return subject && (fromDaemon || nullSender);
}

export function detectBounce(mail: ParsedMail): BounceVerdict {
  const notification = mail.text ?? '';
  const { type, reportType } = contentTypeOf(mail);
  if (
    type === 'multipart/report' &&
    (reportType === 'delivery-status' || reportType === 'global-delivery-status')
  ) {
    const part = attachmentsOf(mail, 'message/delivery-status', 'message/global-delivery-status')[0];
    const dsn = parseDeliveryStatus(part === undefined ? '' : attachmentText(part));
    return fromDeliveryStatus(mail, dsn, notification);
  }
  return looksLikePlainBounce(mail, notification)
    ? fromNotificationText(mail, notification)
    : { kind: 'none' };
}
