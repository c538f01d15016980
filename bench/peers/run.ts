// `tsx bench/peers/run.ts [--n 100000] [--runs 5] [--only a,b] [--mode burn|real|both] [--workers 2]
//  [--sqlite-workers 1] [--seed 7] [--no-kill] [--pg URL] [--redis URL]` — Stepwise against the job queues a team would
// use instead (issue 7), on one workload, each run on a fresh store and checked against its ledger.
// One warm-up run per adapter and mode is discarded; the table shows median and min–max of `--runs`.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentiles, type Spread, spread } from '../workload/figures.js';
import { checkLedger, type LedgerCheck, type LedgerRow } from '../workload/ledger-check.js';
import {
  buildWorkload,
  DAY_MS,
  expectedRows,
  type Mode,
  phaseTargets,
  REAL_DAY_MS,
  WAIT_DAYS,
  WITHIN_DAYS,
  type Workload,
} from '../workload/workload.js';
import {
  ADAPTERS,
  type AdapterName,
  type Controller,
  type RunSettings,
  type SignalInput,
} from './adapter.js';
import { bullmqController } from './adapters/bullmq.js';
import { graphileController } from './adapters/graphile-worker.js';
import { pgBossController } from './adapters/pg-boss.js';
import { stepwiseController } from './adapters/stepwise-controller.js';
import { STEPWISE_T0 } from './adapters/stepwise-worker.js';
import { cpuSince, cpuSnapshot, peakRss } from './process-stats.js';

const here = dirname(fileURLToPath(import.meta.url));

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
// Without this, `--help` is an unknown flag and starts the full default benchmark.
if (process.argv.includes('--help')) {
  console.log(`tsx bench/peers/run.ts [--n 100000] [--runs 5] [--only ${ADAPTERS.join(',')}]
  [--mode burn|real|both] [--workers 2] [--sqlite-workers 1] [--seed 7] [--no-kill] [--phase-timeout MS] [--pg URL] [--redis URL]
Method and flags: docs/benchmarks.md, "Stepwise against job queues".`);
  process.exit(0);
}
const N = Number(flag('n', '100000'));
const RUNS = Number(flag('runs', '5'));
const SEED = Number(flag('seed', '7'));
const WORKERS = Number(flag('workers', '2'));
const SQLITE_WORKERS = Number(flag('sqlite-workers', '1'));
const PG_URL = flag('pg', 'postgres://postgres@127.0.0.1:5432/test');
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379/7');
const ONLY = flag('only', ADAPTERS.join(',')).split(',') as AdapterName[];
const MODES: Mode[] = flag('mode', 'both') === 'both' ? ['burn', 'real'] : [flag('mode', 'burn') as Mode];
const KILL = !process.argv.includes('--no-kill');
/** How long a phase may take before the run is declared stuck (its misses then count). */
const PHASE_TIMEOUT_MS = Number(flag('phase-timeout', String(60_000 + N * 2)));
/** After a SIGKILL: how long the harness waits for the system to recover the killed worker's jobs. */
const RECOVERY_MS = 45_000;
/** A phase after one that ended short (the run has failed) ends once the count stops growing this long. */
const STALL_MS = 10_000;

function controllerFor(settings: RunSettings): Controller {
  switch (settings.adapter) {
    case 'stepwise-sqlite':
    case 'stepwise-postgres':
      return stepwiseController(settings);
    case 'bullmq':
    case 'bullmq-tuned':
      return bullmqController(settings);
    case 'pg-boss':
    case 'pg-boss-tuned':
      return pgBossController(settings);
    case 'graphile-worker':
    case 'graphile-worker-tuned':
      return graphileController(settings);
    default:
      return settings.adapter satisfies never;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class WorkerSet {
  readonly children: ChildProcess[] = [];
  readonly pids: number[] = [];
  /** Per worker index: the ids its jobs are locked by, as the process reported them. */
  readonly lockOwners: string[][] = [];
  /** Per worker index: called on its next `busy` message (it took jobs), if the worker sends them. */
  readonly #onBusy: ((() => void) | undefined)[] = [];
  readonly #sendsBusy: boolean[] = [];
  readonly #settings: RunSettings;
  readonly #extra: Record<string, string>;

  constructor(settings: RunSettings, extra: Record<string, string>) {
    this.#settings = settings;
    this.#extra = extra;
  }

  async spawn(index: number): Promise<ChildProcess> {
    const child = fork(
      join(here, 'worker-main.ts'),
      [JSON.stringify({ ...this.#settings, index, extra: this.#extra })],
      {
        // PEERS_WORKER_PROFILE=DIR: a V8 CPU profile of each worker process in DIR.
        execArgv: [
          // Stepwise's worker runs with the flag bin/stepwise.js ships with; the peers with Node's defaults.
          ...(this.#settings.adapter.startsWith('stepwise') ? ['--max-semi-space-size=64'] : []),
          '--import',
          'tsx',
          ...(process.env.PEERS_WORKER_PROFILE
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PEERS_WORKER_PROFILE}`]
            : []),
        ],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`worker exited with ${code} before ready`)));
      child.on('message', (m: { type: string; message?: string; id?: string }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'error') console.error(`worker ${index}: ${m.message}`);
        if (m.type === 'lock-owner' && m.id !== undefined)
          this.lockOwners[index] = [...(this.lockOwners[index] ?? []), m.id];
        if (m.type === 'busy') {
          this.#sendsBusy[index] = true;
          this.#onBusy[index]?.();
        }
      });
    });
    child.removeAllListeners('exit');
    this.children[index] = child;
    if (child.pid !== undefined) this.pids.push(child.pid);
    return child;
  }

  /**
   * Resolves when worker `index` next says it took jobs (at most `timeoutMs`), so that a kill hits a
   * worker holding jobs; at once for a worker that never says so.
   */
  whenBusy(index: number, timeoutMs: number): Promise<void> {
    if (this.#sendsBusy[index] !== true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#onBusy[index] = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#onBusy[index] = done;
    });
  }

  live(): ChildProcess[] {
    return this.children.filter((c) => c.exitCode === null && c.signalCode === null);
  }

  /** Stepwise burn-down: every live worker runs what is due at `now`; resolves when all are done. */
  phase(now: number, only: readonly ChildProcess[] = this.live()): Promise<void> {
    return Promise.all(
      only.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            // A worker whose phase threw reports `error` and never `phase-done`: fail the run, don't wait.
            const onMessage = (m: { type: string; message?: string }) => {
              if (m.type !== 'phase-done' && m.type !== 'error') return;
              child.off('message', onMessage);
              child.off('exit', onExit);
              if (m.type === 'error') reject(new Error(`worker failed its phase: ${m.message}`));
              else resolve();
            };
            const onExit = () => resolve();
            child.on('message', onMessage);
            child.once('exit', onExit);
            child.send({ type: 'phase', now });
          }),
      ),
    ).then(() => {});
  }

  peakRss(): number {
    return Math.max(0, ...this.live().map((c) => peakRss(c.pid as number)));
  }

  async exit(): Promise<void> {
    await Promise.all(
      this.live().map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              c.kill('SIGKILL');
              resolve();
            }, 10_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.send({ type: 'exit' });
          }),
      ),
    );
  }
}

interface RunResult {
  adapter: AdapterName;
  mode: Mode;
  kill: boolean;
  /**
   * SIGKILL run of a peer: the killed phase (day 0) reached its target this long after the kill; null:
   * it never did, or Stepwise (its lease runs out on its manual clock, not in wall time).
   */
  recoveredAfterMs: number | null;
  /** SIGKILL run: jobs the system took back from the killed worker; null: it cannot tell. */
  recoveredJobs: number | null;
  check: Omit<LedgerCheck, 'lateness'>;
  /** Enrollments left out of the check: the harness injected their signal too late (real time only). */
  lateSignals: number;
  transitions: number;
  transitionsPerSecond: number;
  /** The busy time behind steps/s overstates the system's by less than this (ledger polling). */
  endSlackMs: number;
  enrolPerSecond: number;
  lateness: { p50: number; p95: number; p99: number; max: number } | null;
  worklist: { p50: number; p99: number; emulated: boolean };
  workerRssBytes: number;
  storeBytesPerEnrollment: number;
  cpuSecondsPer1000: number;
  workerCpuSeconds: number;
  serverCpuSeconds: number;
}

interface Poll {
  /** performance.now() when the count was sent: its snapshot is taken after that. */
  at: number;
  count: number;
}

/**
 * `at` ends the measured phase: every row the last count saw had committed by then, and the last
 * one committed after the previous count was sent, so `at` overstates the end by less than `slackMs`.
 */
interface CountWait extends Poll {
  slackMs: number;
}

async function waitForCount(
  ctl: Controller,
  target: number,
  timeoutMs: number,
  onTick?: (count: number) => Promise<void>,
  stallMs = Number.POSITIVE_INFINITY,
): Promise<CountWait> {
  const deadline = Date.now() + timeoutMs;
  const began = performance.now();
  let previous: Poll | null = null;
  let grewAt = Date.now();
  for (;;) {
    const at = performance.now();
    const count = await ctl.ledgerCount();
    const tookMs = performance.now() - at;
    if (onTick !== undefined) await onTick(count);
    if (count > (previous?.count ?? -1)) grewAt = Date.now();
    if (count >= target || Date.now() > deadline || Date.now() - grewAt > stallMs)
      return { at, count, slackMs: at - (previous?.at ?? began) };
    const poll = { at, count };
    await sleep(pollDelay(target, poll, previous, tookMs));
    previous = poll;
  }
}

/**
 * A PostgreSQL ledger's count is a scan (80–100 ms at 390,000 rows under load): counting every 25 ms
 * would keep the database under test busy. Wait three counts' time, but not past the moment the rate
 * since the previous count reaches the target, so that the count reaching it is sent soon after.
 */
function pollDelay(target: number, poll: Poll, previous: Poll | null, tookMs: number): number {
  const rate = previous === null ? 0 : (poll.count - previous.count) / (poll.at - previous.at);
  const untilTarget = rate > 0 ? (target - poll.count) / rate - tookMs : Number.POSITIVE_INFINITY;
  return Math.max(25, Math.min(3 * tookMs, untilTarget));
}

async function measureWorklist(ctl: Controller, owners: number): Promise<number[]> {
  const times: number[] = [];
  for (let q = 0; q < 100; q++) {
    const t = performance.now();
    await ctl.worklist((q * 37) % owners);
    times.push(performance.now() - t);
  }
  return times;
}

async function runOnce(
  adapter: AdapterName,
  mode: Mode,
  workload: Workload,
  kill: boolean,
): Promise<RunResult> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const settings: RunSettings = {
    adapter,
    mode,
    n: workload.n,
    owners: workload.owners,
    runId,
    pgUrl: PG_URL,
    redisUrl: REDIS_URL,
    // SQLite has one writer: a second Stepwise process only waits for the lock (measured with
    // --sqlite-workers 2, docs/benchmarks.md "Session 5").
    workers: adapter === 'stepwise-sqlite' ? SQLITE_WORKERS : WORKERS,
  };
  const ctl = controllerFor(settings);
  await ctl.setup();
  const workers = new WorkerSet(settings, ctl.workerExtra());
  for (let w = 0; w < settings.workers; w++) await workers.spawn(w);
  const serverBefore = cpuSnapshot(await ctl.serverPids());
  const workerBefore = cpuSnapshot(workers.pids);
  const all = Array.from({ length: workload.n }, (_, i) => i);
  let enrolMs = 0;
  let busyMs = 0;
  let slackMs = 0;
  let worklistTimes: number[] = [];
  const releases: { real: number; day: number }[] = [];
  const email1Due = new Float64Array(workload.n);
  const lateSignals = new Set<number>();
  let killed = false;
  let killedAt = 0;
  /** Burn-down SIGKILL run of a peer: ms from the kill until the killed phase reached its target. */
  let recoveredAfterMs: number | null = null;
  /** A phase ended below its target: the run has failed, and the later phases cannot reach theirs. */
  let short = false;
  const killOne = async () => {
    if (killed) return;
    killed = true;
    killedAt = performance.now();
    const victim = workers.children[0];
    if (victim !== undefined && victim.exitCode === null && victim.signalCode === null) {
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      // A polling worker (pg-boss) holds jobs only while it runs a batch: killing it idle tests nothing.
      await workers.whenBusy(0, 5_000);
      killedAt = performance.now();
      victim.kill('SIGKILL');
      // As a supervisor would: only a process seen to exit has its jobs released.
      await exited;
      await ctl.workerDied?.(workers.lockOwners[0] ?? []);
    }
    return workers.spawn(settings.workers);
  };

  if (mode === 'burn') {
    let t = performance.now();
    await ctl.enrol(all);
    enrolMs = performance.now() - t;
    const phases = phaseTargets(workload);
    let cumulative = 0;
    for (const [index, phase] of phases.entries()) {
      // Released before the jump: promoted jobs may start while the jump is still promoting others.
      releases.push({ real: Date.now(), day: phase.day });
      if (index > 0) await ctl.jump(phase.day); // a jump in time: not timed
      cumulative += phase.rows;
      t = performance.now();
      const killAt = kill && index === 0 ? Math.floor(workload.n / 3) : Number.POSITIVE_INFINITY;
      if (ctl.drivesWorkers) {
        const now = STEPWISE_T0 + phase.day * DAY_MS;
        const running = workers.phase(now);
        if (killAt < Number.POSITIVE_INFINITY) {
          await waitForCount(ctl, killAt, PHASE_TIMEOUT_MS);
          const replacement = await killOne();
          if (replacement !== undefined) await workers.phase(now, [replacement]);
        }
        await running;
        // A killed worker's claims are reclaimed once their lease (30 s) has passed.
        if (killed && index === 0) await workers.phase(now + 60_000);
        busyMs += performance.now() - t;
      } else {
        const waited = await waitForCount(
          ctl,
          cumulative,
          killed || kill ? PHASE_TIMEOUT_MS + RECOVERY_MS : PHASE_TIMEOUT_MS,
          async (count) => {
            if (count >= killAt && !killed) await killOne();
          },
          short ? STALL_MS : undefined,
        );
        if (waited.count < cumulative) short = true;
        else if (killed && index === 0) recoveredAfterMs = waited.at - killedAt;
        busyMs += waited.at - t;
        slackMs += waited.slackMs;
      }
      if (index === 0 && ctl.worklistEmulated) worklistTimes = await measureWorklist(ctl, workload.owners);
      const signals: SignalInput[] = [];
      workload.plans.forEach((plan, i) => {
        if (index === 0 && plan.replyAfterDays !== null)
          signals.push({ i, kind: 'replied', at: Math.round(plan.replyAfterDays * DAY_MS) });
        if (index === 1 && plan.openAfterDays !== null)
          signals.push({ i, kind: 'opened', at: Math.round((WAIT_DAYS + plan.openAfterDays) * DAY_MS) });
      });
      if (signals.length > 0) {
        signals.sort((a, b) => a.at - b.at);
        t = performance.now();
        await ctl.signal(signals);
        busyMs += performance.now() - t;
      }
    }
  } else {
    const start = Date.now();
    const startedAt = performance.now();
    const pending: SignalInput[] = [];
    const mustPrecede = new Map<SignalInput, number>();
    const seen = new Set<string>();
    let done = false;
    const injector = (async () => {
      while (!done) {
        for (const row of await ctl.ledgerSince(Date.now() - 5_000, ['email1', 'email2'])) {
          const key = `${row.i}|${row.step}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const plan = workload.plans[row.i];
          const after =
            row.step === 'email1' ? plan?.replyAfterDays : row.step === 'email2' ? plan?.openAfterDays : null;
          if (after === null || after === undefined) continue;
          const signal: SignalInput = {
            i: row.i,
            kind: row.step === 'email1' ? 'replied' : 'opened',
            at: Math.round(row.at + after * REAL_DAY_MS),
          };
          // It must land before the next step falls due: email2 after a reply, the condition after an open.
          mustPrecede.set(signal, row.at + (row.step === 'email1' ? WAIT_DAYS : WITHIN_DAYS) * REAL_DAY_MS);
          pending.push(signal);
        }
        pending.sort((a, b) => a.at - b.at);
        const now = Date.now();
        const due = pending.filter((s) => s.at <= now);
        if (due.length > 0) {
          pending.splice(0, due.length);
          await ctl.signal(due);
          // A signal applied after the step it must precede fell due is the harness's lateness, not the system's.
          const appliedAt = Date.now();
          for (const signal of due)
            if (appliedAt > (mustPrecede.get(signal) ?? Number.POSITIVE_INFINITY)) lateSignals.add(signal.i);
        }
        await sleep(20);
      }
    })();
    const CHUNKS = 10;
    const size = Math.ceil(workload.n / CHUNKS);
    for (let c = 0; c < CHUNKS; c++) {
      await sleep(start + c * 1_000 - Date.now());
      const chunk = all.slice(c * size, (c + 1) * size);
      // Due from the moment the connect call starts: a bulk insert may run its first jobs before it returns.
      const at = Date.now();
      for (const i of chunk) email1Due[i] = at;
      const t = performance.now();
      await ctl.enrol(chunk);
      enrolMs += performance.now() - t;
      if (kill && c === CHUNKS / 2) await killOne();
    }
    const waited = await waitForCount(
      ctl,
      expectedRows(workload),
      PHASE_TIMEOUT_MS + (kill ? RECOVERY_MS : 0),
    );
    done = true;
    await injector;
    busyMs = waited.at - startedAt;
    slackMs = waited.slackMs;
    releases.push({ real: start, day: 0 });
  }
  if (worklistTimes.length === 0) worklistTimes = await measureWorklist(ctl, workload.owners);

  const workerCpu = cpuSince(workerBefore, workers.pids);
  const serverCpu = cpuSince(serverBefore, await ctl.serverPids());
  const rss = workers.peakRss();
  const ledger = await ctl.ledger();
  const toWorkload = (at: number): number => {
    if (ledger.timeBase === 'workload') return at;
    if (mode === 'real') return at - (releases[0]?.real ?? 0);
    let day = 0;
    for (const r of releases) if (r.real <= at) day = r.day;
    return day * DAY_MS;
  };
  const rows: LedgerRow[] = ledger.rows.map((r) => ({ ...r, at: toWorkload(r.at) }));
  const start = releases[0]?.real ?? 0;
  const check = checkLedger(
    workload,
    rows,
    mode === 'burn' ? DAY_MS : REAL_DAY_MS,
    (i) => (mode === 'burn' ? 0 : (email1Due[i] as number) - start),
    mode === 'burn' ? 0 : 2,
    lateSignals,
  );
  const bytes = await ctl.storeBytes();
  const recoveredJobs = kill && ctl.recoveredJobs !== undefined ? await ctl.recoveredJobs() : null;
  await workers.exit();
  // A failed run's store is kept for inspection (as pg-boss's tests keep a failed test's schema).
  if (check.ok || process.env.BENCH_KEEP_FAILED !== '1') await ctl.teardown();
  else console.error(`kept the store of failed run ${runId}`);
  const { lateness, ...checkRest } = check;
  const transitions = check.rows;
  return {
    adapter,
    mode,
    kill,
    recoveredAfterMs,
    recoveredJobs,
    check: checkRest,
    lateSignals: lateSignals.size,
    transitions,
    transitionsPerSecond: transitions / (busyMs / 1000),
    endSlackMs: slackMs,
    enrolPerSecond: workload.n / (enrolMs / 1000),
    lateness: mode === 'real' ? percentiles(lateness) : null,
    worklist: {
      p50: percentiles(worklistTimes).p50,
      p99: percentiles(worklistTimes).p99,
      emulated: ctl.worklistEmulated,
    },
    workerRssBytes: rss,
    storeBytesPerEnrollment: bytes / workload.n,
    cpuSecondsPer1000: ((workerCpu + serverCpu) / transitions) * 1000,
    workerCpuSeconds: workerCpu,
    serverCpuSeconds: serverCpu,
  };
}

interface Summary {
  adapter: AdapterName;
  mode: Mode;
  passed: number;
  failed: number;
  problems: string[];
  transitionsPerSecond: Spread;
  enrolPerSecond: Spread;
  lateness: Record<'p50' | 'p95' | 'p99' | 'max', Spread> | null;
  worklist: { p50: Spread; p99: Spread; emulated: boolean };
  workerRssMB: Spread;
  storeBytesPerEnrollment: Spread;
  cpuSecondsPer1000: Spread;
  duplicates: number;
  misses: number;
  kill: { ok: boolean; duplicates: number; misses: number; extras: number } | null;
}

function summarise(adapter: AdapterName, mode: Mode, runs: RunResult[], kill: RunResult | null): Summary {
  const good = runs.filter((r) => r.check.ok);
  const of = (f: (r: RunResult) => number) => spread(good.map(f));
  return {
    adapter,
    mode,
    passed: good.length,
    failed: runs.length - good.length,
    problems: runs.flatMap((r) => r.check.problems).slice(0, 5),
    transitionsPerSecond: of((r) => r.transitionsPerSecond),
    enrolPerSecond: of((r) => r.enrolPerSecond),
    lateness:
      mode === 'real'
        ? {
            p50: of((r) => r.lateness?.p50 ?? Number.NaN),
            p95: of((r) => r.lateness?.p95 ?? Number.NaN),
            p99: of((r) => r.lateness?.p99 ?? Number.NaN),
            max: of((r) => r.lateness?.max ?? Number.NaN),
          }
        : null,
    worklist: {
      p50: of((r) => r.worklist.p50),
      p99: of((r) => r.worklist.p99),
      emulated: runs[0]?.worklist.emulated ?? false,
    },
    workerRssMB: of((r) => r.workerRssBytes / 1_048_576),
    storeBytesPerEnrollment: of((r) => r.storeBytesPerEnrollment),
    cpuSecondsPer1000: of((r) => r.cpuSecondsPer1000),
    duplicates: runs.reduce((s, r) => s + r.check.duplicates, 0),
    misses: runs.reduce((s, r) => s + r.check.misses, 0),
    kill:
      kill === null
        ? null
        : {
            ok: kill.check.ok,
            duplicates: kill.check.duplicates,
            misses: kill.check.misses,
            extras: kill.check.extras,
          },
  };
}

const fmt = (v: number, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
const cell = (s: Spread, digits = 0) =>
  Number.isFinite(s.median) ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})` : '–';

function table(summaries: Summary[]): string {
  const lines = [
    '| system | mode | check | steps/s | enrol/s | lateness p50 / p95 / p99 / max (ms) | work list p50 / p99 (ms) | worker RSS MB | store B/enr | CPU s / 1k steps | dup / miss | after SIGKILL dup / miss |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries) {
    const check =
      s.failed === 0 ? `passed ${s.passed}/${s.passed}` : `**FAILED** ${s.failed}/${s.passed + s.failed}`;
    const failed = s.passed === 0;
    const late =
      s.lateness === null
        ? '–'
        : `${fmt(s.lateness.p50.median)} / ${fmt(s.lateness.p95.median)} / ${fmt(s.lateness.p99.median)} / ${fmt(s.lateness.max.median)}`;
    const kill =
      s.kill === null
        ? '–'
        : `${s.kill.ok ? '' : '**FAILED** '}${s.kill.duplicates} / ${s.kill.misses}${s.kill.extras > 0 ? ` (+${s.kill.extras} extra)` : ''}`;
    lines.push(
      `| ${s.adapter} | ${s.mode} | ${check} | ${failed ? 'FAILED' : cell(s.transitionsPerSecond)} | ${failed ? 'FAILED' : cell(s.enrolPerSecond)} | ${failed ? 'FAILED' : late} | ${fmt(s.worklist.p50.median, 2)} / ${fmt(s.worklist.p99.median, 2)}${s.worklist.emulated ? ' (emulated)' : ''} | ${fmt(s.workerRssMB.median)} | ${fmt(s.storeBytesPerEnrollment.median)} | ${fmt(s.cpuSecondsPer1000.median, 3)} | ${s.duplicates} / ${s.misses} | ${kill} |`,
    );
  }
  return lines.join('\n');
}

const workload = buildWorkload(N, SEED);
const summaries: Summary[] = [];
const raw: Record<string, RunResult[]> = {};
for (const adapter of ONLY) {
  if (!(ADAPTERS as readonly string[]).includes(adapter)) throw new Error(`Unknown adapter ${adapter}`);
  for (const mode of MODES) {
    const runs: RunResult[] = [];
    for (let r = 0; r <= RUNS; r++) {
      const result = await runOnce(adapter, mode, workload, false);
      console.error(
        `${adapter} ${mode} ${r === 0 ? 'warm-up' : `run ${r}`}: ${result.check.ok ? 'ok' : 'FAILED'} ${fmt(result.transitionsPerSecond)} steps/s (${result.endSlackMs > 0 ? `end ≤ ${fmt(result.endSlackMs)} ms late, ` : ''}load ${loadavg()[0]?.toFixed(2)}${result.lateSignals > 0 ? `, ${result.lateSignals} signals injected late, left out` : ''})${result.check.ok ? '' : ` ${result.check.problems.slice(0, 3).join('; ')}`}`,
      );
      if (r > 0) runs.push(result);
      // A warm-up that fails (typically: could not finish within the phase timeout) is not repeated.
      else if (!result.check.ok) {
        runs.push(result);
        break;
      }
    }
    let killRun: RunResult | null = null;
    if (KILL && mode === 'burn' && runs.every((r) => r.check.ok)) {
      killRun = await runOnce(adapter, mode, workload, true);
      console.error(
        `${adapter} ${mode} SIGKILL run: ${killRun.check.ok ? 'ok' : 'FAILED'} ${killRun.check.duplicates} duplicates / ${killRun.check.misses} misses${killRun.recoveredAfterMs === null ? '' : `, day 0 complete ${fmt(killRun.recoveredAfterMs)} ms after the kill`}${killRun.recoveredJobs === null ? '' : `, ${killRun.recoveredJobs} jobs taken back from the killed worker`} (load ${loadavg()[0]?.toFixed(2)}) ${killRun.check.problems.slice(0, 3).join('; ')}`,
      );
    }
    raw[`${adapter}/${mode}`] = killRun === null ? runs : [...runs, killRun];
    summaries.push(summarise(adapter, mode, runs, killRun));
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')}`;
const markdown = `# Stepwise against job queues — ${stamp}\n\n${machine}; N = ${N}, runs = ${RUNS} (+1 warm-up), workers = ${WORKERS}, seed ${SEED}\n\n${table(summaries)}\n`;
const out = join(here, '..', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, `peers-${stamp}.json`),
  `${JSON.stringify({ machine, n: N, runs: RUNS, seed: SEED, workers: WORKERS, summaries, raw }, null, 2)}\n`,
);
writeFileSync(join(out, `peers-${stamp}.md`), markdown);
console.log(markdown);
process.exit(0);
