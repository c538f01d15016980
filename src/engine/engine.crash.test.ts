// Crashes, on both dialects: 3 worker processes run an automatic sequence under a manual clock while the
// test kills one with SIGKILL (kill -9) 20 times, at points drawn from a seeded random generator — after a
// claim, while a commit is in flight, just after a commit, or anywhere after a claim — and starts a fresh
// process in its place each time. Leases left by the dead are reclaimed once the clock passes them.
// Afterwards nothing is lost (every enrollment completed on its path) and nothing ran twice (the ledger
// holds each transition once, step instances never repeat, one outbox row per automated-email step).
// On SQLite the processes share one database file in WAL mode (one writer at a time, busy_timeout).
// The seed is printed; STEPWISE_CRASH_SEED replays a schedule.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import {
  activeSequence,
  aUser,
  DAY,
  engineDeps,
  HOUR,
  someRecords,
  T0,
} from './test-support/engine-world.js';
import {
  AUTOMATIC_SEQUENCE,
  checkLedger,
  dueAt,
  installLedger,
  ledgerReport,
  sendOutbox,
} from './test-support/ledger.js';
import { openRawConnection, type RawConnection } from './test-support/raw-connection.js';
import { buildWorkerEntry, seededRandom, type WorkerEntry, WorkerPool } from './test-support/worker-pool.js';

const KILLS = 20;
const SEED = Number(process.env.STEPWISE_CRASH_SEED ?? randomInt(2 ** 31 - 1));
/** Records connected per wave; waves continue until all the kills have happened. */
const WAVE = { sqlite: 200, postgres: 400 } as const;
const MAX_WAVES = 12;
const LEASE_MS = 5 * 60_000;

let entry: WorkerEntry | null = null;
beforeAll(async () => {
  entry = await buildWorkerEntry();
}, 120_000);
afterAll(() => entry?.remove());

/** Runs everything due by `now`; while rows are held by a dead worker's lease, moves past the lease. */
async function driveTo(pool: WorkerPool, raw: RawConnection, start: number): Promise<number> {
  let now = start;
  for (let round = 0; round < 100; round++) {
    await pool.settle(now);
    const due = await dueAt(raw, now);
    if (due.n === 0) return now;
    now = Math.max(now, due.leasedUntil ?? now) + 1;
  }
  throw new Error(`work still due at ${new Date(now).toISOString()} after 100 rounds`);
}

forEachDialect('engine crash', (t) => {
  it(`kill -9 of a worker process ${KILLS} times at random points: nothing lost, nothing ran twice`, async () => {
    console.info(`[${t.dialect}] crash test seed ${SEED} (replay with STEPWISE_CRASH_SEED=${SEED})`);
    const random = seededRandom(SEED + (t.dialect === 'sqlite' ? 0 : 1));
    const db = t.database();
    const raw = openRawConnection(db);
    const deps = engineDeps(t.store(), {}, T0);
    const pool = new WorkerPool({
      entry: entry as WorkerEntry,
      base: { url: db.url, schema: db.options.schema ?? null, batchSize: 20, leaseMs: LEASE_MS },
      size: 3,
      start: T0,
      kills: KILLS,
      random,
    });
    try {
      await installLedger(raw, db.options.schema ?? null);
      const owner = await aUser(deps.store, 'admin');
      const sequenceId = await activeSequence(deps.store, owner.id, AUTOMATIC_SEQUENCE);
      await pool.start();
      let now = T0;
      let enrolled = 0;
      for (let wave = 0; wave < MAX_WAVES && pool.killed.length < KILLS; wave++) {
        deps.clock.set(now);
        const size = WAVE[t.dialect];
        const recordIds = [
          ...(await someRecords(deps.store, owner.id, size / 2, 'lead', { fields: { tier: 'a' } })),
          ...(await someRecords(deps.store, owner.id, size / 2, 'lead', { fields: { tier: 'b' } })),
        ];
        const connected = await connectRecords(deps, {
          sequenceId,
          recordIds,
          actor: { id: owner.id, role: 'admin' },
        });
        expect(connected.enrolled.length).toBe(size);
        enrolled += size;
        // Three hours of the sequence, the sender reporting each hour's emails sent.
        for (let hour = 1; hour <= 3; hour++) {
          now = await driveTo(pool, raw, now + HOUR);
          deps.clock.set(now);
          await sendOutbox(deps, raw, now);
        }
      }
      expect(pool.killed).toHaveLength(KILLS);
      // Past every deadline and lease: whatever is left finishes.
      for (let round = 0; round < 3; round++) {
        now = await driveTo(pool, raw, now + DAY);
        deps.clock.set(now);
        await sendOutbox(deps, raw, now);
      }
      await pool.stop();

      const problems = await checkLedger(raw, sequenceId);
      for (const [rule, rows] of Object.entries(problems)) expect(rows, rule).toEqual([]);
      const report = await ledgerReport(raw, sequenceId);
      expect(report.enrollments).toBe(enrolled);
      const points: Record<string, number> = {};
      for (const k of pool.killed) points[k.point] = (points[k.point] ?? 0) + 1;
      console.info(
        `[${t.dialect}] crash test seed ${SEED}: ${enrolled} enrollments, ${report.transitions} transitions, ` +
          `${pool.killed.length} kills ${JSON.stringify(points)}, errors reported: ${pool.errors.length}`,
      );
    } finally {
      await pool.kill();
      await raw.close();
    }
  }, 600_000);
});
