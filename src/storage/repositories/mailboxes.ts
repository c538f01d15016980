// SMTP mailboxes (one per user, one installation default) and the send log their limits are
// counted from. Passwords (and IMAP URLs, which carry one) arrive and leave encrypted: the store never
// sees one in clear.
import type { Selectable } from 'kysely';
import type { Mailbox, MailboxRepository } from '../../engine/ports/store.js';
import { fromFlag, toFlag } from '../codec.js';
import { decodeCursor, idColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { MailboxesTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** By id. */
const MAILBOXES = keyset('mailboxes', [idColumn('mbx')]);

const DEFAULT_DAILY_CAP = 400;
const DEFAULT_MIN_SPACING_MS = 20_000;

function toMailbox(row: Selectable<MailboxesTable>): Mailbox {
  return {
    id: row.id,
    userId: row.user_id,
    host: row.host,
    port: Number(row.port),
    secure: fromFlag(row.secure),
    username: row.username,
    passwordEncrypted: row.password_encrypted,
    name: row.name,
    fromAddress: row.from_address,
    fromName: row.from_name,
    dailyCap: row.daily_cap === null ? null : Number(row.daily_cap),
    minSpacingMs: Number(row.min_spacing_ms),
    imapUrlEncrypted: row.imap_url_encrypted,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createMailboxRepository({ db, sql: dialectSql }: RepositoryContext): MailboxRepository {
  return {
    async create(mailbox) {
      const row = await db
        .insertInto('mailboxes')
        .values({
          id: mailbox.id,
          user_id: mailbox.userId,
          host: mailbox.host,
          port: mailbox.port,
          secure: toFlag(mailbox.secure ?? false),
          username: mailbox.username ?? null,
          password_encrypted: mailbox.passwordEncrypted ?? null,
          name: mailbox.name ?? '',
          from_address: mailbox.fromAddress ?? null,
          from_name: mailbox.fromName ?? null,
          daily_cap: mailbox.dailyCap === undefined ? DEFAULT_DAILY_CAP : mailbox.dailyCap,
          min_spacing_ms: mailbox.minSpacingMs ?? DEFAULT_MIN_SPACING_MS,
          imap_url_encrypted: mailbox.imapUrlEncrypted ?? null,
          created_at: mailbox.createdAt,
          updated_at: mailbox.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMailbox(row);
    },

    async get(id) {
      const row = await db.selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toMailbox(row);
    },

    async forUser(userId) {
      // mailboxes_user_key (COALESCE(user_id, '')).
      const row = await db
        .selectFrom('mailboxes')
        .selectAll()
        .where((eb) => eb(eb.fn.coalesce('user_id', eb.val('')), '=', userId ?? ''))
        .executeTakeFirst();
      return row === undefined ? null : toMailbox(row);
    },

    async list() {
      const rows = await db.selectFrom('mailboxes').selectAll().orderBy('id').execute();
      return rows.map(toMailbox);
    },

    async listPage(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, MAILBOXES);
      // The primary key, walked in order.
      let query = db
        .selectFrom('mailboxes')
        .selectAll()
        .orderBy('id')
        .limit(limit + 1);
      if (after !== null) query = query.where('id', '>', after[0]);
      return toPage(await query.execute(), limit, toMailbox, MAILBOXES, (row) => [row.id]);
    },

    async update(id, patch, updatedAt) {
      const row = await db
        .updateTable('mailboxes')
        .set({
          updated_at: updatedAt,
          ...(patch.host === undefined ? {} : { host: patch.host }),
          ...(patch.port === undefined ? {} : { port: patch.port }),
          ...(patch.secure === undefined ? {} : { secure: toFlag(patch.secure) }),
          ...(patch.username === undefined ? {} : { username: patch.username }),
          ...(patch.passwordEncrypted === undefined ? {} : { password_encrypted: patch.passwordEncrypted }),
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.fromAddress === undefined ? {} : { from_address: patch.fromAddress }),
          ...(patch.fromName === undefined ? {} : { from_name: patch.fromName }),
          ...(patch.dailyCap === undefined ? {} : { daily_cap: patch.dailyCap }),
          ...(patch.minSpacingMs === undefined ? {} : { min_spacing_ms: patch.minSpacingMs }),
          ...(patch.imapUrlEncrypted === undefined ? {} : { imap_url_encrypted: patch.imapUrlEncrypted }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toMailbox(row);
    },

    async delete(id) {
      const result = await db.deleteFrom('mailboxes').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async logSend(send) {
      await db
        .insertInto('mail_sends')
        .values({ id: send.id, mailbox_key: send.mailboxKey, outbox_id: send.outboxId, at: send.at })
        .execute();
    },

    async lastSendAt(outboxIds) {
      if (outboxIds.length === 0) return new Map();
      // mail_sends_outbox_idx (outbox_id).
      const rows = await db
        .selectFrom('mail_sends')
        .select((eb) => ['outbox_id', eb.fn.max('at').as('at')])
        .where((eb) => dialectSql.inIds(eb.ref('outbox_id'), [...new Set(outboxIds)]))
        .groupBy('outbox_id')
        .execute();
      return new Map(rows.map((row) => [row.outbox_id, Number(row.at)]));
    },

    async sendWindow(mailboxKey, since, nth) {
      // mail_sends_mailbox_at_idx (mailbox_key, at): a range scan of at most a day of one mailbox.
      const totals = await db
        .selectFrom('mail_sends')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('at').as('last_at')])
        .where('mailbox_key', '=', mailboxKey)
        .where('at', '>', since)
        .executeTakeFirstOrThrow();
      const count = Number(totals.count);
      let nthAt: number | null = null;
      if (nth >= 0 && nth < count) {
        const row = await db
          .selectFrom('mail_sends')
          .select('at')
          .where('mailbox_key', '=', mailboxKey)
          .where('at', '>', since)
          .orderBy('at')
          .limit(1)
          .offset(nth)
          .executeTakeFirst();
        nthAt = row === undefined ? null : Number(row.at);
      }
      return { count, lastAt: totals.last_at === null ? null : Number(totals.last_at), nthAt };
    },

    async sendsSince(mailboxKey, since) {
      // mail_sends_mailbox_at_idx (mailbox_key, at), in its order.
      const rows = await db
        .selectFrom('mail_sends')
        .select('at')
        .where('mailbox_key', '=', mailboxKey)
        .where('at', '>', since)
        .orderBy('at')
        .execute();
      return rows.map((row) => Number(row.at));
    },
  };
}
