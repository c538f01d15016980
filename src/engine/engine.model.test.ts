// Model-based test of the engine on both dialects: fast-check runs random command sequences (connect,
// advance the manual clock, run a worker, deliver the outbox, signals, complete / skip, pause, resume,
// disconnect, a worker that crashes holding a claimed batch, and that crashed worker coming back to
// commit its stale batch) against the engine and against a hand-written reference model of one small
// sequence (test-support/reference-model.ts). After every command the database must match the model
// exactly: each enrollment's state and version, each history row, each outbox row, the field update.
// On top of that the test checks, on the rows themselves, that every step instance ran at most once,
// nothing opened or was queued before its due time or after the clock, and nothing followed an exit;
// at the end, past every deadline and with open steps completed, every enrollment has ended.
// A failure prints fast-check's seed and path; STEPWISE_MODEL_SEED / STEPWISE_MODEL_RUNS replay or widen.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { applyClaimed, applyEvents, disconnectRecords } from './apply-events.js';
import { connectRecords } from './connect.js';
import { emailKey, stepRowId } from './enrollment-commit.js';
import type { EngineEnrollment } from './ports/store.js';
import { runDue } from './scheduler.js';
import {
  activeSequence,
  aUser,
  DAY,
  engineDeps,
  HOUR,
  someRecords,
  T0,
} from './test-support/engine-world.js';
import { inList, openRawConnection, type RawConnection } from './test-support/raw-connection.js';
import { MODEL_SEQUENCE, type ModelEnrollment, ReferenceModel } from './test-support/reference-model.js';

const RECORDS = 5;
/** The crashed worker's lease: the clock advances by minutes to days, so it is sometimes still held. */
const LEASE_MS = 10 * 60_000;
const MINUTE = 60_000;
const NUM_RUNS = Number(process.env.STEPWISE_MODEL_RUNS ?? 25);
const SEED =
  process.env.STEPWISE_MODEL_SEED === undefined ? undefined : Number(process.env.STEPWISE_MODEL_SEED);
const ALWAYS_OPEN_HOURS = {
  mon: [['00:00', '24:00']],
  tue: [['00:00', '24:00']],
  wed: [['00:00', '24:00']],
  thu: [['00:00', '24:00']],
  fri: [['00:00', '24:00']],
  sat: [['00:00', '24:00']],
  sun: [['00:00', '24:00']],
} as Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>;

interface World {
  deps: ReturnType<typeof engineDeps>;
  raw: RawConnection;
  ownerId: string;
  sequenceId: string;
  recordIds: string[];
  /** Batches claimed by a worker that crashed before committing, oldest first. */
  zombies: { now: number; claimed: EngineEnrollment[] }[];
  /** What the runs exercised, so a vacuous run of the property shows up as a failure. */
  seen: Map<string, number>;
}

function saw(w: World, what: string, n = 1): void {
  if (n > 0) w.seen.set(what, (w.seen.get(what) ?? 0) + n);
}

type Cmd = fc.AsyncCommand<ReferenceModel, World>;

function nth(m: ReferenceModel, index: number): ModelEnrollment | undefined {
  const all = [...m.enrollments.values()];
  return all.length === 0 ? undefined : all[index % all.length];
}

function setClock(m: ReferenceModel, w: World, at: number): void {
  m.now = at;
  w.deps.clock.set(at);
}

async function runWorker(m: ReferenceModel, w: World): Promise<void> {
  const due = m.claimable(m.now);
  const moved = await runDue(w.deps, { batchSize: 3, leaseOwner: 'worker', leaseMs: LEASE_MS });
  for (const e of due) m.tick(e, m.now);
  expect(moved).toBe(due.length);
}

async function deliver(m: ReferenceModel, w: World): Promise<void> {
  const ids = [...m.enrollments.keys()];
  const rows = (
    await w.raw.query<{ idempotency_key: string; payload: string }>(
      `SELECT idempotency_key, payload FROM outbox WHERE status = 'pending' AND available_at <= ${m.now}
        ORDER BY idempotency_key`,
    )
  ).filter((r) => ids.includes(r.idempotency_key.split(':')[0] as string));
  const expected = [...m.outbox.entries()]
    .filter(([, o]) => o.status === 'pending' && o.availableAt <= m.now)
    .map(([key]) => key)
    .sort();
  expect(rows.map((r) => r.idempotency_key)).toEqual(expected);
  for (const row of rows) {
    const out = m.outbox.get(row.idempotency_key);
    if (out === undefined) throw new Error('unreachable');
    const e = m.enrollments.get(out.enrollmentId) as ModelEnrollment;
    const result = await applyEvents(w.deps, [
      {
        enrollmentId: e.id,
        event: { type: 'email_sent', stepId: out.stepId, seq: out.seq, at: m.now },
      },
    ]);
    const applied = m.emailSent(e, out.seq);
    expect(result.results[0]?.outcome).toBe(applied ? 'applied' : 'unchanged');
    await w.raw.query(
      `UPDATE outbox SET status = 'sent', sent_at = ${m.now} WHERE idempotency_key = '${row.idempotency_key}'`,
    );
    out.status = 'sent';
  }
}

/** The database against the model, then the promise's invariants on the rows themselves. */
async function verify(m: ReferenceModel, w: World): Promise<void> {
  const ids = [...m.enrollments.keys()];
  if (ids.length === 0) return;
  const loaded = new Map((await w.deps.store.engine.load(ids)).map((e) => [e.id, e]));
  const leases = new Map(
    (
      await w.raw.query<{ id: string; lease_until: number | null }>(
        `SELECT id, lease_until FROM enrollments WHERE id IN ${inList(ids)}`,
      )
    ).map((r) => [r.id, r.lease_until === null ? null : Number(r.lease_until)]),
  );
  const history = await w.raw.query<{
    id: string;
    enrollment_id: string;
    step_id: string;
    type: string;
    state: string;
    proposed_due_at: number;
    due_at: number;
    opened_at: number | null;
    completed_at: number | null;
    outcome: string | null;
  }>(
    `SELECT id, enrollment_id, step_id, type, state, proposed_due_at, due_at, opened_at, completed_at, outcome
       FROM enrollment_steps WHERE enrollment_id IN ${inList(ids)} ORDER BY id`,
  );
  const outbox = (
    await w.raw.query<{ idempotency_key: string; status: string; available_at: number; payload: string }>(
      'SELECT idempotency_key, status, available_at, payload FROM outbox ORDER BY idempotency_key',
    )
  ).filter((r) => m.enrollments.has(r.idempotency_key.split(':')[0] as string));
  const num = (v: number | null) => (v === null ? null : Number(v));

  for (const e of m.enrollments.values()) {
    const db = loaded.get(e.id);
    expect(db, `enrollment ${e.id}`).toBeDefined();
    const s = db?.state;
    expect(
      {
        id: e.id,
        status: s?.status,
        endReason: s?.endReason,
        stepId: s?.stepId,
        phase: s?.phase,
        seq: s?.seq,
        due: s?.due,
        dueAt: s?.dueAt,
        pausedAt: s?.pausedAt,
        opened: s?.facts.a1?.opened ?? null,
        version: db?.version,
        leaseUntil: leases.get(e.id),
      },
      `enrollment ${e.id} at ${new Date(m.now).toISOString()}`,
    ).toEqual({
      id: e.id,
      status: e.status,
      endReason: e.endReason,
      stepId: e.stepId,
      phase: e.phase,
      seq: e.seq,
      due: e.due,
      dueAt: e.dueAt,
      pausedAt: e.pausedAt,
      opened: e.opened,
      version: e.version,
      leaseUntil: e.leaseUntil,
    });
    // One history row per step instance, and nothing after the end: rows are exactly seq 1…seq.
    const rows = history.filter((h) => h.enrollment_id === e.id);
    expect(
      rows.map((h) => ({
        id: h.id,
        stepId: h.step_id,
        state: h.state,
        proposedDueAt: num(h.proposed_due_at),
        dueAt: num(h.due_at),
        openedAt: num(h.opened_at),
        completedAt: num(h.completed_at),
        outcome: h.outcome,
      })),
      `history of ${e.id}`,
    ).toEqual(e.steps.map((step, i) => ({ id: stepRowId(e.id, i + 1), ...step })));
  }
  // Never early, never in the future: as the rows say, independently of the model.
  for (const h of history) {
    expect(Number(h.due_at)).toBeGreaterThanOrEqual(Number(h.proposed_due_at));
    if (h.opened_at !== null) {
      // Not against due_at: resuming a paused enrollment moves an open step's due time on (rescheduled);
      // the model checks each step opened exactly at the due time it had then.
      expect(Number(h.opened_at)).toBeGreaterThanOrEqual(Number(h.proposed_due_at));
      expect(Number(h.opened_at)).toBeLessThanOrEqual(m.now);
    }
    if (h.completed_at !== null) expect(Number(h.completed_at)).toBeLessThanOrEqual(m.now);
  }
  // One outbox row per automated-email step instance, queued no earlier than the step was reached.
  const byRowId = new Map(history.map((h) => [h.id, h]));
  expect(new Set(outbox.map((o) => o.idempotency_key)).size).toBe(outbox.length);
  for (const o of outbox) {
    const [enrollmentId, seq] = o.idempotency_key.split(':') as [string, string];
    const step = byRowId.get(stepRowId(enrollmentId, Number(seq)));
    expect(step?.type).toBe('automated_email');
    expect(Number(o.available_at)).toBeGreaterThanOrEqual(Number(step?.proposed_due_at));
    expect(Number(o.available_at)).toBeLessThanOrEqual(m.now);
  }
  expect(
    outbox.map((o) => ({ key: o.idempotency_key, status: o.status, availableAt: Number(o.available_at) })),
  ).toEqual(
    [...m.outbox.entries()]
      .map(([key, o]) => ({ key, status: o.status, availableAt: o.availableAt }))
      .sort((a, b) => (a.key < b.key ? -1 : 1)),
  );
  for (const [key, o] of m.outbox) expect(key).toBe(emailKey(o.enrollmentId, o.seq));
  // The update_field step wrote the record's field, once reached.
  const records = await w.raw.query<{ id: string; fields: string | Record<string, unknown> }>(
    `SELECT id, fields FROM records WHERE id IN ${inList(w.recordIds)}`,
  );
  for (const r of records) {
    const fields =
      typeof r.fields === 'string' ? (JSON.parse(r.fields) as Record<string, unknown>) : r.fields;
    expect(fields.stage, `record ${r.id}`).toBe(m.stage.get(r.id));
  }
}

/**
 * The crashed worker was only stalled: it commits its oldest batch at that batch's `now`. The version
 * fence lets through only rows nobody has written since the claim.
 */
async function lateCommit(m: ReferenceModel, w: World): Promise<void> {
  const zombie = w.zombies.shift();
  if (zombie === undefined) return;
  const fresh = zombie.claimed.filter((row) => m.enrollments.get(row.id)?.version === row.version);
  const result = await applyClaimed(w.deps, zombie.claimed, zombie.now);
  expect(result).toEqual({ written: fresh.length, stale: zombie.claimed.length - fresh.length });
  for (const row of fresh) m.tick(m.enrollments.get(row.id) as ModelEnrollment, zombie.now);
  saw(w, 'late commit landed', fresh.length);
  saw(w, 'late commit fenced off', zombie.claimed.length - fresh.length);
}

/** A command: the engine call and the model's step, then the full check. */
function command(label: string, body: (m: ReferenceModel, w: World) => Promise<void>): Cmd {
  return {
    check: () => true,
    async run(m, w) {
      await body(m, w);
      await verify(m, w);
    },
    toString: () => label,
  };
}

const actor = (w: World) => w.ownerId;

const [connect, advance, work, send, signal, sellerAction, pauseResume, disconnect, crash, late] = [
  fc.uniqueArray(fc.nat(RECORDS - 1), { minLength: 1, maxLength: 3 }).map((picks) =>
    command(`connect(${picks.join(',')})`, async (m, w) => {
      const recordIds = picks.map((i) => w.recordIds[i] as string);
      const result = await connectRecords(w.deps, {
        sequenceId: w.sequenceId,
        recordIds,
        actor: { id: w.ownerId, role: 'admin' },
      });
      for (const recordId of recordIds) {
        const busy = m.running(recordId) !== undefined;
        const enrolled = result.enrolled.find((x) => x.recordId === recordId);
        const rejected = result.rejected.find((x) => x.recordId === recordId);
        if (busy) expect(rejected?.code).toBe('already_enrolled');
        else {
          expect(enrolled, `record ${recordId}`).toBeDefined();
          m.connect(enrolled?.enrollmentId as string, recordId);
        }
      }
    }),
  ),
  fc
    .oneof(
      fc.integer({ min: 1, max: 120 }).map((n) => n * MINUTE),
      fc.integer({ min: 1, max: 30 }).map((n) => n * HOUR),
      fc.integer({ min: 1, max: 3 }).map((n) => n * DAY),
    )
    .map((ms) => command(`advance(${ms / MINUTE}min)`, async (m, w) => setClock(m, w, m.now + ms))),
  fc.constant(command('runWorker', runWorker)),
  fc.constant(command('deliverOutbox', deliver)),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('opened' as const, 'opened' as const, 'opened' as const, 'replied' as const),
    )
    .map(([i, kind]) =>
      command(`signal(${i}, ${kind})`, async (m, w) => {
        const e = nth(m, i);
        if (e === undefined) return;
        const result = await applyEvents(w.deps, [
          {
            enrollmentId: e.id,
            event: {
              type: 'signal',
              signal: kind === 'opened' ? 'email_opened' : 'email_replied',
              stepId: 'a1',
              at: m.now,
            },
          },
        ]);
        expect(result.results[0]?.outcome).toBe(m.signal(e, kind) ? 'applied' : 'unchanged');
      }),
    ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('p1', 't1'),
      fc.constantFrom('complete' as const, 'skip' as const),
      fc.constantFrom('answered' as const, 'no_answer' as const, 'left_voicemail' as const),
    )
    .map(([i, stepId, action, outcome]) =>
      command(`${action}(${i}, ${stepId}${action === 'complete' ? `, ${outcome}` : ''})`, async (m, w) => {
        const e = nth(m, i);
        if (e === undefined) return;
        const withOutcome = action === 'complete' && stepId === 'p1';
        const result = await applyEvents(w.deps, [
          {
            enrollmentId: e.id,
            event:
              action === 'complete'
                ? {
                    type: 'step_completed',
                    stepId,
                    actorId: actor(w),
                    ...(withOutcome ? { outcome } : {}),
                  }
                : { type: 'step_skipped', stepId, actorId: actor(w) },
          },
        ]);
        const applied =
          action === 'complete' ? m.complete(e, stepId, withOutcome ? outcome : null) : m.skip(e, stepId);
        expect(result.results[0]?.outcome).toBe(applied ? 'applied' : 'unchanged');
      }),
    ),
  fc.tuple(fc.nat(), fc.constantFrom('pause' as const, 'resume' as const)).map(([i, type]) =>
    command(`${type}(${i})`, async (m, w) => {
      const e = nth(m, i);
      if (e === undefined) return;
      const result = await applyEvents(w.deps, [{ enrollmentId: e.id, event: { type } }]);
      const applied = type === 'pause' ? m.pause(e) : m.resume(e);
      expect(result.results[0]?.outcome).toBe(applied ? 'applied' : 'unchanged');
    }),
  ),
  fc.nat(RECORDS - 1).map((r) =>
    command(`disconnect(record ${r})`, async (m, w) => {
      const recordId = w.recordIds[r] as string;
      const e = m.running(recordId);
      const result = await disconnectRecords(w.deps, {
        sequenceId: w.sequenceId,
        recordIds: [recordId],
        actorId: actor(w),
      });
      const applied = e !== undefined && m.disconnect(e);
      expect(result.disconnected).toEqual(applied ? [recordId] : []);
    }),
  ),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([limit, restart]) =>
    command(
      `crashWorkerAtNextDue(claims ${limit}${restart ? ', restart past the lease' : ''})`,
      async (m, w) => {
        // The clock moves on to the next due time (if any is ahead), and a worker claims a batch with a
        // lease there and dies before committing anything.
        const next = Math.min(
          ...[...m.enrollments.values()].flatMap((e) => (e.dueAt === null ? [] : [e.dueAt])),
        );
        if (Number.isFinite(next) && next > m.now) setClock(m, w, next);
        const eligible = new Map(m.claimable(m.now).map((e) => [e.id, e]));
        const claimed = await w.deps.store.engine.claimDue(m.now, limit, 'crashed', m.now + LEASE_MS);
        expect(claimed.length).toBe(Math.min(limit, eligible.size));
        for (const row of claimed) {
          const e = eligible.get(row.id);
          expect(e, `claimed ${row.id}`).toBeDefined();
          expect(row.version).toBe(e?.version);
          if (e !== undefined) e.leaseUntil = m.now + LEASE_MS;
        }
        if (claimed.length > 0) w.zombies.push({ now: m.now, claimed });
        saw(w, 'claimed by a crashed worker', claimed.length);
        if (restart) {
          setClock(m, w, m.now + LEASE_MS + 1);
          await runWorker(m, w);
        }
      },
    ),
  ),
  fc.constant(command('crashedWorkerCommitsLate', lateCommit)),
] as const;

/** Repeats weigh the mix towards what moves enrollments along (fc.commands picks uniformly). */
const commands = [
  ...[connect, connect, connect],
  ...[advance, advance, advance],
  ...[work, work, work],
  ...[send, send, send],
  ...[signal, signal],
  ...[sellerAction, sellerAction, sellerAction],
  pauseResume,
  disconnect,
  ...[crash, crash, crash],
  ...[late, late],
];

forEachDialect('engine model', (t) => {
  it('matches the reference model under random commands, and every enrollment ends', async () => {
    const raw = openRawConnection(t.database());
    let run = 0;
    const seen = new Map<string, number>();
    try {
      const property = fc.asyncProperty(
        fc.commands(commands, { maxCommands: 60, size: 'max' }),
        async (cmds) => {
          run += 1;
          const start = T0 + run * 60 * DAY;
          // Rows of an earlier (failed, shrinking) run must not be claimed by this one.
          await raw.query(
            `UPDATE enrollments SET status = 'error', due_at = NULL, exclusive_slot = NULL
              WHERE status IN ('active', 'paused')`,
          );
          const deps = engineDeps(t.store(), {}, start);
          const owner = await aUser(deps.store, 'admin', { workingHours: ALWAYS_OPEN_HOURS });
          const sequenceId = await activeSequence(deps.store, owner.id, MODEL_SEQUENCE);
          const recordIds = await someRecords(deps.store, owner.id, RECORDS);
          const world: World = { deps, raw, ownerId: owner.id, sequenceId, recordIds, zombies: [], seen };
          const model = new ReferenceModel(start);
          await fc.asyncModelRun(() => ({ model, real: world }), cmds);
          await finishAll(model, world);
        },
      );
      await fc.assert(property, {
        numRuns: NUM_RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        verbose: 1,
      });
    } finally {
      await raw.close();
    }
    // Every rule of the sequence was exercised somewhere in the runs (late commits are rarer: printed).
    const tally = Object.fromEntries([...seen.entries()].sort());
    console.info(`[${t.dialect}] engine model: ${run} runs, ${JSON.stringify(tally)}`);
    for (const what of [
      'ended completed',
      'ended exit_on_reply',
      'ended user_disconnected',
      'c1 completed yes',
      'c1 completed no',
      'p1 skipped',
      'a2 completed',
      'claimed by a crashed worker',
    ]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
    }
  }, 240_000);
});

/** Past every deadline and lease, with paused enrollments resumed and open steps completed. */
async function finishAll(m: ReferenceModel, w: World): Promise<void> {
  // The stalled workers come back first (their batches are stale by now, or land harmlessly).
  while (w.zombies.length > 0) await lateCommit(m, w);
  for (let round = 0; round < 6; round++) {
    for (const e of m.enrollments.values()) {
      if (e.status === 'paused') {
        await applyEvents(w.deps, [{ enrollmentId: e.id, event: { type: 'resume' } }]);
        m.resume(e);
      }
      if (e.status === 'active' && e.phase === 'open' && e.stepId !== null) {
        const stepId = e.stepId;
        await applyEvents(w.deps, [{ enrollmentId: e.id, event: { type: 'step_completed', stepId } }]);
        m.complete(e, stepId, null);
      }
    }
    await deliver(m, w);
    setClock(m, w, m.now + 2 * DAY);
    await runWorker(m, w);
    await verify(m, w);
  }
  for (const e of m.enrollments.values()) {
    expect(['completed', 'disconnected'], `enrollment ${e.id} ended`).toContain(e.status);
  }
  const ids = [...m.enrollments.keys()];
  for (const e of m.enrollments.values()) {
    saw(w, `ended ${e.endReason}`);
    for (const step of e.steps)
      saw(w, `${step.stepId} ${step.state}${step.outcome === null ? '' : ` ${step.outcome}`}`);
  }
  const running = await w.raw.query<{ id: string }>(
    `SELECT id FROM enrollments WHERE id IN ${inList(ids)} AND status IN ('active', 'paused')`,
  );
  expect(running).toEqual([]);
}
