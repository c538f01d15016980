// Bulk upsert of records by (type, externalId), set-based: rows are checked in memory (custom fields,
// owners, repeats), then written with chunked multi-row INSERT … ON CONFLICT (records_external_id_key)
// … RETURNING in one transaction. The returned id tells created (our id) from updated (the stored id).
import type { EntityType } from '../../domain/definition.js';
import type { RecordUpsert, RecordUpsertResult } from '../../engine/ports/store.js';
import { chunked, type RepositoryContext, selectByIds } from './context.js';
import { loadFieldDefinitions } from './field-definitions.js';
import { checkRecordFields } from './record-fields.js';
import { toRecordRow } from './record-rows.js';

const COLUMNS_PER_ROW = 14;

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
    for (const chunk of chunked(accepted, COLUMNS_PER_ROW, context.capabilities.maxParameters)) {
      const written = await db
        .insertInto('records')
        .values(chunk.map(({ row }) => toRecordRow(row, at)))
        .onConflict((conflict) =>
          conflict
            .columns(['type', 'external_id'])
            .where('external_id', 'is not', null)
            .doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              email: eb.fn.coalesce('excluded.email', 'records.email'),
              phone: eb.fn.coalesce('excluded.phone', 'records.phone'),
              linkedin_url: eb.fn.coalesce('excluded.linkedin_url', 'records.linkedin_url'),
              company: eb.fn.coalesce('excluded.company', 'records.company'),
              timezone: eb.fn.coalesce('excluded.timezone', 'records.timezone'),
              owner_id: eb.ref('excluded.owner_id'),
              fields: context.sql.mergeJsonObject(eb.ref('records.fields'), eb.ref('excluded.fields')),
              updated_at: eb.ref('excluded.updated_at'),
              deleted_at: null,
            })),
        )
        .returning(['id', 'type', 'external_id'])
        .execute();
      const idByKey = new Map<string, string>();
      for (const row of written) {
        if (row.external_id !== null) idByKey.set(naturalKey(row.type, row.external_id), row.id);
      }
      for (const { index, row } of chunk) {
        const id =
          row.externalId === undefined || row.externalId === null
            ? row.id
            : (idByKey.get(naturalKey(row.type, row.externalId)) ?? row.id);
        results[index] = { index, outcome: id === row.id ? 'created' : 'updated', id };
      }
    }
  });
  return results;
}
