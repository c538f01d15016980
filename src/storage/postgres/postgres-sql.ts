// PostgreSQL's spelling of the fragments that differ, and what PostgreSQL can do.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { StoreCapabilities } from '../../engine/ports/store.js';
import type { DialectSql } from '../dialect.js';

export const postgresCapabilities: StoreCapabilities = {
  supportsSkipLocked: true,
  supportsListenNotify: true,
  concurrentWriters: true,
  maxParameters: 65_535,
};

export const postgresSql: DialectSql = {
  // Same result as SQLite's json_patch for flat objects: null removes the key.
  mergeJsonObject: (current: Expression<string>, patch: Expression<string>) =>
    sql<string>`jsonb_strip_nulls(${current}::jsonb || ${patch}::jsonb)`,
  mergedKeysAtMost: (current, patch, max) =>
    sql<SqlBool>`(SELECT count(*) FROM jsonb_object_keys(jsonb_strip_nulls(${current}::jsonb || ${patch}::jsonb))) <= ${sql.lit(max)}`,
  likeInsensitive: (column, pattern) => sql`${column} ILIKE ${pattern} ESCAPE '\\'`,
  inIds: (column, ids) => sql`${column} = ANY(${[...ids]}::text[])`,
};
