// Opens the Store named by DATABASE_URL: `postgres://` / `postgresql://` is PostgreSQL, anything else
// (`sqlite:PATH`, a path, `:memory:`) a SQLite file. Migrations are applied on open unless told not to.
import type { Store } from '../engine/ports/store.js';
import type { StorageDialect } from './dialect.js';
import { createKyselyStore } from './kysely-store.js';
import { openPostgresDialect } from './postgres/postgres-dialect.js';
import { openSqliteDialect } from './sqlite/sqlite-dialect.js';

export interface OpenStoreOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL: the schema to work in (default: the server's search_path). Must already exist. */
  schema?: string;
  /** PostgreSQL: pool size (default 10). */
  maxConnections?: number;
  /** SQLite: how long a writer waits for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

export interface OpenedStore {
  store: Store;
  /** Names of the migrations this open applied. */
  applied: string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** `sqlite:PATH` → PATH; a bare path or `:memory:` as is. */
export function sqlitePath(url: string): string {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : url;
}

function openDialect(url: string, options: OpenStoreOptions): StorageDialect {
  if (isPostgresUrl(url)) {
    const schema = options.schema ?? null;
    if (schema !== null && !SCHEMA_NAME.test(schema))
      throw new Error(`Bad PostgreSQL schema name: ${schema}`);
    return openPostgresDialect(url, { schema, maxConnections: options.maxConnections ?? 10 });
  }
  return openSqliteDialect(sqlitePath(url), { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
}

/** Opens the store and reports which migrations it applied. */
export async function openStoreReporting(url: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const dialect = openDialect(url, options);
  try {
    const applied = options.migrate === false ? [] : await dialect.migrate();
    return { store: createKyselyStore(dialect), applied };
  } catch (error) {
    await dialect.close();
    throw error;
  }
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return (await openStoreReporting(url, options)).store;
}

/** Applies pending migrations to the database at `url` (`stepwise migrate`); returns their names. */
export async function migrate(
  url: string,
  options: Omit<OpenStoreOptions, 'migrate'> = {},
): Promise<string[]> {
  const { store, applied } = await openStoreReporting(url, options);
  await store.close();
  return applied;
}
