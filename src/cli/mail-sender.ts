// Wires the mail sender into a process (`serve`, `worker`): the SMTP mailer with the installation
// secret, STEPWISE_SMTP_URL as the fallback mailbox, suppression from the engine; recovers sends a
// previous run left in `sending`, then drains the outbox until stopped. Under the test clock the same
// sender also serves POST /api/clock's walk (`testClock`), its background loop paused meanwhile.
import type { Logger } from 'pino';
import type { ServerMetrics } from '../api/metrics.js';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine/deps.js';
import { outboundPolicyOf } from '../engine/outbound-hosts.js';
import {
  MailSender,
  type MailSenderDeps,
  recoverInterruptedSends,
  type SendPassResult,
  sendDueEmails,
} from '../engine/outbox-sender.js';
import type { WalkMailSender } from '../engine/scheduler.js';
import { isSuppressed } from '../engine/suppression.js';
import { installationSecret } from '../mail/installation-secret.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { accountFromSmtpUrl } from '../mail/smtp-url.js';

export interface ProcessMailSender {
  /** Marks sends a previous run left in `sending` as `send_unknown`, then drains the outbox in the background. */
  start(): Promise<void>;
  /** Finishes the pass (or test-clock walk) in hand, stops, and closes the SMTP connections. */
  stop(): Promise<void>;
  /** The same sender, driven by the test clock's walk through simulated time. */
  testClock: WalkMailSender;
}

/** The sender of this process, not started yet (serve hands `testClock` to the API before it listens). */
export async function createMailSender(
  deps: EngineDeps,
  config: Config,
  log: Logger,
  metrics?: ServerMetrics,
): Promise<ProcessMailSender> {
  const secret = await installationSecret(deps, config.secret);
  const mailer = new SmtpMailer({ publicUrl: config.publicUrl, secret, outbound: outboundPolicyOf(config) });
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
  const countPass = (result: SendPassResult) => {
    for (const key of ['sent', 'retried', 'failed', 'suppressed', 'unknown', 'deferred'] as const) {
      if (result[key] > 0) metrics?.sends.inc({ result: key }, result[key]);
    }
  };
  const sender = new MailSender(senderDeps, { onPass: countPass });
  let state: 'created' | 'running' | 'stopped' = 'created';
  // The tail of the test-clock walks: one at a time, and none while stopping.
  let walks: Promise<unknown> = Promise.resolve();

  return {
    async start() {
      if (state !== 'created') return;
      await recoverInterruptedSends(senderDeps);
      state = 'running';
      sender.start();
      senderLog.info('mail sender started');
    },
    async stop() {
      state = 'stopped';
      await walks;
      await sender.stop();
      await mailer.close();
    },
    testClock: {
      async configured() {
        return senderDeps.fallbackAccount !== null || (await deps.store.mailboxes.list()).length > 0;
      },
      exclusive(walk, limits) {
        // The background loop finishes its pass and stops: two passes at once could both pass a
        // mailbox's limits, and a walk moving the clock past a send's lease would take it for a dead one.
        // It starts no exchange meanwhile, and one still in flight at the walk's limit is broken off.
        const run = walks.then(async () => {
          const before = sender.brokenOff;
          try {
            await sender.stop({ breakOff: limits?.breakOff });
            return await walk({ brokenOff: sender.brokenOff - before });
          } finally {
            if (state === 'running') sender.start();
          }
        });
        walks = run.catch(() => undefined);
        return run;
      },
      async sendDue(limits) {
        const result = await sendDueEmails(senderDeps, { stop: limits?.stop, breakOff: limits?.breakOff });
        countPass(result);
        return result;
      },
    },
  };
}

export async function startMailSender(
  deps: EngineDeps,
  config: Config,
  log: Logger,
  metrics?: ServerMetrics,
): Promise<{ stop(): Promise<void> }> {
  const sender = await createMailSender(deps, config, log, metrics);
  await sender.start();
  return sender;
}
