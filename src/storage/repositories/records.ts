// Records (leads, contacts, accounts, opportunities): CRUD, lists, inbound matching. Custom fields are
// checked against their definitions before anything is written.
import { type Kysely, sql } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import { emailKey, storedEmail } from '../../domain/email-address.js';
import { MAX_RECORD_FIELDS } from '../../domain/record-columns.js';
import { type RecordFields, type RecordRepository, StoreValidationError } from '../../engine/ports/store.js';
import { containsPattern, toJson } from '../codec.js';
import { decodeCursor, idColumn, keyset, pageLimit, textColumn, toPage } from '../cursor.js';
import type { Database } from '../schema.js';
import { type RepositoryContext, selectByIds } from './context.js';
import { loadFieldDefinitions } from './field-definitions.js';
import { bumpRecordDeletions, recordDeletionStamp } from './record-deletions.js';
import { checkRecordFields } from './record-fields.js';
import { moveRunningWork } from './record-lifecycle.js';
import { toRecordRow, toSalesRecord } from './record-rows.js';
import { upsertRecords } from './records-upsert.js';

/** Live records, by (name, id). */
const RECORDS = keyset('records', [textColumn, idColumn('rec')]);

export function createRecordRepository(context: RepositoryContext): RecordRepository {
  const { db } = context;

  async function assertFields(type: EntityType, fields: RecordFields | undefined): Promise<void> {
    if (fields === undefined || Object.keys(fields).length === 0) return;
    const definitions = await loadFieldDefinitions(db, [type]);
    const issues = checkRecordFields(fields, definitions.get(type));
    if (issues.length > 0) throw new StoreValidationError('invalid_fields', issues);
  }

  return {
    async create(record) {
      await assertFields(record.type, record.fields);
      const row = await db
        .insertInto('records')
        .values(toRecordRow(record, record.createdAt))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSalesRecord(row);
    },

    async get(id) {
      const row = await db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toSalesRecord(row);
    },

    async getMany(ids) {
      const rows = await selectByIds(ids, (chunk) =>
        db
          .selectFrom('records')
          .selectAll()
          .where((eb) => context.sql.inIds(eb.ref('id'), chunk))
          .execute(),
      );
      return rows.map(toSalesRecord);
    },

    async findByEmail(email) {
      // records_email_idx
      const rows = await db
        .selectFrom('records')
        .selectAll()
        .where(sql<string>`lower(email)`, '=', emailKey(email))
        .where('email', 'is not', null)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map(toSalesRecord);
    },

    async update(id, patch, updatedAt) {
      if (patch.fields !== undefined && Object.keys(patch.fields).length > 0) {
        const current = await db
          .selectFrom('records')
          .select('type')
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (current === undefined) return null;
        await assertFields(current.type as EntityType, patch.fields);
      }
      const fieldsPatch = patch.fields;
      const write = (q: Kysely<Database>) =>
        q
          .updateTable('records')
          .set((eb) => ({
            ...(patch.name === undefined ? {} : { name: patch.name }),
            ...(patch.email === undefined ? {} : { email: storedEmail(patch.email) }),
            ...(patch.phone === undefined ? {} : { phone: patch.phone }),
            ...(patch.linkedinUrl === undefined ? {} : { linkedin_url: patch.linkedinUrl }),
            ...(patch.company === undefined ? {} : { company: patch.company }),
            ...(patch.timezone === undefined ? {} : { timezone: patch.timezone }),
            ...(patch.ownerId === undefined ? {} : { owner_id: patch.ownerId }),
            ...(patch.externalId === undefined ? {} : { external_id: patch.externalId }),
            ...(fieldsPatch === undefined
              ? {}
              : { fields: context.sql.mergeJsonObject(eb.ref('fields'), eb.val(toJson(fieldsPatch))) }),
            updated_at: updatedAt,
          }))
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
      const { ownerId } = patch;
      // A merge that adds keys may pass the limit a POST keeps to (merged in SQL, so counted after it):
      // refused, and rolled back, rather than letting PATCHes pile up fields without end.
      const adds = fieldsPatch !== undefined && Object.values(fieldsPatch).some((v) => v !== null);
      const row =
        ownerId === undefined && !adds
          ? await write(db)
          : await context.atomically(async (trx) => {
              const updated = await write(trx);
              if (updated === undefined) return updated;
              if (adds) {
                const count = Object.keys(toSalesRecord(updated).fields).length;
                if (count > MAX_RECORD_FIELDS)
                  throw new StoreValidationError('too_many_fields', [
                    {
                      code: 'too_many_fields',
                      message: `A record holds at most ${MAX_RECORD_FIELDS} custom fields; with these it would hold ${count}.`,
                    },
                  ]);
              }
              // An owner change takes the record's running work with it, in the same transaction.
              if (ownerId !== undefined) await moveRunningWork(trx, context.sql, [id], ownerId);
              return updated;
            });
      return row === undefined ? null : toSalesRecord(row);
    },

    async softDelete(id, deletedAt) {
      // With the stamp moved on in the same transaction: a connect that read this record live before the
      // deletion committed drops it in its write (record-deletions.ts says how).
      return context.atomically(async (trx) => {
        await bumpRecordDeletions(trx);
        const result = await trx
          .updateTable('records')
          .set({ deleted_at: deletedAt, updated_at: deletedAt })
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },

    deletionStamp: () => recordDeletionStamp(db),

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, RECORDS);
      // records_type_owner_name_idx (type and owner), records_owner_name_idx (owner),
      // records_name_idx (type only, or no filter): each walked in (name, id) order from the cursor.
      let query = db
        .selectFrom('records')
        .selectAll()
        .where('deleted_at', 'is', null)
        .orderBy('name')
        .orderBy('id')
        .limit(limit + 1);
      if (options?.type !== undefined) query = query.where('type', '=', options.type);
      if (options?.ownerId !== undefined) query = query.where('owner_id', '=', options.ownerId);
      if (options?.q !== undefined && options.q !== '') {
        const pattern = containsPattern(options.q);
        query = query.where((eb) =>
          eb.or([
            context.sql.likeInsensitive(eb.ref('name'), pattern),
            context.sql.likeInsensitive(eb.ref('email'), pattern),
            context.sql.likeInsensitive(eb.ref('company'), pattern),
          ]),
        );
      }
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after[0], after[1])));
      }
      const rows = await query.execute();
      return toPage(rows, limit, toSalesRecord, RECORDS, (row) => [row.name, row.id]);
    },

    upsertMany: (rows, at) => upsertRecords(context, rows, at),
  };
}
