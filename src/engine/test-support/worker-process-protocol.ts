// The messages between a test and its worker processes (worker-process.ts), and their configuration.

/** Where a kill -9 lands: `racing` reports after a claim and keeps working (the kill lands anywhere after). */
export type CrashPoint = 'claimed' | 'committing' | 'committed' | 'racing';

export interface WorkerProcessConfig {
  url: string;
  schema: string | null;
  name: string;
  batchSize: number;
  leaseMs: number;
  start: number;
  /** Stop at the `call`th non-empty claim (or commit) at `point` and wait for the parent's kill. */
  crash: { point: CrashPoint; call: number } | null;
}

export type ToChild = { type: 'time'; now: number; round: number } | { type: 'stop' };
export type FromChild =
  | { type: 'ready' }
  | { type: 'idle'; round: number; processed: number }
  | { type: 'armed'; point: CrashPoint }
  | { type: 'error'; message: string }
  | { type: 'stopped'; processed: number };

export const CONFIG_ENV = 'STEPWISE_WORKER_PROCESS';
