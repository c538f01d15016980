// What every repository is built from: the query builder (the root database or an open transaction),
// the dialect's SQL fragments and capabilities, and a way to make several statements atomic.
import type { Kysely } from 'kysely';
import type { StoreCapabilities } from '../../engine/ports/store.js';
import type { DialectSql } from '../dialect.js';
import type { Database } from '../schema.js';

export interface RepositoryContext {
  readonly db: Kysely<Database>;
  readonly sql: DialectSql;
  readonly capabilities: StoreCapabilities;
  /** Runs `work` in a transaction, or in the current one when the store is already in a transaction. */
  atomically<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** Splits `items` so that each chunk carries at most `maxParameters` bind parameters. */
export function chunked<T>(items: readonly T[], parametersPerItem: number, maxParameters: number): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / parametersPerItem));
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Rows for `ids`, fetched with `IN (…)` lists small enough for either dialect. */
export async function selectByIds<R>(
  ids: readonly string[],
  fetch: (chunk: string[]) => Promise<R[]>,
): Promise<R[]> {
  const unique = [...new Set(ids)];
  const rows: R[] = [];
  for (const chunk of chunked(unique, 1, 1000)) rows.push(...(await fetch(chunk)));
  return rows;
}
