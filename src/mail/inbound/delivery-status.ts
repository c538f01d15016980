// Parsing the `message/delivery-status` body of an RFC 3464 delivery status notification: one block
// of per-message fields, then one block per recipient, each block header-like (RFC 5322 folding).

export interface RecipientStatus {
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded` (RFC 3464 §2.3.3), lowercased. */
  action: string;
  recipient?: string;
  /** Enhanced status code `class.subject.detail` (RFC 3463), e.g. `5.1.1`. */
  status?: string;
  diagnostic?: string;
}

export interface DeliveryStatus {
  /** Gmail names the bounced message here. */
  originalMessageId?: string;
  recipients: RecipientStatus[];
}

type Fields = Map<string, string>;

function parseBlock(block: string): Fields {
  const fields: Fields = new Map();
  let last: string | undefined;
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    // A repeated field keeps its first value: the RFC allows one of each per block.
    if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
  }
  return fields;
}

/** `rfc822; user@example.com` → `user@example.com` (the address type is not needed). */
function withoutType(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(semicolon + 1)).trim();
}

const ENHANCED_STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

export function parseDeliveryStatus(body: string): DeliveryStatus {
  const blocks = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(parseBlock)
    .filter((fields) => fields.size > 0);
  const perMessage = blocks.find((fields) => !fields.has('action') && !fields.has('final-recipient'));
  const recipients = blocks
    .filter((fields) => fields.has('action') || fields.has('final-recipient'))
    .map((fields): RecipientStatus => {
      const recipient = withoutType(fields.get('final-recipient') ?? fields.get('original-recipient') ?? '');
      const status = ENHANCED_STATUS.exec(fields.get('status') ?? '')?.[0];
      const diagnostic = fields.get('diagnostic-code');
      return {
        action: (fields.get('action') ?? '').toLowerCase().split(/[\s(]/)[0] ?? '',
        ...(recipient ? { recipient } : {}),
        ...(status ? { status } : {}),
        ...(diagnostic ? { diagnostic: withoutType(diagnostic).replace(/\s+/g, ' ') } : {}),
      };
    });
  const originalMessageId = /<[^<>\s]+>/.exec(perMessage?.get('x-original-message-id') ?? '')?.[0];
  return { ...(originalMessageId ? { originalMessageId } : {}), recipients };
}
