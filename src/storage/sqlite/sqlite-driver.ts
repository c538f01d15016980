// A Kysely driver over one better-sqlite3 connection: statements are prepared once and reused (an LRU
// of compiled statements), and transactions begin IMMEDIATE so a writer takes the write lock up front
// and waits on busy_timeout instead of failing on a read-to-write upgrade.
import type Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

class SqliteConnection implements DatabaseConnection {
  readonly #db: Sqlite.Database;
  readonly #statements = new Map<string, Sqlite.Statement>();

  constructor(db: Sqlite.Database) {
    this.#db = db;
  }

  #prepare(text: string): Sqlite.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
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
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), rows: [] });
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('SQLite streams only SELECT statements');
    for (const row of this.#prepare(query.sql).iterate(query.parameters as unknown[])) {
      yield { rows: [row as R] };
    }
  }
}

/** SQLite has one connection: a mutex hands it to one query or transaction at a time. */
export class SqliteStoreDriver implements Driver {
  readonly #db: Sqlite.Database;
  readonly #connection: SqliteConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  constructor(db: Sqlite.Database) {
    this.#db = db;
    this.#connection = new SqliteConnection(db);
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
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}
