// Wires the mail sender into a process (`serve`, `worker`): the SMTP mailer with the installation
// secret, STEPWISE_SMTP_URL as the fallback mailbox, suppression from the engine; recovers sends a
// previous run left in `sending`, then drains the outbox until stopped.
import type { Logger } from 'pino';
import type { ServerMetrics } from '../api/metrics.js';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine/deps.js';
import { MailSender, type MailSenderDeps, recoverInterruptedSends } from '../engine/outbox-sender.js';
import { isSuppressed } from '../engine/suppression.js';
import { installationSecret } from '../mail/installation-secret.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { accountFromSmtpUrl } from '../mail/smtp-url.js';

export async function startMailSender(
  deps: EngineDeps,
  config: Config,
  log: Logger,
  metrics?: ServerMetrics,
): Promise<{ stop(): Promise<void> }> {
  const secret = await installationSecret(deps, config.secret);
  const mailer = new SmtpMailer({ publicUrl: config.publicUrl, secret });
  const senderLog = log.child({ part: 'mail-sender' });
  const senderDeps: MailSenderDeps = {
    ...deps,
    mailer,
    fallbackAccount: config.smtpUrl === null ? null : accountFromSmtpUrl(config.smtpUrl),
    defaultFrom: config.mailFrom,
    isSuppressed: (email) => isSuppressed(deps, email),
    log: senderLog,
  };
  if (config.smtpUrl === null && (await deps.store.mailboxes.forUser(null)) === null) {
    senderLog.warn('STEPWISE_SMTP_URL is not set: automated emails wait until a mailbox is configured');
  }
  await recoverInterruptedSends(senderDeps);
  const sender = new MailSender(senderDeps, {
    onPass: (result) => {
      for (const key of ['sent', 'retried', 'failed', 'suppressed', 'unknown', 'deferred'] as const) {
        if (result[key] > 0) metrics?.sends.inc({ result: key }, result[key]);
      }
    },
  });
  sender.start();
  senderLog.info('mail sender started');
  return {
    async stop() {
      await sender.stop();
      await mailer.close();
    },
  };
}
