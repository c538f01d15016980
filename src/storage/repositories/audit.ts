// The audit log: who did what to which subject, append-only, read newest first.
import type { Selectable } from 'kysely';
import type { AuditEntry, AuditRepository, JsonObject } from '../../engine/ports/store.js';
import { fromJsonOrNull, toJson } from '../codec.js';
import { decodeCursor, idColumn, instantColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { AuditLogTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** Newest first, by (at, id). */
const AUDIT = keyset('audit', [instantColumn, idColumn('aud')]);

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: fromJsonOrNull<JsonObject>(row.data),
  };
}

export function createAuditRepository({ db }: RepositoryContext): AuditRepository {
  return {
    async append(entry) {
      await db
        .insertInto('audit_log')
        .values({
          id: entry.id,
          at: entry.at,
          actor_id: entry.actorId,
          action: entry.action,
          subject_type: entry.subjectType,
          subject_id: entry.subjectId,
          data: entry.data === null ? null : toJson(entry.data),
        })
        .execute();
    },

    async list(options) {
      const limit = pageLimit(options);
      const before = decodeCursor(options, AUDIT);
      // audit_log_subject_idx (one subject) or audit_log_at_idx (everything), walked backwards.
      let query = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      const subject = options?.subject;
      if (subject !== undefined) {
        query = query.where('subject_type', '=', subject.type).where('subject_id', '=', subject.id);
      }
      if (before !== null) {
        query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(before[0], before[1])));
      }
      const rows = await query.execute();
      return toPage(rows, limit, toAuditEntry, AUDIT, (row) => [Number(row.at), row.id]);
    },
  };
}
