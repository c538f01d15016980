// The records table's row <-> SalesRecord, shared by the record repository and the bulk upsert.
import type { Insertable, Selectable } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import { storedEmail } from '../../domain/email-address.js';
import type { NewRecord, RecordFields, SalesRecord } from '../../engine/ports/store.js';
import { fromJson, toJson } from '../codec.js';
import type { RecordsTable } from '../schema.js';
import { withoutNulls } from './record-fields.js';

export function toSalesRecord(row: Selectable<RecordsTable>): SalesRecord {
  return {
    id: row.id,
    type: row.type as EntityType,
    name: row.name,
    email: row.email,
    phone: row.phone,
    linkedinUrl: row.linkedin_url,
    company: row.company,
    timezone: row.timezone,
    ownerId: row.owner_id,
    externalId: row.external_id,
    fields: fromJson<RecordFields>(row.fields),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export function toRecordRow(record: Omit<NewRecord, 'createdAt'>, at: number): Insertable<RecordsTable> {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    email: storedEmail(record.email),
    phone: record.phone ?? null,
    linkedin_url: record.linkedinUrl ?? null,
    company: record.company ?? null,
    timezone: record.timezone ?? null,
    owner_id: record.ownerId,
    external_id: record.externalId ?? null,
    fields: toJson(withoutNulls(record.fields ?? {})),
    created_at: at,
    updated_at: at,
    deleted_at: null,
  };
}
