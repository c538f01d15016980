// The sequence status machine on both dialects: inactive -> active -> revision -> active v2 -> inactive,
// the illegal moves and their codes, editing rules, clone, delete, reads, and the audit trail.
import { describe, expect, it } from 'vitest';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { T0 } from '../../storage/test-support/fixtures.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { activateSequence } from './activate-sequence.js';
import { cloneSequence } from './clone-sequence.js';
import { createSequence } from './create-sequence.js';
import { discardRevision } from './discard-revision.js';
import { reviseSequence } from './revise-sequence.js';
import { getSequenceStats } from './sequence-stats.js';
import { getSequence, listSequences, listVersions } from './sequence-view.js';
import { deactivateSequence, deleteSequence } from './stop-sequence.js';
import { aManager, EMAIL_ONLY, EMAIL_THEN_CALL, engineDeps } from './test-support/sequence-world.js';
import { updateSequence } from './update-sequence.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function conflictCode(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ConflictError);
  return (error as ConflictError).code;
}

forEachDialect('sequence use cases: life', (t) => {
  it('creates a blank inactive sequence as version 1, owned by the actor', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const created = await createSequence(deps, actor, {
      name: '  Outbound  ',
      entityType: 'lead',
      tags: ['q4'],
    });
    expect(created).toEqual({
      id: created.id,
      name: 'Outbound',
      description: null,
      entityType: 'lead',
      status: 'inactive',
      version: 1,
      ownerId: actor.id,
      definition: { start: '', options: expect.any(Object), steps: [] },
      summary: { stepCount: 0, durationDays: 0 },
      enrolledCount: 0,
      tags: ['q4'],
      activeVersion: null,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(await getSequence(deps, created.id)).toEqual(created);
  });

  it('refuses a definition of the wrong shape with paths under /definition', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const error = await rejection(
      createSequence(deps, actor, {
        name: 'Bad',
        entityType: 'lead',
        definition: { start: 's1', steps: [{ id: 's1', type: 'fax' }] },
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe('bad_request');
    expect((error as BadRequestError).errors).toEqual([
      expect.objectContaining({ code: 'unknown_step_type', path: '/definition/steps/0/type' }),
    ]);
    const blank = await rejection(createSequence(deps, actor, { name: '  ', entityType: 'lead' }));
    expect((blank as BadRequestError).errors).toEqual([expect.objectContaining({ path: '/name' })]);
    expect((await listSequences(deps)).items).toEqual([]);
  });

  it('walks inactive -> active -> revision -> active v2 -> inactive, with every illegal move refused', async () => {
    const { deps, clock } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });

    expect(await conflictCode(reviseSequence(deps, actor, id))).toBe('sequence_not_active');
    expect(await conflictCode(deactivateSequence(deps, actor, id))).toBe('sequence_not_active');

    clock.advance(1000);
    const active = await activateSequence(deps, actor, id, { versionDescription: 'first' });
    expect(active).toMatchObject({ status: 'active', version: 1, activeVersion: 1 });
    expect(await conflictCode(activateSequence(deps, actor, id))).toBe('sequence_active');
    expect(await conflictCode(updateSequence(deps, actor, id, { name: 'Renamed' }))).toBe('sequence_active');

    clock.advance(1000);
    const revision = await reviseSequence(deps, actor, id);
    expect(revision).toMatchObject({
      status: 'revision',
      version: 2,
      activeVersion: 1,
      definition: EMAIL_ONLY,
    });
    // Revising again changes nothing.
    expect(await reviseSequence(deps, actor, id)).toEqual(revision);

    const edited = await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL, description: 'v2' });
    expect(edited).toMatchObject({ status: 'revision', version: 2, activeVersion: 1, description: 'v2' });
    expect(edited.definition).toEqual(EMAIL_THEN_CALL);
    expect(edited.summary.stepCount).toBe(2);
    // The running version is untouched.
    expect((await t.store().sequences.getVersion(id, 1))?.definition).toEqual(EMAIL_ONLY);

    clock.advance(1000);
    const published = await activateSequence(deps, actor, id, { versionDescription: 'adds a call' });
    expect(published).toMatchObject({
      status: 'active',
      version: 2,
      activeVersion: 2,
      definition: EMAIL_THEN_CALL,
    });

    clock.advance(1000);
    const inactive = await deactivateSequence(deps, actor, id);
    expect(inactive).toMatchObject({ status: 'inactive', version: 2, activeVersion: null });
    expect(await conflictCode(deactivateSequence(deps, actor, id))).toBe('sequence_not_active');

    expect(await listVersions(deps, id)).toEqual([
      { version: 1, description: 'first', activatedAt: T0 + 1000, createdAt: T0, enrolledCount: 0 },
      {
        version: 2,
        description: 'adds a call',
        activatedAt: T0 + 3000,
        createdAt: T0 + 2000,
        enrolledCount: 0,
      },
    ]);
  });

  it('deactivating a revision keeps its draft as the editable version', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL });
    const inactive = await deactivateSequence(deps, actor, id);
    expect(inactive).toMatchObject({ status: 'inactive', version: 2, definition: EMAIL_THEN_CALL });
    const again = await activateSequence(deps, actor, id);
    expect(again).toMatchObject({ status: 'active', version: 2, activeVersion: 2 });
  });

  it('discarding a revision deletes its draft and leaves the sequence active on its version, as before Edit', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL });
    const back = await discardRevision(deps, actor, id);
    expect(back).toMatchObject({ status: 'active', version: 1, activeVersion: 1, definition: EMAIL_ONLY });
    expect((await listVersions(deps, id)).map((v) => v.version)).toEqual([1]);
    // A retry changes nothing; a new revision starts again from the active version, as version 2.
    expect(await discardRevision(deps, actor, id)).toMatchObject({ status: 'active', version: 1 });
    expect(await reviseSequence(deps, actor, id)).toMatchObject({
      status: 'revision',
      version: 2,
      definition: EMAIL_ONLY,
    });
    // An inactive sequence has no revision to discard.
    const { id: inactive } = await createSequence(deps, actor, { name: 'I', entityType: 'lead' });
    expect(await conflictCode(discardRevision(deps, actor, inactive))).toBe('sequence_not_active');
  });

  it('editing an inactive sequence whose version ran once forks a new draft; activated versions stay frozen', async () => {
    const { deps, clock } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    // Edits before the first activation rewrite version 1 in place.
    expect(await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL })).toMatchObject({
      version: 1,
    });
    await updateSequence(deps, actor, id, { definition: EMAIL_ONLY });
    await activateSequence(deps, actor, id);
    await deactivateSequence(deps, actor, id);
    // Renaming doesn't touch versions.
    expect(await updateSequence(deps, actor, id, { name: 'S2', tags: ['b', 'a'] })).toMatchObject({
      version: 1,
      name: 'S2',
      tags: ['a', 'b'],
    });
    clock.advance(5);
    const forked = await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL });
    expect(forked).toMatchObject({ status: 'inactive', version: 2, definition: EMAIL_THEN_CALL });
    expect((await t.store().sequences.getVersion(id, 1))?.definition).toEqual(EMAIL_ONLY);
    // The next edit goes to the (still unactivated) draft in place.
    expect(await updateSequence(deps, actor, id, { definition: EMAIL_ONLY })).toMatchObject({ version: 2 });
    expect((await listVersions(deps, id)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('re-activating an unchanged version keeps its first activation time', async () => {
    const { deps, clock } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    await deactivateSequence(deps, actor, id);
    clock.advance(60_000);
    expect(await activateSequence(deps, actor, id)).toMatchObject({ version: 1, activeVersion: 1 });
    expect(await listVersions(deps, id)).toEqual([expect.objectContaining({ version: 1, activatedAt: T0 })]);
  });

  it('clones the latest draft as a new inactive sequence, tags copied', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const other = await aManager(t.store());
    const source = await createSequence(deps, actor, {
      name: 'Outbound',
      description: 'cold leads',
      entityType: 'contact',
      definition: EMAIL_ONLY,
      tags: ['q4', 'cold'],
    });
    await activateSequence(deps, actor, source.id);
    await reviseSequence(deps, actor, source.id);
    await updateSequence(deps, actor, source.id, { definition: EMAIL_THEN_CALL });

    const copy = await cloneSequence(deps, other, source.id);
    expect(copy).toMatchObject({
      name: 'Outbound (copy)',
      description: 'cold leads',
      entityType: 'contact',
      status: 'inactive',
      version: 1,
      activeVersion: null,
      ownerId: other.id,
      tags: ['cold', 'q4'],
      definition: EMAIL_THEN_CALL,
    });
    expect(copy.id).not.toBe(source.id);
    expect((await cloneSequence(deps, other, source.id, { name: 'Variant B' })).name).toBe('Variant B');
  });

  it('a deleted sequence is not found by every use case', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    await deleteSequence(deps, actor, id);
    expect(await t.store().sequences.countActive()).toBe(0);

    const calls: (() => Promise<unknown>)[] = [
      () => getSequence(deps, id),
      () => listVersions(deps, id),
      () => getSequenceStats(deps, id),
      () => updateSequence(deps, actor, id, { name: 'x' }),
      () => activateSequence(deps, actor, id),
      () => reviseSequence(deps, actor, id),
      () => deactivateSequence(deps, actor, id),
      () => cloneSequence(deps, actor, id),
      () => deleteSequence(deps, actor, id),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe('not_found');
    }
    expect(await rejection(getSequence(deps, 'seq_nope'))).toBeInstanceOf(NotFoundError);
    expect((await listSequences(deps)).items).toEqual([]);
  });

  it('lists with filters and pages, each item shaped like getSequence', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const a = await createSequence(deps, actor, {
      name: 'Alpha',
      entityType: 'lead',
      definition: EMAIL_ONLY,
      tags: ['x'],
    });
    const b = await createSequence(deps, actor, {
      name: 'Beta',
      entityType: 'contact',
      definition: EMAIL_THEN_CALL,
    });
    const c = await createSequence(deps, actor, { name: 'Gamma', entityType: 'lead' });
    await activateSequence(deps, actor, b.id);

    const all = await listSequences(deps);
    expect(all.items.map((s) => s.name)).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(all.items[1]).toEqual(await getSequence(deps, b.id));
    expect((await listSequences(deps, { status: 'active' })).items.map((s) => s.id)).toEqual([b.id]);
    expect((await listSequences(deps, { entityType: 'lead' })).items.map((s) => s.id)).toEqual([a.id, c.id]);
    expect((await listSequences(deps, { tag: 'x' })).items.map((s) => s.id)).toEqual([a.id]);
    expect((await listSequences(deps, { q: 'amm' })).items.map((s) => s.id)).toEqual([c.id]);

    const first = await listSequences(deps, { limit: 2 });
    expect(first.items.map((s) => s.name)).toEqual(['Alpha', 'Beta']);
    const second = await listSequences(deps, { limit: 2, cursor: first.nextCursor });
    expect(second).toMatchObject({ nextCursor: null });
    expect(second.items.map((s) => s.name)).toEqual(['Gamma']);
    const forged = await rejection(listSequences(deps, { cursor: 'not-a-cursor' }));
    expect(forged).toBeInstanceOf(BadRequestError);
  });

  it('writes one audit entry per change, naming the actor', async () => {
    const { deps, clock } = engineDeps(t.store());
    const actor = await aManager(t.store());
    // The log reads newest first by time: one tick per change keeps the order readable.
    const tick = <T>(result: T) => {
      clock.advance(1);
      return result;
    };
    const { id } = tick(
      await createSequence(deps, actor, { name: 'S', entityType: 'lead', definition: EMAIL_ONLY }),
    );
    tick(await updateSequence(deps, actor, id, { description: 'd' }));
    tick(await activateSequence(deps, actor, id));
    tick(await reviseSequence(deps, actor, id));
    tick(await reviseSequence(deps, actor, id)); // unchanged: no entry
    tick(await activateSequence(deps, actor, id));
    tick(await deactivateSequence(deps, actor, id));
    const copy = tick(await cloneSequence(deps, actor, id));
    tick(await deleteSequence(deps, actor, id));
    // A refused change writes nothing.
    await rejection(deactivateSequence(deps, actor, copy.id));

    const entries = (await t.store().audit.list({ subject: { type: 'sequence', id } })).items.reverse();
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ['sequence.created', actor.id],
      ['sequence.updated', actor.id],
      ['sequence.activated', actor.id],
      ['sequence.revised', actor.id],
      ['sequence.activated', actor.id],
      ['sequence.deactivated', actor.id],
      ['sequence.deleted', actor.id],
    ]);
    expect(entries[2]?.data).toMatchObject({ version: 1, from: 'inactive' });
    expect(entries[3]?.data).toMatchObject({ version: 2, activeVersion: 1 });
    expect(entries[4]?.data).toMatchObject({ version: 2, previousVersion: 1, from: 'revision' });
    expect(entries[5]?.data).toMatchObject({ version: 2, disconnected: 0 });
    const copyEntries = (await t.store().audit.list({ subject: { type: 'sequence', id: copy.id } })).items;
    expect(copyEntries.map((e) => [e.action, e.data])).toEqual([
      ['sequence.cloned', { sourceId: id, sourceVersion: 2 }],
    ]);
  });
});

describe('stats shape', () => {
  forEachDialect('sequence use cases: stats', (t) => {
    it('reads zeros for a sequence nothing ran on, one entry per step', async () => {
      const { deps } = engineDeps(t.store());
      const actor = await aManager(t.store());
      const { id } = await createSequence(deps, actor, {
        name: 'S',
        entityType: 'lead',
        definition: EMAIL_THEN_CALL,
      });
      const zeros = {
        reached: 0,
        completed: 0,
        skipped: 0,
        failed: 0,
        cancelled: 0,
        emailsSent: 0,
        opened: 0,
        clicked: 0,
        replied: 0,
        bounced: 0,
        outcomes: {},
      };
      expect(await getSequenceStats(deps, id)).toEqual({
        version: null,
        versions: [1],
        definition: expect.objectContaining({ steps: expect.any(Array) }),
        enrolled: 0,
        active: 0,
        paused: 0,
        completed: 0,
        disconnected: 0,
        error: 0,
        endReasons: {
          user_disconnected: 0,
          sequence_deactivated: 0,
          sequence_deleted: 0,
          record_deleted: 0,
          exit_on_reply: 0,
          bounced: 0,
          unsubscribed: 0,
          advanced_to_other_sequence: 0,
          completed: 0,
        },
        steps: [
          { stepId: 's1', ...zeros },
          { stepId: 's2', ...zeros },
        ],
      });
    });
  });
});
