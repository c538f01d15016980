// Engagement signals: stored once per dedupe key, and counted into step_stats once per step instance
// and counter (signal_step_firsts), all in one transaction so a repeat never counts twice.
import type { Kysely } from 'kysely';
import type { SignalCount, SignalInsert, SignalRepository } from '../../engine/ports/store.js';
import { toJson } from '../codec.js';
import type { Database } from '../schema.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';

/** 0004_signals_suppressions. */
interface SignalStepFirstsTable {
  step_row_id: string;
  counter: string;
  at: number;
}
type SignalsDatabase = Database & { signal_step_firsts: SignalStepFirstsTable };

const SIGNAL_COLUMNS = 9;

function statKey(c: SignalCount): string {
  return `${c.sequenceId}\u0000${c.version}\u0000${c.stepId}\u0000${c.counter}`;
}

function firstKey(c: SignalCount): string {
  return `${c.stepRowId}\u0000${c.counter}`;
}

async function countFirsts(
  db: Kysely<SignalsDatabase>,
  counts: readonly { count: SignalCount; at: number }[],
  maxParameters: number,
): Promise<void> {
  // One row per (step instance, counter) in this batch; the table keeps the first across batches.
  const unique = new Map<string, { count: SignalCount; at: number }>();
  for (const c of counts) if (!unique.has(firstKey(c.count))) unique.set(firstKey(c.count), c);
  const firsts: SignalCount[] = [];
  for (const chunk of chunked([...unique.values()], 3, maxParameters)) {
    const rows = await db
      .insertInto('signal_step_firsts')
      .values(chunk.map(({ count, at }) => ({ step_row_id: count.stepRowId, counter: count.counter, at })))
      .onConflict((oc) => oc.doNothing())
      .returning(['step_row_id', 'counter'])
      .execute();
    for (const row of rows) {
      const first = unique.get(`${row.step_row_id}\u0000${row.counter}`);
      if (first !== undefined) firsts.push(first.count);
    }
  }
  if (firsts.length === 0) return;
  // Summed per key and written in key order, as the engine does: concurrent writers queue, never deadlock.
  const sums = new Map<string, { count: SignalCount; by: number }>();
  for (const count of firsts) {
    const seen = sums.get(statKey(count));
    if (seen === undefined) sums.set(statKey(count), { count, by: 1 });
    else seen.by += 1;
  }
  const sorted = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  for (const chunk of chunked(sorted, 5, maxParameters)) {
    await db
      .insertInto('step_stats')
      .values(
        chunk.map(({ count, by }) => ({
          sequence_id: count.sequenceId,
          version: count.version,
          step_id: count.stepId,
          counter: count.counter,
          value: by,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['sequence_id', 'version', 'step_id', 'counter'])
          .doUpdateSet((eb) => ({ value: eb('step_stats.value', '+', eb.ref('excluded.value')) })),
      )
      .execute();
  }
}

export function createSignalRepository({
  db,
  capabilities,
  atomically,
}: RepositoryContext): SignalRepository {
  return {
    async existingDedupeKeys(keys) {
      // signals_dedupe_key_key.
      const rows = await selectByIds(keys, (chunk) =>
        db.selectFrom('signals').select('dedupe_key').where('dedupe_key', 'in', chunk).execute(),
      );
      return rows.flatMap((row) => (row.dedupe_key === null ? [] : [row.dedupe_key]));
    },

    async outboxKeys({ ids, hashes }) {
      const columns = ['id', 'message_key_hash', 'idempotency_key'] as const;
      // outbox pkey; outbox_message_key_hash_idx.
      const byId = await selectByIds(ids, (chunk) =>
        db.selectFrom('outbox').select(columns).where('id', 'in', chunk).execute(),
      );
      const byHash = await selectByIds(hashes, (chunk) =>
        db.selectFrom('outbox').select(columns).where('message_key_hash', 'in', chunk).execute(),
      );
      return [...byId, ...byHash].map((row) => ({
        id: row.id,
        messageKeyHash: row.message_key_hash,
        idempotencyKey: row.idempotency_key,
      }));
    },

    async insert(rows: readonly SignalInsert[]) {
      if (rows.length === 0) return [];
      return atomically(async (trx) => {
        const tdb = trx.withTables<{ signal_step_firsts: SignalStepFirstsTable }>();
        const inserted = new Set<string>();
        for (const chunk of chunked(rows, SIGNAL_COLUMNS, capabilities.maxParameters)) {
          // signals_dedupe_key_key refuses a repeat (DO NOTHING: no conflict target, as it is partial).
          const landed = await tdb
            .insertInto('signals')
            .values(
              chunk.map((row) => ({
                id: row.id,
                dedupe_key: row.dedupeKey,
                type: row.type,
                record_id: row.recordId,
                enrollment_id: row.enrollmentId,
                message_key: row.messageKey,
                step_id: row.stepId,
                at: row.at,
                data: row.data === null ? null : toJson(row.data),
              })),
            )
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .execute();
          for (const row of landed) inserted.add(row.id);
        }
        const counts = rows.flatMap((row) =>
          row.count !== null && inserted.has(row.id) ? [{ count: row.count, at: row.at }] : [],
        );
        if (counts.length > 0) await countFirsts(tdb, counts, capabilities.maxParameters);
        return rows.filter((row) => inserted.has(row.id)).map((row) => row.id);
      });
    },

    async facts(enrollments) {
      if (enrollments.length === 0) return [];
      const wanted = new Set(enrollments.map((e) => e.id));
      // signals_record_at_idx: a record has few signals, so no index of its own on enrollment_id.
      const rows = await selectByIds([...new Set(enrollments.map((e) => e.recordId))], (chunk) =>
        db
          .selectFrom('signals')
          .select(['enrollment_id', 'step_id', 'type', 'at'])
          .where('record_id', 'in', chunk)
          .where('step_id', 'is not', null)
          .execute(),
      );
      return rows.flatMap((row) =>
        row.enrollment_id !== null && row.step_id !== null && wanted.has(row.enrollment_id)
          ? [{ enrollmentId: row.enrollment_id, stepId: row.step_id, type: row.type, at: Number(row.at) }]
          : [],
      );
    },
  };
}
