// Records (api.md "Records"): the leads, contacts, accounts and opportunities sequences run on.
// Managers see every record; a salesperson sees and changes only their own, and another seller's
// record answers 404 as if it did not exist.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { canonicalTimeZone } from '../../domain/calendar.js';
import { MAX_RECORD_FIELDS, RECORD_COLUMN_FIELDS } from '../../domain/record-columns.js';
import type { EngineDeps } from '../../engine/deps.js';
import { type RecordPatch, type SalesRecord, SUPPRESSION_REASONS } from '../../engine/ports/store.js';
import {
  changeRecordOwner,
  deleteRecord,
  recordFieldsChanged,
  recordTimezoneChanged,
} from '../../engine/record-lifecycle.js';
import { emailSuppression } from '../../engine/suppression.js';
import { type Actor, actorOf, EVERYONE, forbidden, isManager, MANAGERS, requireRole } from '../auth/actor.js';
import { BULK_BODY_LIMIT, setJsonBodyParser } from '../json-body.js';
import { badRequest, notFound } from '../problem.js';
import {
  IdParams,
  Instant,
  iso,
  NoContent,
  NullableString,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
  ScalarValue,
} from '../schemas.js';
import {
  EntityTypeSchema,
  emailProblem,
  NewRecordBody,
  RecordPatchBody,
  recordRowProblem,
} from './record-input.js';
import {
  MAX_UPSERT_ROWS,
  type PreparedRow,
  type RowError,
  rowTimezone,
  UpsertAnswer,
  upsertRecords,
} from './record-upserts.js';
import { csvToRows } from './records-csv.js';
import { decodeCsv } from './records-csv-charset.js';

export { EntityTypeSchema };

const BULK_URL = '/api/records/bulk';

/** api.md: a bulk row that is not a record is one of the answer's `errors` (with its index), not a 400 for all. */
function rowShapeError(index: number, row: unknown): RowError | null {
  const problem = recordRowProblem(row);
  if (problem === null) return null;
  const where = problem.path === '' ? '' : ` at ${problem.path}`;
  return {
    index,
    code: problem.code,
    message: `The row is not a record${where}: ${problem.message}.`,
  };
}

export const RecordView = Type.Object({
  id: Type.String(),
  type: EntityTypeSchema,
  name: Type.String(),
  email: NullableString,
  phone: NullableString,
  linkedinUrl: NullableString,
  company: NullableString,
  timezone: NullableString,
  ownerId: Type.String(),
  externalId: NullableString,
  fields: Type.Record(Type.String(), ScalarValue),
  createdAt: Instant,
  updatedAt: Instant,
});

export function toRecordView(record: SalesRecord): Static<typeof RecordView> {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    email: record.email,
    phone: record.phone,
    linkedinUrl: record.linkedinUrl,
    company: record.company,
    timezone: record.timezone,
    ownerId: record.ownerId,
    externalId: record.externalId,
    fields: record.fields,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

const CurrentSequence = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enrollmentId: Type.String(),
});

/** A record as GET answers it: with the sequence it runs in now (the list's "Sequence" column). */
export const RecordWithSequenceView = Type.Object({
  ...RecordView.properties,
  currentSequence: Type.Union([CurrentSequence, Type.Null()], {
    description:
      'The sequence the record runs in now (the first, when an installation allows several), or null.',
  }),
});

/**
 * GET /api/records/{id}: also whether its address is on the suppression list (one pkey lookup; the lists
 * leave it out to stay one query per page).
 */
export const RecordDetailView = Type.Object({
  ...RecordWithSequenceView.properties,
  emailSuppressed: Type.Union(
    [Type.Object({ reason: Type.Enum(SUPPRESSION_REASONS), at: Instant }), Type.Null()],
    {
      description:
        'Why and since when emails to this address are not sent (it unsubscribed, bounced, or was added by hand), or null.',
    },
  ),
});

async function emailSuppressedView(
  deps: EngineDeps,
  email: string | null,
): Promise<Static<typeof RecordDetailView>['emailSuppressed']> {
  const entry = email === null ? null : await emailSuppression(deps, email);
  return entry === null ? null : { reason: entry.reason, at: iso(entry.at) };
}

/** The running sequence of each record, by record id: one set-based read of slots and one of sequences. */
async function currentSequences(
  deps: EngineDeps,
  recordIds: readonly string[],
): Promise<Map<string, Static<typeof CurrentSequence>>> {
  const out = new Map<string, Static<typeof CurrentSequence>>();
  if (recordIds.length === 0) return out;
  const slots = await deps.store.engine.runningSlots(recordIds);
  const sequences = new Map(
    (await deps.store.sequences.getMany([...new Set(slots.map((s) => s.sequenceId))])).map((q) => [q.id, q]),
  );
  for (const slot of [...slots].sort((a, b) => (a.enrollmentId < b.enrollmentId ? -1 : 1))) {
    const sequence = sequences.get(slot.sequenceId);
    if (sequence === undefined || out.has(slot.recordId)) continue;
    out.set(slot.recordId, { id: sequence.id, name: sequence.name, enrollmentId: slot.enrollmentId });
  }
  return out;
}

/** The live record if the actor may know it exists; 404 otherwise (a seller never learns of others' records). */
export async function visibleRecord(deps: EngineDeps, actor: Actor, id: string): Promise<SalesRecord> {
  const record = await deps.store.records.get(id);
  if (record === null || record.deletedAt !== null || (!isManager(actor) && record.ownerId !== actor.id))
    throw notFound('No such record.');
  return record;
}

/** The owner a write may set: sellers only themselves; anyone else an existing, enabled user. */
async function allowedOwner(deps: EngineDeps, actor: Actor, ownerId: string | undefined): Promise<string> {
  if (ownerId === undefined || ownerId === actor.id) return actor.id;
  if (!isManager(actor)) throw forbidden('A salesperson can only own their own records.');
  const owner = await deps.store.users.get(ownerId);
  if (owner === null || owner.disabled)
    throw badRequest('No such owner.', [
      { code: 'owner_not_found', path: '/ownerId', message: 'No active user has this id.' },
    ]);
  return owner.id;
}

/** 400 `invalid_email` for an address a mail server would refuse (record-input.ts emailProblem). */
function checkEmail(email: string | null | undefined): void {
  const problem = emailProblem(email);
  if (problem !== null)
    throw badRequest('Not an email address.', [
      { ...problem, message: `"${email}" is not an email address.` },
    ]);
}

/** The zone as the platform names it (canonicalTimeZone); 400 for a name that is not a zone. */
function checkedTimezone<T extends string | null | undefined>(timezone: T): T {
  if (timezone === undefined || timezone === null) return timezone;
  const zone = canonicalTimeZone(timezone);
  if (zone === null)
    throw badRequest('Not a time zone.', [
      { code: 'invalid_timezone', path: '/timezone', message: `"${timezone}" is not an IANA time zone.` },
    ]);
  return zone as T;
}

export const recordRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  const { store } = deps;
  const everyone = requireRole(...EVERYONE);
  const managers = requireRole(...MANAGERS);

  setJsonBodyParser(app, new Set([BULK_URL]));
  // Bytes, decoded by the route (records-csv-charset.ts): the charset is the upload's, and a NUL is its row's error.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/api/records',
    {
      preHandler: everyone,
      schema: {
        tags: ['records'],
        summary: 'Create a record (owned by the caller unless ownerId says otherwise)',
        body: NewRecordBody,
        response: { 201: RecordView, 400: Problem, 403: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const body: NewRecordBody = request.body;
      checkEmail(body.email);
      const timezone = checkedTimezone(body.timezone);
      const ownerId = await allowedOwner(deps, actor, body.ownerId);
      const record = await store.records.create({
        ...body,
        ...(timezone === undefined ? {} : { timezone }),
        id: deps.ids.newId('rec'),
        ownerId,
        createdAt: deps.clock.now(),
      });
      return reply.status(201).send(toRecordView(record));
    },
  );

  app.post(
    BULK_URL,
    {
      preHandler: managers,
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags: ['records'],
        summary: 'Create or update many records, matched by (type, externalId)',
        description:
          'A row that creates a record is owned by its ownerId or the caller. A row that updates one keeps its owner unless ' +
          'it names an ownerId; then the record, its running enrollments and their unfinished steps go to that owner. ' +
          `Its \`fields\` merge into the stored ones, as a PATCH's do; a row that would leave the record with more than ` +
          `${MAX_RECORD_FIELDS} custom fields is reported in \`errors\` as \`too_many_fields\`, and that record is left as it was.`,
        body: Type.Object(
          {
            records: Type.Array(
              Type.Unknown({
                description:
                  'A record as POST /api/records takes it; a row of another shape is reported in `errors` with its index.',
              }),
              { maxItems: MAX_UPSERT_ROWS },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: UpsertAnswer },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const owners = new Map<string, boolean>();
      const rows: PreparedRow[] = [];
      for (const [index, input] of request.body.records.entries()) {
        const shape = rowShapeError(index, input);
        if (shape !== null) {
          rows.push(shape);
          continue;
        }
        const given = input as NewRecordBody;
        const zone = rowTimezone(index, given.timezone);
        if ('error' in zone) {
          rows.push(zone.error);
          continue;
        }
        const row = zone.zone === undefined ? given : { ...given, timezone: zone.zone };
        // api.md: "ownerId defaults to the caller" is for a row that creates a record; a row that updates
        // one without an ownerId keeps its owner.
        const ownerId = row.ownerId ?? actor.id;
        if (!owners.has(ownerId)) {
          const owner = await store.users.get(ownerId);
          owners.set(ownerId, owner !== null && !owner.disabled);
        }
        if (owners.get(ownerId) !== true) {
          rows.push({ index, code: 'owner_not_found', message: `No active user has the id "${ownerId}".` });
          continue;
        }
        rows.push({
          index,
          upsert: { ...row, id: deps.ids.newId('rec'), ownerId, keepStoredOwner: row.ownerId === undefined },
        });
      }
      return upsertRecords(deps, actor, rows);
    },
  );

  app.post(
    '/api/records/import',
    {
      preHandler: managers,
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags: ['records'],
        summary: 'Import records from CSV (text/csv) with a header row',
        description:
          'Columns name, email, phone, company, linkedinUrl, timezone, externalId and ownerEmail; any other column is a custom field. ' +
          'Rows with an externalId update the record of that type and externalId; such a row without an ownerEmail keeps the owner ' +
          "(a new record is the caller's) and merges its custom fields into the stored ones, at most " +
          `${MAX_RECORD_FIELDS} in all (\`too_many_fields\` otherwise). Each bad row is reported with its row and line. The text is UTF-8 unless ` +
          'a byte order mark or `charset` (text/csv; charset=windows-1252) says otherwise; bytes that are not text in it ' +
          `are a 400 \`invalid_encoding\`. At most ${MAX_UPSERT_ROWS} data rows, as a bulk upsert.`,
        querystring: Type.Object({ type: Type.Optional(EntityTypeSchema) }, { additionalProperties: false }),
        consumes: ['text/csv'],
        // A Buffer (the parser above): a `type: string` schema would refuse it.
        body: Type.Unsafe<Buffer>({ description: 'The CSV file, a header row first.' }),
        response: { 200: UpsertAnswer, 400: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!Buffer.isBuffer(request.body)) throw badRequest('Send the CSV as text/csv.');
      const text = decodeCsv(request.body, request.headers['content-type']);
      const rows = await csvToRows(text, {
        deps,
        type: request.query.type ?? 'lead',
        defaultOwnerId: actor.id,
      });
      return upsertRecords(deps, actor, rows);
    },
  );

  app.get(
    '/api/records',
    {
      preHandler: everyone,
      schema: {
        tags: ['records'],
        summary: 'List records (a salesperson sees only their own)',
        querystring: Type.Object({
          type: Type.Optional(EntityTypeSchema),
          ownerId: Type.Optional(Type.String({ maxLength: 200 })),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          ...PageQuery,
        }),
        response: { 200: PageOf(RecordWithSequenceView), 403: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { type, ownerId, q } = request.query;
      if (!isManager(actor) && ownerId !== undefined && ownerId !== actor.id)
        throw forbidden('A salesperson sees only their own records.');
      const page = await store.records.list({
        ...pageOptions(request.query),
        type,
        ownerId: isManager(actor) ? ownerId : actor.id,
        q: q === '' ? undefined : q,
      });
      const running = await currentSequences(
        deps,
        page.items.map((r) => r.id),
      );
      return {
        items: page.items.map((r) => ({ ...toRecordView(r), currentSequence: running.get(r.id) ?? null })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/api/records/:id',
    {
      preHandler: everyone,
      schema: {
        tags: ['records'],
        summary: 'One record, with the sequence it runs in now and whether its address is suppressed',
        params: IdParams,
        response: { 200: RecordDetailView, 404: Problem },
      },
    },
    async (request) => {
      const record = await visibleRecord(deps, actorOf(request), request.params.id);
      const [running, emailSuppressed] = await Promise.all([
        currentSequences(deps, [record.id]),
        emailSuppressedView(deps, record.email),
      ]);
      return { ...toRecordView(record), currentSequence: running.get(record.id) ?? null, emailSuppressed };
    },
  );

  app.patch(
    '/api/records/:id',
    {
      preHandler: everyone,
      schema: {
        tags: ['records'],
        summary: 'Change a record; `fields` merge key by key and a null removes one',
        params: IdParams,
        body: RecordPatchBody,
        response: { 200: RecordView, 400: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const record = await visibleRecord(deps, actor, request.params.id);
      const { ownerId, ...rest } = request.body;
      checkEmail(rest.email);
      const timezone = checkedTimezone(rest.timezone);
      // Checked before anything is written: a refused owner leaves the record as it was.
      const newOwnerId = ownerId === undefined ? record.ownerId : await allowedOwner(deps, actor, ownerId);
      const patch: RecordPatch = timezone === undefined ? rest : { ...rest, timezone };
      let updated: SalesRecord | null = record;
      if (Object.keys(patch).length > 0)
        updated = await store.records.update(record.id, patch, deps.clock.now());
      if (updated === null) throw notFound('No such record.');
      // An owner change goes through the engine: running enrollments follow the record to its new owner.
      if (newOwnerId !== record.ownerId)
        updated = (await changeRecordOwner(deps, actor, record.id, newOwnerId)).record;
      // A condition waiting under moveOnSignal may hold now (record-lifecycle.ts).
      // A property is read as a field too (company, email…: domain/record-columns.ts).
      if (patch.fields !== undefined || RECORD_COLUMN_FIELDS.some((f) => patch[f] !== undefined))
        await recordFieldsChanged(deps, [record.id]);
      // A waiting email sent in the record's hours is placed again in its new zone.
      if (timezone !== undefined && timezone !== record.timezone)
        await recordTimezoneChanged(deps, [record.id]);
      return toRecordView(updated);
    },
  );

  app.delete(
    '/api/records/:id',
    {
      preHandler: everyone,
      schema: {
        tags: ['records'],
        summary: 'Delete a record; its running enrollments end with `record_deleted`',
        params: IdParams,
        response: { 204: NoContent, 404: Problem },
      },
    },
    async (request, reply) => {
      // Through the engine: the record's running enrollments end with `record_deleted`.
      await deleteRecord(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
