// SQLite's spelling of the fragments that differ, and what SQLite can do.
import { type Expression, sql } from 'kysely';
import type { StoreCapabilities } from '../../engine/ports/store.js';
import type { DialectSql } from '../dialect.js';
import { syncWebhookTriggers } from './sqlite-webhook-triggers.js';

export const sqliteCapabilities: StoreCapabilities = {
  supportsSkipLocked: false,
  supportsListenNotify: false,
  concurrentWriters: false,
  maxParameters: 32_766,
};

export const sqliteSql: DialectSql = {
  // RFC 7396 merge patch: null removes the key.
  mergeJsonObject: (current: Expression<string>, patch: Expression<string>) =>
    sql<string>`json_patch(${current}, ${patch})`,
  // LIKE is case-insensitive for ASCII in SQLite.
  likeInsensitive: (column, pattern) => sql`${column} LIKE ${pattern} ESCAPE '\\'`,
  inIds: (column, ids) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  webhookSubscriptionsChanged: syncWebhookTriggers,
};
