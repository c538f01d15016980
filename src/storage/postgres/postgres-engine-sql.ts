// PostgreSQL's spelling of the engine's statements: typed `$n` placeholders (VALUES lists need types), and NOTIFY as a wake-up hint for other processes' workers.
import { type EngineSql, WORK_CHANNEL } from '../engine/engine-sql.js';
import { postgresClaimDue } from './postgres-claim-due.js';

const CASTS = { text: 'text', int: 'integer', bigint: 'bigint', json: 'jsonb', texts: 'text[]' } as const;

import { postgresEngineWrites } from './postgres-engine-writes.js';
import { postgresStartWrites } from './postgres-start-writes.js';

export const postgresEngineSql: EngineSql = {
  param: (n, type) => `$${n}::${CASTS[type]}`,
  inIds: (p, column, ids) => `${column} = ANY(${p.add(ids, 'texts')})`,
  claimDue: postgresClaimDue,
  writes: postgresEngineWrites,
  startWrites: postgresStartWrites,
  // FOR SHARE conflicts with the lifecycle's row lock (lockSequence): a deactivation waits for this
  // commit, or this commit waits for the deactivation and then reads its status.
  sequenceGuard: 'SELECT status, active_version, deleted_at FROM sequences WHERE id = $1 FOR SHARE',
  // FOR SHARE conflicts with a record deletion's write of the stamp (record-deletions.ts): a deletion
  // committing meanwhile is waited for and then seen; a later one waits for this commit.
  recordDeletionsGuard: 'SELECT value FROM settings WHERE key = $1 FOR SHARE',
  notifyWork: `SELECT pg_notify('${WORK_CHANNEL}', '')`,
};
