// SQLite's spelling of the engine's statements: `?` placeholders (values keep the type they are bound
// with), json_patch for field updates, no NOTIFY (one process writes; workers poll, bounded).
import type { EngineSql } from '../engine/engine-sql.js';
import { sqliteClaimDue } from './sqlite-claim-due.js';

export const sqliteEngineSql: EngineSql = {
  param: () => '?',
  mergeJson: (column, patch) => `json_patch(${column}, ${patch})`,
  claimDue: sqliteClaimDue,
  notifyWork: null,
};
