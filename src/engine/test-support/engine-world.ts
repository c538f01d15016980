// Builders for engine tests: a store from the dialect loop, a manual clock, users, records and
// activated sequences — what connect and the scheduler need, with readable ids.
import type { EntityType, SequenceDefinition } from '../../domain/definition.js';
import { DEFAULT_SEQUENCE_OPTIONS } from '../../domain/definition.js';
import { ManualClock } from '../clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps, type EngineSettings } from '../deps.js';
import { RandomIds } from '../ids.js';
import type { NewUser, Role, Store } from '../ports/store.js';

/** Monday 23 November 2026, 09:00 UTC: inside default working hours. */
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let counter = 0;
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}_${String(counter).padStart(8, '0')}`;
}

export function engineDeps(
  store: Store,
  settings: Partial<EngineSettings> = {},
  start: number = T0,
): EngineDeps & { clock: ManualClock } {
  const clock = new ManualClock(start);
  return { store, clock, ids: new RandomIds(clock), settings: { ...DEFAULT_ENGINE_SETTINGS, ...settings } };
}

export async function aUser(store: Store, role: Role = 'salesperson', overrides: Partial<NewUser> = {}) {
  const id = nextId('usr');
  return store.users.create({ id, email: `${id}@example.com`, name: id, role, createdAt: T0, ...overrides });
}

export async function someRecords(
  store: Store,
  ownerId: string,
  count: number,
  type: EntityType = 'lead',
  extra: { timezone?: string; fields?: Record<string, string | number | boolean | null> } = {},
): Promise<string[]> {
  const rows = Array.from({ length: count }, () => ({
    id: nextId('rec'),
    type,
    name: 'Record',
    ownerId,
    ...(extra.timezone === undefined ? {} : { timezone: extra.timezone }),
    ...(extra.fields === undefined ? {} : { fields: extra.fields }),
  }));
  const results = await store.records.upsertMany(rows, T0);
  return results.map((r) => {
    if (r.outcome === 'error') throw new Error(r.message);
    return r.id;
  });
}

export function definition(
  steps: SequenceDefinition['steps'],
  options: Partial<SequenceDefinition['options']> = {},
): SequenceDefinition {
  return { start: steps[0]?.id ?? '', options: { ...DEFAULT_SEQUENCE_OPTIONS, ...options }, steps };
}

/** A sequence activated on version 1 (what the lifecycle use cases do, without their checks). */
export async function activeSequence(
  store: Store,
  ownerId: string,
  def: SequenceDefinition,
  entityType: EntityType = 'lead',
): Promise<string> {
  const id = nextId('seq');
  await store.sequences.create({ id, name: id, entityType, ownerId, definition: def, createdAt: T0 });
  await store.sequences.updateVersion(id, 1, { activatedAt: T0 });
  await store.sequences.update(id, { status: 'active', activeVersion: 1 }, T0);
  return id;
}

/** Sums of a sequence's counters as `stepId/counter` → value (all versions). */
export async function statsOf(store: Store, sequenceId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await store.engine.stepStats(sequenceId)) {
    const key = `${row.stepId}/${row.counter}`;
    out[key] = (out[key] ?? 0) + row.value;
  }
  return out;
}

/**
 * `deps` whose store runs `then(ids)` after each read of records by id (engine.loadRecords), before the
 * caller goes on to write: how tests put a concurrent change between a read and its commit.
 */
export function afterRecordsRead(
  deps: EngineDeps,
  then: (ids: readonly string[]) => Promise<void>,
): EngineDeps {
  const loadRecords = deps.store.engine.loadRecords.bind(deps.store.engine);
  return {
    ...deps,
    store: {
      ...deps.store,
      engine: {
        ...deps.store.engine,
        loadRecords: async (ids: readonly string[], fields: boolean) => {
          const read = await loadRecords(ids, fields);
          await then(ids);
          return read;
        },
      },
    },
  };
}
