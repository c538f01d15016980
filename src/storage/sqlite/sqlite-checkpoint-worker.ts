// The background checkpointer's thread (started by sqlite-checkpointer.ts): its own connection to the
// database file copies committed WAL frames into the database while the writer keeps committing, so no
// COMMIT of the writer pays for a checkpoint. better-sqlite3 objects come from sqlite-handles.ts (kept on
// Node 24 until this thread's environment is torn down) and the database is closed before the thread ends.
import { parentPort, workerData } from 'node:worker_threads';
import type Sqlite from 'better-sqlite3';
import { openSqliteDatabase, prepareStatement, setPragma } from './sqlite-handles.js';

export interface CheckpointWorkerSettings {
  path: string;
  intervalMs: number;
  /** WAL frames past which the log is restarted (see `tick`). */
  restartFrames: number;
}

interface CheckpointResult {
  /** 1 when the checkpoint could not finish (another checkpointer, a writer or reader in the way). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames of it already copied into the database. */
  checkpointed: number;
}

const settings = workerData as CheckpointWorkerSettings;
const port = parentPort;
if (port === null) throw new Error('sqlite-checkpoint-worker runs only as a worker thread');

/** better-sqlite3's SqliteError would reach the main thread as `{ code }` alone; an Error keeps its text. */
function plainError(error: unknown): Error {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return new Error(`${String(message)} (${String(code)})`);
}

function openConnection(): Sqlite.Database {
  const connection = openSqliteDatabase(settings.path, { fileMustExist: true });
  try {
    // Never wait for a lock: PASSIVE takes none that a writer needs, and a RESTART that would have to
    // wait for the writer or a reader gives up at once and is tried again on a later tick.
    setPragma(connection, 'busy_timeout = 0');
    setPragma(connection, 'synchronous = NORMAL');
    return connection;
  } catch (error) {
    connection.close();
    throw plainError(error);
  }
}

const db = openConnection();

interface Checkpoints {
  passive: Sqlite.Statement;
  restart: Sqlite.Statement;
}
// Prepared once each (on the first tick: preparing reads the schema, which can meet SQLITE_BUSY) and
// reused: a Statement per tick would be one more wrapper kept on Node 24.
let checkpoints: Checkpoints | null = null;
function prepareCheckpoints(): Checkpoints {
  return {
    passive: prepareStatement(db, 'PRAGMA wal_checkpoint(PASSIVE)'),
    restart: prepareStatement(db, 'PRAGMA wal_checkpoint(RESTART)'),
  };
}

function tick(): void {
  checkpoints ??= prepareCheckpoints();
  const result = checkpoints.passive.get() as CheckpointResult;
  // The writer starts the WAL over only when a checkpoint had caught up at the moment its transaction
  // began; under a steady stream of commits that rarely happens and the file keeps growing. RESTART
  // holds the write lock only while it copies what the PASSIVE just now left (a commit or so), and makes
  // the next writer begin again at frame 0: the file stays about `restartFrames` pages long.
  if (result.busy === 0 && result.log >= settings.restartFrames) checkpoints.restart.get();
}

const timer = setInterval(() => {
  try {
    tick();
  } catch (error) {
    // Another process's checkpointer (or a writer mid-recovery) holds the lock: the next tick retries.
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return;
    // Anything else ends the thread, and the writer checkpoints by itself again.
    throw plainError(error);
  }
}, settings.intervalMs);

port.once('message', () => {
  clearInterval(timer);
  db.close();
  // With the timer gone and no listener left, the thread's event loop is empty and it ends.
});
