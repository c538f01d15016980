// Running due work: `runDue` burns down everything due at one instant (the manual clock's
// POST /api/clock, `stepwise simulate`, tests); `Worker` does the same forever on the real clock,
// sleeping until the earliest due time it knows (bounded, with a backstop poll) and woken early by
// PostgreSQL NOTIFY from other processes or `nudge()` in this one. Leases keep workers off each
// other's batches; the commit's version fence makes a worker that lost its lease change nothing.

import { Alarm } from './alarm.js';
import { applyClaimed } from './apply-events.js';
import type { EngineDeps } from './deps.js';

export interface WorkerOptions {
  /** Enrollments claimed and committed per transaction. */
  batchSize: number;
  /** How long a claim keeps other workers away; a crashed worker's batch is reclaimed after it. */
  leaseMs: number;
  /** The longest idle sleep: the backstop poll when no hint arrives. */
  maxIdleMs: number;
  /** The sleep while the earliest due work is leased by another worker. */
  leasedPollMs: number;
  /** The sleep after a failed batch (the database away, a bug). */
  errorBackoffMs: number;
  /** Written into each claimed row's lease_owner (process and worker). */
  leaseOwner: string;
  onError: (error: unknown) => void;
}

const WORKER_DEFAULTS = {
  batchSize: 500,
  leaseMs: 30_000,
  maxIdleMs: 1_000,
  leasedPollMs: 200,
  errorBackoffMs: 1_000,
  leaseOwner: 'worker',
  onError: () => {},
} satisfies WorkerOptions;

/** Every worker option resolved: the defaults in one place. */
export function workerOptions(overrides: Partial<WorkerOptions> = {}): WorkerOptions {
  const options: WorkerOptions = { ...WORKER_DEFAULTS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  if (!(options.batchSize >= 1)) throw new RangeError('batchSize must be at least 1');
  return options;
}

export interface RunDueOptions {
  /** Default: the clock's now. */
  now?: number;
  batchSize: number;
  leaseOwner: string;
  leaseMs?: number;
}

/**
 * Claims and ticks batches until nothing is due at `now`; returns how many enrollments it moved.
 * Rows leased by someone else are left to them (and to their lease's expiry).
 */
export async function runDue(deps: EngineDeps, options: RunDueOptions): Promise<number> {
  const now = options.now ?? deps.clock.now();
  const leaseMs = options.leaseMs ?? WORKER_DEFAULTS.leaseMs;
  let processed = 0;
  for (;;) {
    const claimed = await deps.store.engine.claimDue(
      now,
      options.batchSize,
      options.leaseOwner,
      now + leaseMs,
    );
    if (claimed.length === 0) return processed;
    processed += (await applyClaimed(deps, claimed, now)).written;
  }
}

export class Worker {
  readonly #deps: EngineDeps;
  readonly #options: WorkerOptions;
  #loop: Promise<void> | null = null;
  #running = false;
  #nudged = false;
  readonly #alarm = new Alarm();
  #processed = 0;
  #idle: (() => void)[] = [];

  constructor(deps: EngineDeps, options: Partial<WorkerOptions> = {}) {
    this.#deps = deps;
    this.#options = workerOptions(options);
  }

  /** Enrollments this worker has moved since it started. */
  get processed(): number {
    return this.#processed;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Work may be due now: skip the current (or next) idle sleep. */
  nudge(): void {
    this.#nudged = true;
    this.#wakeUp();
  }

  /** Resolves the next time the worker finds nothing due (after finishing what was). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Finishes the batch in hand (claimed rows are committed, never half-written) and stops. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
    this.#loop = null;
  }

  async #run(): Promise<void> {
    const { store } = this.#deps;
    const o = this.#options;
    let stopListening: (() => Promise<void>) | null = null;
    try {
      stopListening = await store.engine.listenForWork(() => this.nudge());
    } catch (error) {
      o.onError(error);
    }
    try {
      while (this.#running) {
        try {
          const now = this.#deps.clock.now();
          this.#nudged = false;
          const claimed = await store.engine.claimDue(now, o.batchSize, o.leaseOwner, now + o.leaseMs);
          if (claimed.length > 0) {
            const at = Math.max(now, this.#deps.clock.now());
            this.#processed += (await applyClaimed(this.#deps, claimed, at)).written;
            continue;
          }
          const next = await store.engine.nextDueAt();
          for (const resolve of this.#idle.splice(0)) resolve();
          if (this.#nudged || !this.#running) continue;
          const later = this.#deps.clock.now();
          await this.#sleep(
            next === null ? o.maxIdleMs : next > later ? Math.min(next - later, o.maxIdleMs) : o.leasedPollMs,
          );
        } catch (error) {
          o.onError(error);
          if (this.#running) await this.#sleep(o.errorBackoffMs);
        }
      }
    } finally {
      for (const resolve of this.#idle.splice(0)) resolve();
      if (stopListening !== null) await stopListening().catch(o.onError);
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#alarm.sleep(ms);
  }

  #wakeUp(): void {
    this.#alarm.wake();
  }
}
