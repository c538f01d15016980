// The background WAL checkpointer (sqlite-checkpointer.ts) on real database files: the writer's own
// autocheckpoint is a 100,000-page backstop that these tests never reach, so every page found in the
// database file was copied there by the checkpointer's thread.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageDialect } from '../dialect.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from './sqlite-checkpointer.js';
import { openSqliteDialect } from './sqlite-dialect.js';
import { openSqliteDatabase, setPragma } from './sqlite-handles.js';

const PAGE = 4096;
/** Rows of one page each (SQLite's default page size; the blob leaves room for the row header). */
const PAGE_ROW_BYTES = 4000;

let folder = '';
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stepwise-checkpointer-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function open(file: string): StorageDialect {
  return openSqliteDialect(file, { busyTimeoutMs: 5000 });
}

// biome-ignore lint/suspicious/noExplicitAny: a test table outside the schema
type AnyDb = Kysely<any>;

async function createBlobs(db: AnyDb): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`.execute(db);
}

/** `transactions` commits of `pages` one-page rows each, with a pause between commits as a server has. */
async function writePages(db: AnyDb, transactions: number, pages: number): Promise<void> {
  for (let i = 0; i < transactions; i++) {
    await db.transaction().execute(async (trx) => {
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${pages})
        INSERT INTO blobs (body) SELECT randomblob(${PAGE_ROW_BYTES}) FROM n`.execute(trx);
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const fileBytes = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

async function pragma(db: AnyDb, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(db);
  return Object.values(rows[0] ?? {})[0];
}

describe('sqlite background checkpointer', () => {
  it('copies the WAL into the database file on its own thread, and the data survives a reopen', async () => {
    const file = join(folder, 'store.db');
    const dialect = open(file);
    try {
      expect(await pragma(dialect.db, 'wal_autocheckpoint')).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
      await createBlobs(dialect.db);
      await writePages(dialect.db, 40, 100);
      // 4,000 pages are committed; far below the writer's backstop, so only the thread can have copied them.
      await waitFor(() => fileBytes(file) >= 4_000 * PAGE, 'the database file holds the committed pages');
      expect(await pragma(dialect.db, 'wal_autocheckpoint')).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
    } finally {
      await dialect.close();
    }
    // The checkpointer's connection was closed first: the writer's close, the last one, removed the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false);

    const reopened = open(file);
    try {
      expect(await pragma(reopened.db, 'integrity_check')).toBe('ok');
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM blobs`.execute(reopened.db);
      expect(rows).toEqual([{ n: 4_000 }]);
    } finally {
      await reopened.close();
    }
  });

  it('keeps the WAL file near its restart size under a steady stream of commits', async () => {
    const file = join(folder, 'steady.db');
    // A writer that never checkpoints by itself, as a bare connection: nothing else bounds its WAL.
    const writer = openSqliteDatabase(file);
    setPragma(writer, 'journal_mode = WAL');
    setPragma(writer, 'wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const failures: Error[] = [];
    const checkpointer = startWalCheckpointer(file, (error) => failures.push(error), {
      intervalMs: 50,
      restartFrames: 500,
      startBytes: 0,
    });
    let walBefore = 0;
    let largestWal = 0;
    try {
      const commit = async () => {
        writer.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
          INSERT INTO blobs (body) SELECT randomblob(${PAGE_ROW_BYTES}) FROM n`);
        checkpointer.noteUse();
        await new Promise((resolve) => setTimeout(resolve, 4));
      };
      // Until the thread runs (the database file then grows), then 150 more commits, watched.
      while (fileBytes(file) < 50 * PAGE) await commit();
      walBefore = fileBytes(`${file}-wal`);
      for (let i = 0; i < 150; i++) {
        await commit();
        largestWal = Math.max(largestWal, fileBytes(`${file}-wal`));
      }
    } finally {
      await checkpointer.stop();
      writer.close();
    }
    expect(failures).toEqual([]);
    // 7,500 more pages went through the WAL. A restart makes the next commits overwrite the file from its
    // start, so restarts every ~500 frames keep it from growing (past what it had before the thread ran,
    // or past those 500 frames and what commits add until a restart finds the write lock free). Without
    // the thread it would grow by all 7,500; the bound leaves room for a thread starved on a loaded
    // machine (seen: > 2,000 pages at load 10 on 2 cores, 4,680 with the suite on two workers and more
    // beside it), not for one that does not restart.
    expect(largestWal - walBefore).toBeLessThan(5_500 * PAGE);
  });

  it('runs beside another store on the same file (two checkpointers) without errors', async () => {
    const file = join(folder, 'shared.db');
    const first = open(file);
    const second = open(file);
    try {
      await createBlobs(first.db);
      // In turns: two connections of one thread must not wait for each other's lock.
      for (let turn = 0; turn < 15; turn++) {
        await writePages(first.db, 2, 50);
        await writePages(second.db, 2, 50);
      }
      await waitFor(() => fileBytes(file) >= 3_000 * PAGE, 'the database file holds both stores’ pages');
      // A failed checkpointer would have handed checkpoints back to its writer (10,000 pages).
      expect(await pragma(first.db, 'wal_autocheckpoint')).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
      expect(await pragma(second.db, 'wal_autocheckpoint')).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM blobs`.execute(second.db);
      expect(rows).toEqual([{ n: 3_000 }]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('reports a thread that fails, so the writer can checkpoint by itself again', async () => {
    const file = join(folder, 'not-a-database.db');
    writeFileSync(file, 'x'.repeat(8192));
    writeFileSync(`${file}-wal`, 'x'.repeat(8192));
    let failed: (error: Error) => void = () => {};
    const failure = new Promise<Error>((resolve) => {
      failed = resolve;
    });
    const checkpointer = startWalCheckpointer(file, (error) => failed(error), {
      intervalMs: 20,
      restartFrames: 500,
      startBytes: 1,
    });
    checkpointer.noteUse();
    try {
      expect((await failure).message).toMatch(/not a database/);
    } finally {
      await checkpointer.stop();
    }
  });

  it('never keeps a process alive, whether or not it closed its store', async () => {
    const dialectUrl = new URL('./sqlite-dialect.ts', import.meta.url).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = (close: boolean) => `
      import { statSync } from 'node:fs';
      import { openSqliteDialect } from ${JSON.stringify(dialectUrl)};
      const file = ${JSON.stringify(join(folder, `${close ? 'closed' : 'left-open'}.db`))};
      const dialect = openSqliteDialect(file, { busyTimeoutMs: 5000 });
      await dialect.db.schema.createTable('blobs').addColumn('body', 'blob').execute();
      for (let i = 0; i < 30; i++) {
        await dialect.db.insertInto('blobs').values(Array.from({ length: 50 }, () => ({ body: Buffer.alloc(${PAGE_ROW_BYTES}, i) }))).execute();
      }
      // The thread is running once pages reach the database file.
      while (statSync(file).size < 1_500 * ${PAGE}) await new Promise((resolve) => setTimeout(resolve, 20));
      ${close ? 'await dialect.close();' : ''}
      console.log('done');
    `;
    const run = async (close: boolean) => {
      const script = join(folder, `child-${close}.mts`);
      writeFileSync(script, child(close));
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const proc = spawn(process.execPath, ['--import', tsx, script], { stdio: 'pipe' });
        // A thread that kept the process alive would keep it forever.
        const hung = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        let output = '';
        proc.stdout.on('data', (chunk) => {
          output += chunk;
        });
        proc.stderr.on('data', (chunk) => {
          output += chunk;
        });
        proc.on('exit', (exitCode) => {
          clearTimeout(hung);
          resolve({ code: exitCode, output });
        });
      });
      return { close, code, output: output.trim() };
    };
    expect(await Promise.all([run(true), run(false)])).toEqual([
      { close: true, code: 0, output: 'done' },
      { close: false, code: 0, output: 'done' },
    ]);
  });
});
