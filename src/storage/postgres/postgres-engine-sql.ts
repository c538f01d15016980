// PostgreSQL's spelling of the engine's statements: typed `$n` placeholders (VALUES lists need types),
// jsonb merge for field updates, and NOTIFY as a wake-up hint for other processes' workers.
import { type EngineSql, WORK_CHANNEL } from '../engine/engine-sql.js';
import { postgresClaimDue } from './postgres-claim-due.js';

const CASTS = { text: 'text', int: 'integer', bigint: 'bigint', json: 'jsonb' } as const;

export const postgresEngineSql: EngineSql = {
  param: (n, type) => `$${n}::${CASTS[type]}`,
  mergeJson: (column, patch) => `jsonb_strip_nulls(${column} || ${patch})`,
  claimDue: postgresClaimDue,
  notifyWork: `SELECT pg_notify('${WORK_CHANNEL}', '')`,
};
