// What the engine keeps between batches: parsed definitions by (sequence, version) — immutable once
// activated — and owners' working calendars by (user, updatedAt), the same calendar object for as long
// as the user is unchanged so calendar.ts's identity caches keep hitting. Bounded; invisible to results.
import { DEFAULT_WEEKLY_HOURS, type WorkingCalendar, withTimeZone } from '../domain/calendar.js';
import {
  type Condition,
  isAllCondition,
  isAnyCondition,
  isFieldCondition,
  isSignalCondition,
  type SequenceDefinition,
} from '../domain/definition.js';
import { parseDefinition } from '../domain/parse-definition.js';
import type { Store } from './ports/store.js';

export interface DefinitionEntry {
  definition: SequenceDefinition;
  /** Some condition tests a record field: transitions need the record's fields. */
  needsFields: boolean;
  /** Automated emails go out in the record's time zone. */
  needsRecipientZone: boolean;
  /** Email steps some condition tests a signal of (signal-facts.ts). */
  signalTested: ReadonlySet<string>;
  /** Of those, the ones a `moveOnSignal` condition tests: their signals are applied when they come. */
  signalImmediate: ReadonlySet<string>;
}

export interface OwnerCalendar {
  updatedAt: number;
  calendar: WorkingCalendar;
  byZone: Map<string, WorkingCalendar>;
}

const MAX_DEFINITIONS = 2_000;
const MAX_CALENDARS = 20_000;
const UTC_DEFAULT: WorkingCalendar = { timezone: 'UTC', weeklyHours: DEFAULT_WEEKLY_HOURS, timeOff: [] };

function testsField(condition: Condition): boolean {
  if (isFieldCondition(condition)) return true;
  if (isAllCondition(condition)) return condition.all.some(testsField);
  if (isAnyCondition(condition)) return condition.any.some(testsField);
  return false;
}

function signalSteps(condition: Condition): string[] {
  if (isSignalCondition(condition)) return [condition.step];
  if (isAllCondition(condition)) return condition.all.flatMap(signalSteps);
  if (isAnyCondition(condition)) return condition.any.flatMap(signalSteps);
  return [];
}

export function definitionEntry(stored: SequenceDefinition): DefinitionEntry {
  // Stored definitions were validated on activation; parsing again fills defaults older rows may lack.
  const parsed = parseDefinition(stored);
  const definition = parsed.ok ? parsed.definition : stored;
  const signalTested = new Set<string>();
  const signalImmediate = new Set<string>();
  for (const step of definition.steps) {
    if (step.type !== 'condition') continue;
    for (const id of signalSteps(step.if)) {
      signalTested.add(id);
      if (step.moveOnSignal === true) signalImmediate.add(id);
    }
  }
  return {
    definition,
    needsFields: definition.steps.some((step) => step.type === 'condition' && testsField(step.if)),
    needsRecipientZone: definition.options.workingHours === 'recipient',
    signalTested,
    signalImmediate,
  };
}

export class EngineCache {
  readonly #definitions = new Map<string, DefinitionEntry>();
  readonly #calendars = new Map<string, OwnerCalendar>();

  /** Definitions of these (sequence, version) pairs, keyed `${sequenceId}@${version}`; missing ones are left out. */
  async definitions(
    store: Store,
    keys: readonly { sequenceId: string; version: number }[],
  ): Promise<Map<string, DefinitionEntry>> {
    const out = new Map<string, DefinitionEntry>();
    for (const { sequenceId, version } of keys) {
      const key = definitionKey(sequenceId, version);
      if (out.has(key)) continue;
      let entry = this.#definitions.get(key);
      if (entry === undefined) {
        const stored = await store.sequences.getVersion(sequenceId, version);
        if (stored === null) continue;
        entry = definitionEntry(stored.definition);
        if (this.#definitions.size >= MAX_DEFINITIONS) this.#definitions.clear();
        this.#definitions.set(key, entry);
      }
      out.set(key, entry);
    }
    return out;
  }

  /** Owners' calendars; one cheap query checks `updatedAt`, and only changed users are read in full. */
  async calendars(store: Store, ownerIds: readonly string[]): Promise<Map<string, OwnerCalendar>> {
    const unique = [...new Set(ownerIds)];
    const out = new Map<string, OwnerCalendar>();
    if (unique.length === 0) return out;
    const stamps = await store.engine.userStamps(unique);
    const stale: string[] = [];
    for (const { id, updatedAt } of stamps) {
      const cached = this.#calendars.get(id);
      if (cached !== undefined && cached.updatedAt === updatedAt) out.set(id, cached);
      else stale.push(id);
    }
    if (stale.length > 0) {
      if (this.#calendars.size + stale.length > MAX_CALENDARS) this.#calendars.clear();
      for (const user of await store.users.getMany(stale)) {
        const entry: OwnerCalendar = {
          updatedAt: user.updatedAt,
          calendar: { timezone: user.timezone, weeklyHours: user.workingHours, timeOff: user.timeOff },
          byZone: new Map(),
        };
        this.#calendars.set(user.id, entry);
        out.set(user.id, entry);
      }
    }
    return out;
  }
}

export function definitionKey(sequenceId: string, version: number): string {
  return `${sequenceId}@${version}`;
}

/** The owner's calendar (UTC default hours when the user is gone). */
export function ownerCalendarOf(entry: OwnerCalendar | undefined): WorkingCalendar {
  return entry?.calendar ?? UTC_DEFAULT;
}

/** The owner's hours read in the recipient's zone, one object per (owner, zone). */
export function recipientCalendarOf(
  entry: OwnerCalendar | undefined,
  timezone: string | null,
): WorkingCalendar | undefined {
  if (timezone === null) return undefined;
  if (entry === undefined) return withTimeZone(UTC_DEFAULT, timezone);
  let calendar = entry.byZone.get(timezone);
  if (calendar === undefined) {
    calendar = withTimeZone(entry.calendar, timezone);
    entry.byZone.set(timezone, calendar);
  }
  return calendar;
}

// One cache per store: it lives as long as the database connection it describes. A WeakMap keeps it off
// EngineDeps (no test or caller has to build one) and lets it go with the store.
const caches = new WeakMap<Store, EngineCache>();

export function engineCache(store: Store): EngineCache {
  let cache = caches.get(store);
  if (cache === undefined) {
    cache = new EngineCache();
    caches.set(store, cache);
  }
  return cache;
}
