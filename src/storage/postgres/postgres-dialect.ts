// Opens a PostgreSQL database as a StorageDialect over a pg Pool.
import { Kysely, PostgresAdapter, PostgresDriver, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { StorageDialect } from '../dialect.js';
import { ErrorMappingDriver } from '../error-mapping-driver.js';
import { loadMigrations } from '../migrations.js';
import type { Database } from '../schema.js';
import { postgresErrorMapper } from './postgres-errors.js';
import { listenOnPool } from './postgres-listen.js';
import { migratePostgres } from './postgres-migrator.js';
import { createPool, type PostgresPoolOptions } from './postgres-pool.js';
import { postgresCapabilities, postgresSql } from './postgres-sql.js';

export function openPostgresDialect(url: string, options: PostgresPoolOptions): StorageDialect {
  const pool = createPool(url, options);
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new ErrorMappingDriver(new PostgresDriver({ pool }), postgresErrorMapper),
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    },
  });
  const migrations = loadMigrations(new URL('./migrations/', import.meta.url));

  return {
    name: 'postgres',
    capabilities: postgresCapabilities,
    db,
    sql: postgresSql,
    migrate: () => migratePostgres(db, migrations),
    listen: (channel, onNotify) => listenOnPool(pool, channel, onNotify),
    close: () => db.destroy(),
  };
}
