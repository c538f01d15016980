// graphile-worker 0.17 as its documentation recommends: one task, one job per next step with a
// `runAt` and a `jobKey` per (step, enrollment), `addJobs` for enrolment, `remove_job(job_key)` for
// an exit; the app's signals and the ledger in its own tables, written through the job's client.
// Defaults: concurrency 1, pollInterval 2 s, LISTEN/NOTIFY on. Tuned (docs "Performance"):
// concurrency 10, localQueue of 100 jobs, completeJobBatchDelay 0, pollInterval 250 ms.
import { type JobHelpers, makeWorkerUtils, run, runMigrations, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import type { LedgerStep } from '../../workload/workload.js';
import { type Controller, jobKey, type RunSettings, type StepJob, type WorkerArgs } from '../adapter.js';
import { followUp } from './peer-steps.js';
import { pgQuery } from './stepwise-controller.js';

const TASK = 'sequence_step';
const names = (s: RunSettings) => ({
  gw: `gw_${s.runId}`,
  app: `gapp_${s.runId}`,
  appName: `bench_${s.runId}`,
});
const withApp = (url: string, appName: string) =>
  `${url}${url.includes('?') ? '&' : '?'}application_name=${appName}`;
const silent = { scope: () => silent, debug() {}, info() {}, warn() {}, error: console.error } as never;

export async function runGraphileWorker(args: WorkerArgs): Promise<() => Promise<void>> {
  const n = names(args);
  const tuned = args.adapter === 'graphile-worker-tuned';
  const runner = await run({
    connectionString: withApp(args.pgUrl, n.appName),
    schema: n.gw,
    noHandleSignals: true,
    logger: silent,
    ...(tuned ? { concurrency: 10, pollInterval: 250, maxPoolSize: 11 } : {}),
    ...(tuned ? { preset: { worker: { localQueue: { size: 100 }, completeJobBatchDelay: 0 } } } : {}),
    taskList: {
      [TASK]: async (payload: unknown, helpers: JobHelpers) => {
        const job = payload as StepJob;
        const executedAt = Date.now();
        let opened: number | null = null;
        if (job.step === 'condition') {
          const { rows } = await helpers.query<{ opened_at: string | null }>(
            `SELECT opened_at FROM ${n.app}.signal WHERE i = $1`,
            [job.i],
          );
          const at = rows[0]?.opened_at;
          opened = at === undefined || at === null ? null : Number(at);
        }
        const next = followUp(job, executedAt, args.mode, opened);
        if (next !== null) {
          await helpers.addJob(TASK, next.job, {
            jobKey: jobKey(next.job.i, next.job.step),
            runAt: new Date(next.runAt),
          });
        }
        // Recorded after the follow-up is scheduled: a full ledger means every next job exists.
        await helpers.query(`INSERT INTO ${n.app}.ledger (i, step, at) VALUES ($1, $2, $3)`, [
          job.i,
          job.step,
          executedAt,
        ]);
      },
    },
  });
  return async () => {
    await runner.stop();
  };
}

export function graphileController(settings: RunSettings): Controller {
  const n = names(settings);
  let utils: WorkerUtils;
  let app: pg.Pool;
  let lastId = 0;
  return {
    drivesWorkers: false,
    worklistEmulated: true,
    async setup() {
      await runMigrations({ connectionString: settings.pgUrl, schema: n.gw, logger: silent });
      utils = await makeWorkerUtils({ connectionString: settings.pgUrl, schema: n.gw, logger: silent });
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
      for (let start = 0; start < indices.length; start += 5_000) {
        await utils.addJobs(
          indices.slice(start, start + 5_000).map((i) => ({
            identifier: TASK,
            payload: {
              i,
              step: 'email1',
              owner: i % settings.owners,
              due: settings.mode === 'burn' ? 0 : Date.now(),
            },
            jobKey: jobKey(i, 'email1'),
          })),
        );
      }
    },
    async jump() {
      // The admin function reschedule_jobs (outside the timed part); workers find the jobs by polling.
      await app.query(
        `SELECT ${n.gw}.reschedule_jobs(array_agg(id), run_at := now())
           FROM ${n.gw}._private_jobs WHERE run_at > now() AND locked_at IS NULL`,
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
      const keys = items.filter((s) => s.kind === 'replied').map((s) => jobKey(s.i, 'email2'));
      if (keys.length > 0) await app.query(`SELECT ${n.gw}.remove_job(k) FROM unnest($1::text[]) k`, [keys]);
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
    async ledgerSince(_at, steps) {
      const { rows } = await app.query<{ id: string; i: number; step: LedgerStep; at: string }>(
        `SELECT id, i, step, at FROM ${n.app}.ledger WHERE id > $1 ORDER BY id`,
        [lastId],
      );
      if (rows.length > 0) lastId = Number(rows[rows.length - 1]?.id);
      return rows
        .filter((r) => steps.includes(r.step))
        .map((r) => ({ i: r.i, step: r.step, at: Number(r.at) }));
    },
    async worklist(owner) {
      const { rows } = await app.query(
        `SELECT id FROM ${n.gw}._private_jobs WHERE (payload->>'owner')::int = $1 ORDER BY run_at LIMIT 50`,
        [owner],
      );
      return rows.length;
    },
    async storeBytes() {
      const { rows } = await app.query<{ bytes: string }>(
        `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
           JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [n.gw],
      );
      return Number(rows[0]?.bytes ?? 0);
    },
    async serverPids() {
      const { rows } = await app.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [
        n.appName,
      ]);
      return rows.map((r: { pid: number }) => r.pid);
    },
    async teardown() {
      await utils.release();
      await app.end();
      await pgQuery(
        settings.pgUrl,
        `DROP SCHEMA IF EXISTS ${n.gw} CASCADE; DROP SCHEMA IF EXISTS ${n.app} CASCADE`,
        [],
      );
    },
  };
}
