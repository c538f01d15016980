// `stepwise serve`: the HTTP API and the web app on one port, on the configured database.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type DestinationStream, type Logger, pino } from 'pino';
import { createServerMetrics } from '../../api/metrics.js';
import { buildServer } from '../../api/server.js';
import { type Config, describeConfig, loadConfig } from '../../config.js';
import { resumeTestClock, SystemClock } from '../../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import { type CommandContext, openConfiguredStore } from '../context.js';
import { ensureAdministrator, linkBase, printSetupLink } from '../first-administrator.js';
import { createMailSender } from '../mail-sender.js';
import { startMailboxImapPolling } from './inbound.js';
import { startWebhooks, startWorker } from './worker.js';

/** The package root, from src/cli/commands (tsx) and dist/cli/commands (built) alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function ensureSecret(deps: EngineDeps, config: Config, log: Logger): Promise<string> {
  if (config.secret !== null) return config.secret;
  const stored = await deps.store.settings.setIfAbsent('secret', deps.ids.secret(32));
  log.warn('STEPWISE_SECRET is not set: using a key generated once and kept in the database');
  return String(stored);
}

export async function serve(
  config: Config,
  options: { worker?: boolean; logDestination?: DestinationStream } = {},
): Promise<{ close(): Promise<void>; url: string }> {
  // Its automated emails would never go: a worker elsewhere refuses the test clock (worker.ts), and moves of
  // the clock send them only through this process's mail sender.
  if (config.clock === 'manual' && options.worker === false)
    throw new Error(
      'stepwise serve --no-worker does not run on the test clock (STEPWISE_CLOCK=manual): its automated emails would ' +
        'never go out; leave out --no-worker',
    );
  const log = pino({ level: config.logLevel, name: 'stepwise' }, options.logDestination);
  log.info({ config: describeConfig(config) }, 'starting');
  if (config.clock === 'manual')
    log.warn('running on a MANUAL test clock (STEPWISE_CLOCK=manual): never in production');
  const store = await openConfiguredStore(config);
  // The test clock starts where the last move left it (kept in the database), at first at the real time, and
  // then moves only by POST /api/clock; engine, worker and API share it.
  const clock =
    config.clock === 'manual' ? await resumeTestClock(store.settings, Date.now()) : new SystemClock();
  const deps: EngineDeps = {
    store,
    clock,
    ids: new RandomIds(clock),
    settings: {
      ...DEFAULT_ENGINE_SETTINGS,
      allowParallelEnrollments: config.allowParallelEnrollments,
      maxActiveSequences: config.maxActiveSequences,
    },
  };
  const secret = await ensureSecret(deps, config, log);
  const needsSetup = await ensureAdministrator(deps, config, log);
  // One metrics registry for this process: the API's histogram, the engine's gauges, the sender's counter.
  const metrics = createServerMetrics(deps);
  // Made before the API: under the test clock, POST /api/clock drives this same sender (mail-sender.ts).
  const mailSender = options.worker === false ? null : await createMailSender(deps, config, log, metrics);
  const app = await buildServer({
    config,
    engine: deps,
    logger: log,
    webRoot: `${PACKAGE_ROOT}web/dist`,
    metrics,
    ...(mailSender === null ? {} : { testClockMail: mailSender.testClock }),
  });
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await store.close();
    // Which setting to change, before the system's reason (ENOTFOUND, EADDRNOTAVAIL, EADDRINUSE, EACCES).
    throw new Error(`Cannot listen on ${config.host}:${config.port} (HOST, PORT)`, { cause: error });
  }
  log.info(`Stepwise is serving on ${url} (${store.dialect})`);
  if (needsSetup) await printSetupLink(deps, linkBase(config, url), log);
  const worker = options.worker === false ? null : startWorker(deps, log, 'serve');
  await mailSender?.start();
  const webhooks = options.worker === false ? null : startWebhooks(deps, config, log);
  const imapPolling = options.worker === false ? null : startMailboxImapPolling(deps, secret, config, log);
  return {
    url,
    async close() {
      // Said in the log, as `stepwise worker` does: a stop that began and one that ended (an operator
      // reading the log after a SIGTERM sees whether it finished, or hung on something).
      log.info('stopping: closing the HTTP server, then finishing the batch in hand');
      await app.close();
      await worker?.stop();
      await mailSender?.stop();
      await webhooks?.stop();
      await imapPolling?.stop();
      await store.close();
      log.info('stopped');
    },
  };
}

export function serveCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('Run the HTTP API and the web app (migrates the database first)')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--no-worker', 'do not run a worker in this process (run `stepwise worker` elsewhere)')
    .action(async (options: { port?: string; host?: string; worker: boolean }) => {
      const config = loadConfig({
        ...context.env,
        ...(options.port === undefined ? {} : { PORT: options.port }),
        ...(options.host === undefined ? {} : { HOST: options.host }),
      });
      const server = await serve(config, { worker: options.worker });
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close().then(resolve, (error: unknown) => {
            context.output.err(String(error));
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
