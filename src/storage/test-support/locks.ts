// Another process's lock on a forEachDialect test's database, and a store that waits for it only briefly:
// SQLite's write lock (another connection's BEGIN IMMEDIATE; the store's busy_timeout), or a PostgreSQL
// table lock (LOCK TABLE … IN EXCLUSIVE MODE; the store's lock_timeout). Either way the store's write
// fails with StoreError `busy`, as when another process holds the database for longer than that.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../engine/ports/store.js';
import { openStore } from '../open-store.js';
import type { DialectTest } from './dialects.js';

/** A store on the test's database that gives up on a lock after `waitMs`; the caller closes it. */
export async function impatientStore(t: DialectTest, waitMs: number): Promise<Store> {
  const db = t.database();
  if (t.dialect === 'sqlite') return openStore(db.url, { busyTimeoutMs: waitMs });
  // node-postgres lets the URL's `options` win over the pool's, so they name the test's schema again.
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.options.schema} -c lock_timeout=${waitMs}`);
  return openStore(url.toString(), db.options);
}

export interface HeldLock {
  release(): Promise<void>;
}

/** Takes the lock a write to `table` needs (on SQLite: the whole file's) until `release()`. */
export async function holdWriteLock(t: DialectTest, table: string): Promise<HeldLock> {
  const db = t.database();
  if (t.dialect === 'sqlite') {
    const other = new Database(db.url);
    other.exec('BEGIN IMMEDIATE');
    return {
      async release() {
        if (!other.open) return;
        other.exec('COMMIT');
        other.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`SET search_path TO ${db.options.schema}`);
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}
