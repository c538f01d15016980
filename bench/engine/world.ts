// The benchmark's world: a fresh database (a temp SQLite file, or a new PostgreSQL schema), owners,
// records, and the 7-step sequence every engine figure runs (waits and a signal condition, no manual
// steps, so the manual clock alone drives an enrollment to its end).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SequenceDefinition } from '../../src/domain/definition.js';
import { DEFAULT_SEQUENCE_OPTIONS } from '../../src/domain/definition.js';
import { ManualClock } from '../../src/engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../src/engine/deps.js';
import { RandomIds } from '../../src/engine/ids.js';
import type { Clock } from '../../src/engine/ports/clock.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openStore } from '../../src/storage/open-store.js';

export type Dialect = 'sqlite' | 'postgres';

/** Monday 23 November 2026, 09:00 UTC: inside default working hours (Mon–Fri 08:00–17:00 UTC). */
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
export const HOUR = 3_600_000;

/**
 * w1 → c1 (status is empty? yes) → u1 (status := contacted) → w2 → w3 → w4 → w5 → completed: 7 steps over
 * 5 clock hours, 5 ticks per enrollment. No emails: an automated email waits for the mail sender's
 * `email_sent`, which is not the engine's work; the field condition makes each batch read its records.
 */
export const BENCH_SEQUENCE: SequenceDefinition = {
  start: 'w1',
  options: { ...DEFAULT_SEQUENCE_OPTIONS },
  steps: [
    { id: 'w1', type: 'wait', duration: 'PT1H', next: 'c1' },
    { id: 'c1', type: 'condition', if: { field: 'status', op: 'is_empty' }, yes: 'u1', no: 'w2' },
    { id: 'u1', type: 'update_field', field: 'status', value: 'contacted', next: 'w2' },
    { id: 'w2', type: 'wait', duration: 'PT1H', next: 'w3' },
    { id: 'w3', type: 'wait', duration: 'PT1H', next: 'w4' },
    { id: 'w4', type: 'wait', duration: 'PT1H', next: 'w5' },
    { id: 'w5', type: 'wait', duration: 'PT1H' },
  ],
};

/** Clock hours the bench sequence needs to end. */
export const BENCH_HOURS = 6;

export interface BenchDatabase {
  dialect: Dialect;
  url: string;
  schema: string | null;
  /** The SQLite file (null on PostgreSQL). */
  file: string | null;
  open(options?: { maxConnections?: number }): Promise<Store>;
  drop(): Promise<void>;
}

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export async function freshDatabase(dialect: Dialect, pgUrl: string): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
    const file = join(folder, 'bench.db');
    return {
      dialect,
      url: file,
      schema: null,
      file,
      open: () => openStore(file),
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    dialect,
    url: pgUrl,
    schema,
    file: null,
    open: (options) => openStore(pgUrl, { schema, maxConnections: options?.maxConnections ?? 4 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export function benchDeps(store: Store, clock: Clock = new ManualClock(T0)): EngineDeps {
  return { store, clock, ids: new RandomIds(clock), settings: { ...DEFAULT_ENGINE_SETTINGS } };
}

/** `owners` users and `count` lead records spread over them round-robin; returns the record ids. */
export async function seed(
  store: Store,
  count: number,
  owners: number,
): Promise<{ adminId: string; ownerIds: string[]; recordIds: string[] }> {
  const adminId = 'usr_admin';
  await store.users.create({
    id: adminId,
    email: 'admin@example.com',
    name: 'Admin',
    role: 'admin',
    createdAt: T0,
  });
  const ownerIds: string[] = [];
  for (let i = 0; i < owners; i++) {
    const id = `usr_${String(i).padStart(5, '0')}`;
    await store.users.create({
      id,
      email: `${id}@example.com`,
      name: id,
      role: 'salesperson',
      createdAt: T0,
    });
    ownerIds.push(id);
  }
  const recordIds: string[] = [];
  const CHUNK = 5_000;
  for (let start = 0; start < count; start += CHUNK) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      rows.push({
        id: `rec_${String(i).padStart(8, '0')}`,
        type: 'lead' as const,
        name: `Lead ${i}`,
        ownerId: ownerIds[i % owners] as string,
      });
    }
    for (const r of await store.records.upsertMany(rows, T0)) {
      if (r.outcome === 'error') throw new Error(r.message);
      recordIds.push(r.id);
    }
  }
  return { adminId, ownerIds, recordIds };
}

/** The bench sequence, created and activated on version 1 (as the lifecycle use case leaves it). */
export async function benchSequence(store: Store, ownerId: string, def = BENCH_SEQUENCE): Promise<string> {
  const id = `seq_bench_${Math.random().toString(36).slice(2, 8)}`;
  await store.sequences.create({ id, name: id, entityType: 'lead', ownerId, definition: def, createdAt: T0 });
  await store.sequences.updateVersion(id, 1, { activatedAt: T0 });
  await store.sequences.update(id, { status: 'active', activeVersion: 1 }, T0);
  return id;
}
