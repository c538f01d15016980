// The mailbox form's model: what the admin types, checked, and turned into the POST/PATCH body of
// /api/mailboxes. The password is write-only: sent only when typed, never read back (`hasPassword`). So
// is the IMAP URL replies are read from (it carries a password): the mailbox shows only its parts (`imap`).
import type { Mailbox, MailboxImap, MailboxInput } from '../api/types.js';

export interface MailboxForm {
  name: string;
  /** '' is the installation's shared mailbox. */
  userId: string;
  host: string;
  port: string;
  secure: boolean;
  username: string;
  password: string;
  fromAddress: string;
  fromName: string;
  dailyCap: string;
  minSpacingSeconds: string;
  /** A new IMAP URL; '' keeps the stored one (a new mailbox: none). */
  imapUrl: string;
  /** Stop reading replies from the stored IMAP URL. */
  clearImap: boolean;
}

export type MailboxFormErrors = Partial<Record<keyof MailboxForm, string>>;

/** Issue #4's defaults: 400 a day over a rolling 24 hours, 20 s between messages. */
export const NEW_MAILBOX: MailboxForm = {
  name: '',
  userId: '',
  host: '',
  port: '587',
  secure: false,
  username: '',
  password: '',
  fromAddress: '',
  fromName: '',
  dailyCap: '400',
  minSpacingSeconds: '20',
  imapUrl: '',
  clearImap: false,
};

export function formFromMailbox(mailbox: Mailbox): MailboxForm {
  return {
    name: mailbox.name,
    userId: mailbox.userId ?? '',
    host: mailbox.host,
    port: String(mailbox.port),
    secure: mailbox.secure,
    username: mailbox.username ?? '',
    password: '',
    fromAddress: mailbox.fromAddress,
    fromName: mailbox.fromName ?? '',
    dailyCap: String(mailbox.dailyCap),
    minSpacingSeconds: String(mailbox.minSpacingSeconds),
    imapUrl: '',
    clearImap: false,
  };
}

/** `host:port/folder (user)`: what the settings show of a stored IMAP URL (the API gives no password). */
export function imapLabel(imap: MailboxImap): string {
  // The user apart: it is often an address itself, and `a@b.com@imap.b.com` reads badly.
  return `${imap.host}:${imap.port}/${imap.mailbox} (${imap.username})`;
}

/** The server checks the URL too; this says what is wrong before the round trip. */
function imapUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter a URL like imaps://user:password@imap.example.com/INBOX.';
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:')
    return 'An IMAP URL starts with imaps:// or imap://.';
  if (url.hostname === '') return 'The URL needs the IMAP server’s host name.';
  if (url.username === '') return 'The URL needs the user name to log in with (user:password@host).';
  return undefined;
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

/**
 * The request body, or the problems per field. `existing` is the mailbox being edited: then only changed
 * fields are sent, and an empty password keeps the stored one.
 */
export function mailboxBody(
  form: MailboxForm,
  existing?: Mailbox,
): { ok: true; body: MailboxInput } | { ok: false; errors: MailboxFormErrors } {
  const errors: MailboxFormErrors = {};
  if (form.name.trim() === '') errors.name = 'Give the mailbox a name.';
  if (form.host.trim() === '' || /\s/.test(form.host.trim()))
    errors.host = 'Enter the SMTP server’s host name.';
  const port = wholeNumber(form.port, 1, 65535);
  if (port === undefined) errors.port = 'A port is a number from 1 to 65535.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.fromAddress.trim()))
    errors.fromAddress = 'Enter the address emails are sent from.';
  const dailyCap = wholeNumber(form.dailyCap, 1, 1_000_000);
  if (dailyCap === undefined) errors.dailyCap = 'A whole number of emails, at least 1.';
  const spacing = wholeNumber(form.minSpacingSeconds, 0, 86_400);
  if (spacing === undefined) errors.minSpacingSeconds = 'Seconds from 0 to 86400.';
  if (form.password !== '' && form.username.trim() === '') errors.username = 'A password needs a user name.';
  const imapUrl = form.imapUrl.trim();
  const imapProblem = imapUrl === '' ? undefined : imapUrlProblem(imapUrl);
  if (imapProblem !== undefined) errors.imapUrl = imapProblem;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const full: Required<Omit<MailboxInput, 'password' | 'imapUrl'>> = {
    name: form.name.trim(),
    userId: form.userId === '' ? null : form.userId,
    host: form.host.trim(),
    port: port as number,
    secure: form.secure,
    username: form.username.trim() === '' ? null : form.username.trim(),
    fromAddress: form.fromAddress.trim(),
    fromName: form.fromName.trim() === '' ? null : form.fromName.trim(),
    dailyCap: dailyCap as number,
    minSpacingSeconds: spacing as number,
  };
  const body: MailboxInput = {};
  for (const key of Object.keys(full) as (keyof typeof full)[]) {
    if (existing === undefined || full[key] !== (existing[key] ?? null))
      Object.assign(body, { [key]: full[key] });
  }
  // A new mailbox states "no password" explicitly (the API requires the field); an edit leaves it alone.
  if (form.password !== '') body.password = form.password;
  else if (existing === undefined) body.password = null;
  // Absent keeps the stored IMAP URL (a new mailbox then has none).
  if (imapUrl !== '') body.imapUrl = imapUrl;
  else if (form.clearImap && existing !== undefined && existing.imap !== null) body.imapUrl = null;
  return { ok: true, body };
}

/** The port's usual TLS mode: 465 is implicit TLS, the others STARTTLS or none. */
export function secureForPort(port: string): boolean | undefined {
  if (port === '465') return true;
  if (port === '587' || port === '25' || port === '2525') return false;
  return undefined;
}
