// WAL checkpoints off the writer's commit path. SQLite's automatic checkpoint runs inside whichever COMMIT
// pushes the WAL past `wal_autocheckpoint` pages, so that writer copies pages into the database and syncs
// it while holding the write lock (signals ingestion, 50 × 1,000 signals on a 100k world: COMMIT time
// 2.1 s → 1.0 s, the whole run 7.2 s → 4.9 s with it off). Instead a worker thread with its own
// connection (sqlite-checkpoint-worker.ts) checkpoints PASSIVE-ly on a timer, on the other core; the main
// connection keeps a large `wal_autocheckpoint` only as a backstop should that thread die.
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CheckpointWorkerSettings } from './sqlite-checkpoint-worker.js';

/** The writer's `wal_autocheckpoint` while the checkpointer runs: ~400 MB of WAL, a bound, not a habit. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 100_000;

/**
 * The writer's `wal_autocheckpoint` without a checkpointer (it could not start, or died): every ~40 MiB
 * rather than SQLite's 4 MiB, because a burn-down rewrites the same hot pages (due index, enrollment
 * rows) batch after batch and each checkpoint copied them to the file again.
 */
export const SOLO_AUTOCHECKPOINT_PAGES = 10_000;

export interface CheckpointerTiming {
  /**
   * Milliseconds between checkpoints. 250: a page that several commits rewrite within that window is
   * copied once, and a checkpoint that copies anything costs two fsyncs, so a shorter period mostly buys
   * syncs; a longer one lets the WAL grow between checkpoints. A tick with nothing to copy only reads the
   * WAL index.
   */
  intervalMs: number;
  /**
   * WAL frames past which the thread restarts the log (see the worker): about the size, in pages, the WAL
   * file settles at under a steady stream of commits. As many as the writer's own checkpoints allowed.
   */
  restartFrames: number;
  /**
   * WAL bytes at which the thread is started: SQLite's own default checkpoint point (1,000 pages). A
   * store that never writes that much (a CLI command, most tests) never pays for a thread (~100 ms of
   * CPU to start and stop one, several times that from TypeScript source).
   */
  startBytes: number;
}

const DEFAULT_TIMING: CheckpointerTiming = {
  intervalMs: 250,
  restartFrames: SOLO_AUTOCHECKPOINT_PAGES,
  startBytes: 4 * 1024 * 1024,
};

export interface WalCheckpointer {
  /**
   * The writer's connection was just used (the driver calls this after each query and transaction): at
   * most once per interval, a stat() of the WAL; the thread starts once it has grown to `startBytes`.
   * A timer does the same for a store gone idle after a burst, but cannot alone: a busy writer whose
   * awaits all resolve at once never lets the timers of its thread run.
   */
  noteUse(): void;
  /** Stops the thread, if it started, and waits until it has closed its connection; safe to call again. */
  stop(): Promise<void>;
}

/**
 * From dist/ the worker is JavaScript; beside a .ts module (vitest, tsx) it is TypeScript, and its thread
 * starts through a small .mjs that registers tsx's loader first (sqlite-checkpoint-worker-tsx.mjs).
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sqlite-checkpoint-worker-tsx.mjs', import.meta.url)
  : new URL('./sqlite-checkpoint-worker.js', import.meta.url);

class BackgroundCheckpointer implements WalCheckpointer {
  readonly #settings: CheckpointWorkerSettings;
  readonly #onFailure: (error: Error) => void;
  readonly #startBytes: number;
  readonly #idleLook: NodeJS.Timeout;
  #nextLook = 0;
  #exited: Promise<void> = Promise.resolve();
  #worker: Worker | null = null;
  #stopping = false;
  #failed = false;

  constructor(path: string, onFailure: (error: Error) => void, timing: CheckpointerTiming) {
    this.#settings = { path, intervalMs: timing.intervalMs, restartFrames: timing.restartFrames };
    this.#onFailure = onFailure;
    this.#startBytes = timing.startBytes;
    this.#idleLook = setInterval(() => this.noteUse(), timing.intervalMs).unref();
  }

  noteUse(): void {
    if (this.#worker !== null || this.#stopping || this.#failed) {
      clearInterval(this.#idleLook);
      return;
    }
    const now = performance.now();
    if (now < this.#nextLook) return;
    this.#nextLook = now + this.#settings.intervalMs;
    const wal = statSync(`${this.#settings.path}-wal`, { throwIfNoEntry: false });
    if (wal !== undefined && wal.size >= this.#startBytes) this.#start();
  }

  #start(): void {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL, { workerData: this.#settings, name: 'sqlite-checkpointer' });
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    this.#worker = worker;
    // Never what keeps a process alive: one that forgets to close its store still exits.
    worker.unref();
    worker.on('error', (error) => this.#fail(error));
    this.#exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.#fail(new Error(`SQLite checkpointer thread ended with code ${code}`));
        resolve();
      });
    });
  }

  #fail(error: Error): void {
    if (this.#stopping || this.#failed) return;
    this.#failed = true;
    this.#onFailure(error);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#idleLook);
    if (this.#worker === null) return;
    // Referenced again while stopping: otherwise a process with nothing else to do would end before the
    // thread has closed its connection, leaving this promise unsettled.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}

/**
 * The checkpointer of a database file (not `:memory:`); its thread starts once the WAL has grown to
 * `timing.startBytes` (see `noteUse`). `onFailure` is called (once) if the thread cannot be created, or
 * fails or ends without being stopped: the writer should then checkpoint by itself again.
 */
export function startWalCheckpointer(
  path: string,
  onFailure: (error: Error) => void,
  timing: CheckpointerTiming = DEFAULT_TIMING,
): WalCheckpointer {
  return new BackgroundCheckpointer(path, onFailure, timing);
}
