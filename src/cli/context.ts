// What every command gets: where to print, the configuration, and a way to open the store with the real
// clock and ids. The CLI is the only part that wires storage, engine, mail and api together.
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { SystemClock } from '../engine/clock.js';
import type { EngineDeps } from '../engine/deps.js';
import { RandomIds } from '../engine/ids.js';
import type { Store } from '../engine/ports/store.js';
import { isPostgresUrl, openStore, sqlitePath } from '../storage/open-store.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface CommandContext {
  output: Output;
  env: Record<string, string | undefined>;
}

/**
 * Where DATABASE_URL points, for messages: a PostgreSQL URL without its password, or the SQLite file's
 * absolute path (the default `./stepwise.db` is relative to the directory the command was started in).
 */
export function databaseLocation(databaseUrl: string): string {
  if (isPostgresUrl(databaseUrl)) return databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  const path = sqlitePath(databaseUrl);
  return path === ':memory:' ? path : resolve(path);
}

/**
 * An error of opening or migrating the database, named for the operator: the driver alone says "unable to
 * open database file" or "connect ECONNREFUSED", but not which file or server, nor which setting to change.
 */
export function cannotOpenDatabase(databaseUrl: string, error: unknown): Error {
  return new Error(`Cannot open the database ${databaseLocation(databaseUrl)} (DATABASE_URL)`, {
    cause: error,
  });
}

/** Opens (and migrates) the configured database; a failure names it (cannotOpenDatabase). */
export async function openConfiguredStore(config: Pick<Config, 'databaseUrl'>): Promise<Store> {
  try {
    return await openStore(config.databaseUrl);
  } catch (error) {
    throw cannotOpenDatabase(config.databaseUrl, error);
  }
}

/** Opens (and migrates) the configured database, runs `fn`, and always closes it. */
export async function withEngine<T>(config: Config, fn: (deps: EngineDeps) => Promise<T>): Promise<T> {
  const store: Store = await openConfiguredStore(config);
  try {
    const clock = new SystemClock();
    return await fn({
      store,
      clock,
      ids: new RandomIds(clock),
      settings: {
        allowParallelEnrollments: config.allowParallelEnrollments,
        maxActiveSequences: config.maxActiveSequences,
      },
    });
  } finally {
    await store.close();
  }
}

/** A plain text table: the CLI's listings are read by people and by `grep`/`awk`. */
export function formatTable(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
