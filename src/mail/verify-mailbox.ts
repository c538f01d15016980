// "Test this mailbox" for administrators: connects to the SMTP server and logs in (nodemailer's
// verify()), sends nothing. The answer names the server's complaint, never the password.
import nodemailer from 'nodemailer';
import type { MailboxAccount } from '../engine/ports/mailer.js';
import { decryptMailboxPassword } from './mailbox-password.js';

export interface MailboxCheck {
  ok: boolean;
  error?: string;
}

export async function verifyMailbox(
  account: MailboxAccount,
  secret: string,
  timeoutMs = 15_000,
): Promise<MailboxCheck> {
  const password =
    account.password === null
      ? null
      : 'plain' in account.password
        ? account.password.plain
        : decryptMailboxPassword(secret, account.password.encrypted);
  const transport = nodemailer.createTransport({
    host: account.host,
    port: account.port,
    secure: account.secure,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(account.username === null ? {} : { auth: { user: account.username, pass: password ?? '' } }),
  });
  try {
    await transport.verify();
    return { ok: true };
  } catch (error) {
    const e = error as { response?: string; message?: string; code?: string };
    const text = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim().slice(0, 500);
    return { ok: false, error: e.code === undefined ? text : `${e.code}: ${text}` };
  } finally {
    transport.close();
  }
}
