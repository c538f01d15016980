// PostgreSQL, several processes: 4 `stepwise worker`-like processes (the real Worker, each on its own
// pool) share 20,000 enrollments of an automatic sequence (waits, automated emails, a signal condition
// that times out, a field condition, field updates) under a manual clock the test steps and tells them
// over IPC. A ledger table with a trigger, added by the test, records every enrollment insert and state
// change without any unique constraint: every transition must be there exactly once, versions
// consecutive, step instances never repeated, every enrollment completed on its path, exactly one outbox
// row per automated-email step instance, and the workers' own tallies must match the ledger's.
// STEPWISE_PROCESSES_ENROLLMENTS changes the size (default 20,000).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import { activeSequence, aUser, engineDeps, HOUR, someRecords, T0 } from './test-support/engine-world.js';
import {
  AUTOMATIC_PATHS,
  AUTOMATIC_SEQUENCE,
  checkLedger,
  dueAt,
  installLedger,
  ledgerReport,
  sendOutbox,
} from './test-support/ledger.js';
import { openRawConnection } from './test-support/raw-connection.js';
import { buildWorkerEntry, type WorkerEntry, WorkerPool } from './test-support/worker-pool.js';

const ENROLLMENTS = Number(process.env.STEPWISE_PROCESSES_ENROLLMENTS ?? 20_000);
const PROCESSES = 4;

let entry: WorkerEntry | null = null;
beforeAll(async () => {
  entry = await buildWorkerEntry();
}, 120_000);
afterAll(() => entry?.remove());

forEachDialect('engine worker processes', (t) => {
  it.runIf(t.dialect === 'postgres')(
    `${PROCESSES} worker processes share ${ENROLLMENTS} enrollments; the ledger holds every transition exactly once`,
    async () => {
      const db = t.database();
      const raw = openRawConnection(db);
      const deps = engineDeps(t.store(), {}, T0);
      const pool = new WorkerPool({
        entry: entry as WorkerEntry,
        base: { url: db.url, schema: db.options.schema ?? null, batchSize: 500, leaseMs: 60_000 },
        size: PROCESSES,
        start: T0,
        kills: 0,
        random: () => 0,
      });
      try {
        await installLedger(raw, db.options.schema ?? null);
        const owner = await aUser(deps.store, 'admin');
        const sequenceId = await activeSequence(deps.store, owner.id, AUTOMATIC_SEQUENCE);
        const recordIds: string[] = [];
        const tiers = { a: 0, b: 0 };
        for (let made = 0; made < ENROLLMENTS; made += 1_000) {
          const n = Math.min(1_000, ENROLLMENTS - made);
          const tier = (made / 1_000) % 2 === 0 ? 'a' : 'b';
          recordIds.push(...(await someRecords(deps.store, owner.id, n, 'lead', { fields: { tier } })));
          tiers[tier] += n;
        }
        const connected = await connectRecords(deps, {
          sequenceId,
          recordIds,
          actor: { id: owner.id, role: 'admin' },
        });
        expect(connected.enrolled.length).toBe(ENROLLMENTS);

        await pool.start();
        // T0+1h the first waits end (emails queued, then sent); T0+2h the opened-condition times out and
        // the field condition splits; T0+3h tier b's second wait ends (second email, field update).
        for (let hour = 1; hour <= 3; hour++) {
          const now = T0 + hour * HOUR;
          deps.clock.set(now);
          await pool.settle(now);
          expect(await dueAt(raw, now)).toEqual({ n: 0, leasedUntil: null });
          await sendOutbox(deps, raw, now);
        }
        await pool.stop();
        expect(pool.errors).toEqual([]);

        const problems = await checkLedger(raw, sequenceId);
        for (const [rule, rows] of Object.entries(problems)) expect(rows, rule).toEqual([]);
        const report = await ledgerReport(raw, sequenceId);
        expect(report.enrollments).toBe(ENROLLMENTS);
        expect(report.transitions).toBe(
          tiers.a * AUTOMATIC_PATHS.a.versions + tiers.b * AUTOMATIC_PATHS.b.versions,
        );
        // The sender's email_sent events are the rows no worker held; the rest match each worker's tally.
        expect(report.byWriter['']).toBe(
          tiers.a * AUTOMATIC_PATHS.a.emails + tiers.b * AUTOMATIC_PATHS.b.emails,
        );
        const tallies = Object.fromEntries(pool.processed);
        const { '': _events, ...byWorker } = report.byWriter;
        expect(byWorker).toEqual(Object.fromEntries(Object.entries(tallies).filter(([, n]) => n > 0)));
        expect(Object.keys(tallies)).toHaveLength(PROCESSES);
        for (const [name, n] of Object.entries(tallies))
          expect(n, `${name} did some of the work`).toBeGreaterThan(0);
        console.info(
          `[postgres] ${PROCESSES} processes, ${ENROLLMENTS} enrollments: ${JSON.stringify(report)}`,
        );
      } finally {
        await pool.kill();
        await raw.close();
      }
    },
    600_000,
  );
});
