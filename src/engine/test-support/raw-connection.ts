// A raw SQL connection to a test's database, kept open for a whole test (model checks after every
// command, the ledger of the process tests), next to the store under test. JSON comes back as text
// and BIGINT as numbers on both dialects, as the store's own connections read them.
import { CompiledQuery } from 'kysely';
import { openPostgresDialect } from '../../storage/postgres/postgres-dialect.js';
import { openSqliteDialect } from '../../storage/sqlite/sqlite-dialect.js';
import type { TestDatabase } from '../../storage/test-support/dialects.js';
import type { StoreDialect } from '../ports/store.js';

export interface RawConnection {
  readonly dialect: StoreDialect;
  query<R>(text: string): Promise<R[]>;
  close(): Promise<void>;
}

export function openRawConnection(database: TestDatabase): RawConnection {
  const opened =
    database.dialect === 'sqlite'
      ? openSqliteDialect(database.url, { busyTimeoutMs: 30_000 })
      : openPostgresDialect(database.url, { schema: database.options.schema ?? null, maxConnections: 1 });
  return {
    dialect: database.dialect,
    async query<R>(text: string) {
      return (await opened.db.executeQuery<R>(CompiledQuery.raw(text, []))).rows;
    },
    close: () => opened.close(),
  };
}

/** A SQL `IN (…)` list of ids the engine made (letters, digits, `_ . : -` only: safe to inline). */
export function inList(ids: readonly string[]): string {
  if (ids.length === 0) return `('')`;
  for (const id of ids) if (!/^[\w.:-]+$/.test(id)) throw new Error(`inList: unexpected id ${id}`);
  return `(${ids.map((id) => `'${id}'`).join(', ')})`;
}
