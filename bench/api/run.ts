// `tsx bench/api/run.ts [--db sqlite|postgres] [--enrollments N] [--only worklist,signals,connect]
//  [--duration S] [--connections C] [--batches B] [--signal-rounds R] [--connect-runs R] [--connect-records M]
//  [--connect-sequence email|wait] [--profile] [--pg URL]` — issue 5's API figures against a real `stepwise serve` child on loopback, driven by
// autocannon (work list, signals) and fetch (connect), authenticated with API tokens. Prints JSON and a
// table and writes bench/results/api-<date>.json + .md, with this machine's speed (bench/calibrate.ts)
// measured first. The database (bench/api/world.ts) is cached;
// each run works on a fresh copy of it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { createApiToken } from '../../src/api/auth/api-tokens.js';
import { SystemClock } from '../../src/engine/clock.js';
import { openStore } from '../../src/storage/open-store.js';
import { calibrate } from '../calibrate.js';
import { benchDeps, DEFAULT_PG_URL } from '../engine/world.js';
import {
  benchWorld,
  CACHE_DIR,
  connectRecordId,
  type Db,
  enrollmentId,
  recordId,
  type WorldMeta,
} from './world.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const FIGURES = ['worklist', 'signals', 'connect'] as const;
type Figure = (typeof FIGURES)[number];

interface Args {
  db: Db;
  enrollments: number;
  only: Figure[];
  duration: number;
  connections: number;
  batches: number;
  signalRounds: number;
  signalConnections: number;
  connectRuns: number;
  connectRecords: number;
  /**
   * `email`: the world's own sequence (an automated email first: enrollment, history and outbox rows, what
   * connecting to a real sequence writes); `wait`: the engine bench's BENCH_SEQUENCE (a wait first, which
   * activation refuses; one enrollment and one history row), the figure of sessions 1–5.
   */
  connectSequence: 'email' | 'wait';
  profile: boolean;
  pgUrl: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    db: 'sqlite',
    enrollments: 1_000_000,
    only: [...FIGURES],
    duration: 10,
    connections: 10,
    batches: 100,
    signalRounds: 1,
    signalConnections: 2,
    connectRuns: 3,
    connectRecords: 100_000,
    connectSequence: 'email',
    profile: false,
    pgUrl: process.env.STEPWISE_BENCH_POSTGRES ?? DEFAULT_PG_URL,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1] ?? '';
    const num = () => {
      i++;
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${argv[i - 1]} wants a positive number`);
      return n;
    };
    switch (argv[i]) {
      case '--db':
        if (value !== 'sqlite' && value !== 'postgres') throw new Error('--db sqlite|postgres');
        args.db = value;
        i++;
        break;
      case '--enrollments':
        args.enrollments = num();
        break;
      case '--only':
        args.only = value.split(',') as Figure[];
        for (const f of args.only) if (!FIGURES.includes(f)) throw new Error(`unknown figure ${f}`);
        i++;
        break;
      case '--duration':
        args.duration = num();
        break;
      case '--connections':
        args.connections = num();
        break;
      case '--batches':
        args.batches = num();
        break;
      case '--signal-rounds':
        args.signalRounds = num();
        break;
      case '--signal-connections':
        args.signalConnections = num();
        break;
      case '--connect-runs':
        args.connectRuns = num();
        break;
      case '--connect-records':
        args.connectRecords = num();
        break;
      case '--connect-sequence':
        if (value !== 'email' && value !== 'wait') throw new Error('--connect-sequence is email or wait');
        args.connectSequence = value;
        i++;
        break;
      case '--profile':
        args.profile = true;
        break;
      case '--pg':
        args.pgUrl = value;
        i++;
        break;
      default:
        throw new Error(`Unknown argument ${argv[i]}`);
    }
  }
  return args;
}

interface Row {
  figure: string;
  value: string;
  target: string;
  status: string;
  detail: Record<string, unknown>;
  load: string;
}
const rows: Row[] = [];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (s: string) => console.error(s);

function report(row: Omit<Row, 'load'>): void {
  const full = { ...row, load: load() };
  rows.push(full);
  log(`${row.figure}: ${row.value} (target ${row.target}, ${row.status}) load ${full.load}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `stepwise serve --no-worker` as a child (tsx), optionally with --cpu-prof; resolves when /healthz answers. */
async function startServer(url: string, profileDir: string | null): Promise<Server> {
  const port = await freePort();
  // The flag bin/stepwise.js and `npm start` run the server with.
  const nodeArgs = ['--max-semi-space-size=64', '--import', 'tsx'];
  if (profileDir !== null) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--no-worker', '--port', String(port)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: url,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        STEPWISE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('the server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function figureWorklist(
  args: Args,
  base: string,
  token: string,
  meta: WorldMeta,
  pid: number | undefined,
): Promise<void> {
  const path = '/api/worklist?when=all&limit=50';
  const headers = { authorization: `Bearer ${token}` };
  const first = await fetch(`${base}${path}`, { headers });
  const page = (await first.json()) as { items?: unknown[] };
  if (!first.ok || (page.items?.length ?? 0) !== Math.min(50, 1_000))
    throw new Error(`work list answered ${first.status} with ${page.items?.length} items`);
  // Warm-up (JIT, statement caches, page cache), then the timed run.
  await autocannon({ url: `${base}${path}`, headers, connections: args.connections, duration: 2 });
  const cpu0 = serverCpuMs(pid);
  const r = await autocannon({
    url: `${base}${path}`,
    headers,
    connections: args.connections,
    duration: args.duration,
  });
  const cpu1 = serverCpuMs(pid);
  checkClean(r, 'work list');
  report({
    figure: `GET /api/worklist (limit 50), seller with ${fmt(meta.enrollments / meta.sellers)} enrollments of ${fmt(meta.enrollments)}, ${args.connections} connections`,
    value: `${fmt(r.requests.average)} req/s; p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${cpuNote(cpu0, cpu1, r['2xx'], 'request')}`,
    target: '(figures asked, no target)',
    status: 'measured',
    detail: {
      requestsPerSecond: r.requests.average,
      latency: r.latency,
      total: r['2xx'],
      duration: r.duration,
      serverCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    },
  });
}

function checkClean(r: Result, what: string): void {
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0)
    throw new Error(`${what}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers`);
}

/** Deterministic PRNG (mulberry32) so every run sends the same batches. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Batches of 1,000 signals for running enrollments: 65 % opens and 15 % clicks naming the email by its
 * outbox key (`{enrollment}:{seq}`), 10 % opens by record only (fanned out to the record's running
 * enrollments and their latest sent email), 5 % LinkedIn acceptances by record, 5 % repeats of an id
 * already sent (earlier in the run or in the same batch). Every signal has an id.
 */
function signalBatches(args: Args, meta: WorldMeta, round: number): string[] {
  const random = prng(7 + 1_000 * round);
  const sent: string[] = [];
  const bodies: string[] = [];
  const at = new Date().toISOString();
  for (let b = 0; b < args.batches; b++) {
    const signals: Record<string, unknown>[] = [];
    for (let k = 0; k < 1_000; k++) {
      const i = Math.floor(random() * meta.enrollments);
      const roll = random();
      if (roll < 0.05 && sent.length > 0) {
        const repeat = sent[Math.floor(random() * sent.length)] as string;
        signals.push(JSON.parse(repeat) as Record<string, unknown>);
        continue;
      }
      const id = round === 0 ? `bench-${b}-${k}` : `bench-r${round}-${b}-${k}`;
      let signal: Record<string, unknown>;
      if (roll < 0.7)
        signal = { id, type: 'email_opened', messageId: `${enrollmentId(i)}:${meta.emailSeq}`, at };
      else if (roll < 0.85)
        signal = { id, type: 'email_clicked', messageId: `${enrollmentId(i)}:${meta.emailSeq}` };
      else if (roll < 0.95) signal = { id, type: 'email_opened', recordId: recordId(i) };
      else signal = { id, type: 'linkedin_connection_accepted', recordId: recordId(i) };
      signals.push(signal);
      if (random() < 0.02) sent.push(JSON.stringify(signal));
    }
    bodies.push(JSON.stringify({ signals }));
  }
  return bodies;
}

async function figureSignals(
  args: Args,
  base: string,
  token: string,
  meta: WorldMeta,
  pid: number | undefined,
  round: number,
): Promise<void> {
  const bodies = signalBatches(args, meta, round);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const totals = { accepted: 0, duplicates: 0, unknown: 0 };
  let next = 0;
  // From the first request sent to the last answer read: autocannon's own `duration` counts whole
  // seconds of its ticker (100,000 signals in 3.01 or 4.01 s, whatever the answers took).
  let first = 0;
  let last = 0;
  const cpu0 = serverCpuMs(pid);
  const r = await autocannon({
    url: base,
    connections: args.signalConnections,
    amount: bodies.length,
    timeout: 120,
    requests: [
      {
        method: 'POST',
        path: '/api/signals',
        headers,
        setupRequest: (req) => {
          if (first === 0) first = performance.now();
          return { ...req, body: bodies[next++ % bodies.length] as string };
        },
        onResponse: (status, body) => {
          last = performance.now();
          if (status !== 200) return;
          const answer = JSON.parse(body) as typeof totals;
          totals.accepted += answer.accepted;
          totals.duplicates += answer.duplicates;
          totals.unknown += answer.unknown;
        },
      },
    ],
  });
  const cpu1 = serverCpuMs(pid);
  checkClean(r, 'signals');
  const signals = bodies.length * 1_000;
  const seconds = (last - first) / 1000;
  const rate = signals / seconds;
  report({
    figure: `POST /api/signals, ${fmt(bodies.length)} batches of 1,000 (${args.signalConnections} connections), ${
      round === 0 ? "the server's first since it started" : `round ${round + 1}, the same server`
    }`,
    value: `${fmt(rate)} signals/s (${fmt(totals.accepted)} accepted, ${fmt(totals.duplicates)} duplicates, ${fmt(totals.unknown)} unknown); batch p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${cpuNote(cpu0, cpu1, bodies.length, 'batch')}`,
    target: '≥ 50,000 signals/s',
    status: rate >= 50_000 ? 'met' : 'missed',
    detail: {
      signalsPerSecond: rate,
      seconds,
      autocannonSeconds: r.duration,
      batches: bodies.length,
      round: round + 1,
      totals,
      latency: r.latency,
      serverCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    },
  });
}

/** CPU milliseconds (user + system) the server child has used so far (Linux /proc; null elsewhere). */
function serverCpuMs(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

const cpuNote = (before: number | null, after: number | null, per: number, unit: string) =>
  before === null || after === null
    ? ''
    : `; server CPU ${((after - before) / 1000).toFixed(1)} s (${((after - before) / per).toFixed(2)} ms per ${unit})`;

async function figureConnect(
  base: string,
  token: string,
  meta: WorldMeta,
  pid: number | undefined,
  which: Args['connectSequence'],
  settle: () => Promise<void>,
): Promise<void> {
  const sequenceId = which === 'email' ? meta.sequenceId : meta.connectSequenceId;
  const times: number[] = [];
  const cpus: number[] = [];
  for (let run = 0; run < meta.connectRuns; run++) {
    const recordIds = Array.from({ length: meta.connectRecords }, (_, i) => connectRecordId(run, i));
    const body = JSON.stringify({ recordIds });
    await settle();
    const cpu0 = serverCpuMs(pid);
    const started = performance.now();
    const res = await fetch(`${base}/api/sequences/${sequenceId}/enrollments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    const answer = (await res.json()) as { enrolled?: unknown[]; rejected?: unknown[] };
    const elapsed = performance.now() - started;
    if (!res.ok || answer.enrolled?.length !== recordIds.length)
      throw new Error(
        `connect answered ${res.status}: ${answer.enrolled?.length} enrolled, ${JSON.stringify(answer.rejected?.slice(0, 3) ?? answer)}`,
      );
    const cpu1 = serverCpuMs(pid);
    times.push(elapsed);
    if (cpu0 !== null && cpu1 !== null) cpus.push(cpu1 - cpu0);
    log(
      `  connect run ${run + 1}: ${(elapsed / 1000).toFixed(2)} s, server CPU ${cpus.at(-1) ?? '?'} ms (load ${load()})`,
    );
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  report({
    figure: `POST /api/sequences/{id}/enrollments, ${fmt(meta.connectRecords)} record ids in one request, ${which === 'email' ? 'automated email first' : 'wait first (BENCH_SEQUENCE)'} (${times.length} runs, fresh records each)`,
    value: `${(median / 1000).toFixed(2)} s median (min ${((sorted[0] as number) / 1000).toFixed(2)}, max ${((sorted[sorted.length - 1] as number) / 1000).toFixed(2)})${cpus.length === 0 ? '' : `; server CPU ${cpus.map((c) => (c / 1000).toFixed(1)).join(', ')} s`}`,
    target: '≤ 2 s',
    status: median <= 2_000 ? 'met' : 'missed',
    detail: { runsMs: times.map((t) => Math.round(t)), medianMs: Math.round(median), serverCpuMs: cpus },
  });
}

function table(): string {
  const lines = ['| figure | measured | target | status | load avg (1/5/15 min) |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.figure} | ${r.value} | ${r.target} | ${r.status} | ${r.load} |`);
  return lines.join('\n');
}

/**
 * Before each connect run on PostgreSQL: a CHECKPOINT, so that the previous run's ~300 MB of WAL is not
 * flushed by a checkpoint in the middle of the next one (max_wal_size is 1 GB by default: one every ~3
 * runs, which made invocations of the same code differ by up to 60 %). SQLite's checkpoints run in the
 * server's own thread, off the commit path.
 */
async function settle(db: Db, url: string): Promise<void> {
  if (db !== 'postgres') return;
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('CHECKPOINT');
  } finally {
    await c.end();
  }
}

async function versions(args: Args): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.version };
  if (args.db === 'sqlite') {
    const Sqlite = (await import('better-sqlite3')).default;
    const db = new Sqlite(':memory:');
    out.database = `SQLite ${String(db.prepare('select sqlite_version()').pluck().get())}`;
    db.close();
  } else {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: args.pgUrl });
    await c.connect();
    out.database = `PostgreSQL ${String((await c.query('SHOW server_version')).rows[0]?.server_version)}`;
    await c.end();
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadBefore = load();
  const world = await benchWorld(args.db, {
    enrollments: args.enrollments,
    connectRuns: args.connectRuns,
    connectRecords: args.connectRecords,
    pgUrl: args.pgUrl,
    log,
  });
  const { meta } = world;
  log(`world ready (${world.cached ? 'cached' : `built in ${meta.buildSeconds} s`}): ${world.url}`);
  let server: Server | null = null;
  const profileDir = args.profile ? join(CACHE_DIR, `prof-${Date.now()}`) : null;
  try {
    // Tokens through our own code (what `stepwise tokens create` does), before the server opens the file.
    const store = await openStore(world.url);
    const deps = benchDeps(store, new SystemClock());
    const admin = (await createApiToken(deps, meta.adminId, 'bench')).token;
    const seller = (await createApiToken(deps, meta.sellerId, 'bench')).token;
    await store.close();
    const info = await versions(args);
    const calibration = calibrate();
    log(`machine: ${calibration.cpuLoopMs} ms CPU loop, ${calibration.memNsPerRead} ns per memory read`);
    server = await startServer(world.url, profileDir);
    log(`server on ${server.base} (${args.db}), load ${load()}`);
    for (const figure of args.only) {
      if (figure === 'worklist') await figureWorklist(args, server.base, seller, meta, server.child.pid);
      else if (figure === 'signals')
        for (let round = 0; round < args.signalRounds; round++)
          await figureSignals(args, server.base, admin, meta, server.child.pid, round);
      else
        await figureConnect(server.base, admin, meta, server.child.pid, args.connectSequence, () =>
          settle(args.db, world.url),
        );
    }
    await server.stop();
    server = null;
    const stamp = new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
    const out = {
      at: new Date().toISOString(),
      command: `tsx bench/api/run.ts ${process.argv.slice(2).join(' ')}`,
      machine,
      calibration,
      versions: info,
      loadBefore,
      loadAfter: load(),
      world: meta,
      args,
      figures: rows,
      profiles: profileDir === null ? [] : readdirSync(profileDir).map((f) => join(profileDir, f)),
    };
    const md = `# API benchmark ${out.at}\n\n${machine} (${calibration.cpuLoopMs} ms CPU loop, ${calibration.memNsPerRead} ns per memory read: bench/calibrate.ts); Node ${process.version}; ${info.database}; load before ${loadBefore}\n\n\`${out.command}\`\n\n${table()}\n`;
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `api-${stamp}.json`), `${JSON.stringify(out, null, 2)}\n`);
    writeFileSync(join(dir, `api-${stamp}.md`), md);
    console.log(JSON.stringify(out, null, 2));
    console.log(`\n${table()}`);
    if (profileDir !== null)
      for (const f of readdirSync(profileDir))
        log(`profile: ${join(profileDir, f)} (${statSync(join(profileDir, f)).size} bytes)`);
  } finally {
    await server?.stop();
    await world.drop();
  }
}

await main();
