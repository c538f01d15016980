// SQLite's spelling of the fragments that differ, and what SQLite can do.
import { type Expression, type SqlBool, sql } from 'kysely';
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
  // Every key of a JSON object's text takes at least 5 characters (`"":1,`) beyond its braces: two texts
  // no longer than 5 × max + 2 together cannot merge into more than max keys, and are not walked.
  mergedKeysAtMost: (current, patch, max) =>
    sql<SqlBool>`(length(${current}) + length(${patch}) <= ${sql.lit(5 * max + 2)} OR (SELECT count(*) FROM json_each(json_patch(${current}, ${patch}))) <= ${sql.lit(max)})`,
  // LIKE is case-insensitive for ASCII in SQLite.
  likeInsensitive: (column, pattern) => sql`${column} LIKE ${pattern} ESCAPE '\\'`,
  inIds: (column, ids) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  webhookSubscriptionsChanged: syncWebhookTriggers,
};
