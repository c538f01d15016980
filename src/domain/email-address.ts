// How Stepwise compares email addresses when it looks one up (sign-in, a reply's sender, an
// unsubscribe): ASCII letters folded, every other character kept, as `lower(email)` does in SQL on both
// stores (SQLite's lower() folds only ASCII; PostgreSQL's emails are `COLLATE "C"`, whose lower() does
// the same). Folding more on one side than the other is what made `Ölaf@example.com` unable to sign in
// on PostgreSQL, `Émile@…` match `émile@…`'s account there, and a reply from `Ärla@…` match no record.

/** The lookup key of an address: trimmed, ASCII letters in lower case. */
export function emailKey(email: string): string {
  return email.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

// What mail servers take at RCPT TO (RFC 5321 with SMTPUTF8, RFC 6531): a dot-atom local part (letters,
// digits and !#$%&'*+-/=?^_`{|}~, dots neither first, last nor doubled) and a dotted domain of letters,
// digits and hyphens (none first or last in a label), non-ASCII letters allowed in both. Not the rest of
// RFC 5322: a quoted local part ("<svg/onload=…>"@x.co) or an IP literal is valid there, but servers refuse
// it (501) and a record's address is a person's mailbox.
const ATOM = "[\\p{L}\\p{M}\\p{N}!#$%&'*+\\-/=?^_`{|}~]+";
const LABEL = '[\\p{L}\\p{M}\\p{N}](?:[\\p{L}\\p{M}\\p{N}-]{0,61}[\\p{L}\\p{M}\\p{N}])?';
const ADDRESS = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');
/** RFC 5321's limits: 64 octets before the "@", 255 after it. */
const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 255;

/** Whether `email` can be a recipient's address (a blank one is none, and is not checked here). */
export function isEmailAddress(email: string): boolean {
  const address = email.trim();
  if (address.length > 320 || !ADDRESS.test(address)) return false;
  const at = address.lastIndexOf('@');
  return (
    utf8Length(address.slice(0, at)) <= MAX_LOCAL_OCTETS &&
    utf8Length(address.slice(at + 1)) <= MAX_DOMAIN_OCTETS
  );
}

function utf8Length(text: string): number {
  let octets = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    octets += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return octets;
}

/** A record's address as stored: without the spaces around it (a reply's sender is looked up by it), and a blank one as none. */
export function storedEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
