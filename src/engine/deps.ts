// The ports every use case receives: a plain object, never imported singletons (style.md §8).
import type { Clock } from './ports/clock.js';
import type { Ids } from './ports/ids.js';
import type { Store } from './ports/store.js';

export interface EngineDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
}
