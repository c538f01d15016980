// Whether raw bytes are an email message at all, before they are classified. mailparser reads
// anything (binary, a line of prose) as a message without headers, which would then pass for
// "not a reply"; POST /api/inbound-email refuses such bodies with 400 instead.

/** A header field line: a name of printable US-ASCII without `:` (RFC 5322 ftext), then `:`. */
const FIELD = /^[!-9;-~]+[ \t]*:/;
/** An mbox separator (`From sender date`), which some mail pipes put before the headers. */
const MBOX_FROM = /^From /;
/** The originator fields of which RFC 5322 requires `From` and `Date`; one of them is enough here. */
const ORIGINATOR = /^(?:from|date|message-id)[ \t]*:/i;
/** Header blocks are a few KB; one this long without an empty line is not one. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Why `raw` is not an RFC 5322 message, or null when it is one. The rule: the header block (the
 * lines before the first empty line, or every line when there is none; a leading mbox `From ` line
 * is skipped) starts with a header field `Name: value` and holds a `From`, `Date` or `Message-ID`
 * field. Other lines in it (folded continuations, or a broken mailer's stray line) are let through, as
 * mailparser reads them. A minimal message (`From`,
 * `Subject`, a body), DSN bounces and auto-replies pass; binary data or prose without headers do not.
 */
export function notAMessageReason(raw: Buffer | string): string | null {
  const text =
    typeof raw === 'string'
      ? raw.slice(0, MAX_HEADER_BYTES)
      : raw.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const lines = text.split(/\r?\n/);
  let index = lines[0] !== undefined && MBOX_FROM.test(lines[0]) ? 1 : 0;
  const first = lines[index];
  if (first === undefined || !FIELD.test(first))
    return 'It does not start with a header field (`Name: value`).';
  let originator = false;
  for (; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') break;
    if (FIELD.test(line)) originator ||= ORIGINATOR.test(line);
  }
  return originator ? null : 'Its headers hold no From, Date or Message-ID field.';
}
