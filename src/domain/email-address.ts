// How Stepwise compares email addresses when it looks one up (sign-in, a reply's sender, an
// unsubscribe): ASCII letters folded, every other character kept, as `lower(email)` does in SQL on both
// stores (SQLite's lower() folds only ASCII; PostgreSQL's emails are `COLLATE "C"`, whose lower() does
// the same). Folding more on one side than the other is what made `Ölaf@example.com` unable to sign in
// on PostgreSQL, `Émile@…` match `émile@…`'s account there, and a reply from `Ärla@…` match no record.

/** The lookup key of an address: trimmed, ASCII letters in lower case. */
export function emailKey(email: string): string {
  return email.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

// One "@" with something before it and a dotted domain after it, no spaces: what a mail server can be given
// as RCPT TO. Not RFC 5322 in full (quoted local parts, IP literals): a record's address is a person's.
const ADDRESS = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Whether `email` can be a recipient's address (a blank one is none, and is not checked here). */
export function isEmailAddress(email: string): boolean {
  return email.length <= 320 && ADDRESS.test(email.trim());
}

/** A record's address as stored: without the spaces around it (a reply's sender is looked up by it), and a blank one as none. */
export function storedEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
