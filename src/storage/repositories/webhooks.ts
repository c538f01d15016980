// Outgoing webhooks: endpoints (with the event-type rows the 0005 triggers probe), the event log those
// triggers fill, and deliveries with their attempts. The dispatcher takes events and enqueues
// deliveries in one transaction; the deliverer claims due deliveries under a lease, like the outbox.
import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  JsonObject,
  NewWebhookDelivery,
  Webhook,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEvent,
  WebhookRepository,
} from '../../engine/ports/store.js';
import { fromJson, toJson } from '../codec.js';
import { decodeCursor, idColumn, instantColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { DialectSql } from '../dialect.js';
import type {
  Database,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEventsTable,
  WebhooksTable,
} from '../schema.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';

/** Endpoints, by (created_at, id). */
const WEBHOOKS = keyset('webhooks', [instantColumn, idColumn('whk')]);
/** One endpoint's deliveries, newest first, by (created_at, id). */
const WEBHOOK_DELIVERIES = keyset('webhook-deliveries', [instantColumn, idColumn('whd')]);

const json = <T>(value: unknown): T => (typeof value === 'string' ? fromJson<T>(value) : (value as T));
const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: json<string[]>(row.events),
    description: row.description,
    secret: row.secret,
    active: row.active === true || row.active === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toEvent(row: Selectable<WebhookEventsTable>): WebhookEvent {
  return {
    seq: Number(row.seq),
    type: row.type,
    subjectId: row.subject_id,
    at: numberOrNull(row.at),
    data: json<JsonObject>(row.data),
  };
}

function toAttempt(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    at: Number(row.at),
    statusCode: numberOrNull(row.status_code),
    error: row.error,
    durationMs: Number(row.duration_ms),
  };
}

function toDelivery(
  row: Selectable<WebhookDeliveriesTable>,
  attempts: WebhookAttempt[] = [],
): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status as WebhookDeliveryStatus,
    nextAttemptAt: numberOrNull(row.next_attempt_at),
    retryUntil: Number(row.retry_until),
    createdAt: Number(row.created_at),
    deliveredAt: numberOrNull(row.delivered_at),
    attempts,
  };
}

/** Errors are short lines; a hostile receiver must not fill a column. */
const MAX_ERROR = 1_000;
const clip = (text: string | null) =>
  text === null || text.length <= MAX_ERROR ? text : `${text.slice(0, MAX_ERROR)}…`;

/**
 * Keeps webhook_event_types equal to the endpoint's events while it is active (none otherwise), and
 * lets the dialect follow (SQLite's triggers exist only while someone subscribes).
 */
async function writeEventTypes(db: Kysely<Database>, dialect: DialectSql, webhook: Webhook): Promise<void> {
  await db.deleteFrom('webhook_event_types').where('webhook_id', '=', webhook.id).execute();
  if (webhook.active && webhook.events.length > 0)
    await db
      .insertInto('webhook_event_types')
      .values([...new Set(webhook.events)].map((event) => ({ event_type: event, webhook_id: webhook.id })))
      .execute();
  await dialect.webhookSubscriptionsChanged?.(db);
}

async function attemptsOf(db: Kysely<Database>, deliveryIds: readonly string[]) {
  const rows = await selectByIds(deliveryIds, (chunk) =>
    db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', chunk)
      .orderBy('delivery_id')
      .orderBy('at')
      .orderBy('id')
      .execute(),
  );
  const byDelivery = new Map<string, WebhookAttempt[]>();
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(toAttempt(row));
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}

export function createWebhookRepository({
  db,
  sql: dialectSql,
  capabilities,
  atomically,
}: RepositoryContext): WebhookRepository {
  const lock = capabilities.supportsSkipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;

  async function getDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return null;
    return toDelivery(row, (await attemptsOf(db, [row.id])).get(row.id) ?? []);
  }

  return {
    async create(input) {
      const webhook: Webhook = {
        id: input.id,
        url: input.url,
        events: [...input.events],
        description: input.description ?? null,
        secret: input.secret,
        active: input.active ?? true,
        createdAt: input.createdAt,
        updatedAt: input.createdAt,
      };
      await atomically(async (trx) => {
        await trx
          .insertInto('webhooks')
          .values({
            id: webhook.id,
            url: webhook.url,
            events: toJson(webhook.events),
            description: webhook.description,
            secret: webhook.secret,
            active: webhook.active ? 1 : 0,
            created_at: webhook.createdAt,
            updated_at: webhook.updatedAt,
          })
          .execute();
        await writeEventTypes(trx, dialectSql, webhook);
      });
      return webhook;
    },

    async get(id) {
      const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toWebhook(row);
    },

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, WEBHOOKS);
      let query = db
        .selectFrom('webhooks')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1);
      if (after !== null)
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after[0], after[1])));
      return toPage(await query.execute(), limit, toWebhook, WEBHOOKS, (row) => [
        Number(row.created_at),
        row.id,
      ]);
    },

    async listActive() {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('active', '=', 1)
        .orderBy('id')
        .execute();
      return rows.map(toWebhook);
    },

    async update(id, patch, updatedAt) {
      return atomically(async (trx) => {
        const values: Partial<Record<keyof WebhooksTable, unknown>> = { updated_at: updatedAt };
        if (patch.url !== undefined) values.url = patch.url;
        if (patch.events !== undefined) values.events = toJson([...patch.events]);
        if (patch.description !== undefined) values.description = patch.description;
        if (patch.secret !== undefined) values.secret = patch.secret;
        if (patch.active !== undefined) values.active = patch.active ? 1 : 0;
        const row = await trx
          .updateTable('webhooks')
          .set(values as never)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row === undefined) return null;
        const webhook = toWebhook(row);
        if (patch.events !== undefined || patch.active !== undefined)
          await writeEventTypes(trx, dialectSql, webhook);
        return webhook;
      });
    },

    async delete(id) {
      return atomically(async (trx) => {
        // ON DELETE CASCADE takes its webhook_event_types rows along.
        const result = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
        await dialectSql.webhookSubscriptionsChanged?.(trx);
        return result.numDeletedRows > 0n;
      });
    },

    async takeEvents(limit) {
      // The primary key, walked in order; PostgreSQL dispatchers skip each other's locked events.
      const result = await sql<Selectable<WebhookEventsTable>>`
        SELECT * FROM webhook_events ORDER BY seq LIMIT ${limit} ${lock}`.execute(db);
      return result.rows.map(toEvent);
    },

    async deleteEvents(seqs) {
      for (const chunk of chunked(seqs, 1, 1000))
        await db.deleteFrom('webhook_events').where('seq', 'in', chunk).execute();
    },

    async enqueue(deliveries) {
      let inserted = 0;
      for (const chunk of chunked(deliveries, 9, capabilities.maxParameters)) {
        const result = await db
          .insertInto('webhook_deliveries')
          .values(
            chunk.map((d: NewWebhookDelivery) => ({
              id: d.id,
              webhook_id: d.webhookId,
              event_id: d.eventId,
              event_type: d.eventType,
              payload: d.payload,
              status: 'pending',
              next_attempt_at: d.nextAttemptAt,
              retry_until: d.retryUntil,
              created_at: d.createdAt,
            })),
          )
          .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
          .executeTakeFirst();
        inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return inserted;
    },

    async claimDue(now, limit, leaseUntil) {
      // webhook_deliveries_due_idx (next_attempt_at) WHERE status = 'pending', walked in order.
      const claim = (run: typeof db) =>
        sql<Selectable<WebhookDeliveriesTable>>`
          UPDATE webhook_deliveries SET lease_until = ${leaseUntil}
           WHERE id IN (SELECT id FROM webhook_deliveries
                         WHERE status = 'pending' AND next_attempt_at <= ${now}
                           AND (lease_until IS NULL OR lease_until < ${now})
                         ORDER BY next_attempt_at
                         LIMIT ${limit}
                         ${lock})
          RETURNING *`.execute(run);
      const result = await atomically(claim);
      const attempts = await attemptsOf(
        db,
        result.rows.map((row) => row.id),
      );
      return result.rows
        .map((row) => toDelivery(row, attempts.get(row.id) ?? []))
        .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || (a.id < b.id ? -1 : 1));
    },

    async nextDueAt() {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },

    async recordAttempt(attempt, outcome) {
      return atomically(async (trx) => {
        const result = await trx
          .updateTable('webhook_deliveries')
          .set({
            status: outcome.status,
            lease_until: null,
            next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
            ...(outcome.status === 'delivered' ? { delivered_at: outcome.at } : {}),
          })
          .where('id', '=', attempt.deliveryId)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await trx
          .insertInto('webhook_attempts')
          .values({
            id: attempt.id,
            delivery_id: attempt.deliveryId,
            at: attempt.at,
            status_code: attempt.statusCode,
            error: clip(attempt.error),
            duration_ms: Math.max(0, Math.round(attempt.durationMs)),
          })
          .execute();
        return true;
      });
    },

    getDelivery,

    async listDeliveries(webhookId, options) {
      // webhook_deliveries_webhook_idx (webhook_id, created_at, id), walked backwards.
      const limit = pageLimit(options);
      const keys = WEBHOOK_DELIVERIES.of(webhookId);
      const before = decodeCursor(options, keys);
      let query = db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (before !== null)
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before[0], before[1])));
      const rows = await query.execute();
      const attempts = await attemptsOf(
        db,
        rows.slice(0, limit).map((row) => row.id),
      );
      return toPage(
        rows,
        limit,
        (row) => toDelivery(row, attempts.get(row.id) ?? []),
        keys,
        (row) => [Number(row.created_at), row.id],
      );
    },

    async resend(id, now, retryUntil) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, retry_until: retryUntil, lease_until: null })
        .where('id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return null;
      return getDelivery(id);
    },

    async countPending() {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
