// What differs between SQLite and PostgreSQL, behind one small interface (kysely's pattern): each
// dialect folder builds a StorageDialect; the repositories are written once against it.
import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely';
import type { StoreCapabilities, StoreDialect } from '../engine/ports/store.js';
import type { Database } from './schema.js';

/** SQL fragments whose spelling differs between the dialects. */
export interface DialectSql {
  /** The JSON object `current` with the keys of `patch` set and the keys whose patch value is null removed. */
  mergeJsonObject(current: Expression<string>, patch: Expression<string>): RawBuilder<string>;
  /** `mergeJsonObject(current, patch)` holds at most `max` keys; `max` goes in as a literal, not a parameter. */
  mergedKeysAtMost(current: Expression<string>, patch: Expression<string>, max: number): RawBuilder<SqlBool>;
  /** Case-insensitive substring test; `pattern` is a LIKE pattern escaped with `\`. */
  likeInsensitive(column: Expression<string | null>, pattern: string): RawBuilder<SqlBool>;
  /**
   * `column` is one of `ids`, as ONE bound parameter whatever the count: one statement text (prepared
   * once) and no chunks. `IN (SELECT value FROM json_each(?))` on SQLite, `= ANY($n::text[])` on
   * PostgreSQL; both probe the column's index once per id.
   */
  inIds(column: Expression<string | null>, ids: readonly string[]): RawBuilder<SqlBool>;
  /**
   * After webhook_event_types changed, in the same transaction: SQLite creates its webhook triggers
   * while some endpoint subscribes and drops them otherwise (sqlite-webhook-triggers.ts).
   */
  webhookSubscriptionsChanged?(db: Kysely<Database>): Promise<void>;
}

export interface StorageDialect {
  readonly name: StoreDialect;
  readonly capabilities: StoreCapabilities;
  readonly db: Kysely<Database>;
  readonly sql: DialectSql;
  /** LISTEN on `channel` over a dedicated connection; resolves to the function that stops listening. */
  readonly listen?: (channel: string, onNotify: () => void) => Promise<() => Promise<void>>;
  /** Applies pending migrations (serialised between processes); returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}
