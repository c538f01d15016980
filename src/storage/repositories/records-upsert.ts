// Bulk upsert of records by (type, externalId), set-based: rows are checked in memory (custom fields,
// owners, repeats), then written with chunked multi-row INSERT … ON CONFLICT (records_external_id_key)
// … RETURNING in one transaction. The returned id tells created (our id) from updated (the stored id).
// Only live records hold an externalId (migration 0013): a row whose record was deleted creates a new one.
// An update keeps the stored owner when the row names none (`keepStoredOwner`); otherwise the record's
// running enrollments and their unfinished steps follow it to the named owner (moveRunningWork).
// An update may not merge a record past MAX_RECORD_FIELDS custom fields (as a PATCH may not): the conflict
// update's WHERE leaves such a row as it was, so it comes back from RETURNING without its id, and is that
// row's `too_many_fields` error; the rest of its chunk is written. No read: the count is made in the
// statement, and only for updates whose row sends fields.
import { type Kysely, sql } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import { MAX_RECORD_FIELDS } from '../../domain/record-columns.js';
import type { RecordUpsert, RecordUpsertResult } from '../../engine/ports/store.js';
import { toJson } from '../codec.js';
import type { Database } from '../schema.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';
import { loadFieldDefinitions } from './field-definitions.js';
import { checkRecordFields } from './record-fields.js';
import { moveRunningWork } from './record-lifecycle.js';
import { toRecordRow } from './record-rows.js';

const COLUMNS_PER_ROW = 14;

const tooManyFields = (index: number): RecordUpsertResult => ({
  index,
  outcome: 'error',
  code: 'too_many_fields',
  message: `A record holds at most ${MAX_RECORD_FIELDS} custom fields; with these merged into its stored ones it would hold more.`,
});

const naturalKey = (type: string, externalId: string) => `${type}\u0000${externalId}`;

export async function upsertRecords(
  context: RepositoryContext,
  rows: readonly RecordUpsert[],
  at: number,
): Promise<RecordUpsertResult[]> {
  const results: RecordUpsertResult[] = new Array(rows.length);
  if (rows.length === 0) return results;

  const types = [...new Set(rows.map((row) => row.type))] as EntityType[];
  const definitions = await loadFieldDefinitions(context.db, types);
  const owners = new Set(
    await selectByIds(
      rows.map((row) => row.ownerId),
      (chunk) =>
        context.db
          .selectFrom('users')
          .select('id')
          .where((eb) => context.sql.inIds(eb.ref('id'), chunk))
          .execute(),
    ).then((found) => found.map((owner) => owner.id)),
  );

  const seen = new Set<string>();
  const accepted: { index: number; row: RecordUpsert }[] = [];
  rows.forEach((row, index) => {
    const issues = checkRecordFields(row.fields ?? {}, definitions.get(row.type));
    if (issues.length > 0) {
      results[index] = {
        index,
        outcome: 'error',
        code: 'invalid_fields',
        message: issues.map((i) => i.message).join(' '),
      };
      return;
    }
    if (!owners.has(row.ownerId)) {
      results[index] = {
        index,
        outcome: 'error',
        code: 'owner_not_found',
        message: `No user ${row.ownerId}.`,
      };
      return;
    }
    if (row.externalId !== undefined && row.externalId !== null) {
      const key = naturalKey(row.type, row.externalId);
      if (seen.has(key)) {
        results[index] = {
          index,
          outcome: 'error',
          code: 'duplicate_external_id',
          message: `External id ${row.externalId} appears earlier in the same request.`,
        };
        return;
      }
      seen.add(key);
    }
    accepted.push({ index, row });
  });

  await context.atomically(async (db) => {
    // Rows that name an owner and rows that keep the stored one go in separate statements: each says
    // what its updates do to owner_id.
    const naming = accepted.filter(({ row }) => row.keepStoredOwner !== true);
    const keeping = accepted.filter(({ row }) => row.keepStoredOwner === true);
    for (const chunk of chunked(naming, COLUMNS_PER_ROW, context.capabilities.maxParameters)) {
      const before = await storedOwners(context, db, chunk);
      const written = await writeChunk(context, db, chunk, at, true);
      // Every updated record's running work goes to the owner its row names, not only where the owner
      // read above differs: on PostgreSQL another owner change may have committed since that read.
      const byOwner = new Map<string, string[]>();
      chunk.forEach(({ row }, i) => {
        const id = written[i];
        if (id === undefined || id === null || id === row.id) return;
        const ids = byOwner.get(row.ownerId);
        if (ids === undefined) byOwner.set(row.ownerId, [id]);
        else ids.push(id);
      });
      const followed = new Map<string, string[]>();
      for (const [ownerId, recordIds] of byOwner) {
        for (const { recordId, enrollmentId } of await moveRunningWork(db, context.sql, recordIds, ownerId)) {
          const ids = followed.get(recordId);
          if (ids === undefined) followed.set(recordId, [enrollmentId]);
          else ids.push(enrollmentId);
        }
      }
      for (const [i, { index, row }] of chunk.entries()) {
        const id = written[i];
        if (id === null || id === undefined) {
          results[index] = tooManyFields(index);
          continue;
        }
        if (id === row.id) {
          results[index] = { index, outcome: 'created', id };
          continue;
        }
        const from = before.get(id);
        results[index] =
          from === undefined || from === row.ownerId
            ? { index, outcome: 'updated', id }
            : {
                index,
                outcome: 'updated',
                id,
                ownerChange: { from, to: row.ownerId, enrollmentIds: followed.get(id) ?? [] },
              };
      }
    }
    for (const chunk of chunked(keeping, COLUMNS_PER_ROW, context.capabilities.maxParameters)) {
      const written = await writeChunk(context, db, chunk, at, false);
      for (const [i, { index, row }] of chunk.entries()) {
        const id = written[i];
        results[index] =
          id === null || id === undefined
            ? tooManyFields(index)
            : { index, outcome: id === row.id ? 'created' : 'updated', id };
      }
    }
  });
  return results;
}

/** The stored owner of the live records these rows will update, by record id (records_external_id_key). */
async function storedOwners(
  context: RepositoryContext,
  db: Kysely<Database>,
  chunk: readonly { row: RecordUpsert }[],
): Promise<Map<string, string>> {
  const externalIds = new Map<EntityType, string[]>();
  for (const { row } of chunk) {
    if (row.externalId === undefined || row.externalId === null) continue;
    const ids = externalIds.get(row.type);
    if (ids === undefined) externalIds.set(row.type, [row.externalId]);
    else ids.push(row.externalId);
  }
  const owners = new Map<string, string>();
  for (const [type, ids] of externalIds) {
    const stored = await db
      .selectFrom('records')
      .select(['id', 'owner_id'])
      .where('type', '=', type)
      .where('external_id', 'is not', null)
      .where('deleted_at', 'is', null)
      .where((eb) => context.sql.inIds(eb.ref('external_id'), ids))
      .execute();
    for (const record of stored) owners.set(record.id, record.owner_id);
  }
  return owners;
}

/**
 * INSERT … ON CONFLICT (records_external_id_key) DO UPDATE … RETURNING for one chunk; the record id
 * each row landed on, in chunk order (its own id: created; another: the stored record it updated), or
 * null for a row left unwritten because its fields would take the stored record past MAX_RECORD_FIELDS.
 * `setOwner` false keeps the stored owner on update.
 */
async function writeChunk(
  context: RepositoryContext,
  db: Kysely<Database>,
  chunk: readonly { row: RecordUpsert }[],
  at: number,
  setOwner: boolean,
): Promise<(string | null)[]> {
  // Only a row that sends fields can add keys (toRecordRow drops null values): the count is made for
  // those, and the WHERE left out of a chunk that has none.
  const adds = chunk.some(({ row }) => Object.values(row.fields ?? {}).some((value) => value !== null));
  const written = await db
    .insertInto('records')
    .values(chunk.map(({ row }) => toRecordRow(row, at)))
    .onConflict((conflict) => {
      // The partial index's predicate, term for term: SQLite matches a partial conflict target only so.
      const update = conflict
        .columns(['type', 'external_id'])
        .where('external_id', 'is not', null)
        .where('deleted_at', 'is', null)
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.fn.coalesce('excluded.email', 'records.email'),
          phone: eb.fn.coalesce('excluded.phone', 'records.phone'),
          linkedin_url: eb.fn.coalesce('excluded.linkedin_url', 'records.linkedin_url'),
          company: eb.fn.coalesce('excluded.company', 'records.company'),
          timezone: eb.fn.coalesce('excluded.timezone', 'records.timezone'),
          ...(setOwner ? { owner_id: eb.ref('excluded.owner_id') } : {}),
          fields: context.sql.mergeJsonObject(eb.ref('records.fields'), eb.ref('excluded.fields')),
          updated_at: eb.ref('excluded.updated_at'),
        }));
      return adds
        ? update.where((eb) =>
            eb.or([
              // Literals, not parameters: a chunk already binds as many as the dialect takes.
              eb('excluded.fields', '=', sql.lit(toJson({}))),
              context.sql.mergedKeysAtMost(
                eb.ref('records.fields'),
                eb.ref('excluded.fields'),
                MAX_RECORD_FIELDS,
              ),
            ]),
          )
        : update;
    })
    .returning(['id', 'type', 'external_id'])
    .execute();
  const idByKey = new Map<string, string>();
  for (const row of written) {
    if (row.external_id !== null) idByKey.set(naturalKey(row.type, row.external_id), row.id);
  }
  // Every row but one the WHERE above left alone comes back: inserted under its own id, or updated.
  return chunk.map(({ row }) =>
    row.externalId === undefined || row.externalId === null
      ? row.id
      : (idByKey.get(naturalKey(row.type, row.externalId)) ?? null),
  );
}
