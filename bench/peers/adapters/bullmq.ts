// BullMQ as its documentation recommends: one queue, one delayed job per next step with a job id
// per (step, enrollment), `addBulk` for enrolment, `Queue.remove(jobId)` for an exit, the app's
// signals and the ledger in Redis. Defaults: Worker concurrency 1, completed jobs kept. Tuned (docs
// "Concurrency", "Auto-removal of jobs"): concurrency 50 per worker process, removeOnComplete.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { LedgerRow } from '../../workload/ledger-check.js';
import type { LedgerStep } from '../../workload/workload.js';
import { type Controller, jobKey, type RunSettings, type StepJob, type WorkerArgs } from '../adapter.js';
import { followUp } from './peer-steps.js';

const QUEUE = 'sequence-steps';
const PREFIX = 'bench';
const LEDGER = 'bench:ledger';
const OPENED = 'bench:opened';

const tuned = (s: RunSettings) => s.adapter === 'bullmq-tuned';
const jobOptions = (s: RunSettings) => (tuned(s) ? { removeOnComplete: true, removeOnFail: 1000 } : {});
const redis = (url: string) => new Redis(url, { maxRetriesPerRequest: null });

export async function runBullmqWorker(args: WorkerArgs): Promise<() => Promise<void>> {
  const connection = redis(args.redisUrl);
  const app = redis(args.redisUrl);
  const queue = new Queue<StepJob>(QUEUE, {
    connection,
    prefix: PREFIX,
    defaultJobOptions: jobOptions(args),
  });
  const worker = new Worker<StepJob>(
    QUEUE,
    async (job) => {
      const data = job.data;
      const executedAt = Date.now();
      const opened = data.step === 'condition' ? await app.hget(OPENED, String(data.i)) : null;
      const next = followUp(data, executedAt, args.mode, opened === null ? null : Number(opened));
      if (next !== null) {
        await queue.add(next.job.step, next.job, {
          jobId: jobKey(next.job.i, next.job.step),
          delay: Math.max(0, next.runAt - Date.now()),
        });
      }
      // Recorded after the follow-up is scheduled: a full ledger means every next job exists.
      await app.rpush(LEDGER, `${data.i}|${data.step}|${executedAt}`);
    },
    { connection: redis(args.redisUrl), prefix: PREFIX, ...(tuned(args) ? { concurrency: 50 } : {}) },
  );
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await queue.close();
    app.disconnect();
    connection.disconnect();
  };
}

export function bullmqController(settings: RunSettings): Controller {
  const app = redis(settings.redisUrl);
  const queue = new Queue<StepJob>(QUEUE, {
    connection: redis(settings.redisUrl),
    prefix: PREFIX,
    defaultJobOptions: jobOptions(settings),
  });
  let baseline = 0;
  let cursor = 0;
  const parse = (entry: string): LedgerRow => {
    const [i, step, at] = entry.split('|');
    return { i: Number(i), step: step as LedgerStep, at: Number(at) };
  };
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await app.info('memory'))?.[1] ?? 0);
  return {
    drivesWorkers: false,
    worklistEmulated: true,
    async setup() {
      await app.flushdb();
      baseline = await usedMemory();
    },
    workerExtra: () => ({}),
    async enrol(indices) {
      for (let start = 0; start < indices.length; start += 5_000) {
        await queue.addBulk(
          indices.slice(start, start + 5_000).map((i) => ({
            name: 'email1',
            data: {
              i,
              step: 'email1' as const,
              owner: i % settings.owners,
              due: settings.mode === 'burn' ? 0 : Date.now(),
            },
            opts: { jobId: jobKey(i, 'email1') },
          })),
        );
      }
    },
    async jump() {
      // Paused while promoting: otherwise the loop also promotes the follow-ups that freshly promoted
      // jobs schedule meanwhile (the SQL peers' single UPDATE sees a snapshot and has no such race).
      await queue.pause();
      await queue.promoteJobs();
      await queue.resume();
    },
    async signal(items) {
      const pipeline = app.pipeline();
      for (const s of items) if (s.kind === 'opened') pipeline.hset(OPENED, String(s.i), String(s.at));
      await pipeline.exec();
      const replies = items.filter((s) => s.kind === 'replied');
      for (let start = 0; start < replies.length; start += 100) {
        await Promise.all(replies.slice(start, start + 100).map((s) => queue.remove(jobKey(s.i, 'email2'))));
      }
    },
    ledgerCount: () => app.llen(LEDGER),
    async ledger() {
      return { timeBase: 'real', rows: (await app.lrange(LEDGER, 0, -1)).map(parse) };
    },
    async ledgerSince(_at, steps) {
      // A cursor on the list index cannot skip (unlike one on a PostgreSQL id): Redis runs commands
      // one at a time, so an RPUSH takes its index and becomes visible at once, and nothing is removed.
      const entries = await app.lrange(LEDGER, cursor, -1);
      cursor += entries.length;
      return entries.map(parse).filter((r) => steps.includes(r.step));
    },
    async worklist(owner) {
      // Emulated: walk the delayed set in due order, reading each job's data, until 50 are the owner's.
      const key = `${PREFIX}:${QUEUE}:delayed`;
      let found = 0;
      for (let start = 0; found < 50; start += 500) {
        const ids = await app.zrange(key, start, start + 499);
        if (ids.length === 0) break;
        const pipeline = app.pipeline();
        for (const id of ids) pipeline.hget(`${PREFIX}:${QUEUE}:${id}`, 'data');
        for (const [, data] of (await pipeline.exec()) ?? []) {
          if (typeof data === 'string' && (JSON.parse(data) as StepJob).owner === owner && ++found === 50)
            break;
        }
      }
      return found;
    },
    async storeBytes() {
      return (await usedMemory()) - baseline;
    },
    async serverPids() {
      const pid = /process_id:(\d+)/.exec(await app.info('server'))?.[1];
      return pid === undefined ? [] : [Number(pid)];
    },
    async teardown() {
      await queue.close();
      await app.flushdb();
      app.disconnect();
    },
  };
}
