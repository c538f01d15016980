// Sequences, versions, tags and email templates on both dialects.
import { expect, it } from 'vitest';
import type { SequenceDefinition } from '../domain/definition.js';
import { parseDefinition } from '../domain/parse-definition.js';
import { StoreConflictError } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aSequence, aUser, ONE_EMAIL, T0, testId } from './test-support/fixtures.js';

const TWO_STEPS: SequenceDefinition = {
  ...ONE_EMAIL,
  steps: [
    { id: 's1', type: 'email', name: 'Say hello', next: 's2' },
    { id: 's2', type: 'phone_call', name: 'Call' },
  ],
};

forEachDialect('sequences', (t) => {
  it("reads a definition back with its keys in the order it was stored (PostgreSQL's jsonb sorts them)", async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const parsed = parseDefinition({
      start: 'e1',
      options: { exitOnReply: true, workingHours: 'recipient', skipNonWorkingDays: true },
      steps: [
        { id: 'e1', type: 'automated_email', name: 'Introduce yourself', templateId: 'tpl_1', next: 'c1' },
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_opened', step: 'e1' },
          within: 'P2D',
          yes: 't1',
          no: 'w1',
        },
        { id: 'w1', type: 'wait', duration: 'P1D', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up', description: 'Look at their site first' },
      ],
    });
    if (!parsed.ok) throw new Error('the fixture does not parse');
    const { id } = await store.sequences.create(aSequence(owner.id, { definition: parsed.definition }));
    const stored = await store.sequences.getVersion(id, 1);
    expect(JSON.stringify(stored?.definition)).toBe(JSON.stringify(parsed.definition));
    expect(Object.keys(stored?.definition ?? {})).toEqual(['start', 'options', 'steps']);
  });

  it('creates an inactive sequence with version 1 as its draft', async () => {
    const owner = await t.store().users.create(aUser());
    const sequence = await t
      .store()
      .sequences.create(aSequence(owner.id, { tags: ['q4', ' outbound ', 'q4', ''] }));
    expect(sequence).toMatchObject({
      status: 'inactive',
      activeVersion: null,
      draftVersion: 1,
      tags: ['outbound', 'q4'],
    });
    expect(await t.store().sequences.get(sequence.id)).toEqual(sequence);
    expect(await t.store().sequences.getVersion(sequence.id, 1)).toEqual({
      sequenceId: sequence.id,
      version: 1,
      definition: ONE_EMAIL,
      description: null,
      createdAt: T0,
      activatedAt: null,
    });
  });

  it('activates, revises and publishes versions; connections keep theirs', async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const { id } = await store.sequences.create(aSequence(owner.id));
    await store.transaction(async (tx) => {
      await tx.sequences.updateVersion(id, 1, { activatedAt: T0 + 1, description: 'first' });
      await tx.sequences.update(id, { status: 'active', activeVersion: 1 }, T0 + 1);
    });
    expect(await store.sequences.countActive()).toBe(1);

    await store.sequences.createVersion({
      sequenceId: id,
      version: 2,
      definition: ONE_EMAIL,
      createdAt: T0 + 2,
    });
    await store.sequences.update(id, { status: 'revision', draftVersion: 2 }, T0 + 2);
    await store.sequences.updateVersion(id, 2, { definition: TWO_STEPS });
    expect(await store.sequences.countActive()).toBe(1);

    const duplicate = store.sequences.createVersion({
      sequenceId: id,
      version: 2,
      definition: ONE_EMAIL,
      createdAt: T0,
    });
    await expect(duplicate).rejects.toMatchObject({ reason: 'version_exists' });

    const versions = await store.sequences.listVersions(id);
    expect(versions.map((v) => [v.version, v.description, v.activatedAt, v.definition.steps.length])).toEqual(
      [
        [1, 'first', T0 + 1, 1],
        [2, null, null, 2],
      ],
    );
    expect(await store.sequences.get(id)).toMatchObject({
      status: 'revision',
      activeVersion: 1,
      draftVersion: 2,
    });
    expect(await store.sequences.updateVersion(id, 9, { description: 'x' })).toBeNull();
  });

  it('lists by name with status, entity, tag and text filters, page by page; deleted ones drop out', async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const make = (name: string, extra: Partial<Parameters<typeof aSequence>[1]> = {}) =>
      store.sequences.create(aSequence(owner.id, { name, ...extra }));
    const renewal = await make('Renewal', { entityType: 'account', tags: ['renewals'] });
    const demo = await make('Demo follow-up', { tags: ['demo', 'q4'] });
    await make('Cold outreach', { tags: ['q4'] });
    const gone = await make('Archived', { tags: ['q4'] });
    await store.sequences.update(demo.id, { status: 'active', activeVersion: 1 }, T0);
    await store.sequences.softDelete(gone.id, T0);

    const all = await allPages((cursor) => store.sequences.list({ limit: 1, cursor }));
    expect(all.items.map((s) => s.name)).toEqual(['Cold outreach', 'Demo follow-up', 'Renewal']);
    expect((await store.sequences.list({ status: 'active' })).items.map((s) => s.id)).toEqual([demo.id]);
    expect((await store.sequences.list({ entityType: 'account' })).items.map((s) => s.id)).toEqual([
      renewal.id,
    ]);
    const q4 = await allPages((cursor) => store.sequences.list({ tag: 'q4', limit: 1, cursor }));
    expect(q4.items.map((s) => [s.name, s.tags])).toEqual([
      ['Cold outreach', ['q4']],
      ['Demo follow-up', ['demo', 'q4']],
    ]);
    expect((await store.sequences.list({ q: 'FOLLOW' })).items.map((s) => s.id)).toEqual([demo.id]);
    expect(await store.sequences.countActive()).toBe(1);
    expect((await store.sequences.get(gone.id))?.deletedAt).toBe(T0);
  });

  it('compares tags without case: once per sequence, the spelling in use kept, found by any spelling', async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const first = await store.sequences.create(
      aSequence(owner.id, { name: 'A', tags: ['Q3 push', 'q3 PUSH'] }),
    );
    expect(first.tags).toEqual(['Q3 push']);
    const second = await store.sequences.create(aSequence(owner.id, { name: 'B', tags: ['q3 push', 'New'] }));
    expect(second.tags).toEqual(['New', 'Q3 push']);
    const third = await store.sequences.create(aSequence(owner.id, { name: 'C' }));
    expect((await store.sequences.update(third.id, { tags: ['Q3 PUSH'] }, T0))?.tags).toEqual(['Q3 push']);
    for (const tag of ['q3 push', 'Q3 PUSH', ' Q3 push '])
      expect((await store.sequences.list({ tag })).items.map((s) => s.name)).toEqual(['A', 'B', 'C']);
    expect((await store.sequences.list({ tag: 'q4' })).items).toEqual([]);
  });

  it('replaces tags on update and reads many at once', async () => {
    const owner = await t.store().users.create(aUser());
    const a = await t.store().sequences.create(aSequence(owner.id, { tags: ['x'] }));
    const b = await t.store().sequences.create(aSequence(owner.id));
    const updated = await t.store().sequences.update(a.id, { name: 'Renamed', tags: ['z', 'y'] }, T0 + 1);
    expect(updated).toMatchObject({ name: 'Renamed', tags: ['y', 'z'], updatedAt: T0 + 1 });
    expect((await t.store().sequences.list({ tag: 'x' })).items).toEqual([]);
    const many = await t.store().sequences.getMany([a.id, b.id]);
    expect(many.map((s) => [s.id, s.tags]).sort()).toEqual(
      [
        [a.id, ['y', 'z']],
        [b.id, []],
      ].sort(),
    );
    expect(await t.store().sequences.update('seq_missing', { name: 'x' }, T0)).toBeNull();
  });
});

forEachDialect('email templates', (t) => {
  it('creates, reads, updates, lists and deletes templates', async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const make = (name: string, entityType: 'lead' | 'contact' | null, builtinKey: string | null = null) =>
      store.emailTemplates.create({
        id: testId('tpl'),
        name,
        subject: `About ${name}`,
        body: 'Hello {{ record.name }}',
        entityType,
        ownerId: owner.id,
        builtinKey,
        createdAt: T0,
      });
    const intro = await make('Intro', 'lead', 'high-volume-outbound/intro');
    const any = await make('Any entity', null);
    await make('Contacts only', 'contact');
    expect(await store.emailTemplates.get(intro.id)).toEqual(intro);
    expect(await store.emailTemplates.getByBuiltinKey('high-volume-outbound/intro')).toEqual(intro);

    const error = await make('Copy', 'lead', 'high-volume-outbound/intro').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ reason: 'builtin_key_taken' });

    const leads = await allPages((cursor) =>
      store.emailTemplates.list({ entityType: 'lead', limit: 1, cursor }),
    );
    expect(leads.items.map((x) => x.name)).toEqual(['Any entity', 'Intro']);
    expect((await store.emailTemplates.list()).items).toHaveLength(3);

    const updated = await store.emailTemplates.update(
      any.id,
      { subject: 'New', entityType: 'contact' },
      T0 + 1,
    );
    expect(updated).toEqual({ ...any, subject: 'New', entityType: 'contact', updatedAt: T0 + 1 });
    expect(await store.emailTemplates.delete(any.id)).toBe(true);
    expect(await store.emailTemplates.get(any.id)).toBeNull();
    expect(await store.emailTemplates.update(any.id, { name: 'x' }, T0)).toBeNull();
  });
});
