// Sequences, their tags and their versions. A sequence row says which version new connections get
// (active_version) and which one is edited (draft_version); each version keeps its own definition.
import type { Kysely, Selectable } from 'kysely';
import type { EntityType, SequenceDefinition } from '../../domain/definition.js';
import { parseDefinition } from '../../domain/parse-definition.js';
import type {
  Sequence,
  SequenceRepository,
  SequenceStatus,
  SequenceVersion,
} from '../../engine/ports/store.js';
import { containsPattern, fromJson, toJson } from '../codec.js';
import { decodeCursor, idColumn, keyset, pageLimit, textColumn, toPage } from '../cursor.js';
import type { Database, SequencesTable, SequenceVersionsTable } from '../schema.js';
import { type RepositoryContext, selectByIds } from './context.js';

/** Live sequences, by (name, id). */
const SEQUENCES = keyset('sequences', [textColumn, idColumn('seq')]);

function toSequence(row: Selectable<SequencesTable>, tags: string[]): Sequence {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    entityType: row.entity_type as EntityType,
    status: row.status as SequenceStatus,
    ownerId: row.owner_id,
    activeVersion: row.active_version,
    draftVersion: row.draft_version,
    tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

/**
 * A stored definition with its keys in the order parseDefinition writes them (`start`, `options`,
 * `steps`; each step's `id`, `type`, `name`, …), which is the order it was stored in: every definition is
 * parsed before it is stored. SQLite's text keeps that order; PostgreSQL's jsonb sorts keys (shorter
 * first), so without this the same sequence read back differently from the two stores.
 */
export function storedDefinition(text: string): SequenceDefinition {
  const definition = fromJson<SequenceDefinition>(text);
  const parsed = parseDefinition(definition);
  return parsed.ok ? parsed.definition : definition;
}

export function toSequenceVersion(row: Selectable<SequenceVersionsTable>): SequenceVersion {
  return {
    sequenceId: row.sequence_id,
    version: row.version,
    definition: storedDefinition(row.definition),
    description: row.description,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
  };
}

/**
 * Tags compare without case, as in Dynamics: "Q3" and "q3" are one tag. A sequence keeps each once (its
 * first spelling), and a tag other sequences already carry takes their spelling (`inUse`), so the filter
 * and the tag list show one.
 */
function normaliseTags(tags: readonly string[], inUse: readonly string[] = []): string[] {
  const spelling = new Map(inUse.map((tag) => [tag.toLowerCase(), tag]));
  const kept = new Map<string, string>();
  for (const raw of tags) {
    const tag = raw.trim();
    const key = tag.toLowerCase();
    if (tag !== '' && !kept.has(key)) kept.set(key, spelling.get(key) ?? tag);
  }
  return [...kept.values()].sort();
}

/** The tags in use by any sequence, each spelling once (sequence_tags_tag_idx). */
async function tagsInUse(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('sequence_tags').select('tag').distinct().orderBy('tag').execute();
  return rows.map((row) => row.tag);
}

/** The tags of each sequence (sequence_tags primary key). */
async function tagsOf(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>(ids.map((id) => [id, []]));
  const rows = await selectByIds(ids, (chunk) =>
    db
      .selectFrom('sequence_tags')
      .select(['sequence_id', 'tag'])
      .where('sequence_id', 'in', chunk)
      .orderBy('tag')
      .execute(),
  );
  for (const row of rows) tags.get(row.sequence_id)?.push(row.tag);
  return tags;
}

async function withTags(db: Kysely<Database>, rows: Selectable<SequencesTable>[]): Promise<Sequence[]> {
  const tags = await tagsOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toSequence(row, tags.get(row.id) ?? []));
}

/** Replaces a sequence's tags; answers them as stored. */
async function replaceTags(
  db: Kysely<Database>,
  sequenceId: string,
  tags: readonly string[],
): Promise<string[]> {
  await db.deleteFrom('sequence_tags').where('sequence_id', '=', sequenceId).execute();
  const normalised = tags.length === 0 ? [] : normaliseTags(tags, await tagsInUse(db));
  if (normalised.length > 0) {
    await db
      .insertInto('sequence_tags')
      .values(normalised.map((tag) => ({ sequence_id: sequenceId, tag })))
      .execute();
  }
  return normalised;
}

export function createSequenceRepository(context: RepositoryContext): SequenceRepository {
  const { db } = context;

  const get = async (id: string) => {
    const row = await db.selectFrom('sequences').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : ((await withTags(db, [row]))[0] ?? null);
  };

  return {
    create: (sequence) =>
      context.atomically(async (tx) => {
        const row = await tx
          .insertInto('sequences')
          .values({
            id: sequence.id,
            name: sequence.name,
            description: sequence.description ?? null,
            entity_type: sequence.entityType,
            status: 'inactive',
            owner_id: sequence.ownerId,
            active_version: null,
            draft_version: 1,
            created_at: sequence.createdAt,
            updated_at: sequence.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('sequence_versions')
          .values({
            sequence_id: sequence.id,
            version: 1,
            definition: toJson(sequence.definition),
            description: null,
            created_at: sequence.createdAt,
            activated_at: null,
          })
          .execute();
        return toSequence(row, await replaceTags(tx, sequence.id, sequence.tags ?? []));
      }),

    get,

    async getMany(ids) {
      const rows = await selectByIds(ids, (chunk) =>
        db
          .selectFrom('sequences')
          .selectAll()
          .where((eb) => context.sql.inIds(eb.ref('id'), chunk))
          .execute(),
      );
      return withTags(db, rows);
    },

    update: (id, patch, updatedAt) =>
      context.atomically(async (tx) => {
        const row = await tx
          .updateTable('sequences')
          .set({
            ...(patch.name === undefined ? {} : { name: patch.name }),
            ...(patch.description === undefined ? {} : { description: patch.description }),
            ...(patch.status === undefined ? {} : { status: patch.status }),
            ...(patch.activeVersion === undefined ? {} : { active_version: patch.activeVersion }),
            ...(patch.draftVersion === undefined ? {} : { draft_version: patch.draftVersion }),
            updated_at: updatedAt,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row === undefined) return null;
        if (patch.tags !== undefined) await replaceTags(tx, id, patch.tags);
        return (await withTags(tx, [row]))[0] ?? null;
      }),

    async softDelete(id, deletedAt) {
      const result = await db
        .updateTable('sequences')
        .set({ deleted_at: deletedAt, updated_at: deletedAt })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, SEQUENCES);
      // sequences_status_name_idx (by status) or sequences_name_idx, walked in (name, id) order;
      // with a tag, sequence_tags_tag_idx finds the (few) tagged sequences, sorted after.
      let query = db
        .selectFrom('sequences')
        .selectAll('sequences')
        .where('sequences.deleted_at', 'is', null)
        .orderBy('sequences.name')
        .orderBy('sequences.id')
        .limit(limit + 1);
      if (options?.status !== undefined) query = query.where('sequences.status', '=', options.status);
      if (options?.entityType !== undefined)
        query = query.where('sequences.entity_type', '=', options.entityType);
      if (options?.tag !== undefined) {
        // Every spelling of the tag (older rows may hold two); EXISTS, so a sequence with both comes once.
        const key = options.tag.trim().toLowerCase();
        const spellings = (await tagsInUse(db)).filter((tag) => tag.toLowerCase() === key);
        if (spellings.length === 0) return { items: [], nextCursor: null };
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('sequence_tags')
              .select('sequence_tags.tag')
              .whereRef('sequence_tags.sequence_id', '=', 'sequences.id')
              .where('sequence_tags.tag', 'in', spellings),
          ),
        );
      }
      if (options?.q !== undefined && options.q !== '') {
        const pattern = containsPattern(options.q);
        query = query.where((eb) => context.sql.likeInsensitive(eb.ref('sequences.name'), pattern));
      }
      if (after !== null) {
        query = query.where((eb) =>
          eb(eb.refTuple('sequences.name', 'sequences.id'), '>', eb.tuple(after[0], after[1])),
        );
      }
      const rows = await query.execute();
      const page = toPage(
        rows,
        limit,
        (row) => row,
        SEQUENCES,
        (row) => [row.name, row.id],
      );
      return { items: await withTags(db, page.items), nextCursor: page.nextCursor };
    },

    async countActive() {
      // sequences_status_name_idx, index-only: activation checks the limit with it.
      const row = await db
        .selectFrom('sequences')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('deleted_at', 'is', null)
        .where('status', 'in', ['active', 'revision'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async createVersion(version) {
      const row = await db
        .insertInto('sequence_versions')
        .values({
          sequence_id: version.sequenceId,
          version: version.version,
          definition: toJson(version.definition),
          description: version.description ?? null,
          created_at: version.createdAt,
          activated_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSequenceVersion(row);
    },

    async deleteDraftVersion(sequenceId, version) {
      // A version no record ran: never activated, so no enrollment names it.
      const result = await db
        .deleteFrom('sequence_versions')
        .where('sequence_id', '=', sequenceId)
        .where('version', '=', version)
        .where('activated_at', 'is', null)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async getVersion(sequenceId, version) {
      const row = await db
        .selectFrom('sequence_versions')
        .selectAll()
        .where('sequence_id', '=', sequenceId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row === undefined ? null : toSequenceVersion(row);
    },

    async updateVersion(sequenceId, version, patch) {
      if (
        patch.definition === undefined &&
        patch.description === undefined &&
        patch.activatedAt === undefined
      ) {
        return this.getVersion(sequenceId, version);
      }
      const row = await db
        .updateTable('sequence_versions')
        .set({
          ...(patch.definition === undefined ? {} : { definition: toJson(patch.definition) }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
          ...(patch.activatedAt === undefined ? {} : { activated_at: patch.activatedAt }),
        })
        .where('sequence_id', '=', sequenceId)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toSequenceVersion(row);
    },

    async listVersions(sequenceId) {
      const rows = await db
        .selectFrom('sequence_versions')
        .selectAll()
        .where('sequence_id', '=', sequenceId)
        .orderBy('version')
        .execute();
      return rows.map(toSequenceVersion);
    },
  };
}
