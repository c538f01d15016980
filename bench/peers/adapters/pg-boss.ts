// pg-boss 10 as its documentation recommends: one queue (createQueue), one delayed job per next
// step (startAfter) with a known id, `insert` for enrolment, `cancel(name, ids)` for an exit; the
// app's signals and the ledger in its own tables. Defaults: `work()` with batchSize 1 and a 2 s
// polling interval. Tuned: batchSize 500 and the minimum 0.5 s polling interval, the batch handled
// set-based (one ledger insert, one `insert` of follow-ups per batch).
// Crash recovery, as its docs describe it (a fetched job never completed is expired by the
// maintenance of any running instance, then retried like an SQS message past its visibility
// timeout): supervision is on (pg-boss's default) in every instance. Tuned also gives the queue a
// 30 s `expireInSeconds` and `retryLimit` 2 and runs maintenance every 5 s, so a killed worker's
// jobs are retried 30–40 s after the kill (the harness waits 45 s); 30 s also bounds a batch's
// handler, which pg-boss fails (and so retries) when it runs longer. Defaults stay pg-boss's (15 min
// expiry, maintenance every 2 min: recovery after ~15 min): a team only shortens them when it needs
// fast recovery. Workers say `busy` as a batch starts: the harness's SIGKILL waits for it.

import pg from 'pg';
import PgBoss from 'pg-boss';
import type { LedgerRow } from '../../workload/ledger-check.js';
import type { LedgerStep } from '../../workload/workload.js';
import type { Controller, RunSettings, StepJob, WorkerArgs } from '../adapter.js';
import { followUp } from './peer-steps.js';
import { pgQuery } from './stepwise-controller.js';

const QUEUE = 'sequence-steps';
/** Tuned: recovery of a killed worker's jobs within the harness's 45 s (see the header). */
const RECOVERY = { expireInSeconds: 30, retryLimit: 2, maintenanceIntervalSeconds: 5 } as const;
const STEP_CODE: Record<LedgerStep, number> = { email1: 1, email2: 2, condition: 3, call: 4, task: 5 };

/** pg-boss ids are UUIDs: a deterministic one per (step, enrollment) so an exit can cancel it. */
export function jobUuid(i: number, step: LedgerStep): string {
  return `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${STEP_CODE[step].toString(16).padStart(12, '0')}`;
}

const names = (s: RunSettings) => ({
  boss: `pgboss_${s.runId}`,
  app: `bapp_${s.runId}`,
  appName: `bench_${s.runId}`,
});
const withApp = (url: string, appName: string) =>
  `${url}${url.includes('?') ? '&' : '?'}application_name=${appName}`;

export async function runPgBossWorker(args: WorkerArgs): Promise<() => Promise<void>> {
  const n = names(args);
  const url = withApp(args.pgUrl, n.appName);
  const tuned = args.adapter === 'pg-boss-tuned';
  const boss = new PgBoss({
    connectionString: url,
    schema: n.boss,
    schedule: false,
    migrate: false,
    ...(tuned ? { maintenanceIntervalSeconds: RECOVERY.maintenanceIntervalSeconds } : {}),
  });
  boss.on('error', console.error);
  await boss.start();
  const app = new pg.Pool({ connectionString: url, max: 4 });
  await boss.work<StepJob>(
    QUEUE,
    tuned ? { batchSize: 500, pollingIntervalSeconds: 0.5 } : {},
    async (jobs) => {
      // The harness's SIGKILL run waits for this, so that the kill hits a worker holding a batch.
      process.send?.({ type: 'busy' });
      const executedAt = Date.now();
      const conditions = jobs.filter((j) => j.data.step === 'condition').map((j) => j.data.i);
      const opened = new Map<number, number>();
      if (conditions.length > 0) {
        const { rows } = await app.query<{ i: number; opened_at: string }>(
          `SELECT i, opened_at FROM ${n.app}.signal WHERE i = ANY($1::int[]) AND opened_at IS NOT NULL`,
          [conditions],
        );
        for (const r of rows) opened.set(r.i, Number(r.opened_at));
      }
      const next = jobs.flatMap((j) => {
        const f = followUp(j.data, executedAt, args.mode, opened.get(j.data.i) ?? null);
        return f === null ? [] : [f];
      });
      if (next.length > 0) {
        await boss.insert(
          next.map((f) => ({
            id: jobUuid(f.job.i, f.job.step),
            name: QUEUE,
            data: f.job,
            startAfter: new Date(f.runAt),
          })),
        );
      }
      // Recorded after the follow-ups are scheduled: a full ledger means every next job exists.
      await app.query(
        `INSERT INTO ${n.app}.ledger (i, step, at) SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[])`,
        [jobs.map((j) => j.data.i), jobs.map((j) => j.data.step), jobs.map(() => executedAt)],
      );
    },
  );
  return async () => {
    await boss.stop({ graceful: false, wait: false });
    await app.end();
  };
}

interface IdRow {
  id: string;
  i: number;
  step: LedgerStep;
  at: string;
}

/**
 * Reads the ledger rows committed since the last read, for the real-time signal injector. Ids are
 * taken at insert but seen at commit, which two processes reach out of order, so a cursor on the
 * highest id seen would skip a row that commits late. The ids under it a read did not see (holes) are
 * asked for again until they show up, or until they were first missed before `at`: their insert has
 * then been open longer than the injector looks back, or rolled back (a hole for good). Each row comes
 * once: re-reading a time window instead costs a 5 s window per read (~100,000 rows at N = 100,000).
 */
export function newLedgerRows(read: (above: number, holes: readonly number[]) => Promise<IdRow[]>) {
  let high = 0;
  const holes = new Map<number, number>();
  return async (at: number): Promise<LedgerRow[]> => {
    for (const [id, missedAt] of holes) if (missedAt < at) holes.delete(id);
    const rows = await read(high, [...holes.keys()]);
    // Every hole's id was taken before the read's snapshot, so before this instant.
    const missedAt = Date.now();
    const ids = new Set(rows.map((r) => Number(r.id)));
    let top = high;
    for (const id of ids) {
      holes.delete(id);
      if (id > top) top = id;
    }
    for (let id = high + 1; id < top; id++) if (!ids.has(id)) holes.set(id, missedAt);
    high = top;
    return rows.map((r) => ({ i: r.i, step: r.step, at: Number(r.at) }));
  };
}

export function pgBossController(settings: RunSettings): Controller {
  const n = names(settings);
  const tuned = settings.adapter === 'pg-boss-tuned';
  let boss: PgBoss;
  let app: pg.Pool;
  const newRows = newLedgerRows(async (above, holes) => {
    const { rows } = await app.query<IdRow>(
      `SELECT id, i, step, at FROM ${n.app}.ledger WHERE id > $1 OR id = ANY($2::bigint[])`,
      [above, holes],
    );
    return rows;
  });
  return {
    drivesWorkers: false,
    worklistEmulated: true,
    async setup() {
      boss = new PgBoss({
        connectionString: withApp(settings.pgUrl, n.appName),
        schema: n.boss,
        schedule: false,
        ...(tuned ? { maintenanceIntervalSeconds: RECOVERY.maintenanceIntervalSeconds } : {}),
      });
      boss.on('error', console.error);
      await boss.start();
      await boss.createQueue(
        QUEUE,
        tuned
          ? { name: QUEUE, expireInSeconds: RECOVERY.expireInSeconds, retryLimit: RECOVERY.retryLimit }
          : undefined,
      );
      app = new pg.Pool({ connectionString: settings.pgUrl, max: 4 });
      await app.query(`CREATE SCHEMA ${n.app}`);
      await app.query(
        `CREATE TABLE ${n.app}.ledger (id bigserial PRIMARY KEY, i int NOT NULL, step text NOT NULL, at bigint NOT NULL)`,
      );
      await app.query(
        `CREATE TABLE ${n.app}.signal (i int PRIMARY KEY, replied_at bigint, opened_at bigint)`,
      );
    },
    workerExtra: () => ({}),
    async enrol(indices) {
      for (let start = 0; start < indices.length; start += 1_000) {
        await boss.insert(
          indices.slice(start, start + 1_000).map((i) => ({
            id: jobUuid(i, 'email1'),
            name: QUEUE,
            data: {
              i,
              step: 'email1',
              owner: i % settings.owners,
              due: settings.mode === 'burn' ? 0 : Date.now(),
            },
          })),
        );
      }
    },
    async jump() {
      // No promote API in pg-boss: the harness moves start_after (outside the timed part).
      await app.query(
        `UPDATE ${n.boss}.job SET start_after = now() WHERE state = 'created' AND start_after > now()`,
      );
    },
    async signal(items) {
      await app.query(
        `INSERT INTO ${n.app}.signal (i, replied_at, opened_at)
         SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[])
         ON CONFLICT (i) DO UPDATE SET replied_at = COALESCE(EXCLUDED.replied_at, signal.replied_at),
                                      opened_at = COALESCE(EXCLUDED.opened_at, signal.opened_at)`,
        [
          items.map((s) => s.i),
          items.map((s) => (s.kind === 'replied' ? s.at : null)),
          items.map((s) => (s.kind === 'opened' ? s.at : null)),
        ],
      );
      const replies = items.filter((s) => s.kind === 'replied').map((s) => jobUuid(s.i, 'email2'));
      if (replies.length > 0) await boss.cancel(QUEUE, replies);
    },
    async ledgerCount() {
      const { rows } = await app.query<{ n: string }>(`SELECT count(*) AS n FROM ${n.app}.ledger`);
      return Number(rows[0]?.n ?? 0);
    },
    async ledger() {
      const { rows } = await app.query<{ i: number; step: LedgerStep; at: string }>(
        `SELECT i, step, at FROM ${n.app}.ledger`,
      );
      return { timeBase: 'real', rows: rows.map((r) => ({ i: r.i, step: r.step, at: Number(r.at) })) };
    },
    async ledgerSince(at, steps) {
      // Every step is read (a row of any step fills its hole), the caller's are returned.
      return (await newRows(at)).filter((r) => steps.includes(r.step));
    },
    async worklist(owner) {
      const { rows } = await app.query(
        `SELECT id FROM ${n.boss}.job WHERE name = $1 AND state = 'created' AND (data->>'owner')::int = $2
          ORDER BY start_after LIMIT 50`,
        [QUEUE, owner],
      );
      return rows.length;
    },
    async storeBytes() {
      const { rows } = await app.query<{ bytes: string }>(
        `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
           JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [n.boss],
      );
      return Number(rows[0]?.bytes ?? 0);
    },
    async serverPids() {
      const { rows } = await app.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [
        n.appName,
      ]);
      return rows.map((r: { pid: number }) => r.pid);
    },
    async recoveredJobs() {
      // A job fetched again after it had started: expired by maintenance (or failed), then retried.
      const { rows } = await app.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${n.boss}.job WHERE retry_count > 0`,
      );
      return Number(rows[0]?.n ?? 0);
    },
    async teardown() {
      await boss.stop({ graceful: false, wait: false });
      await app.end();
      await pgQuery(
        settings.pgUrl,
        `DROP SCHEMA IF EXISTS ${n.boss} CASCADE; DROP SCHEMA IF EXISTS ${n.app} CASCADE`,
        [],
      );
    },
  };
}
