// The suppression list: lower-cased addresses never emailed again, the first reason kept.
import type { Selectable } from 'kysely';
import type { Suppression, SuppressionReason, SuppressionRepository } from '../../engine/ports/store.js';
import { decodeCursor, emailKeyColumn, keyset, pageLimit, toPage } from '../cursor.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';

/** By address (stored lower-cased, engine/suppression.ts). */
const SUPPRESSIONS = keyset('suppressions', [emailKeyColumn]);

/** 0004_signals_suppressions. */
interface SuppressionsTable {
  email: string;
  reason: string;
  at: number;
  source: string | null;
}

function toSuppression(row: Selectable<SuppressionsTable>): Suppression {
  return { email: row.email, reason: row.reason as SuppressionReason, at: row.at, source: row.source };
}

export function createSuppressionRepository(context: RepositoryContext): SuppressionRepository {
  const db = context.db.withTables<{ suppressions: SuppressionsTable }>();
  return {
    async addMany(entries) {
      const added: string[] = [];
      for (const chunk of chunked(entries, 4, context.capabilities.maxParameters)) {
        // suppressions pkey: an address already listed keeps its first reason.
        const rows = await db
          .insertInto('suppressions')
          .values(chunk.map((e) => ({ email: e.email, reason: e.reason, at: e.at, source: e.source })))
          .onConflict((oc) => oc.column('email').doNothing())
          .returning('email')
          .execute();
        for (const row of rows) added.push(row.email);
      }
      return added;
    },

    async getMany(emails) {
      const rows = await selectByIds(emails, (chunk) =>
        db
          .selectFrom('suppressions')
          .selectAll()
          .where((eb) => context.sql.inIds(eb.ref('email'), chunk))
          .execute(),
      );
      return rows.map(toSuppression);
    },

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, SUPPRESSIONS);
      let query = db
        .selectFrom('suppressions')
        .selectAll()
        .orderBy('email')
        .limit(limit + 1);
      if (after !== null) query = query.where('email', '>', after[0]);
      const rows = await query.execute();
      return toPage(rows, limit, toSuppression, SUPPRESSIONS, (row) => [row.email]);
    },

    async remove(email) {
      const result = await db.deleteFrom('suppressions').where('email', '=', email).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
