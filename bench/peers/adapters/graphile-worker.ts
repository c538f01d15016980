// graphile-worker 0.17 as its documentation recommends: one task, one job per next step with a
// `runAt` and a `jobKey` per (step, enrollment), `addJobs` for enrolment, `remove_job(job_key)` for
// an exit; the app's signals and the ledger in its own tables, written through the worker's pool.
// Defaults: concurrency 1, pollInterval 2 s, LISTEN/NOTIFY on; each job `addJob`s its follow-up.
// Tuned (docs "Performance": its benchmark preset, the pool kept within the ~10-connection budget):
// concurrency 24, localQueue of 500 jobs, completeJobBatchDelay and failJobBatchDelay 0, pollInterval
// 250 ms; and jobs are added in bulk as the maintainer advises (graphile/worker#552): the follow-ups
// of the jobs running at once in a process go out in one `addJobs` (one transaction, one NOTIFY) and
// their ledger rows in one insert. Why: every add_job NOTIFYs, and PostgreSQL serialises notifying
// commits on one lock held through the WAL flush, so one `addJob` per step caps a whole cluster at
// one step per fsync (~250 steps/s on the shared machine, wait event Lock:object).
// A killed worker: graphile-worker (without Worker Pro's heartbeats) keeps its locked jobs for 4 hours.
// Its docs ("Administrative functions", Force unlock workers, since 0.16) leave faster recovery to "the
// process that runs Graphile Worker [noticing] that it has exited", which may then `forceUnlockWorkers`
// with the dead worker's ids and never a live one's. So each worker process reports its pool's id (what
// 0.17 locks jobs by; the `pool:create` event is the only public way to it) to its parent, and the
// harness, as that supervisor, unlocks them once it saw the killed process exit (both adapters). A
// job whose step was recorded but whose completion had not committed at the kill runs again.
import { EventEmitter } from 'node:events';
import {
  type JobHelpers,
  makeWorkerUtils,
  run,
  runMigrations,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import type { LedgerStep } from '../../workload/workload.js';
import { type Controller, jobKey, type RunSettings, type StepJob, type WorkerArgs } from '../adapter.js';
import { type FollowUp, followUp } from './peer-steps.js';
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

/** A step a job ran: its ledger row and the job it schedules, if any. */
interface Ran {
  job: StepJob;
  executedAt: number;
  next: FollowUp | null;
}

const followUpSpec = (next: FollowUp) => ({
  identifier: TASK,
  payload: next.job,
  jobKey: jobKey(next.job.i, next.job.step),
  runAt: new Date(next.runAt),
});

/** Follow-ups first, then the ledger rows: a full ledger means every next job exists. */
async function record(helpers: JobHelpers, app: string, ran: readonly Ran[]): Promise<void> {
  const next = ran.flatMap((r) => (r.next === null ? [] : [followUpSpec(r.next)]));
  const [only] = next;
  if (next.length === 1 && only !== undefined) await helpers.addJob(TASK, only.payload, only);
  else if (next.length > 1) await helpers.addJobs(next);
  await helpers.query(
    `INSERT INTO ${app}.ledger (i, step, at) SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[])`,
    [ran.map((r) => r.job.i), ran.map((r) => r.job.step), ran.map((r) => r.executedAt)],
  );
}

/**
 * Group commit for the steps of one process: the first step is written at once, the steps that
 * finish while a write runs wait for it and go out together in the next one.
 */
function batcher(write: (helpers: JobHelpers, ran: readonly Ran[]) => Promise<void>) {
  let waiting: { ran: Ran; helpers: JobHelpers; done: (error?: unknown) => void }[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const error = await write(
        batch[0]?.helpers as JobHelpers,
        batch.map((b) => b.ran),
      ).then(
        () => undefined,
        (e: unknown) => e ?? new Error('write failed'),
      );
      for (const b of batch) b.done(error);
    }
    writing = false;
  };
  return (helpers: JobHelpers, ran: Ran) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ ran, helpers, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!writing) void drain();
    });
}

export async function runGraphileWorker(args: WorkerArgs): Promise<() => Promise<void>> {
  const n = names(args);
  const tuned = args.adapter === 'graphile-worker-tuned';
  const write = (helpers: JobHelpers, ran: readonly Ran[]) => record(helpers, n.app, ran);
  const recordStep = tuned ? batcher(write) : (helpers: JobHelpers, ran: Ran) => write(helpers, [ran]);
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }) => process.send?.({ type: 'lock-owner', id: workerPool.id }));
  const runner = await run({
    connectionString: withApp(args.pgUrl, n.appName),
    schema: n.gw,
    noHandleSignals: true,
    logger: silent,
    events,
    ...(tuned ? { concurrency: 24, pollInterval: 250, maxPoolSize: 10 } : {}),
    ...(tuned
      ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } }
      : {}),
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
        await recordStep(helpers, { job, executedAt, next: followUp(job, executedAt, args.mode, opened) });
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
  // Ledger ids are taken at insert but seen at commit, which two processes reach out of order: a
  // cursor on the highest id seen would skip rows. What a read returned bounds instead every row
  // inserted after it (a higher id), so `ledgerSince(at)` reads past the last bound taken by `at`.
  const marks: { at: number; id: number }[] = [];
  let unlocked = 0;
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
    async ledgerSince(at, steps) {
      while (marks.length > 1 && (marks[1]?.at ?? Number.POSITIVE_INFINITY) <= at) marks.shift();
      const bound = marks[0] !== undefined && marks[0].at <= at ? marks[0].id : 0;
      const { rows } = await app.query<{ id: string; i: number; step: LedgerStep; at: string }>(
        `SELECT id, i, step, at FROM ${n.app}.ledger WHERE id > $1 AND step = ANY($2::text[])`,
        [bound, steps],
      );
      marks.push({ at: Date.now(), id: rows.reduce((max, r) => Math.max(max, Number(r.id)), bound) });
      return rows.map((r) => ({ i: r.i, step: r.step, at: Number(r.at) }));
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
    async workerDied(lockOwners) {
      // Counted first: the dead process cannot lock or complete anything any more.
      const { rows } = await app.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${n.gw}._private_jobs WHERE locked_by = ANY($1::text[])`,
        [lockOwners],
      );
      unlocked += Number(rows[0]?.n ?? 0);
      await utils.forceUnlockWorkers([...lockOwners]);
    },
    recoveredJobs: async () => unlocked,
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
