// SQLite errors to StoreErrors. SQLite names the columns of a violated unique key ("records.type,
// records.external_id") or, for an expression index, the index; both are mapped to the index name the
// migrations gave, read from the schema itself so the mapping cannot drift from it.
import type Sqlite from 'better-sqlite3';
import { StoreConflictError, StoreError } from '../../engine/ports/store.js';
import { uniqueViolationReason } from '../conflicts.js';
import type { ErrorMapper } from '../error-mapping-driver.js';
import { prepareStatement } from './sqlite-handles.js';

interface SqliteFailure {
  code: string;
  message: string;
}

function isSqliteFailure(error: unknown): error is SqliteFailure {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** "users.email, users.name" → index name, for every unique index and primary key. */
function readUniqueKeys(db: Sqlite.Database): Map<string, string> {
  const keys = new Map<string, string>();
  const tables = prepareStatement(
    db,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  )
    .pluck()
    .all() as string[];
  const indexList = prepareStatement(db, 'SELECT name, "unique", origin FROM pragma_index_list(?)');
  const indexColumns = prepareStatement(db, 'SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck();
  for (const table of tables) {
    const indexes = indexList.all(table) as { name: string; unique: number; origin: string }[];
    for (const index of indexes) {
      if (index.unique !== 1) continue;
      const columns = indexColumns.all(index.name) as (string | null)[];
      const key = columns.map((column) => `${table}.${column ?? '?'}`).join(', ');
      keys.set(key, index.origin === 'pk' ? `${table}_pkey` : index.name);
    }
  }
  return keys;
}

export function sqliteErrorMapper(db: Sqlite.Database): ErrorMapper {
  let uniqueKeys: Map<string, string> | null = null;
  const constraintOf = (message: string): string | null => {
    const named = /constraint failed: index '([^']+)'/.exec(message);
    if (named?.[1] !== undefined) return named[1];
    const columns = /constraint failed: (.+)$/.exec(message)?.[1];
    if (columns === undefined) return null;
    if (!uniqueKeys?.has(columns)) uniqueKeys = readUniqueKeys(db);
    return uniqueKeys.get(columns) ?? null;
  };

  return (error) => {
    if (error instanceof StoreError) return error;
    if (isSqliteFailure(error)) {
      switch (error.code) {
        case 'SQLITE_CONSTRAINT_UNIQUE':
        case 'SQLITE_CONSTRAINT_PRIMARYKEY': {
          const constraint = constraintOf(error.message);
          return new StoreConflictError(uniqueViolationReason(constraint), constraint, { cause: error });
        }
        case 'SQLITE_CONSTRAINT_FOREIGNKEY':
          return new StoreConflictError('missing_reference', null, { cause: error });
        case 'SQLITE_BUSY':
        case 'SQLITE_LOCKED':
          return new StoreError('busy', 'The database is busy.', { cause: error });
      }
    }
    return new StoreError('store_failure', 'The database failed.', { cause: error });
  };
}
