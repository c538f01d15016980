// Connected records with a search and an order (GET /api/sequences/{id}/enrollments?q=&sort=), measured on
// the store: 100,000 records connected to one sequence (a fifth of them ended) among 200,000 records of four
// owners, one page of 50 per query, median of 7 after a warm-up. SQLite always; PostgreSQL when
// STEPWISE_BENCH_POSTGRES names a server (a fresh schema, dropped at the end).
//   npx tsx bench/api/connected-records.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { connectRecords } from '../../src/engine/connect.js';
import type { EnrollmentListOptions, Store } from '../../src/engine/ports/store.js';
import { activeSequence, aUser, definition, engineDeps } from '../../src/engine/test-support/engine-world.js';
import { openStore } from '../../src/storage/open-store.js';

const CONNECTED = 100_000;
const RECORDS = 200_000;
const OWNERS = 4;
const FIRST = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Margaret', 'Donald', 'Frances', 'Ken', 'Radia'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Hamilton', 'Knuth', 'Allen', 'Thompson'];

interface Timing {
  query: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  items: number;
}

async function seed(store: Store): Promise<{ sequenceId: string; ownerIds: string[] }> {
  const admin = await aUser(store, 'admin');
  const ownerIds: string[] = [];
  for (let i = 0; i < OWNERS; i++) ownerIds.push((await aUser(store, 'salesperson')).id);
  const ids: string[] = [];
  for (let start = 0; start < RECORDS; start += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, k) => {
      const i = start + k;
      const first = FIRST[i % FIRST.length] ?? 'Ada';
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Lovelace';
      return {
        id: `rec_${String(i).padStart(7, '0')}`,
        type: 'lead' as const,
        name: `${first} ${last} ${i}`,
        email: `${first}.${last}.${i}@example.com`.toLowerCase(),
        ownerId: ownerIds[i % OWNERS] ?? admin.id,
      };
    });
    await store.records.upsertMany(rows, 0);
    ids.push(...rows.map((r) => r.id));
  }
  const sequenceId = await activeSequence(
    store,
    admin.id,
    definition([{ id: 't1', type: 'task', name: 'Call' }]),
  );
  // Every other record: the connected ones are spread over the records' name order.
  const connected = ids.filter((_, i) => i % 2 === 0).slice(0, CONNECTED);
  const answer = await connectRecords(engineDeps(store), {
    sequenceId,
    recordIds: connected,
    actor: { id: admin.id, role: 'admin' },
  });
  if (answer.enrolled.length !== CONNECTED) throw new Error(`connected ${answer.enrolled.length}`);
  return { sequenceId, ownerIds };
}

/** A fifth of the enrollments ended (completed), as a sequence that has run a while. */
const END_SOME = `UPDATE enrollments SET status = 'completed', end_reason = 'completed', ended_at = 1,
                    due_at = NULL, exclusive_slot = NULL
                  WHERE record_id IN (SELECT id FROM records WHERE id LIKE '%0' OR id LIKE '%4')`;

async function measure(store: Store, sequenceId: string, ownerIds: string[]): Promise<Timing[]> {
  const list = (options: EnrollmentListOptions) =>
    store.enrollments.listBySequence(sequenceId, { limit: 50, ...options });
  const cursorAfter = async (options: EnrollmentListOptions, pages: number) => {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) cursor = (await list({ ...options, cursor })).nextCursor;
    return cursor;
  };
  // Owners 0 and 2 hold the connected records (every other one), 50,000 each.
  const seller = ownerIds[0] ?? '';
  const cases: [string, () => Promise<{ items: unknown[] }>][] = [
    ['default (status), first page', () => list({})],
    ['q=hopper (a ninth match), by status', () => list({ q: 'hopper' })],
    ['q=.12344@ (one match), by status', () => list({ q: '.12344@' })],
    ['q=zzz (no match), by status', () => list({ q: 'zzz' })],
    ['q=zzz, one seller (50,000 of them)', () => list({ q: 'zzz', ownerId: seller })],
    ['newest, first page (five status walks)', () => list({ sort: 'newest' })],
    ['newest, status=active, first page', () => list({ sort: 'newest', status: 'active' })],
    ['newest, q=zzz (no match)', () => list({ sort: 'newest', q: 'zzz' })],
    ['name, first page', () => list({ sort: 'name' })],
    ['name, status=active, first page', () => list({ sort: 'name', status: 'active' })],
    ['name, one seller, first page', () => list({ sort: 'name', ownerId: seller })],
    ['name, q=hopper (a ninth match)', () => list({ sort: 'name', q: 'hopper' })],
    ['name, q=.12344@ (one match)', () => list({ sort: 'name', q: '.12344@' })],
    [
      'records list, q=zzz (no match; GET /api/records?q=)',
      () => store.records.list({ q: 'zzz', limit: 50 }),
    ],
  ];
  const nameCursor = await cursorAfter({ sort: 'name' }, 20);
  const newestCursor = await cursorAfter({ sort: 'newest' }, 20);
  cases.push(
    ['name, 21st page', () => list({ sort: 'name', cursor: nameCursor })],
    ['newest, 21st page', () => list({ sort: 'newest', cursor: newestCursor })],
  );
  const timings: Timing[] = [];
  for (const [query, run] of cases) {
    await run();
    const ms: number[] = [];
    let items = 0;
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      items = (await run()).items.length;
      ms.push(performance.now() - start);
    }
    ms.sort((a, b) => a - b);
    timings.push({
      query,
      medianMs: ms[3] ?? 0,
      minMs: ms[0] ?? 0,
      maxMs: ms[6] ?? 0,
      items,
    });
  }
  return timings;
}

function table(title: string, timings: Timing[]): string {
  const rows = timings.map(
    (t) =>
      `| ${t.query} | ${t.medianMs.toFixed(1)} | ${t.minMs.toFixed(1)}–${t.maxMs.toFixed(1)} | ${t.items} |`,
  );
  return [`### ${title}`, '', '| query | median ms | min–max | items |', '|---|---|---|---|', ...rows].join(
    '\n',
  );
}

async function onSqlite(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-connected-'));
  const file = join(dir, 'bench.db');
  try {
    const store = await openStore(file);
    const { sequenceId, ownerIds } = await seed(store);
    const raw = new Sqlite(file);
    raw.exec(END_SOME);
    raw.close();
    const timings = await measure(store, sequenceId, ownerIds);
    await store.close();
    return table('SQLite', timings);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(url: string): Promise<string> {
  const schema = `bench_connected_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const store = await openStore(url, { schema });
    const { sequenceId, ownerIds } = await seed(store);
    await admin.query(`SET search_path TO ${schema}`);
    await admin.query(END_SOME);
    await admin.query('ANALYZE');
    const timings = await measure(store, sequenceId, ownerIds);
    await store.close();
    return table('PostgreSQL', timings);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const out = [await onSqlite()];
const postgresUrl = process.env.STEPWISE_BENCH_POSTGRES?.trim();
if (postgresUrl) out.push(await onPostgres(postgresUrl));
console.log(out.join('\n\n'));
