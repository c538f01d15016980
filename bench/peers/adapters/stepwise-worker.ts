// A Stepwise worker process: the engine's scheduler plus the benchmark's stand-in mailer (the mail
// issue's sender is not built yet): it claims due outbox rows, "sends" them (a no-op transport),
// reports `email_sent` through applyEvents, and marks them sent. Burn-down: each `phase` message
// runs everything due at that instant (runDue on a manual clock); real time: the engine's Worker.
import { applyEvents } from '../../../src/engine/apply-events.js';
import { ManualClock, SystemClock } from '../../../src/engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../../src/engine/deps.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { runDue, Worker } from '../../../src/engine/scheduler.js';
import { openStore } from '../../../src/storage/open-store.js';
import type { WorkerArgs } from '../adapter.js';
import { postgresRaw, type StepwiseRaw, sqliteRaw } from './stepwise-raw.js';

export const STEPWISE_T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const BATCH = 500;
const LEASE_MS = 30_000;

async function sendDue(deps: EngineDeps, raw: StepwiseRaw, now: number): Promise<number> {
  let sent = 0;
  // A batch is marked `sent` after its events are committed, in the transaction of the next claim (a
  // crash in between leaves it `sending`, as a crash between the events and a separate mark would).
  let previous: string[] = [];
  for (;;) {
    const claimed = await raw.claimEmails(previous, now, BATCH, now + LEASE_MS);
    if (claimed.length === 0) return sent;
    await applyEvents(
      deps,
      claimed.map((c) => ({
        enrollmentId: c.enrollmentId,
        event: { type: 'email_sent' as const, stepId: c.stepId, seq: c.seq, at: c.sentAt },
      })),
      { now },
    );
    previous = claimed.map((c) => c.id);
    sent += claimed.length;
  }
}

export async function runStepwiseWorker(args: WorkerArgs): Promise<() => Promise<void>> {
  const postgres = args.adapter === 'stepwise-postgres';
  const schema = args.extra.schema ?? '';
  const file = args.extra.file ?? '';
  const appName = `bench_${args.runId}`;
  const url = postgres
    ? `${args.pgUrl}${args.pgUrl.includes('?') ? '&' : '?'}application_name=${appName}`
    : file;
  const store = await openStore(
    url,
    postgres ? { schema, maxConnections: 2, migrate: false } : { migrate: false },
  );
  const raw = postgres ? postgresRaw(args.pgUrl, schema, appName) : sqliteRaw(file);
  const owner = `w${args.index}-${process.pid}`;

  if (args.mode === 'burn') {
    const clock = new ManualClock(STEPWISE_T0);
    const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
    process.on('message', (message: { type: string; now?: number }) => {
      if (message.type !== 'phase' || message.now === undefined) return;
      const now = message.now;
      void (async () => {
        if (now > clock.now()) clock.set(now);
        for (;;) {
          const moved = await runDue(deps, { now, batchSize: BATCH, leaseOwner: owner, leaseMs: LEASE_MS });
          const sent = await sendDue(deps, raw, now);
          if (moved + sent === 0) break;
        }
        process.send?.({ type: 'phase-done' });
      })().catch((error: unknown) => process.send?.({ type: 'error', message: String(error) }));
    });
    return async () => {
      await raw.close();
      await store.close();
    };
  }

  const clock = new SystemClock();
  let worker: Worker | null = null;
  const deps: EngineDeps = {
    store,
    clock,
    ids: new RandomIds(clock),
    settings: DEFAULT_ENGINE_SETTINGS,
    onWorkScheduled: () => worker?.nudge(),
  };
  worker = new Worker(deps, {
    batchSize: BATCH,
    leaseOwner: owner,
    leaseMs: LEASE_MS,
    onError: console.error,
  });
  worker.start();
  // The stand-in mailer polls every 5 ms (an indexed probe of outbox_pending_idx).
  let running = true;
  const mailer = (async () => {
    while (running) {
      const sent = await sendDue(deps, raw, Date.now()).catch((error: unknown) => {
        console.error(error);
        return 0;
      });
      if (sent === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    running = false;
    await mailer;
    await worker?.stop();
    await raw.close();
    await store.close();
  };
}
