// The mailbox form's model: what the admin types, checked, and turned into the POST/PATCH body of
// /api/mailboxes. The password is write-only: sent only when typed, never read back (`hasPassword`).
import type { Mailbox, MailboxInput } from '../api/types.js';

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
  };
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
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const full: Required<Omit<MailboxInput, 'password'>> = {
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
  return { ok: true, body };
}

/** The port's usual TLS mode: 465 is implicit TLS, the others STARTTLS or none. */
export function secureForPort(port: string): boolean | undefined {
  if (port === '465') return true;
  if (port === '587' || port === '25' || port === '2525') return false;
  return undefined;
}
