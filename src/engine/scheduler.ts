// Running due work: `runDue` burns down everything due at one instant (`stepwise simulate`, tests);
// `runUntil` walks a manual clock forward through every instant where something falls due, engine steps
// and automated emails alike (the test clock's POST /api/clock); `Worker` runs due work forever on the
// real clock, sleeping until the earliest due time it knows (bounded, with a backstop poll) and woken early by
// PostgreSQL NOTIFY from other processes or `nudge()` in this one. Leases keep workers off each
// other's batches; the commit's version fence makes a worker that lost its lease change nothing.

import { Alarm } from './alarm.js';
import { applyClaimed } from './apply-events.js';
import type { ManualClock } from './clock.js';
import type { EngineDeps } from './deps.js';
import { EMAIL_KIND, type SendPassResult } from './outbox-sender.js';
import type { Clock } from './ports/clock.js';

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

/**
 * A walk's time limit as the mail sender hears it: `stop` fires at the limit (no SMTP exchange starts
 * after it), `breakOff` a grace later (the exchanges still in flight are broken off, outbox-sender.ts).
 */
export interface WalkLimits {
  stop: AbortSignal;
  breakOff: AbortSignal;
}

/**
 * The process's mail sender as a walk through simulated time drives it (src/cli/mail-sender.ts): the
 * same passes (`sendDueEmails`) over the same SMTP transport as its background loop, never at once.
 */
export interface WalkMailSender {
  /** A mailbox exists that could send (STEPWISE_SMTP_URL or a stored one); without one, emails wait. */
  configured(): Promise<boolean>;
  /**
   * Runs `walk` while no other pass of this sender runs (its background loop pauses, then resumes). The
   * loop's pass in hand is waited for until `limits.breakOff`, which breaks off its exchanges in flight;
   * `walk` is told how many it broke off.
   */
  exclusive<T>(walk: (paused: { brokenOff: number }) => Promise<T>, limits?: WalkLimits): Promise<T>;
  /** One pass at the clock's now: sends what the mailboxes' spacing and daily caps allow, defers the rest. */
  sendDue(limits?: WalkLimits): Promise<SendPassResult>;
}

export interface RunUntilOptions {
  batchSize: number;
  leaseOwner: string;
  /** Null: automated emails are left to whoever sends them (they stay pending here). */
  mail: WalkMailSender | null;
  /** At most this many stops (instants and rounds within one); past it the walk jumps to the target. */
  maxStops: number;
  /**
   * A wall-clock budget: checked between stops, past it the walk jumps to the target. It bounds the SMTP
   * exchanges too (WalkLimits): none starts after `ms`, those still in flight `graceMs` later are broken off
   * (default 0), so the walk ends then whatever the mail server does.
   */
  budget: { clock: Clock; ms: number; graceMs?: number };
  /** How long one instant waits for rows another worker of this process has claimed. */
  settleTimeoutMs?: number;
}

export interface RunUntilResult {
  /** Enrollments moved by due steps and timers. */
  steps: number;
  /** Automated emails handed to SMTP and accepted. */
  emails: number;
  stops: number;
  /** The bound was hit (or due work stayed leased by someone else): the rest was run at the target. */
  cutShort: boolean;
  /**
   * SMTP exchanges broken off at the time limit (the walk's own, or the background loop's it waited for):
   * their rows were settled as the crash rule says (retried, or `send_unknown` once the message was out).
   */
  brokenOff: number;
}

const SETTLE_POLL_MS = 10;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `runDue` at `now`, then waits for due rows the in-process worker claimed meanwhile (bounded, and not
 * past the walk's time limit).
 */
async function settleDue(
  deps: EngineDeps,
  now: number,
  options: RunUntilOptions,
  limit: AbortSignal,
): Promise<number> {
  const timeout = options.settleTimeoutMs ?? 60_000;
  let processed = 0;
  for (let waited = 0; ; waited += SETTLE_POLL_MS) {
    processed += await runDue(deps, { now, batchSize: options.batchSize, leaseOwner: options.leaseOwner });
    const next = await deps.store.engine.nextDueAt();
    if (next === null || next > now || waited >= timeout || limit.aborted) return processed;
    await pause(SETTLE_POLL_MS);
  }
}

/**
 * Moves `clock` to `target` as a discrete-event simulation: at each instant where an engine step falls
 * due or a queued email may go out (its mailbox's spacing and daily cap are counted in simulated time:
 * a deferred email's `available_at` is when its mailbox may send again), sets the clock there, runs the
 * due steps and a send pass, again while they make more work due at that instant, then goes on to the
 * next. Answers with the clock at `target`, within the budget (and its grace) whatever SMTP does: past
 * it, the emails still due wait for the sender's next pass.
 */
export async function runUntil(
  deps: EngineDeps,
  clock: ManualClock,
  target: number,
  options: RunUntilOptions,
): Promise<RunUntilResult> {
  const mail = options.mail !== null && (await options.mail.configured()) ? options.mail : null;
  const result: RunUntilResult = { steps: 0, emails: 0, stops: 0, cutShort: false, brokenOff: 0 };
  const { budget } = options;
  const startedAt = budget.clock.now();
  // The limit as timers: the sender's passes cannot check it between stops while an exchange hangs.
  const stopping = new AbortController();
  const breaking = new AbortController();
  const timers = [
    setTimeout(() => stopping.abort(), budget.ms),
    setTimeout(() => breaking.abort(), budget.ms + Math.max(0, budget.graceMs ?? 0)),
  ];
  const limits: WalkLimits = { stop: stopping.signal, breakOff: breaking.signal };
  const withinBounds = () =>
    result.stops < options.maxStops && !stopping.signal.aborted && budget.clock.now() - startedAt < budget.ms;

  /** Everything due at the clock's now; true when something moved. */
  const stop = async (at: number): Promise<boolean> => {
    result.stops++;
    const steps = await settleDue(deps, at, options, stopping.signal);
    // Past the limit no exchange starts: what is due waits for the sender's next pass.
    const pass = mail === null || stopping.signal.aborted ? null : await mail.sendDue(limits);
    result.steps += steps;
    result.emails += pass?.sent ?? 0;
    result.brokenOff += pass?.brokenOff ?? 0;
    // A sent, failed or suppressed email moves its enrollment on, which may make more work due now.
    return steps + (pass === null ? 0 : pass.sent + pass.failed + pass.suppressed) > 0;
  };

  const walk = async (paused: { brokenOff: number }): Promise<RunUntilResult> => {
    result.brokenOff += paused.brokenOff;
    let at = clock.now();
    for (;;) {
      const moved = await stop(at);
      const [due, queued] = await Promise.all([
        deps.store.engine.nextDueAt(),
        mail === null ? null : deps.store.outbox.nextAvailableAt(EMAIL_KIND),
      ]);
      const next = Math.min(due ?? Number.POSITIVE_INFINITY, queued ?? Number.POSITIVE_INFINITY);
      if (next <= at) {
        // Made due at this instant by what just ran (a sent email's next step): another stop here.
        if (moved && withinBounds()) continue;
        // Due here and untouched: leased by a worker or sender elsewhere, theirs (or their lease's expiry).
        result.cutShort = true;
        break;
      }
      if (next > target) break;
      if (!withinBounds()) {
        result.cutShort = true;
        break;
      }
      at = next;
      clock.set(at);
    }
    if (clock.now() < target) clock.set(target);
    if (result.cutShort) await stop(target);
    return result;
  };
  try {
    return await (mail === null ? walk({ brokenOff: 0 }) : mail.exclusive(walk, limits));
  } finally {
    for (const timer of timers) clearTimeout(timer);
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
