// What the administrators' outbox view needs to rebuild a message as the sender would: a mailer
// used only to render (it never connects), the fallback mailbox and sender address of the config.
import type { EngineDeps } from '../engine/deps.js';
import type { MailSenderDeps } from '../engine/outbox-sender.js';
import { isSuppressed } from '../engine/suppression.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';

export function outboxViewDeps(
  engine: EngineDeps,
  config: { publicUrl: string; smtpUrl: string | null; mailFrom: string | null },
  secret: string,
): MailSenderDeps {
  return {
    ...engine,
    mailer: new SmtpMailer({ publicUrl: config.publicUrl, secret }),
    fallbackAccount: config.smtpUrl === null ? null : accountFromSmtpUrl(config.smtpUrl),
    defaultFrom: config.mailFrom,
    isSuppressed: (email) => isSuppressed(engine, email),
  };
}
