// Dumps a migrated database's schema as stable text, for the schema snapshot test (graphile-worker
// style): tables, columns, constraints and indexes, independent of the test's file or schema name.
import pg from 'pg';
import { openSqliteDatabase, prepareStatement } from '../sqlite/sqlite-handles.js';
import type { TestDatabase } from './dialects.js';

function dumpSqlite(path: string): string {
  const db = openSqliteDatabase(path, { readonly: true });
  try {
    const rows = prepareStatement(
      db,
      `SELECT sql FROM sqlite_master
        WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
        ORDER BY tbl_name, CASE type WHEN 'table' THEN 0 ELSE 1 END, name`,
    )
      .pluck()
      .all() as string[];
    return `${rows.map((sql) => `${sql.trim()};`).join('\n\n')}\n`;
  } finally {
    db.close();
  }
}

async function dumpPostgres(url: string, schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const columns = await client.query<{
      table: string;
      column: string;
      type: string;
      collation: string | null;
      notnull: boolean;
      default: string | null;
    }>(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
              a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_collation co ON co.oid = a.attcollation
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind = 'r'
        ORDER BY c.relname, a.attnum`,
      [schema],
    );
    const constraints = await client.query<{ table: string; name: string; definition: string }>(
      `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1
        ORDER BY c.relname, k.conname`,
      [schema],
    );
    const indexes = await client.query<{ table: string; definition: string }>(
      `SELECT tablename AS table, indexdef AS definition FROM pg_indexes
        WHERE schemaname = $1 ORDER BY tablename, indexname`,
      [schema],
    );
    const tables = [...new Set(columns.rows.map((row) => row.table))];
    const unqualified = (text: string) => text.replaceAll(`${schema}.`, '');
    return `${tables
      .map((table) => {
        const lines = columns.rows
          .filter((row) => row.table === table)
          .map(
            (row) =>
              `  ${row.column} ${row.type}${row.collation === null ? '' : ` COLLATE "${row.collation}"`}` +
              `${row.notnull ? ' NOT NULL' : ''}${row.default === null ? '' : ` DEFAULT ${row.default}`}`,
          );
        const rest = [
          ...constraints.rows
            .filter((row) => row.table === table)
            .map((row) => `ALTER TABLE ${table} ADD CONSTRAINT ${row.name} ${unqualified(row.definition)};`),
          ...indexes.rows
            .filter((row) => row.table === table)
            .map((row) => `${unqualified(row.definition)};`),
        ];
        return [`CREATE TABLE ${table} (\n${lines.join(',\n')}\n);`, ...rest].join('\n');
      })
      .join('\n\n')}\n`;
  } finally {
    await client.end();
  }
}

export function dumpSchema(database: TestDatabase): Promise<string> {
  return database.dialect === 'sqlite'
    ? Promise.resolve(dumpSqlite(database.location))
    : dumpPostgres(database.url, database.location);
}
