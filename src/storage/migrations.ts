// Migrations are plain SQL files per dialect (`<db>/migrations/NNNN_name.sql`), applied in name order
// and recorded with a checksum in `schema_migrations`; the dialect's migrator does the locking.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../engine/ports/store.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  name: string;
  checksum: string;
}

/**
 * The migrations folder beside a dialect module. The compiled build (dist/) has no .sql files, so it
 * falls back to the same folder under src/, which ships with the package.
 */
function resolveFolder(folder: URL): string {
  const path = fileURLToPath(folder);
  if (existsSync(path)) return path;
  const fromSource = path.replace(/([/\\])dist([/\\])/, '$1src$2');
  if (existsSync(fromSource)) return fromSource;
  throw new StoreError('migrations_missing', `No migrations folder at ${path}`);
}

export function loadMigrations(folder: URL): Migration[] {
  const path = resolveFolder(folder);
  return readdirSync(path)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${path}/${file}`, 'utf8');
      return {
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** The migrations still to apply; refuses to go on when an applied migration was edited or is unknown. */
export function pendingMigrations(
  all: readonly Migration[],
  applied: readonly AppliedMigration[],
): Migration[] {
  const known = new Map(all.map((migration) => [migration.name, migration]));
  for (const done of applied) {
    const migration = known.get(done.name);
    if (migration === undefined) {
      throw new StoreError(
        'migration_unknown',
        `The database has migration ${done.name}, unknown to this version.`,
      );
    }
    if (migration.checksum !== done.checksum) {
      throw new StoreError('migration_changed', `Migration ${done.name} was edited after it was applied.`);
    }
  }
  const appliedNames = new Set(applied.map((done) => done.name));
  return all.filter((migration) => !appliedNames.has(migration.name));
}
