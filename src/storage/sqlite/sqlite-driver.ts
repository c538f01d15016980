// A Kysely driver over one better-sqlite3 connection: statements are prepared once and reused (an LRU
// of compiled statements; unbounded on Node 24, see sqlite-handles.ts), and transactions begin
// IMMEDIATE so a writer takes the write lock up front and waits on busy_timeout instead of failing on a
// read-to-write upgrade.
import type Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
} from 'kysely';
import { iterateStatement, KEEP_SQLITE_HANDLES, prepareStatement, setPragma } from './sqlite-handles.js';

/**
 * Compiled statements kept per connection. On Node 24 nothing is evicted: an evicted statement's wrapper
 * must stay alive anyway (sqlite-handles.ts), so evicting would only re-prepare and keep a second copy.
 */
const STATEMENT_CACHE_SIZE = KEEP_SQLITE_HANDLES ? Number.POSITIVE_INFINITY : 256;

/**
 * One statement's bind values for many rows. Passed as the only parameter of a CompiledQuery, it makes
 * the connection run the (cached) prepared statement once per row in a synchronous loop and return each
 * row's `changes` as the result rows: better-sqlite3 runs a prepared statement in ~1–2 µs, so a loop
 * beats building and parsing a multi-row VALUES text (measured on 100,000 inserts: see engine writes).
 */
export class StatementBatch {
  constructor(readonly rows: readonly (readonly unknown[])[]) {}
}

/** A query that runs `text` once per row of `rows`; its result rows are the per-row change counts. */
export function eachRow(text: string, rows: readonly (readonly unknown[])[]): CompiledQuery {
  return CompiledQuery.raw(text, [new StatementBatch(rows)]);
}

class SqliteConnection implements DatabaseConnection {
  readonly #db: Sqlite.Database;
  readonly #statements = new Map<string, Sqlite.Statement>();

  constructor(db: Sqlite.Database) {
    this.#db = db;
  }

  #prepare(text: string): Sqlite.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = prepareStatement(this.#db, text);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next();
        if (oldest.done !== true) this.#statements.delete(oldest.value);
      }
    } else {
      this.#statements.delete(text); // re-inserted below: most recently used last
    }
    this.#statements.set(text, statement);
    return statement;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(query.sql);
    const parameters = query.parameters as unknown[];
    const batch = parameters[0];
    if (batch instanceof StatementBatch) {
      const changes: number[] = new Array(batch.rows.length);
      for (let i = 0; i < batch.rows.length; i++)
        changes[i] = statement.run(batch.rows[i] as unknown[]).changes;
      return Promise.resolve({ rows: changes as R[] });
    }
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), rows: [] });
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('SQLite streams only SELECT statements');
    for (const row of iterateStatement(this.#prepare(query.sql), query.parameters as unknown[])) {
      yield { rows: [row as R] };
    }
  }

  /** Drops the cache (the database finalises the statements when it closes). */
  clear(): void {
    this.#statements.clear();
  }
}

/** SQLite has one connection: a mutex hands it to one query or transaction at a time. */
export class SqliteStoreDriver implements Driver {
  readonly #db: Sqlite.Database;
  readonly #connection: SqliteConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;
  readonly #afterRelease: () => void;

  /**
   * `walAutocheckpointPages` and `afterRelease` (called each time a query or transaction hands the
   * connection back): see sqlite-checkpointer.ts.
   */
  constructor(db: Sqlite.Database, walAutocheckpointPages: number, afterRelease: () => void = () => {}) {
    this.#db = db;
    this.#afterRelease = afterRelease;
    this.#connection = new SqliteConnection(db);
    // 64 MiB of page cache (the default is 2 MiB): a burn-down of 100,000 enrollments touches the
    // enrollments table, its due index and the history's indexes on every batch; with 2 MiB they were
    // re-read from the OS cache on each one. Per connection, and memory is only taken as pages are read.
    if (db.open && db.memory === false) {
      setPragma(db, 'cache_size = -65536');
      // Reads through a memory map: a page the cache misses is a page fault into the OS cache, not a
      // read() and a copy. Signals on the 100,000-enrollment API world (random probes of history and
      // enrollment rows): 3.8–4.1 → 3.5 CPU-s per 50,000 signals. The map covers the first 2 GiB, the most
      // better-sqlite3's SQLite allows (SQLITE_MAX_MMAP_SIZE): with 1 GiB, the 1,000,000-enrollment world
      // (1.07 GB) had its newest pages, where new rows go, outside it; POST /api/signals there, 3 runs
      // each: 38,554–45,689 → 46,880–51,200 signals/s with 2 connections.
      setPragma(db, 'mmap_size = 2147418112');
      setPragma(db, `wal_autocheckpoint = ${Math.trunc(walAutocheckpointPages)}`);
    }
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release = () => {};
    this.#queue = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.#connection;
  }

  /** Runs `work` on the raw connection while holding it (migrations need multi-statement exec). */
  async withRawConnection<T>(work: (db: Sqlite.Database) => T): Promise<T> {
    await this.acquireConnection();
    try {
      return work(this.#db);
    } finally {
      await this.releaseConnection();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
    this.#afterRelease();
  }

  /** Closes the database; safe to call again (Kysely's destroy and the dialect's close both may). */
  async destroy(): Promise<void> {
    this.#connection.clear();
    if (this.#db.open) this.#db.close();
  }
}
