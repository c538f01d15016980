// A sequence's figures per seller on both dialects: each enrollment counts for its owner, by status and end
// reason (a reply, a bounce, an unsubscribe, a disconnect, a completion); a record's new owner takes over its
// running enrollment but not its ended ones; one version's, one seller's; and the team's rows add up to the
// sequence's own stats (whose end reasons are step_stats counters: two sources that must agree).
import { expect, it } from 'vitest';
import { END_REASONS, type EndReason } from '../../domain/enrollment.js';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { applyEvents, disconnectRecords } from '../apply-events.js';
import { connectRecords } from '../connect.js';
import { emailKey } from '../enrollment-commit.js';
import { changeRecordOwner } from '../record-lifecycle.js';
import { completeStep } from '../seller-actions.js';
import { ingestSignals } from '../signals.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  someRecords,
  T0,
} from '../test-support/engine-world.js';
import { getSellerStats, type SellerStatsRow } from './seller-stats.js';
import { getSequenceStats } from './sequence-stats.js';

const reasons = (counts: Partial<Record<EndReason, number>> = {}) =>
  Object.fromEntries(END_REASONS.map((reason) => [reason, counts[reason] ?? 0])) as Record<EndReason, number>;

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/**
 * Ada has 4 records and Bob 3 in an exit-on-reply sequence (automated email, then a task), each email sent.
 * Ada's: one replies, one bounces, one runs on, and one goes to Bob while it runs. Bob's: one unsubscribes,
 * one is disconnected, and one completes the task, then goes to Ada once ended.
 */
async function team(t: T) {
  const deps = engineDeps(t.store());
  const admin = await aUser(deps.store, 'admin');
  const ada = await aUser(deps.store, 'salesperson', { name: 'Ada' });
  const bob = await aUser(deps.store, 'salesperson', { name: 'Bob' });
  const sequenceId = await activeSequence(
    deps.store,
    admin.id,
    definition(
      [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
      { exitOnReply: true },
    ),
  );
  const adas = await someRecords(deps.store, ada.id, 4);
  const bobs = await someRecords(deps.store, bob.id, 3);
  for (const [i, id] of [...adas, ...bobs].entries())
    await deps.store.records.update(id, { email: `lead.${i}@example.com` }, T0);
  const actor = { id: admin.id, role: 'admin' as const };
  const connected = await connectRecords(deps, { sequenceId, recordIds: [...adas, ...bobs], actor });
  expect(connected.rejected).toEqual([]);
  const enrollment = new Map(connected.enrolled.map((e) => [e.recordId, e.enrollmentId]));
  const of = (recordId: string | undefined) => enrollment.get(recordId ?? '') ?? '';
  await applyEvents(
    deps,
    connected.enrolled.map(({ enrollmentId }) => ({
      enrollmentId,
      event: { type: 'email_sent', stepId: 'a1', seq: 1, at: T0 } as const,
    })),
  );
  const [adaReplies, adaBounces, , adaGivesAway] = adas;
  const [bobUnsubscribes, bobDisconnects, bobCompletes] = bobs;
  expect(
    await ingestSignals(deps, [
      { type: 'email_replied', messageId: emailKey(of(adaReplies), 1) },
      { type: 'email_bounced', messageId: emailKey(of(adaBounces), 1) },
      { type: 'email_unsubscribed', messageId: emailKey(of(bobUnsubscribes), 1) },
    ]),
  ).toMatchObject({ accepted: 3, unknown: 0 });
  await disconnectRecords(deps, { sequenceId, recordIds: [bobDisconnects ?? ''], actorId: admin.id });
  const task = (await deps.store.enrollments.listSteps(of(bobCompletes))).at(-1);
  expect(task).toMatchObject({ stepId: 't1', state: 'open' });
  await completeStep(deps, actor, task?.id ?? '');
  await changeRecordOwner(deps, actor, adaGivesAway ?? '', bob.id);
  await changeRecordOwner(deps, actor, bobCompletes ?? '', ada.id);
  return { deps, admin, ada, bob, sequenceId, actor };
}

const row = (user: { id: string; name: string }, figures: Partial<SellerStatsRow>): SellerStatsRow => ({
  ownerId: user.id,
  name: user.name,
  activeUser: true,
  enrolled: 0,
  active: 0,
  paused: 0,
  completed: 0,
  disconnected: 0,
  error: 0,
  endReasons: reasons(),
  ...figures,
});

forEachDialect('sequence stats per seller', (t) => {
  it('counts each enrollment for its owner: a new owner takes the running ones, not the ended', async () => {
    const { deps, ada, bob, sequenceId } = await team(t);
    const adaRow = row(ada, {
      enrolled: 3,
      active: 1,
      disconnected: 2,
      endReasons: reasons({ exit_on_reply: 1, bounced: 1 }),
    });
    const bobRow = row(bob, {
      enrolled: 4,
      active: 1,
      completed: 1,
      disconnected: 2,
      endReasons: reasons({ unsubscribed: 1, user_disconnected: 1, completed: 1 }),
    });
    expect(await getSellerStats(deps, sequenceId)).toEqual({ version: null, sellers: [adaRow, bobRow] });
    // One seller's row alone (a salesperson's view); a seller with none has no row.
    expect(await getSellerStats(deps, sequenceId, { ownerId: bob.id })).toEqual({
      version: null,
      sellers: [bobRow],
    });
    const nobody = await aUser(deps.store, 'salesperson');
    expect(await getSellerStats(deps, sequenceId, { ownerId: nobody.id })).toEqual({
      version: null,
      sellers: [],
    });

    // The rows add up to the sequence's stats, whose end reasons come from step_stats' `ended:` counters.
    const stats = await getSequenceStats(deps, sequenceId);
    const sum = (pick: (r: SellerStatsRow) => number) => pick(adaRow) + pick(bobRow);
    expect({
      enrolled: sum((r) => r.enrolled),
      active: sum((r) => r.active),
      completed: sum((r) => r.completed),
      disconnected: sum((r) => r.disconnected),
      endReasons: Object.fromEntries(END_REASONS.map((k) => [k, sum((r) => r.endReasons[k])])),
    }).toEqual({
      enrolled: stats.enrolled,
      active: stats.active,
      completed: stats.completed,
      disconnected: stats.disconnected,
      endReasons: stats.endReasons,
    });
  });

  it("one version's enrollments; a disabled seller keeps their row; unknown sequence or version is a 404", async () => {
    const { deps, ada, bob, sequenceId, actor } = await team(t);
    // Version 2 goes live; one more of Ada's records runs it.
    const v1 = await deps.store.sequences.getVersion(sequenceId, 1);
    await deps.store.sequences.createVersion({
      sequenceId,
      version: 2,
      definition: v1?.definition ?? definition([]),
      createdAt: T0,
    });
    await deps.store.sequences.updateVersion(sequenceId, 2, { activatedAt: T0 });
    await deps.store.sequences.update(sequenceId, { activeVersion: 2, draftVersion: 2 }, T0);
    const [late] = await someRecords(deps.store, ada.id, 1);
    const connected = await connectRecords(deps, { sequenceId, recordIds: [late ?? ''], actor });
    expect(connected.enrolled).toHaveLength(1);

    expect(await getSellerStats(deps, sequenceId, { version: 2 })).toEqual({
      version: 2,
      sellers: [row(ada, { enrolled: 1, active: 1 })],
    });
    const first = await getSellerStats(deps, sequenceId, { version: 1 });
    expect(first.sellers.map((r) => [r.name, r.enrolled])).toEqual([
      ['Ada', 3],
      ['Bob', 4],
    ]);
    expect((await getSellerStats(deps, sequenceId)).sellers.map((r) => [r.name, r.enrolled])).toEqual([
      ['Ada', 4],
      ['Bob', 4],
    ]);

    await deps.store.users.update(bob.id, { disabled: true }, T0);
    expect((await getSellerStats(deps, sequenceId)).sellers[1]).toMatchObject({
      ownerId: bob.id,
      name: 'Bob',
      activeUser: false,
    });

    await expect(getSellerStats(deps, sequenceId, { version: 3 })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(getSellerStats(deps, 'seq_none')).rejects.toMatchObject({ code: 'not_found' });
  });
});
