// Email templates (user-written, and copies of the built-in ones marked with their key).
import type { Selectable } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import type { EmailTemplate, EmailTemplateRepository } from '../../engine/ports/store.js';
import { decodeCursor, idColumn, keyset, pageLimit, textColumn, toPage } from '../cursor.js';
import type { EmailTemplatesTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** By (name, id). */
const EMAIL_TEMPLATES = keyset('email-templates', [textColumn, idColumn('tpl')]);

function toEmailTemplate(row: Selectable<EmailTemplatesTable>): EmailTemplate {
  return {
    id: row.id,
    name: row.name,
    subject: row.subject,
    body: row.body,
    entityType: row.entity_type as EntityType | null,
    ownerId: row.owner_id,
    builtinKey: row.builtin_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createEmailTemplateRepository({ db }: RepositoryContext): EmailTemplateRepository {
  return {
    async create(template) {
      const row = await db
        .insertInto('email_templates')
        .values({
          id: template.id,
          name: template.name,
          subject: template.subject,
          body: template.body,
          entity_type: template.entityType ?? null,
          owner_id: template.ownerId ?? null,
          builtin_key: template.builtinKey ?? null,
          created_at: template.createdAt,
          updated_at: template.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEmailTemplate(row);
    },

    async get(id) {
      const row = await db.selectFrom('email_templates').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEmailTemplate(row);
    },

    async getByBuiltinKey(key) {
      // email_templates_builtin_key_key
      const row = await db
        .selectFrom('email_templates')
        .selectAll()
        .where('builtin_key', '=', key)
        .executeTakeFirst();
      return row === undefined ? null : toEmailTemplate(row);
    },

    async update(id, patch, updatedAt) {
      const row = await db
        .updateTable('email_templates')
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.subject === undefined ? {} : { subject: patch.subject }),
          ...(patch.body === undefined ? {} : { body: patch.body }),
          ...(patch.entityType === undefined ? {} : { entity_type: patch.entityType }),
          updated_at: updatedAt,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toEmailTemplate(row);
    },

    async delete(id) {
      const result = await db.deleteFrom('email_templates').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, EMAIL_TEMPLATES);
      // email_templates_name_idx, walked in (name, id) order; the entity filter is applied while walking.
      let query = db
        .selectFrom('email_templates')
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(limit + 1);
      const entityType = options?.entityType;
      if (entityType !== undefined) {
        query = query.where((eb) =>
          eb.or([eb('entity_type', '=', entityType), eb('entity_type', 'is', null)]),
        );
      }
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after[0], after[1])));
      }
      const rows = await query.execute();
      return toPage(rows, limit, toEmailTemplate, EMAIL_TEMPLATES, (row) => [row.name, row.id]);
    },
  };
}
