// Signals on both dialects: dedupe by id, resolution by outbox key / Message-ID hash / record, exit on
// reply, bounce and unsubscribe ending all of a record's enrollments and suppressing its address, the
// per-step counters (first per step instance only), unknown signals counted, and a 1,000-signal batch.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { SequenceDefinition } from '../domain/definition.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { applyEvents, disconnectRecords } from './apply-events.js';
import { connectRecords } from './connect.js';
import { emailKey, stepRowId } from './enrollment-commit.js';
import { runDue } from './scheduler.js';
import { ingestSignals } from './signals.js';
import { isSuppressed, listSuppressions } from './suppression.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
  T0,
} from './test-support/engine-world.js';
import { countOf, rawQuery } from './test-support/raw-db.js';

/** automated email → replied within P2D? yes: call; no: task. */
function emailThenCondition(exitOnReply: boolean, moveOnSignal = false): SequenceDefinition {
  return definition(
    [
      { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 'c1' },
      {
        id: 'c1',
        type: 'condition',
        if: { signal: 'email_replied', step: 'a1' },
        within: 'P2D',
        ...(moveOnSignal && { moveOnSignal }),
        yes: 'p1',
        no: 't1',
      },
      { id: 'p1', type: 'phone_call', name: 'Book the meeting' },
      { id: 't1', type: 'task', name: 'Try another contact' },
    ],
    { exitOnReply },
  );
}

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/** Records connected to a sequence whose first email has been sent (seq 1). */
async function world(
  t: T,
  opts: { exitOnReply?: boolean; moveOnSignal?: boolean; count?: number; parallel?: boolean } = {},
) {
  const deps = engineDeps(t.store(), { allowParallelEnrollments: opts.parallel ?? false });
  const owner = await aUser(deps.store, 'admin');
  const sequenceId = await activeSequence(
    deps.store,
    owner.id,
    emailThenCondition(opts.exitOnReply ?? false, opts.moveOnSignal ?? false),
  );
  const recordIds = await someRecords(deps.store, owner.id, opts.count ?? 1);
  for (const [i, id] of recordIds.entries()) {
    if (i < 5) await deps.store.records.update(id, { email: `Lead.${i}@Example.com` }, T0);
  }
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds,
    actor: { id: owner.id, role: 'admin' },
  });
  const ids = connected.enrolled.map((e) => e.enrollmentId);
  await applyEvents(
    deps,
    ids.map((enrollmentId) => ({
      enrollmentId,
      event: { type: 'email_sent', stepId: 'a1', seq: 1, at: T0 } as const,
    })),
  );
  return { deps, owner, sequenceId, recordIds, ids };
}

async function statusOf(deps: ReturnType<typeof engineDeps>, id: string) {
  const e = await deps.store.enrollments.get(id);
  return `${e?.status}${e?.endReason ? `:${e.endReason}` : ''}`;
}

forEachDialect('ingestSignals', (t) => {
  it('dedupes by id; counts only the first open per step instance; stores every accepted signal', async () => {
    const w = await world(t);
    const enrollmentId = w.ids[0] as string;
    const key = emailKey(enrollmentId, 1);
    expect(
      await ingestSignals(w.deps, [
        { id: 'o-1', type: 'email_opened', messageId: key },
        { id: 'o-1', type: 'email_opened', messageId: key },
      ]),
    ).toEqual({ accepted: 1, duplicates: 1, unknown: 0 });
    expect(await ingestSignals(w.deps, [{ id: 'o-1', type: 'email_opened', messageId: key }])).toEqual({
      accepted: 0,
      duplicates: 1,
      unknown: 0,
    });
    // Another open of the same email: stored, not counted again; a click counts once.
    expect(
      await ingestSignals(w.deps, [
        { id: 'o-2', type: 'email_opened', messageId: key },
        {
          type: 'email_clicked',
          stepRowId: stepRowId(enrollmentId, 1),
          data: { url: 'https://example.com' },
        },
      ]),
    ).toEqual({ accepted: 2, duplicates: 0, unknown: 0 });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'a1/email_opened': 1,
      'a1/email_clicked': 1,
    });
    expect(await countOf(t, 'SELECT count(*) AS n FROM signals')).toBe(3);
    const [row] = await rawQuery<{ message_key: string; enrollment_id: string; record_id: string }>(
      t,
      `SELECT message_key, enrollment_id, record_id FROM signals WHERE dedupe_key = 'o-1'`,
    );
    expect(row).toEqual({ message_key: key, enrollment_id: enrollmentId, record_id: w.recordIds[0] });
  });

  it('a reply with exitOnReply ends the enrollment (exit_on_reply); found by our Message-ID hash', async () => {
    const w = await world(t, { exitOnReply: true });
    const enrollmentId = w.ids[0] as string;
    const hash = '0123456789abcdef0123456789abcdef';
    await rawQuery(
      t,
      `UPDATE outbox SET message_key_hash = '${hash}' WHERE idempotency_key = '${emailKey(enrollmentId, 1)}'`,
    );
    expect(
      await ingestSignals(w.deps, [
        { id: 'r-1', type: 'email_replied', messageId: `<sw.${hash}@mail.example.com>` },
      ]),
    ).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
    expect(await statusOf(w.deps, enrollmentId)).toBe('disconnected:exit_on_reply');
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'a1/email_replied': 1,
      '/ended:exit_on_reply': 1,
    });
    // The hash alone works too, and a repeat changes nothing.
    expect(await ingestSignals(w.deps, [{ type: 'email_replied', messageId: hash }])).toMatchObject({
      accepted: 1,
    });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_replied': 1 });
  });

  it('without exitOnReply, a reply known only by its record lands on the latest sent email: the condition says yes', async () => {
    const w = await world(t, { exitOnReply: false });
    const enrollmentId = w.ids[0] as string;
    const before = await w.deps.store.engine.load([enrollmentId]);
    w.deps.clock.advance(HOUR);
    expect(
      await ingestSignals(w.deps, [{ id: 'rr1', type: 'email_replied', recordId: w.recordIds[0] as string }]),
    ).toMatchObject({ accepted: 1 });
    expect(await statusOf(w.deps, enrollmentId)).toBe('active');
    // The record's only running enrollment: stored with its email step, not applied.
    expect((await w.deps.store.engine.load([enrollmentId]))[0]?.version).toBe(before[0]?.version);
    expect(await rawQuery(t, `SELECT enrollment_id, step_id FROM signals WHERE dedupe_key = 'rr1'`)).toEqual([
      { enrollment_id: enrollmentId, step_id: 'a1' },
    ]);
    w.deps.clock.set(T0 + 2 * DAY);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    const steps = await w.deps.store.enrollments.listSteps(enrollmentId);
    expect(steps.map((s) => `${s.stepId}:${s.state}${s.outcome ? `:${s.outcome}` : ''}`)).toEqual([
      'a1:completed',
      'c1:completed:yes',
      'p1:open',
    ]);
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_replied': 1 });
  });

  it('stores a reply that only adds a fact (no write to the enrollment) and the condition reads it at its deadline', async () => {
    const w = await world(t, { exitOnReply: false, count: 2 });
    const [first, second] = w.ids as [string, string];
    const before = await w.deps.store.engine.load([first]);
    w.deps.clock.advance(HOUR);
    const replyAt = w.deps.clock.now();
    await ingestSignals(w.deps, [{ id: 'r1', type: 'email_replied', messageId: emailKey(first, 1) }]);
    // Not applied: same version, no fact in the state; stored with its step for the condition.
    const after = await w.deps.store.engine.load([first]);
    expect(after[0]?.version).toBe(before[0]?.version);
    expect(after[0]?.state.facts).toEqual({});
    expect(
      await rawQuery(t, `SELECT enrollment_id, step_id, at FROM signals WHERE dedupe_key = 'r1'`),
    ).toEqual([{ enrollment_id: first, step_id: 'a1', at: replyAt }]);
    w.deps.clock.set(T0 + 2 * DAY);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    const branch = async (id: string) =>
      (await w.deps.store.enrollments.listSteps(id)).map((s) => `${s.stepId}:${s.outcome ?? s.state}`);
    expect(await branch(first)).toEqual(['a1:completed', 'c1:yes', 'p1:open']);
    expect(await branch(second)).toEqual(['a1:completed', 'c1:no', 't1:open']);
    // The fact is now part of the state; a reply that comes after the decision changes nothing.
    expect((await w.deps.store.engine.load([first]))[0]?.state.facts).toEqual({ a1: { replied: replyAt } });
    await ingestSignals(w.deps, [{ type: 'email_replied', messageId: emailKey(second, 1) }]);
    w.deps.clock.advance(DAY);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect(await branch(second)).toEqual(['a1:completed', 'c1:no', 't1:open']);
  });

  it('a fact that happened earlier but came later counts at its own time; an attachment opened is a fact too', async () => {
    const w = await world(t, { exitOnReply: false, count: 1 });
    const [first] = w.ids as [string];
    w.deps.clock.advance(3 * HOUR);
    // The later reply comes first, then an earlier one (a provider's delayed webhook), then a repeat.
    await ingestSignals(w.deps, [
      { id: 'late', type: 'email_replied', messageId: emailKey(first, 1), at: T0 + 2 * HOUR },
    ]);
    await ingestSignals(w.deps, [
      { id: 'early', type: 'email_replied', messageId: emailKey(first, 1), at: T0 + HOUR },
      { id: 'again', type: 'email_replied', messageId: emailKey(first, 1), at: T0 + 150 * 60_000 },
    ]);
    expect(await w.deps.store.signals.facts([{ id: first }])).toEqual([
      { enrollmentId: first, stepId: 'a1', type: 'email_replied', at: T0 + HOUR },
    ]);
    // Counted once, as the first reply of that email.
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_replied': 1 });
    w.deps.clock.set(T0 + 2 * DAY);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect((await w.deps.store.engine.load([first]))[0]?.state.facts).toEqual({ a1: { replied: T0 + HOUR } });

    // A condition on an opened attachment decides from the stored fact.
    const owner = await aUser(w.deps.store, 'admin');
    const attachment = await activeSequence(
      w.deps.store,
      owner.id,
      definition([
        { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 'c1' },
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_attachment_opened', step: 'a1' },
          within: 'P2D',
          yes: 'p1',
          no: 't1',
        },
        { id: 'p1', type: 'phone_call', name: 'Call about the brochure' },
        { id: 't1', type: 'task', name: 'Send another' },
      ]),
    );
    const [record] = await someRecords(w.deps.store, owner.id, 1);
    const connected = await connectRecords(w.deps, {
      sequenceId: attachment,
      recordIds: [record as string],
      actor: { id: owner.id, role: 'admin' },
    });
    const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
    const sentAt = w.deps.clock.now();
    await applyEvents(w.deps, [
      { enrollmentId, event: { type: 'email_sent', stepId: 'a1', seq: 1, at: sentAt } },
    ]);
    w.deps.clock.advance(HOUR);
    await ingestSignals(w.deps, [{ type: 'email_attachment_opened', messageId: emailKey(enrollmentId, 1) }]);
    // Stored, not applied: the state has no fact until the condition decides.
    expect((await w.deps.store.engine.load([enrollmentId]))[0]?.state.facts).toEqual({});
    w.deps.clock.set(sentAt + 2 * DAY);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect((await w.deps.store.enrollments.listSteps(enrollmentId)).map((s) => s.outcome ?? s.state)).toEqual(
      ['completed', 'yes', 'open'],
    );
  });

  it('migration 0010 carries the facts stored before it over to signal_step_firsts, each at its earliest time', async () => {
    const w = await world(t, { exitOnReply: false, count: 1 });
    const [first] = w.ids as [string];
    w.deps.clock.advance(3 * HOUR);
    await ingestSignals(w.deps, [
      { type: 'email_replied', messageId: emailKey(first, 1), at: T0 + 2 * HOUR },
      { type: 'email_replied', messageId: emailKey(first, 1), at: T0 + HOUR },
      { type: 'email_attachment_opened', messageId: emailKey(first, 1), at: T0 + 30 * 60_000 },
    ]);
    // As before 0010: no row for an opened attachment, and the reply's row at the first one to come.
    await rawQuery(t, `DELETE FROM signal_step_firsts WHERE counter = 'email_attachment_opened'`);
    await rawQuery(t, `UPDATE signal_step_firsts SET at = ${T0 + 2 * HOUR} WHERE counter = 'email_replied'`);
    const file = new URL(`../storage/${t.dialect}/migrations/0010_facts_from_firsts.sql`, import.meta.url);
    const carryOver = readFileSync(file, 'utf8').split('DROP INDEX')[0] as string;
    await rawQuery(t, carryOver);
    const facts = await w.deps.store.signals.facts([{ id: first }]);
    expect(facts.sort((a, b) => a.at - b.at)).toEqual([
      { enrollmentId: first, stepId: 'a1', type: 'email_attachment_opened', at: T0 + 30 * 60_000 },
      { enrollmentId: first, stepId: 'a1', type: 'email_replied', at: T0 + HOUR },
    ]);
  });

  it('applies at once a signal a moveOnSignal condition waits for', async () => {
    const w = await world(t, { exitOnReply: false, moveOnSignal: true });
    const enrollmentId = w.ids[0] as string;
    w.deps.clock.advance(HOUR);
    await ingestSignals(w.deps, [{ type: 'email_replied', messageId: emailKey(enrollmentId, 1) }]);
    const steps = await w.deps.store.enrollments.listSteps(enrollmentId);
    expect(steps.map((s) => `${s.stepId}:${s.outcome ?? s.state}`)).toEqual([
      'a1:completed',
      'c1:yes',
      'p1:open',
    ]);
    expect(await rawQuery(t, 'SELECT step_id FROM signals')).toEqual([{ step_id: null }]);
  });

  it('a reply by record reaching two running enrollments is applied to each at once, not stored for one', async () => {
    const w = await world(t, { parallel: true });
    const recordId = w.recordIds[0] as string;
    const second = await activeSequence(w.deps.store, w.owner.id, emailThenCondition(false));
    const other = await connectRecords(w.deps, {
      sequenceId: second,
      recordIds: [recordId],
      actor: { id: w.owner.id, role: 'admin' },
    });
    const otherId = other.enrolled[0]?.enrollmentId as string;
    await applyEvents(w.deps, [
      { enrollmentId: otherId, event: { type: 'email_sent', stepId: 'a1', seq: 1, at: T0 } },
    ]);
    w.deps.clock.advance(HOUR);
    const at = w.deps.clock.now();
    expect(await ingestSignals(w.deps, [{ id: 'rr2', type: 'email_replied', recordId }])).toMatchObject({
      accepted: 1,
    });
    const states = await w.deps.store.engine.load([w.ids[0] as string, otherId]);
    expect(states.map((e) => e.state.facts)).toEqual([{ a1: { replied: at } }, { a1: { replied: at } }]);
    expect(await rawQuery(t, `SELECT step_id FROM signals WHERE dedupe_key = 'rr2'`)).toEqual([
      { step_id: null },
    ]);
  });

  it('a hard bounce ends every running enrollment of the record and suppresses its address', async () => {
    const w = await world(t, { parallel: true });
    const recordId = w.recordIds[0] as string;
    const second = await activeSequence(w.deps.store, w.owner.id, definition([{ id: 't1', type: 'task' }]));
    const other = await connectRecords(w.deps, {
      sequenceId: second,
      recordIds: [recordId],
      actor: { id: w.owner.id, role: 'admin' },
    });
    const otherId = other.enrolled[0]?.enrollmentId as string;
    expect(
      await ingestSignals(w.deps, [
        { id: 'b-1', type: 'email_bounced', messageId: emailKey(w.ids[0] as string, 1) },
      ]),
    ).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
    expect(await statusOf(w.deps, w.ids[0] as string)).toBe('disconnected:bounced');
    expect(await statusOf(w.deps, otherId)).toBe('disconnected:bounced');
    expect(await isSuppressed(w.deps, ' LEAD.0@example.COM ')).toBe(true);
    expect((await listSuppressions(w.deps)).items).toMatchObject([
      { email: 'lead.0@example.com', reason: 'bounced', source: 'signal' },
    ]);
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_bounced': 1 });
    expect(await statsOf(w.deps.store, second)).toMatchObject({ '/ended:bounced': 1 });
  });

  it('an unsubscribe by record ends its enrollments (paused ones too) and suppresses the address', async () => {
    const w = await world(t, { count: 2 });
    const r0 = w.recordIds[0] as string;
    await applyEvents(w.deps, [{ enrollmentId: w.ids[0] as string, event: { type: 'pause' } }]);
    expect(await ingestSignals(w.deps, [{ type: 'email_unsubscribed', recordId: r0 }])).toMatchObject({
      accepted: 1,
    });
    expect(await statusOf(w.deps, w.ids[0] as string)).toBe('disconnected:unsubscribed');
    expect(await statusOf(w.deps, w.ids[1] as string)).toBe('active');
    expect(await isSuppressed(w.deps, 'lead.0@example.com')).toBe(true);
    expect(await isSuppressed(w.deps, 'lead.1@example.com')).toBe(false);
    expect((await listSuppressions(w.deps)).items).toMatchObject([{ reason: 'unsubscribed' }]);
  });

  it("a bounce ends the running enrollments of every record with that address, the others' too, once", async () => {
    const w = await world(t, { count: 3 });
    const [r0 = '', r1 = ''] = w.recordIds;
    // Record 1 is the same person as record 0 (another case); record 2 has its own address.
    await w.deps.store.records.update(r1, { email: 'Lead.0@Example.com' }, T0);
    expect(
      await ingestSignals(w.deps, [
        { id: 'b-1', type: 'email_bounced', messageId: emailKey(w.ids[0] as string, 1) },
        { id: 'b-2', type: 'email_bounced', recordId: r0 },
      ]),
    ).toMatchObject({ accepted: 2 });
    expect(await statusOf(w.deps, w.ids[0] as string)).toBe('disconnected:bounced');
    expect(await statusOf(w.deps, w.ids[1] as string)).toBe('disconnected:bounced');
    expect(await statusOf(w.deps, w.ids[2] as string)).toBe('active');
    // Counted once, on the email that bounced: the other record's enrollment is ended, not counted.
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'a1/email_bounced': 1,
      '/ended:bounced': 2,
    });
  });

  it('a signal by record after its enrollments ended counts on the last email of the newest one, and changes nothing', async () => {
    const w = await world(t, { count: 2 });
    const [first, idle] = w.recordIds as [string, string];
    const firstRun = w.ids[0] as string;
    // The first record ran twice: disconnected, reconnected (its email sent again), disconnected again.
    await disconnectRecords(w.deps, { sequenceId: w.sequenceId, recordIds: [first], actorId: w.owner.id });
    const again = await connectRecords(w.deps, {
      sequenceId: w.sequenceId,
      recordIds: [first],
      actor: { id: w.owner.id, role: 'admin' },
    });
    const secondRun = again.enrolled[0]?.enrollmentId as string;
    await applyEvents(w.deps, [
      { enrollmentId: secondRun, event: { type: 'email_sent', stepId: 'a1', seq: 1, at: T0 } },
    ]);
    await disconnectRecords(w.deps, { sequenceId: w.sequenceId, recordIds: [first], actorId: w.owner.id });
    const before = await w.deps.store.engine.load([firstRun, secondRun]);

    expect(
      await ingestSignals(w.deps, [
        { id: 'late-open', type: 'email_opened', recordId: first },
        { id: 'late-bounce', type: 'email_bounced', recordId: first },
      ]),
    ).toEqual({ accepted: 2, duplicates: 0, unknown: 0 });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'a1/email_opened': 1,
      'a1/email_bounced': 1,
    });
    // Counted on the newer run's email (its step instance), never delivered to either ended enrollment.
    expect(await rawQuery(t, 'SELECT step_row_id, counter FROM signal_step_firsts ORDER BY counter')).toEqual(
      [
        { step_row_id: stepRowId(secondRun, 1), counter: 'email_bounced' },
        { step_row_id: stepRowId(secondRun, 1), counter: 'email_opened' },
      ],
    );
    expect(
      await rawQuery(t, `SELECT enrollment_id FROM signals WHERE dedupe_key IN ('late-open', 'late-bounce')`),
    ).toEqual([{ enrollment_id: secondRun }, { enrollment_id: secondRun }]);
    expect((await w.deps.store.engine.load([firstRun, secondRun])).map((e) => e.version)).toEqual(
      before.map((e) => e.version),
    );
    expect(await statusOf(w.deps, secondRun)).toBe('disconnected:user_disconnected');

    // The other record still runs: its open by record counts as before.
    expect(await ingestSignals(w.deps, [{ id: 'open-idle', type: 'email_opened', recordId: idle }])).toEqual({
      accepted: 1,
      duplicates: 0,
      unknown: 0,
    });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_opened': 2 });
  });

  it('a signal by a record that never ran in a sequence is stored and counted nowhere', async () => {
    const w = await world(t);
    const [never] = await someRecords(w.deps.store, w.owner.id, 1);
    expect(
      await ingestSignals(w.deps, [{ id: 'never-open', type: 'email_opened', recordId: never as string }]),
    ).toEqual({ accepted: 1, duplicates: 0, unknown: 0 });
    expect((await statsOf(w.deps.store, w.sequenceId))['a1/email_opened']).toBeUndefined();
    expect(await countOf(t, 'SELECT count(*) AS n FROM signal_step_firsts')).toBe(0);
  });

  it('counts unknown records and messages without failing the batch', async () => {
    const w = await world(t);
    expect(
      await ingestSignals(w.deps, [
        { type: 'email_opened', recordId: 'rec_nope' },
        { type: 'email_opened', messageId: 'enr_nope:1' },
        { type: 'email_opened', messageId: 'ffffffffffffffffffffffffffffffff' },
        { type: 'email_clicked', messageId: 'out_nope' },
        { type: 'email_replied', enrollmentId: 'enr_nope' },
        { type: 'linkedin_connection_accepted', recordId: w.recordIds[0] as string },
      ]),
    ).toEqual({ accepted: 1, duplicates: 0, unknown: 5 });
    expect(await countOf(t, 'SELECT count(*) AS n FROM signals')).toBe(1);
  });

  it('concurrent batches sharing ids: each id stored and counted once, each caller told what became of its own', async () => {
    const w = await world(t, { count: 40 });
    // Four requests at once (they share one transaction); ids 10–29 are in two requests each.
    const batches = [0, 10, 20, 30].map((from) =>
      Array.from({ length: 20 }, (_, k) => {
        const i = (from + k) % 40;
        return { id: `c-${i}`, type: 'email_opened' as const, messageId: emailKey(w.ids[i] as string, 1) };
      }),
    );
    const results = await Promise.all(batches.map((batch) => ingestSignals(w.deps, batch)));
    for (const r of results) expect(r.accepted + r.duplicates).toBe(20);
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(40);
    expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(40);
    expect(await countOf(t, 'SELECT count(*) AS n FROM signals')).toBe(40);
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_opened': 40 });
  });

  it('counts each signal on the version its enrollment runs, also once the sequence has a second one', async () => {
    const w = await world(t, { count: 2 });
    const [first, second] = w.ids as [string, string];
    // One version: read from sequence_versions, not from the enrollment.
    await ingestSignals(w.deps, [{ id: 'v1-open', type: 'email_opened', messageId: emailKey(first, 1) }]);
    await w.deps.store.sequences.createVersion({
      sequenceId: w.sequenceId,
      version: 2,
      definition: emailThenCondition(false),
      createdAt: T0,
    });
    await w.deps.store.sequences.updateVersion(w.sequenceId, 2, { activatedAt: T0 });
    await w.deps.store.sequences.update(w.sequenceId, { activeVersion: 2 }, T0);
    const [record] = await someRecords(w.deps.store, w.owner.id, 1);
    const connected = await connectRecords(w.deps, {
      sequenceId: w.sequenceId,
      recordIds: [record as string],
      actor: { id: w.owner.id, role: 'admin' },
    });
    const third = connected.enrolled[0]?.enrollmentId as string;
    await applyEvents(w.deps, [
      { enrollmentId: third, event: { type: 'email_sent', stepId: 'a1', seq: 1, at: T0 } },
    ]);
    // Two versions: each enrollment's own, by message key and by record (its latest sent email).
    await ingestSignals(w.deps, [
      { id: 'v1-click', type: 'email_clicked', messageId: emailKey(second, 1) },
      { id: 'v2-open', type: 'email_opened', recordId: record as string },
    ]);
    const stats = await w.deps.store.engine.stepStats(w.sequenceId);
    const signalStats = stats
      .filter((s) => s.counter === 'email_opened' || s.counter === 'email_clicked')
      .map(({ version, stepId, counter, value }) => `${version}/${stepId}/${counter}=${value}`)
      .sort();
    // The second enrollment's email was only clicked: a click counts as an open too.
    expect(signalStats).toEqual(['1/a1/email_clicked=1', '1/a1/email_opened=2', '2/a1/email_opened=1']);
  });

  it('counts a click as an open of the same email, once: pixels are often blocked, links are not', async () => {
    const w = await world(t, { count: 3 });
    const [clickedOnly, clickedThenOpened, openedThenClicked] = w.ids as [string, string, string];
    await ingestSignals(w.deps, [
      { id: 'c-1', type: 'email_clicked', messageId: emailKey(clickedOnly, 1), at: T0 - 90 },
      { id: 'c-2', type: 'email_clicked', messageId: emailKey(clickedThenOpened, 1), at: T0 - 90 },
      { id: 'o-3', type: 'email_opened', messageId: emailKey(openedThenClicked, 1), at: T0 - 95 },
    ]);
    await ingestSignals(w.deps, [
      { id: 'o-2', type: 'email_opened', messageId: emailKey(clickedThenOpened, 1), at: T0 - 80 },
      { id: 'c-3', type: 'email_clicked', messageId: emailKey(openedThenClicked, 1), at: T0 - 70 },
    ]);
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'a1/email_opened': 3,
      'a1/email_clicked': 3,
    });
    // The open a condition reads is the earliest proof: the click's time when it came first.
    const facts = await w.deps.store.signals.facts(
      [clickedOnly, clickedThenOpened, openedThenClicked].map((id) => ({ id })),
    );
    const opened = Object.fromEntries(
      facts.filter((f) => f.type === 'email_opened').map((f) => [f.enrollmentId, f.at]),
    );
    expect(opened).toEqual({
      [clickedOnly]: T0 - 90,
      [clickedThenOpened]: T0 - 90,
      [openedThenClicked]: T0 - 95,
    });
  });

  it('takes a batch of 1,000 signals in one call, and a repeat of it as 1,000 duplicates', async () => {
    const w = await world(t, { count: 1000 });
    expect(w.ids).toHaveLength(1000);
    const batch = w.ids.map((enrollmentId, i) => ({
      id: `open-${i}`,
      type: 'email_opened' as const,
      messageId: emailKey(enrollmentId, 1),
    }));
    expect(await ingestSignals(w.deps, batch)).toEqual({ accepted: 1000, duplicates: 0, unknown: 0 });
    expect(await ingestSignals(w.deps, batch)).toEqual({ accepted: 0, duplicates: 1000, unknown: 0 });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'a1/email_opened': 1000 });
    const replies = w.ids.map((enrollmentId, i) => ({
      id: `reply-${i}`,
      type: 'email_replied' as const,
      messageId: emailKey(enrollmentId, 1),
    }));
    expect(await ingestSignals(w.deps, replies)).toMatchObject({ accepted: 1000 });
    w.deps.clock.set(T0 + 2 * DAY);
    await runDue(w.deps, { batchSize: 500, leaseOwner: 'test' });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'c1/yes': 1000,
      'a1/email_replied': 1000,
    });
  });
});
