// Long-lived API tokens; only their hash is stored.
import type { Selectable } from 'kysely';
import type { ApiToken, ApiTokenRepository } from '../../engine/ports/store.js';
import { decodeCursor, idColumn, instantColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { ApiTokensTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** One user's tokens, by (created_at, id). */
const USER_TOKENS = keyset('api-tokens', [instantColumn, idColumn('tok')]);

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function createApiTokenRepository({ db }: RepositoryContext): ApiTokenRepository {
  return {
    async create(token) {
      const row = await db
        .insertInto('api_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          created_at: token.createdAt,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApiToken(row);
    },

    async getByHash(tokenHash) {
      // api_tokens_token_hash_key: every API request authenticated by token.
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row === undefined ? null : toApiToken(row);
    },

    async listForUser(userId) {
      // api_tokens_user_idx
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toApiToken);
    },

    async listPageForUser(userId, options) {
      const limit = pageLimit(options);
      const keys = USER_TOKENS.of(userId);
      const after = decodeCursor(options, keys);
      // api_tokens_user_idx finds the user's rows; a user holds a handful, so sorting them is cheap.
      let query = db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1);
      if (after !== null)
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after[0], after[1])));
      return toPage(await query.execute(), limit, toApiToken, keys, (row) => [
        Number(row.created_at),
        row.id,
      ]);
    },

    async touch(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },

    async revoke(id, at) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
