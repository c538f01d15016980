// Applies PostgreSQL migrations in one transaction (DDL is transactional) under an advisory lock
// keyed by the schema, so processes starting together apply each migration exactly once.
import { type Kysely, sql } from 'kysely';
import { type Migration, pendingMigrations } from '../migrations.js';
import type { Database } from '../schema.js';

export async function migratePostgres(
  db: Kysely<Database>,
  migrations: readonly Migration[],
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('stepwise.migrate:' || current_schema()))`.execute(trx);
    await sql`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        name       text   NOT NULL PRIMARY KEY,
        checksum   text   NOT NULL,
        applied_at bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      )`.execute(trx);
    const applied = await trx.selectFrom('schema_migrations').select(['name', 'checksum']).execute();
    const pending = pendingMigrations(migrations, applied);
    for (const migration of pending) {
      await sql.raw(migration.sql).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ name: migration.name, checksum: migration.checksum })
        .execute();
    }
    return pending.map((migration) => migration.name);
  });
}
