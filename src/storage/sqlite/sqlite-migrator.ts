// Applies SQLite migrations in one BEGIN IMMEDIATE transaction: a second process opening the same
// file waits on the write lock (busy_timeout), then finds nothing left to do.
import type Sqlite from 'better-sqlite3';
import { type Migration, pendingMigrations } from '../migrations.js';
import { prepareStatement } from './sqlite-handles.js';

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    name       TEXT    NOT NULL PRIMARY KEY,
    checksum   TEXT    NOT NULL,
    applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
  )`;

export function migrateSqlite(db: Sqlite.Database, migrations: readonly Migration[]): string[] {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(CREATE_MIGRATIONS_TABLE);
    const applied = prepareStatement(db, 'SELECT name, checksum FROM schema_migrations').all() as {
      name: string;
      checksum: string;
    }[];
    const pending = pendingMigrations(migrations, applied);
    const record = prepareStatement(db, 'INSERT INTO schema_migrations (name, checksum) VALUES (?, ?)');
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(migration.name, migration.checksum);
    }
    db.exec('COMMIT');
    return pending.map((migration) => migration.name);
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
