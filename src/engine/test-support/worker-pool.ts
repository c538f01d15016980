// Worker processes for the multi-process and crash tests, driven by a manual clock: `settle(now)` tells
// every process the time and waits until each has done all the work due then. A process armed to crash
// reports when it reached its crash point, and the pool kills it there (SIGKILL, kill -9) and starts a
// fresh one in its place. The entry (worker-process.ts) is bundled once per test file with esbuild, so a
// restart costs a plain `node` start rather than a TypeScript loader's (seconds on a loaded machine).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_ENV,
  type CrashPoint,
  type FromChild,
  type ToChild,
  type WorkerProcessConfig,
} from './worker-process-protocol.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');

export interface WorkerEntry {
  /** The file to `fork`, and the node flags it needs. */
  path: string;
  execArgv: string[];
  remove(): void;
}

/**
 * Bundles worker-process.ts (packages stay external, resolved from the repository's node_modules) into
 * test-output/, next to an empty `migrations/` folder the dialect modules look for (the processes open
 * the store without migrating). Falls back to running the TypeScript through tsx.
 */
export async function buildWorkerEntry(): Promise<WorkerEntry> {
  const source = join(HERE, 'worker-process.ts');
  const folder = join(REPO, 'test-output', 'worker-process', String(process.pid));
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    mkdirSync(join(folder, 'migrations'), { recursive: true });
    const path = join(folder, 'worker-process.mjs');
    await esbuild.build({
      entryPoints: [source],
      outfile: path,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    return { path, execArgv: [], remove: () => rmSync(folder, { recursive: true, force: true }) };
  } catch {
    return { path: source, execArgv: ['--import', 'tsx'], remove: () => {} };
  }
}

type Settled = { kind: 'idle'; processed: number } | { kind: 'armed'; point: CrashPoint };

/** One worker process and its mailbox. */
export class WorkerProcess {
  readonly name: string;
  readonly errors: string[] = [];
  readonly #child: ChildProcess;
  readonly #inbox: FromChild[] = [];
  #waiter: {
    accept: (m: FromChild) => boolean;
    resolve: (m: FromChild) => void;
    reject: (e: Error) => void;
  } | null = null;
  #exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #onExit: (() => void)[] = [];

  private constructor(entry: WorkerEntry, config: WorkerProcessConfig) {
    this.name = config.name;
    this.#child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: FromChild) => {
      if (message.type === 'error') this.errors.push(message.message);
      this.#inbox.push(message);
      this.#deliver();
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = { code, signal };
      for (const resolve of this.#onExit.splice(0)) resolve();
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter?.reject(
        new Error(
          `worker ${this.name} exited (${signal ?? code}): ${this.errors.join(' | ') || 'no error reported'}`,
        ),
      );
    });
  }

  static async start(entry: WorkerEntry, config: WorkerProcessConfig): Promise<WorkerProcess> {
    const worker = new WorkerProcess(entry, config);
    await worker.#next((m) => m.type === 'ready');
    return worker;
  }

  /** Sets the process's clock; resolves when it is idle at `now`, or when it reached its crash point. */
  async settle(now: number, round: number): Promise<Settled> {
    this.#send({ type: 'time', now, round });
    const m = await this.#next((x) => (x.type === 'idle' && x.round === round) || x.type === 'armed');
    return m.type === 'armed'
      ? { kind: 'armed', point: m.point }
      : { kind: 'idle', processed: (m as { processed: number }).processed };
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (this.#exited !== null) return;
    const gone = new Promise<void>((resolve) => this.#onExit.push(resolve));
    this.#waiter = null;
    this.#child.kill('SIGKILL');
    await gone;
  }

  /** Graceful stop (the batch in hand is finished); returns how many enrollments it moved. */
  async stop(): Promise<number> {
    this.#send({ type: 'stop' });
    const m = await this.#next((x) => x.type === 'stopped');
    return (m as { processed: number }).processed;
  }

  #send(message: ToChild): void {
    if (this.#exited !== null) throw new Error(`worker ${this.name} is gone`);
    this.#child.send(message);
  }

  #next(accept: (m: FromChild) => boolean): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      if (this.#exited !== null) {
        reject(new Error(`worker ${this.name} exited: ${this.errors.join(' | ')}`));
        return;
      }
      this.#waiter = { accept, resolve, reject };
      this.#deliver();
    });
  }

  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    const index = this.#inbox.findIndex(waiter.accept);
    if (index < 0) return;
    const [message] = this.#inbox.splice(index, 1);
    this.#waiter = null;
    waiter.resolve(message as FromChild);
  }
}

/** Mulberry32: a small seeded generator, so a crash schedule can be replayed from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkerPoolOptions {
  entry: WorkerEntry;
  base: Omit<WorkerProcessConfig, 'name' | 'crash' | 'start'>;
  size: number;
  start: number;
  /** Kill this many processes in all, at points drawn from `random`; 0 for none. */
  kills: number;
  random: () => number;
}

const POINTS: readonly CrashPoint[] = ['claimed', 'committing', 'committed', 'racing'];

/** A fixed number of live worker processes sharing one database and one (manual) time. */
export class WorkerPool {
  readonly #o: WorkerPoolOptions;
  readonly #live: WorkerProcess[] = [];
  #started = 0;
  #now: number;
  #round = 0;
  /** Each kill: which process, at which point. */
  readonly killed: { name: string; point: CrashPoint }[] = [];
  /** Errors reported by processes (kept across restarts). */
  readonly errors: string[] = [];
  /** `processed` of each process when last idle. */
  readonly processed = new Map<string, number>();

  constructor(options: WorkerPoolOptions) {
    this.#o = options;
    this.#now = options.start;
  }

  get live(): readonly WorkerProcess[] {
    return this.#live;
  }

  async start(): Promise<void> {
    const started = await Promise.all(Array.from({ length: this.#o.size }, () => this.#spawn()));
    this.#live.push(...started);
  }

  /** A replacement is started ahead (a warm spare), so a kill costs no start-up wait. */
  #spawn(): Promise<WorkerProcess> {
    const next = this.#spare ?? this.#launch();
    this.#spare = this.#o.kills > 0 ? this.#launch() : null;
    // A spare that failed to start is reported when it is taken.
    this.#spare?.catch(() => {});
    return next;
  }

  #spare: Promise<WorkerProcess> | null = null;

  #launch(): Promise<WorkerProcess> {
    this.#started += 1;
    const armed = this.killed.length + this.#armed.size < this.#o.kills;
    const crash = armed
      ? {
          point: POINTS[Math.floor(this.#o.random() * POINTS.length)] as CrashPoint,
          call: 1 + Math.floor(this.#o.random() * 3),
        }
      : null;
    const worker = WorkerProcess.start(this.#o.entry, {
      ...this.#o.base,
      name: `w${this.#started}`,
      start: this.#now,
      crash,
    });
    if (crash !== null) this.#armed.add(`w${this.#started}`);
    return worker;
  }

  /** Processes started armed that have not been killed yet (live or spare). */
  readonly #armed = new Set<string>();

  /**
   * Every live process learns the time and works until nothing is due for it; an armed process that
   * reached its crash point is killed there and replaced (the new one also catches up to `now`).
   */
  async settle(now: number): Promise<void> {
    this.#now = now;
    this.#round += 1;
    const round = this.#round;
    const run = async (slot: number): Promise<void> => {
      for (;;) {
        const worker = this.#live[slot] as WorkerProcess;
        const settled = await worker.settle(now, round);
        if (settled.kind === 'idle') {
          this.processed.set(worker.name, settled.processed);
          return;
        }
        await worker.kill();
        this.errors.push(...worker.errors);
        this.killed.push({ name: worker.name, point: settled.point });
        this.#armed.delete(worker.name);
        this.#live[slot] = await this.#spawn();
      }
    };
    await Promise.all(this.#live.map((_, slot) => run(slot)));
  }

  async stop(): Promise<void> {
    const spare = this.#spare;
    this.#spare = null;
    if (spare !== null) this.#live.push(await spare);
    await Promise.all(
      this.#live.map(async (worker) => {
        this.processed.set(worker.name, await worker.stop());
        this.errors.push(...worker.errors);
      }),
    );
    this.#live.length = 0;
  }

  /** Kills whatever is still running (after a failure). */
  async kill(): Promise<void> {
    const spare = this.#spare;
    this.#spare = null;
    const workers = [...this.#live];
    const spareWorker = spare === null ? null : await spare.catch(() => null);
    if (spareWorker !== null) workers.push(spareWorker);
    await Promise.all(workers.map((worker) => worker.kill()));
    this.#live.length = 0;
  }
}
