// What the harness needs of each system under test: a controller in the harness process (fresh
// store, enrolment, signals, time jumps, the ledger) and worker child processes started from
// worker-main.ts with `WorkerArgs`, so a worker can be killed with SIGKILL and measured alone.
import type { LedgerRow } from '../workload/ledger-check.js';
import type { LedgerStep, Mode } from '../workload/workload.js';

export const ADAPTERS = [
  'stepwise-sqlite',
  'stepwise-postgres',
  'bullmq',
  'bullmq-tuned',
  'pg-boss',
  'pg-boss-tuned',
  'graphile-worker',
  'graphile-worker-tuned',
] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface RunSettings {
  adapter: AdapterName;
  mode: Mode;
  n: number;
  owners: number;
  /** Unique per run: names the PostgreSQL schema, the SQLite file, the application_name. */
  runId: string;
  pgUrl: string;
  redisUrl: string;
  /** Worker child processes (the concurrency budget is `workers` × each adapter's in-process setting). */
  workers: number;
}

export interface WorkerArgs extends RunSettings {
  index: number;
  /** Adapter-specific: a file, a schema. */
  extra: Record<string, string>;
}

export interface SignalInput {
  i: number;
  kind: 'replied' | 'opened';
  /** Burn-down: workload ms (virtual); real time: epoch ms. */
  at: number;
}

/** `at`: 'workload' = already ms since the run's start on the adapter's clock; 'real' = epoch ms. */
export interface AdapterLedger {
  timeBase: 'workload' | 'real';
  rows: LedgerRow[];
}

export interface Controller {
  /** Fresh database, schema, queues, users and records (not timed). */
  setup(): Promise<void>;
  workerExtra(): Record<string, string>;
  /** Burn-down is driven by messages to the workers (Stepwise's manual clock) instead of by jumps. */
  readonly drivesWorkers: boolean;
  /** Bulk enrolment; the first step is due at once. */
  enrol(indices: readonly number[]): Promise<void>;
  /** Burn-down: everything due by workload day `day` becomes due now (jobs promoted, clock set). */
  jump(day: number): Promise<void>;
  signal(items: readonly SignalInput[]): Promise<void>;
  ledgerCount(): Promise<number>;
  ledger(): Promise<AdapterLedger>;
  /** Rows since a point of the adapter's time base (for the real-time signal injector); may repeat rows. */
  ledgerSince(at: number, steps: readonly LedgerStep[]): Promise<LedgerRow[]>;
  /** One "top 50 due for one owner" query; `emulated` when the system has no work list. */
  worklist(owner: number): Promise<number>;
  readonly worklistEmulated: boolean;
  storeBytes(): Promise<number>;
  /** Database server processes doing this run's work (for CPU seconds), if they can be told apart. */
  serverPids(): Promise<number[]>;
  /**
   * A worker process was killed and has exited: what a supervisor that saw it exit tells the system,
   * with the lock owners the process reported (`{ type: 'lock-owner', id }`). Absent: the system
   * recovers by itself (leases, expiry, stalled-job checks).
   */
  workerDied?(lockOwners: readonly string[]): Promise<void>;
  /** After a SIGKILL run: how many jobs were taken back from the killed worker (expired, unlocked). */
  recoveredJobs?(): Promise<number>;
  teardown(): Promise<void>;
}

/** A job-queue step job's payload (peers). `due`: burn-down workload ms, real time epoch ms. */
export interface StepJob {
  i: number;
  step: LedgerStep;
  owner: number;
  due: number;
}

export function jobKey(i: number, step: LedgerStep): string {
  return `${step}-${i}`;
}
