// Engagement signals (POST /api/signals, tracking hits, inbound mail): deduplicated by the client's
// id, resolved to an enrollment and its email step, delivered as `signal` events through applyEvents
// in one call per batch, stored, and counted per step (first open/click/reply/bounce per step instance).
// A bounce or unsubscribe ends every running enrollment of the record and suppresses its address.
//
// Order, for exactly-once counting with at-least-once delivery: suppress, deliver (the transition
// ignores a repeat), then store and count in one transaction. A crash before the store leaves the
// signal unrecorded, so the client's retry delivers it again (harmlessly) and counts it once.
//
// The email a signal names is read with only what a signal needs (stepInstances.signalSteps, not getMany:
// on the 1,000,000-enrollment API world the full history row with its enrollment was ~10 µs of the
// ~36 µs of server CPU per signal, the narrow one without the enrollment ~4.5 µs; see step-instances.ts).
import { EMAIL_STEP_TYPES, type StepType } from '../domain/definition.js';
import type { EnrollmentSignal } from '../domain/enrollment.js';
import { type ApplyItem, applyEvents } from './apply-events.js';
import type { EngineDeps } from './deps.js';
import { definitionKey, engineCache } from './engine-cache.js';
import { stepRowId } from './enrollment-commit.js';
import type { JsonObject, SignalInsert, SignalStep, Suppression } from './ports/store.js';
import { onlyAFact } from './signal-facts.js';
import { normalizeEmail } from './suppression.js';

export const SIGNAL_TYPES = [
  'email_opened',
  'email_clicked',
  'email_replied',
  'email_bounced',
  'email_unsubscribed',
  'linkedin_connection_accepted',
  'email_attachment_opened',
] as const satisfies readonly EnrollmentSignal[];
export type SignalType = (typeof SIGNAL_TYPES)[number];

export interface SignalInput {
  /** The client's id: a second signal with the same id is a no-op (counted in `duplicates`). */
  id?: string | undefined;
  type: SignalType;
  recordId?: string | undefined;
  /**
   * The message the signal is about: our outbox key (`{enrollmentId}:{seq}`), the outbox row id, the
   * hash in our Message-ID, or the Message-ID itself (`<sw.{hash}@domain>`).
   */
  messageId?: string | undefined;
  enrollmentId?: string | undefined;
  /** The email step's history row id (stepRowId). */
  stepRowId?: string | undefined;
  /** Epoch ms; default now; a future time counts as now. */
  at?: number | undefined;
  data?: JsonObject | undefined;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Signals whose record, enrollment and message are all unknown: not stored, not an error. */
  unknown: number;
}

/** step_stats counters (src/engine/sequences/sequence-stats.ts reads them). */
// Each also keeps, per email step instance, the earliest time it came (signal_step_firsts): the facts a
// later condition reads (signal-facts.ts). `email_attachment_opened` is such a fact, kept there though no
// statistic shows it.
const COUNTERS: Partial<Record<SignalType, string>> = {
  email_opened: 'email_opened',
  email_clicked: 'email_clicked',
  email_replied: 'email_replied',
  email_attachment_opened: 'email_attachment_opened',
  email_bounced: 'email_bounced',
};
/**
 * A link followed in an email proves it was opened, though its pixel may never have loaded (images blocked,
 * a plain-text reader): a click also counts as an open on the same email, once per email as every counter
 * (as HubSpot and Outreach count them). Conditions follow the same rule (transition/conditions.ts).
 */
const ALSO_COUNTS: Partial<Record<SignalType, string[]>> = { email_clicked: ['email_opened'] };
/** Signals about one email (they go to its step, or to each enrollment's latest sent email). */
const ABOUT_AN_EMAIL: ReadonlySet<SignalType> = new Set([
  'email_opened',
  'email_clicked',
  'email_replied',
  'email_attachment_opened',
  'email_bounced',
]);
/** Signals that end every running enrollment of the record and suppress its address. */
const ENDS_ALL: Partial<Record<SignalType, Suppression['reason']>> = {
  email_bounced: 'bounced',
  email_unsubscribed: 'unsubscribed',
};
const EMAIL_TYPES: readonly StepType[] = EMAIL_STEP_TYPES;

type MessageRef =
  | { kind: 'key'; key: string; stepRowId: string }
  | { kind: 'hash'; hash: string }
  | { kind: 'id'; id: string };

const OUR_MESSAGE_ID = /^<?\s*sw\.([0-9a-f]{32})@[^>\s]+\s*>?$/i;
const HASH = /^[0-9a-f]{32}$/i;
const OUTBOX_KEY = /^(.+):(\d+)$/;

function stepRowOfKey(key: string): string | null {
  const match = OUTBOX_KEY.exec(key);
  return match === null ? null : stepRowId(match[1] as string, Number(match[2]));
}

function messageRef(messageId: string): MessageRef {
  const text = messageId.trim();
  const header = OUR_MESSAGE_ID.exec(text);
  if (header !== null) return { kind: 'hash', hash: (header[1] as string).toLowerCase() };
  if (HASH.test(text)) return { kind: 'hash', hash: text.toLowerCase() };
  const row = stepRowOfKey(text);
  return row === null ? { kind: 'id', id: text } : { kind: 'key', key: text, stepRowId: row };
}

/** What one signal was resolved to. */
interface Resolved {
  input: SignalInput;
  at: number;
  recordId: string;
  /** The email step instance it is about, when known. */
  instance: SignalStep | null;
  enrollmentId: string | null;
  messageKey: string | null;
}

export async function ingestSignals(
  deps: EngineDeps,
  signals: readonly SignalInput[],
): Promise<IngestResult> {
  const { store } = deps;
  const now = deps.clock.now();
  const result: IngestResult = { accepted: 0, duplicates: 0, unknown: 0 };

  // Duplicates: within the batch, then against stored signals (signals_dedupe_key_key).
  const ids = new Set<string>();
  const fresh: SignalInput[] = [];
  for (const signal of signals) {
    if (signal.id !== undefined) {
      if (ids.has(signal.id)) {
        result.duplicates++;
        continue;
      }
      ids.add(signal.id);
    }
    fresh.push(signal);
  }
  const stored = new Set(ids.size === 0 ? [] : await store.signals.existingDedupeKeys([...ids]));
  const todo = fresh.filter((s) => s.id === undefined || !stored.has(s.id));
  result.duplicates += fresh.length - todo.length;
  if (todo.length === 0) return result;

  const resolved = await resolve(deps, todo, now);
  result.unknown = todo.length - resolved.length;

  // Who each signal reaches: one email step, or every running enrollment of the record.
  const endingRecords = [
    ...new Set(resolved.filter((r) => ENDS_ALL[r.input.type] !== undefined).map((r) => r.recordId)),
  ];
  // A bounce or unsubscribe is the address's: other records with the same address end too (their emails
  // could only be dropped now), as the unsubscribe link ends every record with it.
  const sameAddress = await recordsSharingAddress(deps, resolved, endingRecords);
  const needFanOut = resolved.filter(
    (r) => r.instance === null && r.enrollmentId === null && ABOUT_AN_EMAIL.has(r.input.type),
  );
  const running = new Map<string, string[]>();
  const fanOutRecords = [
    ...new Set([...endingRecords, ...sameAddress.keys(), ...needFanOut.map((r) => r.recordId)]),
  ];
  for (const slot of fanOutRecords.length === 0 ? [] : await store.engine.runningSlots(fanOutRecords)) {
    const list = running.get(slot.recordId) ?? [];
    list.push(slot.enrollmentId);
    running.set(slot.recordId, list);
  }
  // A record with none running: its newest enrollment, ended, on whose last email such a signal counts (an
  // open reported after the sequence finished), though nothing is delivered to it. Only these records are
  // read again, so a batch whose records all run (the usual case) pays nothing for it.
  const idle = fanOutRecords.filter((id) => !running.has(id));
  const ended = new Map(
    (idle.length === 0 ? [] : await store.enrollments.latestByRecord(idle)).map((row) => [
      row.recordId,
      row.enrollmentId,
    ]),
  );
  // The latest sent email of each enrollment a signal reaches without naming a message.
  const latestFor = new Set<string>();
  for (const r of resolved) {
    if (r.instance !== null || !ABOUT_AN_EMAIL.has(r.input.type)) continue;
    for (const id of r.enrollmentId !== null ? [r.enrollmentId] : (running.get(r.recordId) ?? []))
      latestFor.add(id);
    const last = r.enrollmentId === null ? ended.get(r.recordId) : undefined;
    if (last !== undefined) latestFor.add(last);
  }
  const latest = new Map(
    (latestFor.size === 0 ? [] : await store.stepInstances.latestSentEmails([...latestFor])).map((row) => [
      row.enrollmentId,
      row,
    ]),
  );

  // Suppress first: whatever happens next, the address is never emailed again.
  await suppressRecords(deps, resolved, now);

  // The definitions of the emails signals name, to tell which signals only add a fact (deferrable).
  const definitions = await engineCache(store).definitions(store, [
    ...resolved.flatMap((r) =>
      r.instance === null ? [] : [{ sequenceId: r.instance.sequenceId, version: r.instance.sequenceVersion }],
    ),
    ...[...latest.values()].map((e) => ({ sequenceId: e.sequenceId, version: e.sequenceVersion })),
  ]);
  const deferrable = (type: SignalType, email: SignalStep): boolean =>
    onlyAFact(type, definitions.get(definitionKey(email.sequenceId, email.sequenceVersion)), email.stepId);

  const items: ApplyItem[] = [];
  const rows: SignalInsert[] = [];
  // The enrollments a bounce or unsubscribe ends, each once (a batch may name the same record twice).
  const ending = new Set<string>();
  const end = (enrollmentId: string, signal: SignalType, at: number) => {
    if (ending.has(enrollmentId)) return;
    ending.add(enrollmentId);
    items.push({ enrollmentId, event: { type: 'signal', signal, at } });
  };
  for (const r of resolved) {
    const { type } = r.input;
    let countOn = r.instance;
    // Set when the signal is stored for a later condition instead of applied now (one email, one enrollment).
    let stored: SignalStep | null = null;
    // Set when the record runs in no sequence: the last email of its newest (ended) enrollment, counted only.
    let afterEnd: SignalStep | null = null;
    if (ENDS_ALL[type] !== undefined) {
      for (const enrollmentId of running.get(r.recordId) ?? []) end(enrollmentId, type, r.at);
      countOn ??= firstLatest(r, running, latest);
      if (countOn === null) countOn = afterEnd = endedEmail(r, ended, latest);
    } else if (ABOUT_AN_EMAIL.has(type)) {
      if (r.instance !== null) {
        if (deferrable(type, r.instance)) stored = r.instance;
        else
          items.push({
            enrollmentId: r.instance.enrollmentId,
            event: { type: 'signal', signal: type, stepId: r.instance.stepId, at: r.at },
          });
      } else {
        const targets = r.enrollmentId !== null ? [r.enrollmentId] : (running.get(r.recordId) ?? []);
        for (const enrollmentId of targets) {
          const email = latest.get(enrollmentId);
          if (email === undefined) continue;
          countOn ??= email;
          // A signal row names one enrollment: stored when it reaches exactly one (named, or the record's
          // only running enrollment), else applied to each.
          if (targets.length === 1 && deferrable(type, email)) {
            stored = email;
            continue;
          }
          items.push({
            enrollmentId,
            event: { type: 'signal', signal: type, stepId: email.stepId, at: r.at },
          });
        }
        if (targets.length === 0) countOn = afterEnd = endedEmail(r, ended, latest);
      }
    }
    const counter = COUNTERS[type];
    const counted =
      counter !== undefined && countOn !== null && EMAIL_TYPES.includes(countOn.type) ? countOn : null;
    rows.push({
      id: deps.ids.newId('sig'),
      dedupeKey: r.input.id ?? null,
      type,
      recordId: r.recordId,
      enrollmentId:
        r.instance?.enrollmentId ?? r.enrollmentId ?? stored?.enrollmentId ?? afterEnd?.enrollmentId ?? null,
      messageKey: r.messageKey,
      stepId: stored?.stepId ?? null,
      at: r.at,
      data: r.input.data ?? null,
      counts:
        counted === null || counter === undefined
          ? []
          : (ALSO_COUNTS[type] ?? []).concat(counter).map((name) => ({
              stepRowId: counted.id,
              sequenceId: counted.sequenceId,
              version: counted.sequenceVersion,
              stepId: counted.stepId,
              counter: name,
            })),
    });
  }

  for (const [recordId, { type, at }] of sameAddress)
    for (const enrollmentId of running.get(recordId) ?? []) end(enrollmentId, type, at);

  if (items.length > 0) await applyEvents(deps, items, { now });
  const inserted = await store.signals.insert(rows);
  result.accepted = inserted.length;
  // A concurrent request stored the same id first: that one counts it.
  result.duplicates += rows.length - inserted.length;
  return result;
}

function firstLatest(
  r: Resolved,
  running: ReadonlyMap<string, string[]>,
  latest: ReadonlyMap<string, SignalStep>,
): SignalStep | null {
  for (const id of r.enrollmentId !== null ? [r.enrollmentId] : (running.get(r.recordId) ?? [])) {
    const email = latest.get(id);
    if (email !== undefined) return email;
  }
  return null;
}

/** The last sent email of the record's newest enrollment, for a signal by record when none runs. */
function endedEmail(
  r: Resolved,
  ended: ReadonlyMap<string, string>,
  latest: ReadonlyMap<string, SignalStep>,
): SignalStep | null {
  if (r.enrollmentId !== null) return null;
  const id = ended.get(r.recordId);
  return id === undefined ? null : (latest.get(id) ?? null);
}

/** Each signal's record, and its email step instance and enrollment where the signal names them. */
async function resolve(deps: EngineDeps, signals: readonly SignalInput[], now: number): Promise<Resolved[]> {
  const { store } = deps;
  const refs = signals.map((s) => (s.messageId === undefined ? null : messageRef(s.messageId)));
  const hashes = refs.flatMap((ref) => (ref?.kind === 'hash' ? [ref.hash] : []));
  const outboxIds = refs.flatMap((ref) => (ref?.kind === 'id' ? [ref.id] : []));
  const keyByRef = new Map<string, string>();
  if (hashes.length > 0 || outboxIds.length > 0) {
    for (const row of await store.signals.outboxKeys({ ids: outboxIds, hashes })) {
      keyByRef.set(`id:${row.id}`, row.idempotencyKey);
      if (row.messageKeyHash !== null) keyByRef.set(`hash:${row.messageKeyHash}`, row.idempotencyKey);
    }
  }
  const messageKeys = refs.map((ref) => {
    if (ref === null) return null;
    if (ref.kind === 'key') return ref.key;
    return keyByRef.get(ref.kind === 'hash' ? `hash:${ref.hash}` : `id:${ref.id}`) ?? null;
  });
  const rowIds = signals.map((s, i) => {
    if (s.stepRowId !== undefined) return s.stepRowId;
    const ref = refs[i];
    if (ref?.kind === 'key') return ref.stepRowId;
    const key = messageKeys[i];
    return key === null || key === undefined ? null : stepRowOfKey(key);
  });
  const wanted = rowIds.filter((id): id is string => id !== null);
  const instances = new Map(
    (wanted.length === 0 ? [] : await store.stepInstances.signalSteps(wanted)).map((row) => [row.id, row]),
  );

  const enrollmentIds = signals.flatMap((s, i) => {
    const id = rowIds[i];
    return s.enrollmentId !== undefined && (id === null || !instances.has(id as string))
      ? [s.enrollmentId]
      : [];
  });
  const enrollments = new Map(
    (enrollmentIds.length === 0 ? [] : await store.engine.load(enrollmentIds)).map((e) => [e.id, e]),
  );
  const recordIds = signals.flatMap((s) => (s.recordId === undefined ? [] : [s.recordId]));
  // records pkey, ids only (loadRecords skips deleted records, as getMany does).
  const records = new Set(
    (recordIds.length === 0 ? [] : await store.engine.loadRecords(recordIds, false)).map((r) => r.id),
  );

  const out: Resolved[] = [];
  signals.forEach((input, i) => {
    const rowId = rowIds[i];
    const instance = rowId === null || rowId === undefined ? null : (instances.get(rowId) ?? null);
    const enrollment =
      instance === null && input.enrollmentId !== undefined ? enrollments.get(input.enrollmentId) : undefined;
    const recordId =
      instance?.recordId ??
      enrollment?.recordId ??
      (input.recordId !== undefined && records.has(input.recordId) ? input.recordId : null);
    if (recordId === null) return;
    const at = input.at !== undefined && Number.isFinite(input.at) ? Math.min(input.at, now) : now;
    out.push({
      input,
      at,
      recordId,
      instance,
      enrollmentId: instance?.enrollmentId ?? enrollment?.id ?? null,
      // The outbox key when we found the message; else what the client said, for the timeline.
      messageKey: messageKeys[i] ?? input.messageId ?? null,
    });
  });
  return out;
}

/**
 * The other live records with the address of a record a bounce or unsubscribe names, each with the signal
 * that ends it (the first, by batch order). Only such signals read anything: one lookup per address.
 */
async function recordsSharingAddress(
  deps: EngineDeps,
  resolved: readonly Resolved[],
  endingRecords: readonly string[],
): Promise<Map<string, { type: SignalType; at: number }>> {
  const found = new Map<string, { type: SignalType; at: number }>();
  if (endingRecords.length === 0) return found;
  const named = new Set(endingRecords);
  const emails = new Map(
    (await deps.store.records.getMany(endingRecords)).flatMap((record) =>
      record.email === null ? [] : [[record.id, normalizeEmail(record.email)] as const],
    ),
  );
  const byAddress = new Map<string, { type: SignalType; at: number }>();
  for (const r of resolved) {
    const email = emails.get(r.recordId);
    if (ENDS_ALL[r.input.type] === undefined || email === undefined || byAddress.has(email)) continue;
    byAddress.set(email, { type: r.input.type, at: r.at });
  }
  for (const [email, signal] of byAddress)
    for (const other of await deps.store.records.findByEmail(email))
      if (!named.has(other.id) && !found.has(other.id)) found.set(other.id, signal);
  return found;
}

async function suppressRecords(deps: EngineDeps, resolved: readonly Resolved[], now: number): Promise<void> {
  const reasons = new Map<string, Suppression['reason']>();
  for (const r of resolved) {
    const reason = ENDS_ALL[r.input.type];
    if (reason !== undefined && !reasons.has(r.recordId)) reasons.set(r.recordId, reason);
  }
  if (reasons.size === 0) return;
  const entries: Suppression[] = [];
  for (const record of await deps.store.records.getMany([...reasons.keys()])) {
    const reason = reasons.get(record.id);
    if (record.email === null || reason === undefined) continue;
    entries.push({ email: normalizeEmail(record.email), reason, at: now, source: 'signal' });
  }
  if (entries.length > 0) await deps.store.suppressions.addMany(entries);
}
