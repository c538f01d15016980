// `stepwise inbound --port N`: an SMTP listener for replies and bounces (point an MX, or a
// forwarding rule, at it). Every message goes through the same classifier as POST /api/inbound-email.
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../../config.js';
import { SystemClock } from '../../engine/clock.js';
import type { EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import { handleInboundEmail, MAX_INBOUND_BYTES } from '../../mail/inbound/handle-inbound.js';
import { startInboundListener } from '../../mail/inbound/smtp-listener.js';
import { openStore } from '../../storage/open-store.js';
import type { CommandContext } from '../context.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error('--port must be a port number');
  return n;
}

export function inboundCommand(program: Command, context: CommandContext): void {
  program
    .command('inbound')
    .description('Receive replies and bounces over SMTP and turn them into signals')
    .requiredOption('--port <port>', 'port to listen on (25 for an MX, or any with a forwarding rule)', port)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--max-bytes <n>', 'largest message accepted', (v) => Number(v), MAX_INBOUND_BYTES)
    .action(async (options: { port: number; host: string; maxBytes: number }) => {
      const config = loadConfig(context.env);
      const log = pino({ level: config.logLevel, name: 'stepwise-inbound' });
      const store = await openStore(config.databaseUrl);
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
      const listener = await startInboundListener({
        port: options.port,
        host: options.host,
        maxBytes: options.maxBytes,
        async onMessage(raw) {
          const result = await handleInboundEmail(deps, raw);
          log.info(result, 'inbound message');
        },
        onError: (error) => log.error({ err: error }, 'inbound message failed'),
      });
      context.output.out(`stepwise inbound: listening for SMTP on ${options.host}:${listener.port}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await listener.close();
      await store.close();
    });
}
