// Engagement signals: stored once per dedupe key, and counted into step_stats once per step instance
// and counter (signal_step_firsts, 0004_signals_suppressions), all in one transaction so a repeat never
// counts twice. Concurrent intake requests share that transaction (GroupWriter in signal-writes.ts).
// signal_step_firsts also keeps the earliest time of each (step instance, counter): the facts a condition
// reads (`facts`), found by the history rows of the enrollment. Until session 6 the facts were read from
// the signal rows by record (signals_record_at_idx, dropped by 0010): a random-key index on every signal,
// ~1.5 µs of its insert and ~2 µs of its COMMIT on the 1,000,000-enrollment API world; POST /api/signals
// with 8 connections (in-process, 300 batches) 43,600 → 51,800 signals/s without it.
import type { Kysely } from 'kysely';
import type { SignalCount, SignalInsert, SignalRepository } from '../../engine/ports/store.js';
import { toJson } from '../codec.js';
import type { Database } from '../schema.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';
import { GroupWriter, type SignalWrites } from './signal-writes.js';

function statKey(c: SignalCount): string {
  return `${c.sequenceId}\u0000${c.version}\u0000${c.stepId}\u0000${c.counter}`;
}

function firstKey(c: SignalCount): string {
  return `${c.stepRowId}\u0000${c.counter}`;
}

async function countFirsts(
  db: Kysely<Database>,
  writes: SignalWrites,
  counts: readonly { count: SignalCount; at: number }[],
  maxParameters: number,
): Promise<void> {
  // One row per (step instance, counter) in this batch, with its earliest time; the table keeps one row
  // across batches (counted when it lands) and the earliest time of all (a signal may come late).
  const unique = new Map<string, { count: SignalCount; at: number }>();
  for (const c of counts) {
    const seen = unique.get(firstKey(c.count));
    if (seen === undefined) unique.set(firstKey(c.count), c);
    else if (c.at < seen.at) seen.at = c.at;
  }
  const candidates = [...unique.values()].map(({ count, at }) => ({
    stepRowId: count.stepRowId,
    counter: count.counter,
    at,
    count,
  }));
  const landed = await writes.insertFirsts(db, candidates);
  const repeats = candidates.filter((_, i) => landed[i] !== true);
  if (repeats.length > 0) await writes.lowerFirsts(db, repeats);
  const firsts = candidates.flatMap((c, i) => (landed[i] === true ? [c.count] : []));
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

/** Rows of concurrent intake requests written in one transaction (GroupWriter), at most this many. */
const GROUP_MAX_SIGNALS = 20_000;

export function createSignalRepository(
  { db, sql, capabilities, atomically }: RepositoryContext,
  writes: SignalWrites,
): SignalRepository {
  // Whether each row landed (a repeated dedupe key does not), counting the first per step instance.
  const writeRows = (rows: readonly SignalInsert[]): Promise<boolean[]> =>
    atomically(async (trx) => {
      const landed = await writes.insertSignals(
        trx,
        rows.map((row) => ({
          id: row.id,
          dedupeKey: row.dedupeKey,
          type: row.type,
          recordId: row.recordId,
          enrollmentId: row.enrollmentId,
          messageKey: row.messageKey,
          stepId: row.stepId,
          at: row.at,
          data: row.data === null ? null : toJson(row.data),
        })),
      );
      const counts = rows.flatMap((row, i) =>
        landed[i] === true ? row.counts.map((count) => ({ count, at: row.at })) : [],
      );
      if (counts.length > 0) await countFirsts(trx, writes, counts, capabilities.maxParameters);
      return landed;
    });
  // Inside a caller's transaction the rows join it; otherwise concurrent requests share one.
  const group = db.isTransaction ? null : new GroupWriter(writeRows, GROUP_MAX_SIGNALS);

  return {
    async existingDedupeKeys(keys) {
      // signals_dedupe_key_key; one statement text whatever the count.
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('signals')
        .select('dedupe_key')
        .where((eb) => sql.inIds(eb.ref('dedupe_key'), keys))
        .execute();
      return rows.flatMap((row) => (row.dedupe_key === null ? [] : [row.dedupe_key]));
    },

    async outboxKeys({ ids, hashes }) {
      const columns = ['id', 'message_key_hash', 'idempotency_key'] as const;
      // outbox pkey; outbox_message_key_hash_idx.
      const byId = await selectByIds(ids, (chunk) =>
        db
          .selectFrom('outbox')
          .select(columns)
          .where((eb) => sql.inIds(eb.ref('id'), chunk))
          .execute(),
      );
      const byHash = await selectByIds(hashes, (chunk) =>
        db
          .selectFrom('outbox')
          .select(columns)
          .where((eb) => sql.inIds(eb.ref('message_key_hash'), chunk))
          .execute(),
      );
      return [...byId, ...byHash].map((row) => ({
        id: row.id,
        messageKeyHash: row.message_key_hash,
        idempotencyKey: row.idempotency_key,
      }));
    },

    async insert(rows: readonly SignalInsert[]) {
      if (rows.length === 0) return [];
      const landed = await (group === null ? writeRows(rows) : group.write(rows));
      return rows.filter((_, i) => landed[i] === true).map((row) => row.id);
    },

    async facts(enrollments) {
      if (enrollments.length === 0) return [];
      // enrollment_steps_enrollment_idx, then signal_step_firsts pkey (its rows of one step instance).
      const rows = await selectByIds([...new Set(enrollments.map((e) => e.id))], (chunk) =>
        db
          .selectFrom('enrollment_steps as s')
          .innerJoin('signal_step_firsts as f', 'f.step_row_id', 's.id')
          .select(['s.enrollment_id', 's.step_id', 'f.counter', 'f.at'])
          .where((eb) => sql.inIds(eb.ref('s.enrollment_id'), chunk))
          .execute(),
      );
      return rows.map((row) => ({
        enrollmentId: row.enrollment_id,
        stepId: row.step_id,
        type: row.counter,
        at: Number(row.at),
      }));
    },
  };
}
