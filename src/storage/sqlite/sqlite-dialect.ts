// Opens a SQLite file (or `:memory:`) as a StorageDialect: WAL, synchronous=NORMAL, foreign keys on,
// and a busy timeout so a second process waits for the write lock instead of failing.
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { StorageDialect } from '../dialect.js';
import { ErrorMappingDriver } from '../error-mapping-driver.js';
import { loadMigrations } from '../migrations.js';
import type { Database } from '../schema.js';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  SOLO_AUTOCHECKPOINT_PAGES,
  startWalCheckpointer,
} from './sqlite-checkpointer.js';
import { SqliteStoreDriver } from './sqlite-driver.js';
import { sqliteErrorMapper } from './sqlite-errors.js';
import { openSqliteDatabase, setPragma } from './sqlite-handles.js';
import { migrateSqlite } from './sqlite-migrator.js';
import { sqliteCapabilities, sqliteSql } from './sqlite-sql.js';
import { syncWebhookTriggersRaw } from './sqlite-webhook-triggers.js';

export interface SqliteOptions {
  /** Milliseconds a writer waits for the lock held by another connection. */
  busyTimeoutMs: number;
}

export function openSqliteDialect(path: string, options: SqliteOptions): StorageDialect {
  const raw = openSqliteDatabase(path);
  const mapError = sqliteErrorMapper(raw);
  try {
    setPragma(raw, `busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    if (path !== ':memory:') setPragma(raw, 'journal_mode = WAL');
    setPragma(raw, 'synchronous = NORMAL');
    setPragma(raw, 'foreign_keys = ON');
  } catch (error) {
    raw.close();
    throw mapError(error);
  }
  // A file database is checkpointed by a background thread (sqlite-checkpointer.ts); the writer's own
  // checkpoints are a backstop, and its only ones again if that thread cannot start or dies.
  const checkpointer = raw.memory
    ? null
    : startWalCheckpointer(path, () => {
        if (raw.open) setPragma(raw, `wal_autocheckpoint = ${SOLO_AUTOCHECKPOINT_PAGES}`);
      });
  const driver = new SqliteStoreDriver(raw, BACKSTOP_AUTOCHECKPOINT_PAGES, () => checkpointer?.noteUse());
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new ErrorMappingDriver(driver, mapError),
      createQueryCompiler: () => new SqliteQueryCompiler(),
      createIntrospector: (kysely) => new SqliteIntrospector(kysely),
    },
  });
  const migrations = loadMigrations(new URL('./migrations/', import.meta.url));

  return {
    name: 'sqlite',
    capabilities: sqliteCapabilities,
    db,
    sql: sqliteSql,
    async migrate() {
      try {
        return await driver.withRawConnection((connection) => {
          const applied = migrateSqlite(connection, migrations);
          syncWebhookTriggersRaw(connection);
          return applied;
        });
      } catch (error) {
        throw mapError(error);
      }
    },
    async close() {
      // The checkpointer's connection goes first: the writer's close, as the last one, then checkpoints
      // and removes the WAL file as before.
      await checkpointer?.stop();
      // Kysely destroys its driver only if a query initialised it; a store that only migrated (or was
      // only pinged through the raw connection) must still release the file.
      await db.destroy();
      await driver.destroy();
    },
  };
}
