// Typed custom fields: which keys a record of each entity type may carry, and of what kind.
import type { Kysely, Selectable } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import type { FieldDefinition, FieldDefinitionRepository, FieldKind } from '../../engine/ports/store.js';
import { fromJsonOrNull, toJson } from '../codec.js';
import type { Database, FieldDefinitionsTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

function toFieldDefinition(row: Selectable<FieldDefinitionsTable>): FieldDefinition {
  return {
    entityType: row.entity_type as EntityType,
    key: row.key,
    label: row.label,
    kind: row.kind as FieldKind,
    choices: fromJsonOrNull<string[]>(row.choices),
  };
}

/** The definitions of the given entity types, keyed by type then field key (primary key prefix). */
export async function loadFieldDefinitions(
  db: Kysely<Database>,
  types: readonly EntityType[],
): Promise<Map<EntityType, Map<string, FieldDefinition>>> {
  const byType = new Map<EntityType, Map<string, FieldDefinition>>(types.map((type) => [type, new Map()]));
  if (types.length === 0) return byType;
  const rows = await db
    .selectFrom('field_definitions')
    .selectAll()
    .where('entity_type', 'in', [...types])
    .execute();
  for (const row of rows) {
    const definition = toFieldDefinition(row);
    byType.get(definition.entityType)?.set(definition.key, definition);
  }
  return byType;
}

export function createFieldDefinitionRepository({ db }: RepositoryContext): FieldDefinitionRepository {
  return {
    async put(definition) {
      const choices = definition.kind === 'choice' ? toJson(definition.choices ?? []) : null;
      const row = await db
        .insertInto('field_definitions')
        .values({
          entity_type: definition.entityType,
          key: definition.key,
          label: definition.label,
          kind: definition.kind,
          choices,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['entity_type', 'key'])
            .doUpdateSet({ label: definition.label, kind: definition.kind, choices }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toFieldDefinition(row);
    },

    async list(entityType) {
      let query = db.selectFrom('field_definitions').selectAll().orderBy('entity_type').orderBy('key');
      if (entityType !== undefined) query = query.where('entity_type', '=', entityType);
      return (await query.execute()).map(toFieldDefinition);
    },

    async delete(entityType, key) {
      const result = await db
        .deleteFrom('field_definitions')
        .where('entity_type', '=', entityType)
        .where('key', '=', key)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
