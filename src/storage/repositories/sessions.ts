// Browser sessions; the id is the hash of the cookie's token.
import type { Selectable } from 'kysely';
import type { Session, SessionRepository } from '../../engine/ports/store.js';
import type { SessionsTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function createSessionRepository({ db }: RepositoryContext): SessionRepository {
  return {
    async create(session) {
      const row = await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSession(row);
    },

    async get(id) {
      // sessions primary key: every cookie-authenticated request.
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toSession(row);
    },

    async delete(id) {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async deleteForUser(userId) {
      // sessions_user_idx
      const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(now) {
      // sessions_expires_at_idx
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
