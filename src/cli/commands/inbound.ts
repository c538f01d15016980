// `stepwise inbound --port N`: an SMTP listener for replies and bounces (point an MX, or a
// forwarding rule, at it); `--imap URL`: polls an IMAP mailbox instead (or as well). Every message goes
// through the same classifier as POST /api/inbound-email. `serve` and `worker` poll STEPWISE_IMAP_URL and
// every mailbox row's IMAP URL (startMailboxImapPolling).
import { type Command, InvalidArgumentError } from 'commander';
import { type Logger, pino } from 'pino';
import { type Config, loadConfig } from '../../config.js';
import { SystemClock } from '../../engine/clock.js';
import type { EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import { outboundPolicyOf } from '../../engine/outbound-hosts.js';
import { handleInboundEmail, MAX_INBOUND_BYTES } from '../../mail/inbound/handle-inbound.js';
import { ImapPoller, parseImapUrl } from '../../mail/inbound/imap-poller.js';
import { MailboxImapPolling } from '../../mail/inbound/mailbox-imap-polling.js';
import { startInboundListener } from '../../mail/inbound/smtp-listener.js';
import { type CommandContext, openConfiguredStore } from '../context.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('must be a port number (0–65535).');
  return n;
}

function byteCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('must be a whole number of bytes, at least 1.');
  return n;
}

/** Polls `url` (STEPWISE_IMAP_URL or --imap) until stopped; a poll that fails is retried with backoff. */
function startImapPolling(
  deps: EngineDeps,
  url: string,
  config: Pick<Config, 'imapPollSeconds' | 'outboundHosts' | 'outboundAllow'>,
  log: Logger,
): ImapPoller {
  const target = parseImapUrl(url);
  const poller = new ImapPoller(
    deps,
    target,
    { intervalMs: config.imapPollSeconds * 1000, outbound: outboundPolicyOf(config) },
    log.child({ part: 'imap-poller' }),
  );
  poller.start();
  log.info(
    { mailbox: target.key, everySeconds: config.imapPollSeconds },
    'polling IMAP for replies and bounces',
  );
  return poller;
}

/**
 * Polls STEPWISE_IMAP_URL (when set) and every mailbox row with an IMAP URL, re-reading the rows every
 * STEPWISE_IMAP_POLL_SECONDS, until stopped.
 */
export function startMailboxImapPolling(
  deps: EngineDeps,
  secret: string,
  config: Pick<Config, 'imapUrl' | 'imapPollSeconds' | 'outboundHosts' | 'outboundAllow'>,
  log: Logger,
): MailboxImapPolling {
  const polling = new MailboxImapPolling(deps, {
    secret,
    envUrl: config.imapUrl,
    intervalMs: config.imapPollSeconds * 1000,
    poller: { outbound: outboundPolicyOf(config) },
    log: log.child({ part: 'imap-polling' }),
  });
  polling.start();
  return polling;
}

export function inboundCommand(program: Command, context: CommandContext): void {
  program
    .command('inbound')
    .description('Receive replies and bounces over SMTP and turn them into signals')
    .option('--port <port>', 'SMTP: port to listen on (25 for an MX, or any with a forwarding rule)', port)
    .option(
      '--imap <url>',
      'IMAP: poll this mailbox, imaps://user:pass@host:993/INBOX (default STEPWISE_IMAP_URL)',
    )
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--max-bytes <n>', 'largest message accepted', byteCount, MAX_INBOUND_BYTES)
    .action(async (options: { port?: number; imap?: string; host: string; maxBytes: number }) => {
      const config = loadConfig(context.env);
      const imapUrl = options.imap ?? (options.port === undefined ? config.imapUrl : null);
      if (options.port === undefined && imapUrl === null)
        throw new Error('give --port (an SMTP listener) and/or --imap (or set STEPWISE_IMAP_URL)');
      if (imapUrl !== null) parseImapUrl(imapUrl);
      const log = pino({ level: config.logLevel, name: 'stepwise-inbound' });
      const store = await openConfiguredStore(config);
      const clock = new SystemClock();
      const deps: EngineDeps = {
        store,
        clock,
        ids: new RandomIds(clock),
        settings: {
          allowParallelEnrollments: config.allowParallelEnrollments,
          maxActiveSequences: config.maxActiveSequences,
        },
      };
      const listenPort = options.port;
      // Until it listens, a server error is the listen failure itself, reported once below (not logged with its stack).
      let listening = false;
      const listener =
        listenPort === undefined
          ? null
          : await startInboundListener({
              port: listenPort,
              host: options.host,
              maxBytes: options.maxBytes,
              async onMessage(raw) {
                const result = await handleInboundEmail(deps, raw);
                log.info(result, 'inbound message');
              },
              onError: (error) => {
                if (listening) log.error({ err: error }, 'inbound message failed');
              },
            }).catch(async (error: unknown) => {
              await store.close();
              // Which option to change, before the system's reason (EADDRINUSE, EACCES for a port under 1024).
              throw new Error(`Cannot listen for SMTP on ${options.host}:${listenPort} (--host, --port)`, {
                cause: error,
              });
            });
      listening = true;
      if (listener !== null)
        context.output.out(`stepwise inbound: listening for SMTP on ${options.host}:${listener.port}`);
      const poller = imapUrl === null ? null : startImapPolling(deps, imapUrl, config, log);
      if (poller !== null)
        context.output.out(`stepwise inbound: polling IMAP every ${config.imapPollSeconds} s`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await listener?.close();
      await poller?.stop();
      await store.close();
    });
}
