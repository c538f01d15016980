// The outbox as the mail sender works it: claim due rows under a lease, then move each one through
// pending → sending → sent | failed | send_unknown | dropped. Every transition names the state it
// leaves, so a row another process (or a disconnect) has moved meanwhile is left alone.
import { type Selectable, sql } from 'kysely';
import type { JsonObject, OutboxMessage, OutboxRepository, OutboxStatus } from '../../engine/ports/store.js';
import { fromJson, toJson } from '../codec.js';
import { decodeCursor, idColumn, instantColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { OutboxTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** One status's messages, by (created_at, id). */
const OUTBOX = keyset('outbox', [instantColumn, idColumn('out')]);

function toMessage(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    payload:
      typeof row.payload === 'string' ? fromJson<JsonObject>(row.payload) : (row.payload as JsonObject),
    status: row.status as OutboxStatus,
    availableAt: Number(row.available_at),
    attempts: Number(row.attempts),
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    messageKeyHash: row.message_key_hash ?? null,
    mailboxKey: row.mailbox_key ?? null,
    providerResponse: row.provider_response ?? null,
  };
}

/** Provider answers and errors are short lines; a hostile server must not fill a column. */
const MAX_TEXT = 2_000;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

export function createOutboxRepository({
  db,
  sql: dialect,
  capabilities,
  atomically,
}: RepositoryContext): OutboxRepository {
  return {
    async sendPendingSooner(match, now) {
      if ('enrollmentIds' in match && match.enrollmentIds.length === 0) return 0;
      // outbox_pending_idx: the pending rows due later, then the payload's owner or enrollment.
      const result = await db
        .updateTable('outbox')
        .set({ available_at: now })
        .where('status', '=', 'pending')
        .where('available_at', '>', now)
        .where((eb) =>
          'ownerId' in match
            ? eb(sql<string>`payload ->> 'ownerId'`, '=', match.ownerId)
            : dialect.inIds(sql<string>`payload ->> 'enrollmentId'`, match.enrollmentIds),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async claimDue(kind, now, limit, leaseUntil) {
      // outbox_pending_idx (available_at) WHERE status = 'pending': walked in order, LIMIT stops it.
      // Several senders on PostgreSQL skip each other's locked rows; SQLite has one writer.
      const lock = capabilities.supportsSkipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
      const claim = (run: typeof db) =>
        sql<Selectable<OutboxTable>>`
          UPDATE outbox SET lease_until = ${leaseUntil}
           WHERE id IN (SELECT id FROM outbox
                         WHERE status = 'pending' AND available_at <= ${now} AND kind = ${kind}
                           AND (lease_until IS NULL OR lease_until < ${now})
                         ORDER BY available_at
                         LIMIT ${limit}
                         ${lock})
          RETURNING *`.execute(run);
      const result = await atomically(claim);
      return result.rows
        .map(toMessage)
        .sort((a, b) => a.availableAt - b.availableAt || (a.id < b.id ? -1 : 1));
    },

    async nextAvailableAt(kind) {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('available_at').as('at'))
        .where('status', '=', 'pending')
        .where('kind', '=', kind)
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },

    async sendTimes(keys) {
      if (keys.length === 0) return new Map();
      // outbox_idempotency_key_key, probed once per key.
      const rows = await db
        .selectFrom('outbox')
        .select(['idempotency_key', 'available_at'])
        .where(dialect.inIds(sql.ref<string>('idempotency_key'), [...new Set(keys)]))
        .execute();
      return new Map(rows.map((row) => [row.idempotency_key, Number(row.available_at)]));
    },

    async get(id) {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toMessage(row);
    },

    async getByMessageKeyHash(hash) {
      const row = await db
        .selectFrom('outbox')
        .selectAll()
        .where('message_key_hash', 'is not', null)
        .where('message_key_hash', '=', hash)
        .executeTakeFirst();
      return row === undefined ? null : toMessage(row);
    },

    async reschedule(id, change) {
      const result = await db
        .updateTable('outbox')
        .set((eb) => ({
          available_at: change.availableAt,
          lease_until: null,
          last_error: change.lastError === null ? null : clip(change.lastError),
          ...(change.countAttempt ? { attempts: eb('attempts', '+', 1) } : {}),
          ...(change.mailboxKey === undefined
            ? {}
            : change.mailboxKey === null
              ? {
                  mailbox_key: eb
                    .case()
                    .when('message_key_hash', 'is', null)
                    .then(sql.lit(null))
                    .else(eb.ref('mailbox_key'))
                    .end(),
                }
              : { mailbox_key: change.mailboxKey }),
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async mailboxSlots(mailboxKey, after) {
      // outbox_mailbox_slots_idx (mailbox_key, available_at) WHERE status = 'pending' AND mailbox_key IS NOT
      // NULL (0019): the mailbox's held rows due after `after`, in order; not every pending row due later.
      const rows = await db
        .selectFrom('outbox')
        .select('available_at')
        .where('status', '=', 'pending')
        .where('available_at', '>', after)
        .where('mailbox_key', '=', mailboxKey)
        .where('message_key_hash', 'is', null)
        .orderBy('available_at')
        .execute();
      return rows.map((row) => Number(row.available_at));
    },

    async markSending(id, sending) {
      const result = await db
        .updateTable('outbox')
        .set((eb) => ({
          status: 'sending',
          attempts: eb('attempts', '+', 1),
          lease_until: sending.leaseUntil,
          message_key_hash: sending.messageKeyHash,
          mailbox_key: sending.mailboxKey,
          ...(sending.payload === undefined ? {} : { payload: toJson(sending.payload) }),
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async markSent(id, sentAt, providerResponse) {
      const result = await db
        .updateTable('outbox')
        .set({
          status: 'sent',
          sent_at: sentAt,
          lease_until: null,
          last_error: null,
          provider_response: clip(providerResponse),
        })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async retryLater(id, availableAt, lastError) {
      const result = await db
        .updateTable('outbox')
        .set({ status: 'pending', available_at: availableAt, lease_until: null, last_error: clip(lastError) })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async settle(id, from, to, reason) {
      if (from.length === 0) return false;
      const result = await db
        .updateTable('outbox')
        .set({ status: to, lease_until: null, last_error: clip(reason) })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async dropUnknown(id, drop) {
      // The webhook triggers read this transition: sent_at set → email.sent, else email.failed (0014).
      const result = await db
        .updateTable('outbox')
        .set({
          status: 'dropped',
          sent_at: drop.deliveredAt,
          lease_until: null,
          last_error: clip(drop.reason),
        })
        .where('id', '=', id)
        .where('status', '=', 'send_unknown')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async requeueUnknown(id, availableAt) {
      const result = await db
        .updateTable('outbox')
        .set({ status: 'pending', available_at: availableAt, lease_until: null })
        .where('id', '=', id)
        .where('status', '=', 'send_unknown')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async expireSending(now) {
      // outbox_sending_idx (lease_until) WHERE status = 'sending'.
      const result = await sql<Selectable<OutboxTable>>`
        UPDATE outbox
           SET status = 'send_unknown', lease_until = NULL,
               last_error = 'the sender stopped during the SMTP exchange, before recording the answer: the message may or may not have reached the server'
         WHERE status = 'sending' AND lease_until < ${now}
        RETURNING *`.execute(db);
      return result.rows.map(toMessage);
    },

    async listByStatus(status, options) {
      const limit = pageLimit(options);
      const keys = OUTBOX.of(status);
      const after = decodeCursor(options, keys);
      let query = db
        .selectFrom('outbox')
        .selectAll()
        .where('status', '=', status)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1);
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after[0], after[1])));
      }
      const rows = await query.execute();
      return toPage(rows, limit, toMessage, keys, (row) => [Number(row.created_at), row.id]);
    },
  };
}
