// What every command gets: where to print, the configuration, and a way to open the store with the real
// clock and ids. The CLI is the only part that wires storage, engine, mail and api together.
import type { Config } from '../config.js';
import { SystemClock } from '../engine/clock.js';
import type { EngineDeps } from '../engine/deps.js';
import { RandomIds } from '../engine/ids.js';
import type { Store } from '../engine/ports/store.js';
import { openStore } from '../storage/open-store.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface CommandContext {
  output: Output;
  env: Record<string, string | undefined>;
}

/** Opens (and migrates) the configured database, runs `fn`, and always closes it. */
export async function withEngine<T>(config: Config, fn: (deps: EngineDeps) => Promise<T>): Promise<T> {
  const store: Store = await openStore(config.databaseUrl);
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
