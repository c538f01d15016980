// The "Your account" page's rules, apart from React: the server's problems put beside the fields they name,
// the body of PUT /api/users/me/mailbox (the admin's mailbox form, without an owner to choose), what the
// page says about which mailbox sends, and how an API token reads in its list.
import { ApiError } from '../api/api-error.js';
import type { ApiToken, Mailbox, MyMailboxInput, User } from '../api/types.js';
import {
  formFromMailbox,
  type MailboxForm,
  type MailboxFormErrors,
  mailboxBody,
  NEW_MAILBOX,
} from '../settings/mailbox-form.js';
import type { TimeOffProblem } from '../settings/time-off.js';

/**
 * A problem+json answer's problems, each beside the field its JSON path names (its first token), and the
 * others apart, for the form's general alert. A message the server words as a predicate ("must match
 * format …") reads as a sentence.
 */
export function problemsByField<F extends string>(
  error: unknown,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; rest: string[] } {
  const byField: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  if (!(error instanceof ApiError)) return { byField, rest };
  for (const problem of error.errors) {
    const text = sentence(problem.message);
    const field = fieldOfPath(problem.path, fields);
    if (field === undefined) rest.push(text);
    else byField[field] = byField[field] === undefined ? text : `${byField[field]} ${text}`;
  }
  return { byField, rest };
}

function fieldOfPath<F extends string>(path: string | undefined, fields: readonly F[]): F | undefined {
  const token = path?.split('/')[1];
  if (token === undefined) return undefined;
  const name = token.replaceAll('~1', '/').replaceAll('~0', '~');
  return (fields as readonly string[]).includes(name) ? (name as F) : undefined;
}

function sentence(message: string): string {
  const trimmed = message.trim();
  if (trimmed === '') return trimmed;
  const capital = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** The server's problems with time-off periods (`/timeOff/<index>`), for the time-off editor's rows. */
export function timeOffProblemsOf(error: unknown): TimeOffProblem[] {
  if (!(error instanceof ApiError)) return [];
  return error.errors.flatMap((problem) => {
    const match = /^\/timeOff\/(\d+)/.exec(problem.path ?? '');
    return match === null ? [] : [{ index: Number(match[1]), message: sentence(problem.message) }];
  });
}

/** A new mailbox of the user's own, named after them and sending from their address. */
export function newMyMailboxForm(user: Pick<User, 'name' | 'email'>): MailboxForm {
  return {
    ...NEW_MAILBOX,
    name: `${user.name}’s mailbox`,
    fromName: user.name,
    fromAddress: user.email,
  };
}

/**
 * Whether the user's own mailbox must send from their own address: the server refuses any other from
 * everyone but administrators (PUT /api/users/me/mailbox), who may set any in Settings as well.
 */
export function sendsAsSelf(user: Pick<User, 'role'>): boolean {
  return user.role !== 'admin';
}

/**
 * The Your mailbox form: the stored mailbox, or a new one; for a user who sends as themselves, always
 * from their own address (one set otherwise before that rule, or by an administrator, is replaced on save).
 */
export function myMailboxForm(
  user: Pick<User, 'name' | 'email' | 'role'>,
  mailbox: Mailbox | null,
): MailboxForm {
  const form = mailbox === null ? newMyMailboxForm(user) : formFromMailbox(mailbox);
  return sendsAsSelf(user) ? { ...form, fromAddress: user.email } : form;
}

/**
 * PUT /api/users/me/mailbox's body: every setting, as PUT replaces them (limits left out would go back to
 * their defaults). The password goes only when typed (left out keeps the stored one); the IMAP URL only when
 * typed, or null to stop reading replies.
 */
export function myMailboxBody(
  form: MailboxForm,
  existing: Mailbox | null,
): { ok: true; body: MyMailboxInput } | { ok: false; errors: MailboxFormErrors } {
  const answer = mailboxBody({ ...form, userId: '' });
  if (!answer.ok) return answer;
  const { userId: _owner, password: _password, imapUrl: _imap, ...settings } = answer.body;
  const body: MyMailboxInput = { ...settings };
  if (form.password !== '') body.password = form.password;
  const imapUrl = form.imapUrl.trim();
  if (imapUrl !== '') body.imapUrl = imapUrl;
  else if (form.clearImap && existing?.imap) body.imapUrl = null;
  return { ok: true, body };
}

/** What the page says about who sends the user's emails. */
export function mailboxSummary(mailbox: 'own' | 'default' | 'none' | undefined): string {
  switch (mailbox) {
    case 'own':
      return 'Your emails go out through your own mailbox below.';
    case 'default':
      return 'You have no mailbox of your own: the installation’s default mailbox sends your emails. Add yours to send from your own address.';
    case 'none':
      return 'No mailbox sends your emails yet: they wait in the outbox until you add yours here or an administrator sets up a default one.';
    default:
      return 'Your own sending mailbox, used for your emails instead of the installation’s default.';
  }
}

/** Active tokens first (newest first), then revoked ones (most recently revoked first). */
export function sortTokens(tokens: readonly ApiToken[]): ApiToken[] {
  const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso) || 0);
  return [...tokens].sort((a, b) => {
    if ((a.revokedAt === null) !== (b.revokedAt === null)) return a.revokedAt === null ? -1 : 1;
    if (a.revokedAt !== null && b.revokedAt !== null) return time(b.revokedAt) - time(a.revokedAt);
    return time(b.createdAt) - time(a.createdAt);
  });
}

/** "Created 3 Nov 2026 · last used 5 Nov 2026" or "· never used", "· revoked …" for a revoked one. */
export function describeToken(token: ApiToken, formatDate: (iso: string) => string): string {
  const parts = [`Created ${formatDate(token.createdAt)}`];
  parts.push(token.lastUsedAt === null ? 'never used' : `last used ${formatDate(token.lastUsedAt)}`);
  if (token.revokedAt !== null) parts.push(`revoked ${formatDate(token.revokedAt)}`);
  return parts.join(' · ');
}

/** The server's shortest password (src/api/auth/password.ts). */
export const MIN_PASSWORD_LENGTH = 10;

/** What is wrong with a password change before it is sent, by field. */
export function passwordProblems(
  current: string,
  next: string,
  again: string,
): Partial<Record<'current' | 'next' | 'again', string>> {
  const problems: Partial<Record<'current' | 'next' | 'again', string>> = {};
  if (current === '') problems.current = 'Type your current password.';
  if (next.length < MIN_PASSWORD_LENGTH) problems.next = `At least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (again !== next) problems.again = 'The two new passwords differ.';
  return problems;
}
