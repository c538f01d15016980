// The one path by which any event reaches an enrollment (ticks, seller actions, signals, disconnects):
// load, run the pure transition, turn its effects into rows, commit them in one transaction behind a
// version fence; an enrollment whose version moved meanwhile is re-loaded and tried again (bounded).
import type { Effect, EnrollmentEvent, EnrollmentState } from '../domain/enrollment.js';

type SignalEvent = Extract<EnrollmentEvent, { type: 'signal' }>;

import { addSignalFacts, advance } from '../domain/transition.js';
import type { EngineDeps } from './deps.js';
import {
  type DefinitionEntry,
  definitionKey,
  type EngineCache,
  engineCache,
  type OwnerCalendar,
} from './engine-cache.js';
import { commitOf, earliestDue, effectRows } from './enrollment-commit.js';
import {
  type CommitResult,
  type EngineEnrollment,
  type EngineRecord,
  type EnrollmentCommit,
  type StoredSignalFact,
  StoreError,
} from './ports/store.js';
import { factEvents } from './signal-facts.js';
import { startAdvances, transitionContext } from './start-enrollment.js';

export interface ApplyItem {
  enrollmentId: string;
  event: EnrollmentEvent;
  /** Apply only to this version of the enrollment (a claimed row, a client's view); otherwise `stale`. */
  expectedVersion?: number;
}

/**
 * - `applied`: the event changed the enrollment, and that is committed.
 * - `unchanged`: the event did not apply (a step not open, a repeat, an ended enrollment...).
 * - `stale`: the enrollment kept moving under us (or was not at `expectedVersion`); nothing was written.
 * - `not_found`: no such enrollment.
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'stale' | 'not_found';

export interface ApplyItemResult {
  enrollmentId: string;
  outcome: ApplyOutcome;
  /** The enrollment's state after this call (null when not found or stale). */
  state: EnrollmentState | null;
  /** Its version after this call. */
  version: number | null;
}

export interface ApplyEventsResult {
  applied: number;
  unchanged: number;
  stale: number;
  notFound: number;
  /** One per item, in the items' order. */
  results: ApplyItemResult[];
}

/** Fence failures retried by re-loading, before an item is reported `stale`. */
const MAX_ATTEMPTS = 4;
/** Deadlocks / serialization failures (StoreError `busy`) retried before giving up. */
const MAX_BUSY_RETRIES = 3;
/** Work due within this horizon wakes workers now (their idle sleep is bounded by about this much). */
const WAKE_HORIZON_MS = 1_000;

interface Planned {
  enrollment: EngineEnrollment;
  /** Item indexes, in order, with whether each changed the state. */
  items: { index: number; changed: boolean }[];
  state: EnrollmentState;
  commit: EnrollmentCommit | null;
}

/**
 * Runs `events` (in order) on each enrollment and builds its commit. `alwaysWrite`: commit even when
 * nothing changed (a claimed row's lease is released and its due time re-read from the state).
 */
async function plan(
  deps: EngineDeps,
  cache: EngineCache,
  batch: readonly { enrollment: EngineEnrollment; events: { index: number; event: EnrollmentEvent }[] }[],
  now: number,
  alwaysWrite: boolean,
): Promise<Planned[]> {
  const { store } = deps;
  const definitions = await cache.definitions(
    store,
    batch.map(({ enrollment: e }) => ({ sequenceId: e.sequenceId, version: e.sequenceVersion })),
  );
  const calendars = await cache.calendars(
    store,
    batch.map(({ enrollment: e }) => e.ownerId),
  );
  // The record only when a definition reads it (field conditions, the recipient's time zone).
  const recordIds: string[] = [];
  let withFields = false;
  for (const { enrollment: e } of batch) {
    const entry = definitions.get(definitionKey(e.sequenceId, e.sequenceVersion));
    if (entry !== undefined && (entry.needsFields || entry.needsRecipientZone)) {
      recordIds.push(e.recordId);
      withFields ||= entry.needsFields;
    }
  }
  const records = new Map<string, EngineRecord>();
  if (recordIds.length > 0) {
    for (const r of await store.engine.loadRecords(recordIds, withFields)) records.set(r.id, r);
  }

  // Each enrollment's events; those whose conditions read signal facts run again with the stored ones
  // first (signal-facts.ts), found for all of them in one query.
  const runs = batch.map(({ enrollment: e, events }) => {
    const entry = definitions.get(definitionKey(e.sequenceId, e.sequenceVersion));
    return runEvents(e, events, entry, [], now, calendars, records);
  });
  const readers = runs.filter((r) => r.readFacts);

  if (readers.length > 0) {
    const byEnrollment = new Map<string, StoredSignalFact[]>();
    for (const fact of await store.signals.facts(readers.map((r) => ({ id: r.enrollment.id })))) {
      const list = byEnrollment.get(fact.enrollmentId) ?? [];
      list.push(fact);
      byEnrollment.set(fact.enrollmentId, list);
    }
    for (const [i, r] of runs.entries()) {
      const facts = r.readFacts ? byEnrollment.get(r.enrollment.id) : undefined;
      if (facts === undefined || r.entry === undefined) continue;
      const first = factEvents(facts, r.entry);
      if (first.length > 0)
        runs[i] = runEvents(r.enrollment, r.events, r.entry, first, now, calendars, records);
    }
  }

  const planned: Planned[] = [];
  for (const { enrollment: e, state, effects, items } of runs) {
    const changed = state !== e.state;
    let commit: EnrollmentCommit | null = null;
    if (changed || alwaysWrite) {
      const rows = effectRows(e, effects, deps.ids, now);
      commit = commitOf(
        e.id,
        {
          type: 'update',
          row: { id: e.id, expectedVersion: e.version, before: e.state, state, endedAt: rows.endedAt },
        },
        rows,
      );
      if (rows.advances.length > 0) await startAdvances(deps, cache, commit, e, rows.advances, now);
    }
    planned.push({ enrollment: e, items, state, commit });
  }
  return planned;
}

interface EventRun {
  enrollment: EngineEnrollment;
  events: readonly { index: number; event: EnrollmentEvent }[];
  entry: DefinitionEntry | undefined;
  state: EnrollmentState;
  effects: Effect[];
  items: Planned['items'];
  /** A condition testing a signal read the facts (and the definition has such conditions). */
  readFacts: boolean;
}

/** The pure part: `facts` (stored signals) first, then the events, each item noting whether it changed the state. */
function runEvents(
  e: EngineEnrollment,
  events: readonly { index: number; event: EnrollmentEvent }[],
  entry: DefinitionEntry | undefined,
  facts: readonly SignalEvent[],
  now: number,
  calendars: ReadonlyMap<string, OwnerCalendar>,
  records: ReadonlyMap<string, EngineRecord>,
): EventRun {
  let state = e.state;
  const items: Planned['items'] = [];
  const effects: Effect[] = [];
  let readFacts = false;
  if (entry === undefined) {
    // The version row is gone (never for an activated sequence): stop rather than retry forever.
    state = { ...state, status: 'error', dueAt: null, due: null, phase: null, pausedAt: null };
    for (const { index } of events) items.push({ index, changed: false });
    return { enrollment: e, events, entry, state, effects, items, readFacts };
  }
  const ctx = transitionContext(now, entry, calendars.get(e.ownerId), records.get(e.recordId));
  if (entry.signalTested.size > 0)
    ctx.onSignalFactsRead = () => {
      readFacts = true;
    };
  if (facts.length > 0) state = addSignalFacts(entry.definition, state, facts, ctx);
  for (const { index, event } of events) {
    const [next, produced] = advance(entry.definition, state, event, ctx);
    items.push({ index, changed: next !== state });
    state = next;
    for (const effect of produced) effects.push(effect);
  }
  return { enrollment: e, events, entry, state, effects, items, readFacts };
}

/** Commits with retries on deadlock; tells workers about work due soon. */
async function commitPlanned(
  deps: EngineDeps,
  planned: readonly Planned[],
  now: number,
): Promise<CommitResult> {
  const commits = planned.flatMap((p) => (p.commit === null ? [] : [p.commit]));
  const due = earliestDue(planned.filter((p) => p.commit !== null).map((p) => p.state));
  const soon = due !== null && due <= now + WAKE_HORIZON_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await deps.store.engine.commit(commits, { notify: soon });
      if (soon && result.written.length > 0) deps.onWorkScheduled?.(due);
      return result;
    } catch (error) {
      // Inside a caller's transaction a retry cannot help (PostgreSQL has aborted it): the busy error goes
      // up, so the caller can run its whole transaction again (or answer 503 database_busy).
      const busy = error instanceof StoreError && error.code === 'busy';
      if (!busy || deps.store.inTransaction || attempt >= MAX_BUSY_RETRIES) throw error;
    }
  }
}

/** Applies events to enrollments; see ApplyOutcome. Several items may name the same enrollment. */
export async function applyEvents(
  deps: EngineDeps,
  items: readonly ApplyItem[],
  options: { now?: number } = {},
): Promise<ApplyEventsResult> {
  const now = options.now ?? deps.clock.now();
  const cache = engineCache(deps.store);
  const results: ApplyItemResult[] = items.map((item) => ({
    enrollmentId: item.enrollmentId,
    outcome: 'stale',
    state: null,
    version: null,
  }));
  let pending = items.map((_, index) => index);
  for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
    const loaded = new Map(
      (await deps.store.engine.load(pending.map((i) => (items[i] as ApplyItem).enrollmentId))).map((e) => [
        e.id,
        e,
      ]),
    );
    const byEnrollment = new Map<
      string,
      { enrollment: EngineEnrollment; events: { index: number; event: EnrollmentEvent }[] }
    >();
    for (const index of pending) {
      const item = items[index] as ApplyItem;
      const enrollment = loaded.get(item.enrollmentId);
      const result = results[index] as ApplyItemResult;
      if (enrollment === undefined) {
        result.outcome = 'not_found';
        continue;
      }
      if (item.expectedVersion !== undefined && item.expectedVersion !== enrollment.version) {
        result.outcome = 'stale';
        continue;
      }
      let entry = byEnrollment.get(enrollment.id);
      if (entry === undefined) {
        entry = { enrollment, events: [] };
        byEnrollment.set(enrollment.id, entry);
      }
      entry.events.push({ index, event: item.event });
    }
    const planned = await plan(deps, cache, [...byEnrollment.values()], now, false);
    const { stale } = await commitPlanned(deps, planned, now);
    const staleIds = new Set(stale);
    const retry: number[] = [];
    for (const p of planned) {
      const lost = staleIds.has(p.enrollment.id);
      for (const { index, changed } of p.items) {
        const result = results[index] as ApplyItemResult;
        if (lost) {
          if ((items[index] as ApplyItem).expectedVersion === undefined) retry.push(index);
          result.outcome = 'stale';
          continue;
        }
        result.outcome = changed ? 'applied' : 'unchanged';
        result.state = p.state;
        result.version = p.commit === null ? p.enrollment.version : p.enrollment.version + 1;
      }
    }
    pending = retry.sort((a, b) => a - b);
  }
  const count = (outcome: ApplyOutcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    applied: count('applied'),
    unchanged: count('unchanged'),
    stale: count('stale'),
    notFound: count('not_found'),
    results,
  };
}

/**
 * Ticks enrollments a worker has claimed (the claim's version is the fence). Every claimed row is
 * written, changed or not, so its lease is released. Returns how many landed and how many were lost
 * to another writer (a lease that expired, a seller's action in between).
 */
export async function applyClaimed(
  deps: EngineDeps,
  claimed: readonly EngineEnrollment[],
  now: number,
): Promise<{ written: number; stale: number }> {
  if (claimed.length === 0) return { written: 0, stale: 0 };
  const cache = engineCache(deps.store);
  const planned = await plan(
    deps,
    cache,
    claimed.map((enrollment) => ({ enrollment, events: [{ index: 0, event: { type: 'tick' } as const }] })),
    now,
    true,
  );
  const { written, stale } = await commitPlanned(deps, planned, now);
  return { written: written.length - countFollows(planned, new Set(written)), stale: stale.length };
}

function countFollows(planned: readonly Planned[], written: ReadonlySet<string>): number {
  let n = 0;
  const walk = (commits: readonly EnrollmentCommit[]) => {
    for (const c of commits) {
      if (written.has(c.enrollmentId)) n++;
      walk(c.follow);
    }
  };
  for (const p of planned) if (p.commit !== null) walk(p.commit.follow);
  return n;
}

export type SequenceDisconnectReason = 'sequence_deactivated' | 'sequence_deleted';

/** Ends every running enrollment of a sequence, 1,000 at a time; returns how many it ended. */
export async function disconnectSequenceEnrollments(
  deps: EngineDeps,
  sequenceId: string,
  reason: SequenceDisconnectReason,
): Promise<number> {
  let disconnected = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await deps.store.engine.runningIdsOfSequence(sequenceId, after, 1_000);
    if (ids.length === 0) return disconnected;
    const result = await applyEvents(
      deps,
      ids.map((enrollmentId) => ({ enrollmentId, event: { type: 'disconnect', reason } })),
    );
    disconnected += result.applied;
    after = ids[ids.length - 1] ?? null;
  }
}

/** A seller's or manager's disconnect of records from one sequence (end reason `user_disconnected`). */
export async function disconnectRecords(
  deps: EngineDeps,
  input: { sequenceId: string; recordIds: readonly string[]; actorId: string },
): Promise<{ disconnected: string[]; notEnrolled: string[] }> {
  const slots = await deps.store.engine.runningSlots(input.recordIds);
  const running = slots.filter((s) => s.sequenceId === input.sequenceId);
  const result = await applyEvents(
    deps,
    running.map((s) => ({
      enrollmentId: s.enrollmentId,
      event: { type: 'disconnect', reason: 'user_disconnected' },
    })),
  );
  const ended = new Set<string>();
  result.results.forEach((r, i) => {
    const slot = running[i];
    if (r.outcome === 'applied' && slot !== undefined) ended.add(slot.recordId);
  });
  const unique = [...new Set(input.recordIds)];
  if (ended.size > 0) {
    await deps.store.audit.append({
      id: deps.ids.newId('aud'),
      at: deps.clock.now(),
      actorId: input.actorId,
      action: 'enrollments.disconnected',
      subjectType: 'sequence',
      subjectId: input.sequenceId,
      data: { recordIds: [...ended] },
    });
  }
  return {
    disconnected: unique.filter((id) => ended.has(id)),
    notEnrolled: unique.filter((id) => !ended.has(id)),
  };
}
