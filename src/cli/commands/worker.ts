// `stepwise worker`: runs the engine's workers without the HTTP server. Several such processes may
// share one PostgreSQL database (leases + SKIP LOCKED); SIGTERM/SIGINT finish the batch in hand.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { type Config, loadConfig } from '../../config.js';
import { SystemClock } from '../../engine/clock.js';
import type { EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import { outboundPolicyOf } from '../../engine/outbound-hosts.js';
import { Worker, type WorkerOptions } from '../../engine/scheduler.js';
import { HttpWebhookPoster } from '../../engine/webhooks/http-poster.js';
import { WebhookRunner } from '../../engine/webhooks/webhook-runner.js';
import { installationSecret } from '../../mail/installation-secret.js';
import { type CommandContext, openConfiguredStore } from '../context.js';
import { startMailSender } from '../mail-sender.js';
import { startMailboxImapPolling } from './inbound.js';

/** Starts one worker on `deps` and points in-process hints (`onWorkScheduled`) at it. */
export function startWorker(
  deps: EngineDeps,
  log: Logger,
  name: string,
  options: Partial<WorkerOptions> = {},
): Worker {
  const worker = new Worker(deps, {
    leaseOwner: `${hostname()}:${process.pid}:${name}`,
    onError: (error) => log.error({ err: error, worker: name }, 'worker batch failed'),
    ...options,
  });
  const previous = deps.onWorkScheduled;
  deps.onWorkScheduled = (dueAt) => {
    previous?.(dueAt);
    worker.nudge();
  };
  worker.start();
  log.info({ worker: name }, 'worker started');
  return worker;
}

/**
 * Starts the webhook dispatcher and deliverer (docs/webhooks.md) on `deps`. Signatures are stamped
 * with the system clock even when `deps.clock` is the test clock: receivers check `t` against real time.
 */
export function startWebhooks(
  deps: EngineDeps,
  config: Pick<Config, 'outboundHosts' | 'outboundAllow'>,
  log: Logger,
): WebhookRunner {
  const runner = new WebhookRunner(
    { ...deps, poster: new HttpWebhookPoster(outboundPolicyOf(config)), wallClock: new SystemClock() },
    { log: log.child({ part: 'webhooks' }) },
  );
  runner.start();
  return runner;
}

function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
    return n;
  };
}

export function workerCommand(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('Run engine workers (due steps, timers) without the HTTP server')
    .option('--concurrency <n>', 'workers in this process', positiveInteger('--concurrency'), 1)
    .option('--batch-size <n>', 'enrollments per claim and transaction', positiveInteger('--batch-size'), 500)
    .action(async (options: { concurrency: number; batchSize: number }) => {
      const config = loadConfig(context.env);
      // The test clock lives in `serve`, whose POST /api/clock walks time and runs what falls due itself: a
      // worker here would run steps and send emails at real times, long before the test clock's.
      if (config.clock === 'manual')
        throw new Error(
          'stepwise worker does not run on the test clock (STEPWISE_CLOCK=manual): `stepwise serve` runs the ' +
            'steps and emails as POST /api/clock moves it (leave out --no-worker)',
        );
      const log = pino({ level: config.logLevel, name: 'stepwise-worker' });
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
      const workers = Array.from({ length: options.concurrency }, (_, i) =>
        startWorker(deps, log, `w${i + 1}`, { batchSize: options.batchSize }),
      );
      const mailSender = await startMailSender(deps, config, log);
      const webhooks = startWebhooks(deps, config, log);
      const imapPolling = startMailboxImapPolling(
        deps,
        await installationSecret(deps, config.secret),
        config,
        log,
      );
      context.output.out(
        `stepwise worker: ${workers.length} worker(s) on ${store.dialect}, batch size ${options.batchSize}`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log.info('stopping: finishing the batches in hand');
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await Promise.all(workers.map((worker) => worker.stop()));
      await mailSender.stop();
      await webhooks.stop();
      await imapPolling.stop();
      const processed = workers.reduce((sum, worker) => sum + worker.processed, 0);
      await store.close();
      context.output.out(`stepwise worker: stopped after ${processed} transition(s)`);
    });
}
