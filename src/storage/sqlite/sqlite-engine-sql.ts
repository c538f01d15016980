// SQLite's spelling of the engine's statements: `?` placeholders (values keep the type they are bound
// with), no NOTIFY (one process writes; workers poll, bounded).
import type { EngineSql } from '../engine/engine-sql.js';
import { sqliteClaimDue } from './sqlite-claim-due.js';
import { sqliteEngineWrites } from './sqlite-engine-writes.js';
import { sqliteStartWrites } from './sqlite-start-writes.js';

export const sqliteEngineSql: EngineSql = {
  param: () => '?',
  inIds: (p, column, ids) => `${column} IN (SELECT value FROM json_each(${p.add(JSON.stringify(ids))}))`,
  claimDue: sqliteClaimDue,
  writes: sqliteEngineWrites,
  startWrites: sqliteStartWrites,
  // BEGIN IMMEDIATE holds the write lock: nothing changes the sequence until this transaction ends.
  sequenceGuard: 'SELECT status, active_version, deleted_at FROM sequences WHERE id = ?',
  // The same for the record deletions stamp: no deletion commits until this transaction ends.
  recordDeletionsGuard: 'SELECT value FROM settings WHERE key = ?',
  notifyWork: null,
};
