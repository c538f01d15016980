// better-sqlite3 wrappers on Node 24 (sqlite-handles.ts): none may be collected by a GC that runs outside
// a JS context. The churn test is the regression: before the wrappers were kept, Node 24 aborted this
// worker (`RemoveEnvironmentCleanupHook: Assertion (env) != nullptr` under `Statement::~Statement`); on
// Node 20 and 22 it simply passes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteDialect } from './sqlite-dialect.js';
import { KEEP_SQLITE_HANDLES, keptSqliteHandles } from './sqlite-handles.js';

let folder = '';
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stepwise-handles-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Lets V8 run its own (task-driven, context-less) collections while the heap churns. */
async function churn(rounds: number): Promise<void> {
  let garbage: number[][] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 2_000; i++) garbage.push(new Array(32).fill(i));
    if (garbage.length > 50_000) garbage = [];
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('sqlite native handles', () => {
  it('keeps wrappers exactly on Node 24 and later (ABI 137+)', () => {
    expect(KEEP_SQLITE_HANDLES).toBe(Number(process.versions.modules) >= 137);
  });

  it('prepares each statement text once per connection', async () => {
    const dialect = openSqliteDialect(join(folder, 'once.db'), { busyTimeoutMs: 1000 });
    try {
      const before = keptSqliteHandles();
      for (let i = 0; i < 5; i++) {
        const { rows } = await sql<{ n: number }>`SELECT ${i} + 1 AS n`.execute(dialect.db);
        expect(rows).toEqual([{ n: i + 1 }]);
      }
      expect(keptSqliteHandles() - before).toBe(KEEP_SQLITE_HANDLES ? 1 : 0);
    } finally {
      await dialect.close();
    }
  });

  it('closes twice without error, and a closed dialect refuses queries', async () => {
    const dialect = openSqliteDialect(join(folder, 'twice.db'), { busyTimeoutMs: 1000 });
    await dialect.migrate();
    await sql`SELECT 1`.execute(dialect.db);
    await dialect.close();
    await dialect.close();
    await expect(sql`SELECT 1`.execute(dialect.db)).rejects.toThrow();
  });

  it('survives thousands of statements, databases and iterators going out of use', async () => {
    for (let database = 0; database < 4; database++) {
      const dialect = openSqliteDialect(join(folder, `churn-${database}.db`), { busyTimeoutMs: 1000 });
      await dialect.migrate();
      for (let i = 0; i < 1_500; i++) {
        // A distinct text each time: a new prepared statement each time.
        await sql.raw(`SELECT ${i} AS n, ${database} AS d`).execute(dialect.db);
      }
      const streamed: unknown[] = [];
      for await (const row of dialect.db.selectFrom('users').select('id').stream()) streamed.push(row);
      expect(streamed).toEqual([]);
      await dialect.close();
      await churn(40);
    }
    await churn(200);
  });
});
