// The ports every use case receives: a plain object, never imported singletons (style.md §8).
import type { Clock } from './ports/clock.js';
import type { Ids } from './ports/ids.js';
import type { Store } from './ports/store.js';

/** Installation settings the engine obeys (read once at start-up, see src/config.ts). */
export interface EngineSettings {
  /** A record may run in several different sequences at once (never twice in the same one). */
  allowParallelEnrollments: boolean;
  /** At most this many sequences active at a time (design.md §4, default 250). */
  maxActiveSequences: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  allowParallelEnrollments: false,
  maxActiveSequences: 250,
};

export interface EngineDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  settings: EngineSettings;
  /**
   * Told when a commit created work due at `dueAt` (soon): an in-process worker's `nudge`. Other
   * processes hear of it through the store (PostgreSQL NOTIFY). A hint only.
   */
  onWorkScheduled?: (dueAt: number) => void;
}
