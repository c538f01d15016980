// "Test this mailbox" for administrators: connects to the SMTP server and logs in (nodemailer's
// verify()), sends nothing. The answer names the server's complaint, never the password. The host is
// resolved and checked by the outbound rules first, and the connection goes to the checked address.
import nodemailer from 'nodemailer';
import { OutboundPolicy } from '../engine/outbound-hosts.js';
import type { MailboxAccount } from '../engine/ports/mailer.js';
import { decryptMailboxPassword } from './mailbox-password.js';
import { smtpTarget } from './smtp-mailer.js';

export interface MailboxCheck {
  ok: boolean;
  error?: string;
}

export async function verifyMailbox(
  account: MailboxAccount,
  secret: string,
  outbound: OutboundPolicy = new OutboundPolicy(),
  timeoutMs = 15_000,
): Promise<MailboxCheck> {
  const password =
    account.password === null
      ? null
      : 'plain' in account.password
        ? account.password.plain
        : decryptMailboxPassword(secret, account.password.encrypted);
  let target: { address: string; servername: string | undefined };
  try {
    target = await smtpTarget(outbound, account.host);
  } catch (error) {
    return { ok: false, error: failure(error) };
  }
  const transport = nodemailer.createTransport({
    host: target.address,
    ...(target.servername === undefined ? {} : { tls: { servername: target.servername } }),
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
    return { ok: false, error: failure(error) };
  } finally {
    transport.close();
  }
}

function failure(error: unknown): string {
  const e = error as { response?: string; message?: string; code?: string };
  const text = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim().slice(0, 500);
  return e.code === undefined || text.includes(e.code) ? text : `${e.code}: ${text}`;
}
