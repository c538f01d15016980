// Read-only peeks at tables no port reads yet (outbox, audit counts) for engine tests, through a
// second connection on the test's database.
import { sql } from 'kysely';
import { openPostgresDialect } from '../../storage/postgres/postgres-dialect.js';
import { openSqliteDialect } from '../../storage/sqlite/sqlite-dialect.js';
import type { DialectTest } from '../../storage/test-support/dialects.js';

export async function rawQuery<R>(t: DialectTest, text: string): Promise<R[]> {
  const { url, options } = t.database();
  const dialect =
    t.dialect === 'sqlite'
      ? openSqliteDialect(url, { busyTimeoutMs: 5000 })
      : openPostgresDialect(url, { schema: options.schema ?? null, maxConnections: 1 });
  try {
    return (await sql.raw<R>(text).execute(dialect.db)).rows;
  } finally {
    await dialect.close();
  }
}

export async function countOf(t: DialectTest, text: string): Promise<number> {
  const rows = await rawQuery<{ n: number | string }>(t, text);
  return Number(rows[0]?.n ?? 0);
}
