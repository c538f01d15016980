// The API bench's database: N enrollments over N/1,000 sellers (so each seller has 1,000), built fast.
// Our own migrations make the schema (openStore), the engine starts ONE template enrollment and moves it
// past its automated email, and bulk `INSERT … SELECT` statements clone users, records, that enrollment
// and its history rows N times (ids rewritten, every other column copied). The result is cached, keyed
// by a hash of the migrations and this file: a SQLite file under bench/.cache/, a PostgreSQL template
// database; each bench run works on a copy.
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { SequenceDefinition } from '../../src/domain/definition.js';
import { DEFAULT_SEQUENCE_OPTIONS } from '../../src/domain/definition.js';
import { applyEvents } from '../../src/engine/apply-events.js';
import { ManualClock } from '../../src/engine/clock.js';
import { connectRecords } from '../../src/engine/connect.js';
import { openStore } from '../../src/storage/open-store.js';
import { BENCH_SEQUENCE, benchDeps, benchSequence, T0 } from '../engine/world.js';

export type Db = 'sqlite' | 'postgres';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
export const CACHE_DIR = join(ROOT, 'bench', '.cache');

/** Enrollments per seller (the "a seller with 1,000 enrollments"). */
export const PER_SELLER = 1_000;

/**
 * e1 automated email → t1 task (open: the work list) → c1 "e1 opened within 3 days?" → call / task.
 * Every cloned enrollment has sent e1 and has t1 open, so it is on its seller's work list and an
 * open or click of e1 changes its state (the fact the condition will read).
 */
export const API_SEQUENCE: SequenceDefinition = {
  start: 'e1',
  options: { ...DEFAULT_SEQUENCE_OPTIONS, workingHours: 'none' },
  steps: [
    { id: 'e1', type: 'automated_email', name: 'Intro', templateId: 'tpl_bench', next: 't1' },
    { id: 't1', type: 'task', name: 'Research the account', description: 'Find the buyer', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_opened', step: 'e1' },
      within: 'P3D',
      yes: 'p1',
      no: 'p2',
    },
    { id: 'p1', type: 'phone_call', name: 'Call: they opened' },
    { id: 'p2', type: 'task', name: 'Nurture' },
  ],
};

export interface WorldMeta {
  enrollments: number;
  sellers: number;
  /** Records with no enrollment, for the connect runs: `rec_c{run}_{i}`. */
  connectRuns: number;
  connectRecords: number;
  adminId: string;
  /** The seller whose work list is measured (usr_00000). */
  sellerId: string;
  /** The sequence of the cloned enrollments (API_SEQUENCE). */
  sequenceId: string;
  /** The sequence the connect runs use (the engine bench's BENCH_SEQUENCE: a wait first). */
  connectSequenceId: string;
  /** The seq of e1's history row: `enr_b{i}:{seq}` is the outbox key of enrollment i's e1 email. */
  emailSeq: number;
  buildSeconds: number;
}

export function enrollmentId(i: number): string {
  return `enr_b${String(i).padStart(8, '0')}`;
}
export function recordId(i: number): string {
  return `rec_${String(i).padStart(8, '0')}`;
}
export function connectRecordId(run: number, i: number): string {
  return `rec_c${run}_${String(i).padStart(6, '0')}`;
}

/** A hash of what shapes the database: both dialects' migrations and this file. */
export function schemaHash(): string {
  const h = createHash('sha256');
  for (const dialect of ['sqlite', 'postgres']) {
    const dir = join(ROOT, 'src', 'storage', dialect, 'migrations');
    for (const file of readdirSync(dir).sort()) h.update(file).update(readFileSync(join(dir, file)));
  }
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex').slice(0, 12);
}

interface Exec {
  run(sql: string): Promise<void>;
  columns(table: string): Promise<string[]>;
  /** A zero-padded text of an integer expression. */
  pad(expr: string, width: number): string;
  /** `FROM` source of i = 0 … n-1 (as `s(i)`). */
  series(n: number): string;
  close(): Promise<void>;
}

function sqliteExec(file: string): Exec {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  return {
    run: async (sql) => void db.exec(sql),
    columns: async (table) =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
    pad: (expr, width) => `printf('%0${width}d', ${expr})`,
    series: (n) =>
      `(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${n - 1}) SELECT i FROM c) s`,
    close: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

async function postgresExec(url: string): Promise<Exec> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Skips foreign-key triggers while cloning (the rows are consistent by construction).
  await client.query('SET session_replication_role = replica');
  return {
    run: async (sql) => void (await client.query(sql)),
    columns: async (table) =>
      (
        await client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      ).rows.map((r) => r.column_name),
    pad: (expr, width) => `lpad((${expr})::text, ${width}, '0')`,
    series: (n) => `generate_series(0, ${n - 1}) AS s(i)`,
    close: () => client.end(),
  };
}

/** INSERT INTO table SELECT <template row with overrides> for each i of the series. */
async function cloneRows(
  x: Exec,
  table: string,
  where: string,
  n: number,
  overrides: Record<string, string>,
): Promise<void> {
  const cols = await x.columns(table);
  const select = cols.map((c) => overrides[c] ?? `t.${c}`).join(', ');
  await x.run(
    `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${select} FROM ${x.series(n)} CROSS JOIN (SELECT * FROM ${table} WHERE ${where}) t`,
  );
}

function pgDatabaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function pgAdmin<T>(base: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export interface BenchWorld {
  meta: WorldMeta;
  /** The server's DATABASE_URL for this run's copy. */
  url: string;
  cached: boolean;
  drop(): Promise<void>;
}

/** A copy of the cached world for one run (building the cache first when missing). */
export async function benchWorld(
  db: Db,
  options: {
    enrollments: number;
    connectRuns: number;
    connectRecords: number;
    pgUrl: string;
    log: (s: string) => void;
  },
): Promise<BenchWorld> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const hash = schemaHash();
  const key = `api_${db}_${hash}_${options.enrollments}_${options.connectRuns}x${options.connectRecords}`;
  const metaFile = join(CACHE_DIR, `${key}.json`);
  let cached = existsSync(metaFile);
  if (db === 'sqlite') {
    const file = join(CACHE_DIR, `${key}.db`);
    if (!cached || !existsSync(file)) {
      cached = false;
      await build(db, file, file, options, metaFile, hash);
    }
    const copy = join(CACHE_DIR, `run-${process.pid}.db`);
    copyFileSync(file, copy);
    // The copy's gigabyte of dirty pages written back now, not during the figures: the server's first WAL
    // checkpoint fsyncs the file and would wait for all of it (the PostgreSQL world's CHECKPOINT, likewise).
    const fd = openSync(copy, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return {
      meta: JSON.parse(readFileSync(metaFile, 'utf8')) as WorldMeta,
      url: copy,
      cached,
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
      },
    };
  }
  const template = key.toLowerCase();
  const exists = await pgAdmin(options.pgUrl, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    return r.rowCount === 1;
  });
  if (!cached || !exists) {
    cached = false;
    const building = `${template}_building`;
    await pgAdmin(options.pgUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${building}`);
      await c.query(`DROP DATABASE IF EXISTS ${template}`);
      await c.query(`CREATE DATABASE ${building}`);
    });
    const url = pgDatabaseUrl(options.pgUrl, building);
    await build(db, url, url, options, metaFile, hash);
    await pgAdmin(options.pgUrl, (c) => c.query(`ALTER DATABASE ${building} RENAME TO ${template}`));
  }
  const run = `stepwise_api_run_${process.pid}`;
  await pgAdmin(options.pgUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${run}`);
    // FILE_COPY (PostgreSQL 15+; the default WAL_LOG writes the whole ~2 GB template through the WAL,
    // whose forced checkpoints then land inside the timed requests), then a checkpoint of its own.
    await c.query(`CREATE DATABASE ${run} TEMPLATE ${template} STRATEGY = FILE_COPY`);
    await c.query('CHECKPOINT');
  });
  return {
    meta: JSON.parse(readFileSync(metaFile, 'utf8')) as WorldMeta,
    url: pgDatabaseUrl(options.pgUrl, run),
    cached,
    drop: () =>
      pgAdmin(options.pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${run} WITH (FORCE)`)).then(() => {}),
  };
}

async function build(
  db: Db,
  storeUrl: string,
  rawTarget: string,
  options: { enrollments: number; connectRuns: number; connectRecords: number; log: (s: string) => void },
  metaFile: string,
  hash: string,
): Promise<void> {
  const started = performance.now();
  const n = options.enrollments;
  const sellers = Math.max(1, Math.round(n / PER_SELLER));
  const tmp = db === 'sqlite' ? `${rawTarget}.building` : rawTarget;
  if (db === 'sqlite') for (const s of ['', '-wal', '-shm']) rmSync(`${tmp}${s}`, { force: true });
  options.log(`building the ${db} world: ${n} enrollments over ${sellers} sellers …`);

  // 1. Schema (our migrations), the template rows through the store, one enrollment through the engine.
  const store = await openStore(db === 'sqlite' ? tmp : storeUrl);
  const adminId = 'usr_admin';
  await store.users.create({
    id: adminId,
    email: 'admin@example.com',
    name: 'Admin',
    role: 'admin',
    createdAt: T0,
  });
  const sellerId = 'usr_00000';
  await store.users.create({
    id: sellerId,
    email: 'usr_00000@example.com',
    name: 'Seller 0',
    role: 'salesperson',
    createdAt: T0,
  });
  await store.emailTemplates.create({
    id: 'tpl_bench',
    name: 'Bench intro',
    subject: 'Hello {{ record.name }}',
    body: 'Hi {{ record.name }}, a short note.',
    entityType: null,
    ownerId: null,
    createdAt: T0,
  });
  const sequenceId = await benchSequence(store, adminId, API_SEQUENCE);
  const connectSequenceId = await benchSequence(store, adminId, BENCH_SEQUENCE);
  for (const r of await store.records.upsertMany(
    [{ id: 'rec_tpl', type: 'lead', name: 'Template', email: 'template@example.com', ownerId: sellerId }],
    T0,
  ))
    if (r.outcome === 'error') throw new Error(r.message);
  const deps = benchDeps(store, new ManualClock(T0));
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds: ['rec_tpl'],
    actor: { id: adminId, role: 'admin' },
  });
  const templateId = connected.enrolled[0]?.enrollmentId;
  if (templateId === undefined) throw new Error(`template connect failed: ${JSON.stringify(connected)}`);
  await applyEvents(
    deps,
    [{ enrollmentId: templateId, event: { type: 'email_sent', stepId: 'e1', at: T0 + 1_000 } }],
    {
      now: T0 + 1_000,
    },
  );
  const steps = await store.enrollments.listSteps(templateId);
  const email = steps.find((s) => s.stepId === 'e1');
  const task = steps.find((s) => s.stepId === 't1');
  if (email === undefined || task?.state !== 'open')
    throw new Error(`template enrollment is not at an open t1: ${JSON.stringify(steps)}`);
  const emailSeq = Number(email.id.slice(templateId.length + 1));
  await store.close();

  // 2. Clone: users, records (enrolled + fresh ones for the connect runs), enrollments, history rows.
  const x = db === 'sqlite' ? sqliteExec(tmp) : await postgresExec(storeUrl);
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const seller = (expr: string) => `'usr_' || ${x.pad(expr, 5)}`;
  if (sellers > 1)
    await cloneRows(x, 'users', `id = ${q(sellerId)}`, sellers - 1, {
      id: seller('s.i + 1'),
      email: `${seller('s.i + 1')} || '@example.com'`,
      name: `'Seller ' || (s.i + 1)`,
    });
  options.log(`  users: ${sellers} sellers (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const recordOverrides = (id: string, owner: string) => ({
    id,
    name: `'Lead ' || ${id}`,
    email: `${id} || '@example.com'`,
    owner_id: owner,
  });
  await cloneRows(
    x,
    'records',
    `id = 'rec_tpl'`,
    n,
    recordOverrides(`'rec_' || ${x.pad('s.i', 8)}`, seller(`s.i % ${sellers}`)),
  );
  for (let run = 0; run < options.connectRuns; run++)
    await cloneRows(
      x,
      'records',
      `id = 'rec_tpl'`,
      options.connectRecords,
      recordOverrides(`'rec_c${run}_' || ${x.pad('s.i', 6)}`, seller(`s.i % ${sellers}`)),
    );
  options.log(`  records (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const enr = `'enr_b' || ${x.pad('s.i', 8)}`;
  await cloneRows(x, 'enrollments', `id = ${q(templateId)}`, n, {
    id: enr,
    record_id: `'rec_' || ${x.pad('s.i', 8)}`,
    owner_id: seller(`s.i % ${sellers}`),
  });
  options.log(`  enrollments (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  await cloneRows(x, 'enrollment_steps', `enrollment_id = ${q(templateId)}`, n, {
    id: `${enr} || substr(t.id, ${templateId.length + 1})`,
    enrollment_id: enr,
    record_id: `'rec_' || ${x.pad('s.i', 8)}`,
    owner_id: seller(`s.i % ${sellers}`),
  });
  options.log(`  history (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  await x.run(db === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE');
  await x.close();
  if (db === 'sqlite') renameSync(tmp, rawTarget);

  const meta: WorldMeta = {
    enrollments: n,
    sellers,
    connectRuns: options.connectRuns,
    connectRecords: options.connectRecords,
    adminId,
    sellerId,
    sequenceId,
    connectSequenceId,
    emailSeq,
    buildSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  // A migration edited while building (other work in this checkout) would leave a stale cache behind.
  if (schemaHash() !== hash) throw new Error('the migrations changed while the world was built: run again');
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  options.log(`  built in ${meta.buildSeconds} s`);
}
