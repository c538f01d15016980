// The signal intake's two set-based writes, spelled per dialect (sqlite/sqlite-signal-writes.ts,
// postgres/postgres-signal-writes.ts), and the group commit that lets concurrent intake requests share
// one transaction.
import type { Kysely } from 'kysely';
import type { SignalInsert } from '../../engine/ports/store.js';
import type { Database } from '../schema.js';

/** A signal as stored: the engine's SignalInsert without its counter, `data` as JSON text. */
export type SignalRow = Omit<SignalInsert, 'counts' | 'data'> & { data: string | null };

export interface StepFirstRow {
  stepRowId: string;
  counter: string;
  at: number;
}

export interface SignalWrites {
  /** Inserts the rows (a repeated dedupe key is skipped); whether each landed, in order. */
  insertSignals(db: Kysely<Database>, rows: readonly SignalRow[]): Promise<boolean[]>;
  /** Inserts the (step instance, counter) pairs not yet there; whether each landed, in order. */
  insertFirsts(db: Kysely<Database>, rows: readonly StepFirstRow[]): Promise<boolean[]>;
  /** Moves each pair's `at` back to the row's `at` where that is earlier (a signal that came late). */
  lowerFirsts(db: Kysely<Database>, rows: readonly StepFirstRow[]): Promise<void>;
}

interface Waiting<T, R> {
  items: readonly T[];
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: `write` calls that arrive while one is pending or running are joined into the next call
 * (up to `maxItems` items), so N concurrent requests pay for one transaction, its COMMIT and the pages it
 * dirties, instead of N. Each caller still gets its own result, and only after the transaction holding
 * its items committed. When a joined call fails, each caller's items are written again on their own, so
 * one bad request never fails the others. The first call waits one `setImmediate` turn: on SQLite a
 * request runs to its write without giving the event loop a turn, so that turn is what lets the requests
 * already read from their sockets reach the queue.
 */
export class GroupWriter<T, R> {
  readonly #write: (items: readonly T[]) => Promise<R[]>;
  readonly #maxItems: number;
  #queue: Waiting<T, R[]>[] = [];
  #active = false;

  constructor(write: (items: readonly T[]) => Promise<R[]>, maxItems: number) {
    this.#write = write;
    this.#maxItems = maxItems;
  }

  /** Writes `items`; resolves to `write`'s results for exactly these items, in order. */
  write(items: readonly T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      if (!this.#active) {
        this.#active = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      let count = 0;
      let take = 0;
      while (
        take < this.#queue.length &&
        (take === 0 || count + (this.#queue[take]?.items.length ?? 0) <= this.#maxItems)
      ) {
        count += this.#queue[take]?.items.length ?? 0;
        take++;
      }
      const group = this.#queue.splice(0, take);
      try {
        const results = await this.#write(group.flatMap((w) => w.items));
        let at = 0;
        for (const w of group) {
          w.resolve(results.slice(at, at + w.items.length));
          at += w.items.length;
        }
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else
          for (const w of group) {
            try {
              w.resolve(await this.#write(w.items));
            } catch (own) {
              w.reject(own);
            }
          }
      }
      // Let requests that came in meanwhile reach the queue before the next group.
      if (this.#queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#active = false;
  }
}
