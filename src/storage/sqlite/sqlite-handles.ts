// better-sqlite3 12's Database, Statement and StatementIterator are `node::ObjectWrap`s. Built against
// Node 24's headers (ABI 137), ObjectWrap registers an environment cleanup hook per object and its
// destructor removes it with `RemoveEnvironmentCleanupHook(Isolate::GetCurrent(), …)`, which CHECKs that
// a JS context is entered. V8 also finishes garbage collections from platform tasks (idle scavenge,
// memory reducer, incremental-marking finalisation) with no context entered: when such a GC collects a
// wrapper, Node aborts with `Assertion failed: (env) != nullptr` under `Statement::~Statement`.
// Closing the database does not help (the wrapper object still dies later), and better-sqlite3 13, which
// left ObjectWrap, needs Node ≥ 22. So on Node 24+ no wrapper we create may ever become garbage: every
// one is kept here until the process exits, when Node's own environment cleanup deletes them (inside a
// context, so safely). Statements of a closed database are finalised by SQLite on close; what stays is
// the small wrapper. Node 20 and 22 have no such hook, and there the wrappers are left to the GC.
// Every better-sqlite3 object of ours comes through this file: open, prepare, iterate, pragmas.
import Sqlite from 'better-sqlite3';

/** True where a collected better-sqlite3 wrapper can abort the process (Node 24 and later). */
export const KEEP_SQLITE_HANDLES = Number(process.versions.modules) >= 137;

const kept: object[] = [];

function keep<T extends object>(handle: T): T {
  if (KEEP_SQLITE_HANDLES) kept.push(handle);
  return handle;
}

/** How many wrappers are kept alive for the process's lifetime (0 where nothing needs keeping). */
export function keptSqliteHandles(): number {
  return kept.length;
}

export function openSqliteDatabase(path: string, options?: Sqlite.Options): Sqlite.Database {
  return keep(new Sqlite(path, options));
}

/** A new prepared statement; callers that run a text more than once cache the result. */
export function prepareStatement(db: Sqlite.Database, text: string): Sqlite.Statement {
  return keep(db.prepare(text));
}

/** `statement.iterate(parameters)`, its iterator kept like the statement. */
export function iterateStatement(
  statement: Sqlite.Statement,
  parameters: unknown[],
): IterableIterator<unknown> {
  return keep(statement.iterate(parameters));
}

/**
 * Sets a pragma without a Statement object: `db.pragma()` prepares (and drops) one per call.
 * `setting` is ours, never user input (`busy_timeout = 5000`).
 */
export function setPragma(db: Sqlite.Database, setting: string): void {
  db.exec(`PRAGMA ${setting}`);
}
