// A `stepwise worker` process for the multi-process and crash tests: the real Worker, started the way
// the `stepwise worker` command starts it (startWorker), on its own store and pool, with a manual clock
// that the parent test sets over IPC. Optionally armed to stop at a chosen point (after a claim, while a
// commit is in flight, after a commit) so that the parent's kill -9 lands exactly there.
//
// Parent → child: { type: 'time', now, round } · { type: 'stop' }
// Child → parent: { type: 'ready' } · { type: 'idle', round, processed } · { type: 'armed', point }
//                 · { type: 'error', message } · { type: 'stopped', processed }
import { pino } from 'pino';
import { startWorker } from '../../cli/commands/worker.js';
import { openStore } from '../../storage/open-store.js';
import { ManualClock } from '../clock.js';
import type { EngineDeps } from '../deps.js';
import { DEFAULT_ENGINE_SETTINGS } from '../deps.js';
import { RandomIds } from '../ids.js';
import {
  CONFIG_ENV,
  type FromChild,
  type ToChild,
  type WorkerProcessConfig,
} from './worker-process-protocol.js';

function send(message: FromChild): void {
  process.send?.(message);
}

const forever = () => new Promise<never>(() => {});

async function main(): Promise<void> {
  const config = JSON.parse(process.env[CONFIG_ENV] ?? '') as WorkerProcessConfig;
  const store = await openStore(config.url, {
    migrate: false,
    maxConnections: 3,
    busyTimeoutMs: 60_000,
    ...(config.schema === null ? {} : { schema: config.schema }),
  });
  const clock = new ManualClock(config.start);
  const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };

  const crash = config.crash;
  if (crash !== null) {
    // The engine repository is a plain object of functions: wrap the two the worker's batch goes through.
    const engine = store.engine as { -readonly [K in keyof typeof store.engine]: (typeof store.engine)[K] };
    const claimDue = engine.claimDue.bind(engine);
    const commit = engine.commit.bind(engine);
    let claims = 0;
    let commits = 0;
    engine.claimDue = async (...args) => {
      const rows = await claimDue(...args);
      if (rows.length > 0 && (crash.point === 'claimed' || crash.point === 'racing')) {
        claims += 1;
        if (claims === crash.call) {
          send({ type: 'armed', point: crash.point });
          if (crash.point === 'claimed') return forever();
        }
      }
      return rows;
    };
    engine.commit = async (...args) => {
      if (crash.point !== 'committing' && crash.point !== 'committed') return commit(...args);
      commits += 1;
      if (commits !== crash.call) return commit(...args);
      const pending = commit(...args);
      if (crash.point === 'committing') {
        send({ type: 'armed', point: crash.point });
        return pending;
      }
      await pending;
      send({ type: 'armed', point: crash.point });
      return forever();
    };
  }

  const log = pino({ level: 'silent' });
  const worker = startWorker(deps, log, config.name, {
    leaseOwner: config.name,
    batchSize: config.batchSize,
    leaseMs: config.leaseMs,
    maxIdleMs: 500,
    leasedPollMs: 100,
    errorBackoffMs: 50,
    onError: (error) =>
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  });

  // One message at a time: a time change is answered once the worker has done everything due then.
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message: ToChild) => {
    queue = queue.then(async () => {
      if (message.type === 'time') {
        if (message.now > clock.now()) clock.set(message.now);
        // Idle twice: the second pass surely started after the clock moved, and found nothing due.
        for (let pass = 0; pass < 2; pass++) {
          const idle = worker.whenIdle();
          worker.nudge();
          await idle;
        }
        send({ type: 'idle', round: message.round, processed: worker.processed });
      } else {
        await worker.stop();
        await store.close();
        send({ type: 'stopped', processed: worker.processed });
        process.disconnect();
      }
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
