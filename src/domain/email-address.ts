// How Stepwise compares email addresses when it looks one up (sign-in, a reply's sender, an
// unsubscribe): ASCII letters folded, every other character kept, as `lower(email)` does in SQL on both
// stores (SQLite's lower() folds only ASCII; PostgreSQL's emails are `COLLATE "C"`, whose lower() does
// the same). Folding more on one side than the other is what made `Ölaf@example.com` unable to sign in
// on PostgreSQL, `Émile@…` match `émile@…`'s account there, and a reply from `Ärla@…` match no record.

/** The lookup key of an address: trimmed, ASCII letters in lower case. */
export function emailKey(email: string): string {
  return email.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
