// Activation's rules on both dialects: the definition validator's issues with their paths, the
// active-sequence limit (and two activations racing for the last slot), and the advance-target rules,
// including what they forbid afterwards (deactivating or deleting a target that others advance to).
import { expect, it } from 'vitest';
import { EMPTY_DEFINITION, type SequenceDefinition } from '../../domain/definition.js';
import { forEachDialect, perDialect } from '../../storage/test-support/dialects.js';
import { disconnectRecords } from '../apply-events.js';
import { connectRecords } from '../connect.js';
import { ConflictError, ValidationFailedError } from '../errors.js';
import { someRecords } from '../test-support/engine-world.js';
import { activateSequence } from './activate-sequence.js';
import { createSequence } from './create-sequence.js';
import { reviseSequence } from './revise-sequence.js';
import { getSequence } from './sequence-view.js';
import { deactivateSequence, deleteSequence } from './stop-sequence.js';
import { checkTemplateTypeChange, deleteEmailTemplate } from './template-usage.js';
import { advancingTo, aManager, EMAIL_ONLY, engineDeps } from './test-support/sequence-world.js';
import { updateSequence } from './update-sequence.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function issuesOf(promise: Promise<unknown>) {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ValidationFailedError);
  expect((error as ValidationFailedError).code).toBe('validation_failed');
  return (error as ValidationFailedError).errors;
}

const WAITS_AROUND: SequenceDefinition = {
  ...EMPTY_DEFINITION,
  start: 'w1',
  steps: [
    { id: 'w1', type: 'wait', duration: 'P1D', next: 's1' },
    { id: 's1', type: 'email', name: 'Hello', next: 'w2' },
    { id: 'w2', type: 'wait', duration: 'P40D' },
  ],
};

forEachDialect('sequence use cases: activation', (t) => {
  it('refuses an invalid draft with every issue, paths under /definition, and changes nothing', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: WAITS_AROUND,
    });
    const issues = await issuesOf(activateSequence(deps, actor, id));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'wait_at_start', stepId: 'w1', path: '/definition/steps/0' }),
        expect.objectContaining({ code: 'wait_at_end', stepId: 'w2', path: '/definition/steps/2' }),
        expect.objectContaining({
          code: 'wait_too_long',
          stepId: 'w2',
          path: '/definition/steps/2/duration',
        }),
      ]),
    );
    for (const issue of issues) expect(issue.path.startsWith('/definition')).toBe(true);
    expect(await getSequence(deps, id)).toMatchObject({ status: 'inactive', activeVersion: null });

    const blank = await createSequence(deps, actor, { name: 'Blank', entityType: 'lead' });
    expect((await issuesOf(activateSequence(deps, actor, blank.id))).map((i) => i.code)).toEqual(
      expect.arrayContaining(['no_activity', 'start_missing']),
    );
  });

  it("refuses a template that doesn't exist; a template a running sequence sends can't be deleted", async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    await t
      .store()
      .emailTemplates.create({ id: 'tpl_old', name: 'Old', subject: 'Hi', body: 'B', createdAt: 0 });
    await t
      .store()
      .emailTemplates.create({ id: 'tpl_new', name: 'New', subject: 'Hi', body: 'B', createdAt: 0 });
    const emailing = (templateId: string): SequenceDefinition => ({
      ...EMPTY_DEFINITION,
      start: 'a1',
      steps: [
        { id: 'a1', type: 'automated_email', templateId, next: 'e1' },
        { id: 'e1', type: 'email', name: 'Follow up', templateId: 'tpl_nope' },
      ],
    });
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: emailing('tpl_gone'),
    });
    expect(await issuesOf(activateSequence(deps, actor, id))).toEqual([
      expect.objectContaining({
        code: 'template_not_found',
        stepId: 'a1',
        path: '/definition/steps/0/templateId',
      }),
      expect.objectContaining({
        code: 'template_not_found',
        stepId: 'e1',
        path: '/definition/steps/1/templateId',
      }),
    ]);
    await updateSequence(deps, actor, id, {
      definition: {
        ...emailing('tpl_old'),
        steps: [{ id: 'a1', type: 'automated_email', templateId: 'tpl_old' }],
      },
    });
    await activateSequence(deps, actor, id);

    // Sent by the active version: refused, naming the sequence; another template goes.
    const inUse = await rejection(deleteEmailTemplate(deps, 'tpl_old'));
    expect(inUse).toBeInstanceOf(ConflictError);
    expect(inUse).toMatchObject({ code: 'template_in_use', message: expect.stringContaining('"S"') });
    expect(await t.store().emailTemplates.get('tpl_old')).not.toBeNull();

    // Revised to another template while a record still runs version 1: still in use until it ends.
    const [recordId] = await someRecords(t.store(), actor.id, 1);
    const connected = await connectRecords(deps, { sequenceId: id, recordIds: [recordId as string], actor });
    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, {
      definition: {
        ...EMPTY_DEFINITION,
        start: 'a1',
        steps: [{ id: 'a1', type: 'automated_email', templateId: 'tpl_new' }],
      },
    });
    await activateSequence(deps, actor, id);
    expect(await rejection(deleteEmailTemplate(deps, 'tpl_old'))).toMatchObject({ code: 'template_in_use' });
    await disconnectRecords(deps, { sequenceId: id, recordIds: [recordId as string], actorId: actor.id });
    expect(connected.enrolled).toHaveLength(1);
    await deleteEmailTemplate(deps, 'tpl_old');
    expect(await t.store().emailTemplates.get('tpl_old')).toBeNull();
    // Deactivated, nothing runs: its template may go.
    await deactivateSequence(deps, actor, id);
    await deleteEmailTemplate(deps, 'tpl_new');
    expect(await rejection(deleteEmailTemplate(deps, 'tpl_new'))).toMatchObject({ code: 'not_found' });
  });

  it("refuses a template made for another record type; one for the sequence's type or for all goes", async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const template = (id: string, entityType: 'lead' | 'contact' | null) =>
      t.store().emailTemplates.create({ id, name: id, subject: 'Hi', body: 'B', entityType, createdAt: 0 });
    await template('tpl_contact', 'contact');
    await template('tpl_lead', 'lead');
    await template('tpl_any', null);
    const { id } = await createSequence(deps, actor, {
      name: 'Leads',
      entityType: 'lead',
      definition: {
        ...EMPTY_DEFINITION,
        start: 'a1',
        steps: [
          { id: 'a1', type: 'automated_email', templateId: 'tpl_lead', next: 'e1' },
          { id: 'e1', type: 'email', name: 'Follow up', templateId: 'tpl_contact', next: 'e2' },
          { id: 'e2', type: 'email', name: 'Last', templateId: 'tpl_any' },
        ],
      },
    });
    expect(await issuesOf(activateSequence(deps, actor, id))).toEqual([
      {
        code: 'template_wrong_type',
        stepId: 'e1',
        path: '/definition/steps/1/templateId',
        message: expect.stringContaining(
          '"tpl_contact" is for contact records; this sequence is for lead records',
        ),
      },
    ]);
    await updateSequence(deps, actor, id, {
      definition: {
        ...EMPTY_DEFINITION,
        start: 'a1',
        steps: [
          { id: 'a1', type: 'automated_email', templateId: 'tpl_lead', next: 'e2' },
          { id: 'e2', type: 'email', name: 'Last', templateId: 'tpl_any' },
        ],
      },
    });
    expect((await activateSequence(deps, actor, id)).status).toBe('active');
    // While it runs, a template it sends may not be made for another record type only.
    const refused = await rejection(checkTemplateTypeChange(t.store(), 'tpl_any', 'contact'));
    expect(refused).toMatchObject({
      code: 'template_in_use',
      message: expect.stringContaining('"Leads" (lead)'),
    });
    await checkTemplateTypeChange(t.store(), 'tpl_any', 'lead');
    await checkTemplateTypeChange(t.store(), 'tpl_contact', 'account');
  });

  it('validates a revision before publishing it; the active version keeps running', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, { definition: WAITS_AROUND });
    expect((await issuesOf(activateSequence(deps, actor, id))).length).toBeGreaterThan(0);
    expect(await getSequence(deps, id)).toMatchObject({ status: 'revision', version: 2, activeVersion: 1 });
  });

  it('keeps at most maxActiveSequences running; a revision counts once, publishing it adds none', async () => {
    const { deps } = engineDeps(t.store(), { maxActiveSequences: 2 });
    const actor = await aManager(t.store());
    const make = (name: string) =>
      createSequence(deps, actor, { name, entityType: 'lead', definition: EMAIL_ONLY }).then((s) => s.id);
    const [x, y, z] = [await make('X'), await make('Y'), await make('Z')];
    await activateSequence(deps, actor, x);
    await activateSequence(deps, actor, y);
    await reviseSequence(deps, actor, y);

    const error = await rejection(activateSequence(deps, actor, z));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('active_limit_reached');
    expect((error as ConflictError).message).toContain('2');

    expect(await activateSequence(deps, actor, y)).toMatchObject({ status: 'active', activeVersion: 2 });
    await deactivateSequence(deps, actor, x);
    expect(await activateSequence(deps, actor, z)).toMatchObject({ status: 'active' });
    expect(await t.store().sequences.countActive()).toBe(2);
  });

  it('lets only one of two activations racing for the last slot win', async () => {
    const actor = await aManager(t.store());
    const one = engineDeps(t.store(), { maxActiveSequences: 2 }).deps;
    // PostgreSQL: a second store, as a second process would have. SQLite: the same store (its single
    // connection is the one writer; a second in-process connection would block the event loop on busy_timeout).
    const second = perDialect(t.dialect, {
      sqlite: () => Promise.resolve(t.store()),
      postgres: () => t.open(),
    });
    const two = engineDeps(await second(), { maxActiveSequences: 2 }).deps;
    const make = (name: string) =>
      createSequence(one, actor, { name, entityType: 'lead', definition: EMAIL_ONLY }).then((s) => s.id);
    const [x, y, z] = [await make('X'), await make('Y'), await make('Z')];
    await activateSequence(one, actor, x);

    const results = await Promise.allSettled([
      activateSequence(one, actor, y),
      activateSequence(two, actor, z),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ConflictError);
    expect((lost[0] as ConflictError).code).toBe('active_limit_reached');
    expect(await t.store().sequences.countActive()).toBe(2);
  });

  it('requires an advance target that exists, runs, and is for the same entity type', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const inactive = await createSequence(deps, actor, {
      name: 'Dormant',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    const contacts = await createSequence(deps, actor, {
      name: 'Contacts',
      entityType: 'contact',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, contacts.id);
    const deleted = await createSequence(deps, actor, {
      name: 'Gone',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await deleteSequence(deps, actor, deleted.id);

    const cases: [string, string][] = [
      ['seq_missing', 'advance_target_missing'],
      [deleted.id, 'advance_target_missing'],
      [inactive.id, 'advance_target_inactive'],
      [contacts.id, 'advance_target_entity_mismatch'],
    ];
    for (const [target, code] of cases) {
      const source = await createSequence(deps, actor, {
        name: `To ${target}`,
        entityType: 'lead',
        definition: advancingTo(target),
      });
      expect(await issuesOf(activateSequence(deps, actor, source.id))).toEqual([
        { code, stepId: 'a1', path: '/definition/steps/1/sequenceId', message: expect.any(String) },
      ]);
    }

    // A target in revision runs its active version: a fine target.
    const leads = await createSequence(deps, actor, {
      name: 'Leads',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, leads.id);
    await reviseSequence(deps, actor, leads.id);
    const source = await createSequence(deps, actor, {
      name: 'Source',
      entityType: 'lead',
      definition: advancingTo(leads.id),
    });
    expect(await activateSequence(deps, actor, source.id)).toMatchObject({ status: 'active' });
  });

  it('refuses an advance to itself and a chain of advances that loops back (A -> B -> A)', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const a = await createSequence(deps, actor, { name: 'A', entityType: 'lead', definition: EMAIL_ONLY });
    expect(
      (
        await issuesOf(
          (async () => {
            await updateSequence(deps, actor, a.id, { definition: advancingTo(a.id) });
            return activateSequence(deps, actor, a.id);
          })(),
        )
      ).map((i) => [i.code, i.path]),
    ).toEqual([['advance_loop', '/definition/steps/1/sequenceId']]);

    await updateSequence(deps, actor, a.id, { definition: EMAIL_ONLY });
    await activateSequence(deps, actor, a.id);
    const b = await createSequence(deps, actor, {
      name: 'B',
      entityType: 'lead',
      definition: advancingTo(a.id),
    });
    await activateSequence(deps, actor, b.id);

    await reviseSequence(deps, actor, a.id);
    await updateSequence(deps, actor, a.id, { definition: advancingTo(b.id) });
    const issues = await issuesOf(activateSequence(deps, actor, a.id));
    expect(issues).toEqual([
      {
        code: 'advance_loop',
        stepId: 'a1',
        path: '/definition/steps/1/sequenceId',
        message: expect.any(String),
      },
    ]);
    expect(issues[0]?.message).toContain('"A" → "B" → "A"');

    // A longer chain: C -> A (active v1, no advance) is fine, and A -> C -> ... does not loop.
    const c = await createSequence(deps, actor, {
      name: 'C',
      entityType: 'lead',
      definition: advancingTo(b.id),
    });
    await activateSequence(deps, actor, c.id);
    await updateSequence(deps, actor, a.id, { definition: advancingTo(c.id) });
    expect((await issuesOf(activateSequence(deps, actor, a.id)))[0]?.message).toContain(
      '"A" → "C" → "B" → "A"',
    );
  });

  it('refuses to deactivate or delete a sequence that running sequences advance to, naming them', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const target = await createSequence(deps, actor, {
      name: 'Nurture',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, target.id);
    const source = await createSequence(deps, actor, {
      name: 'Outbound',
      entityType: 'lead',
      definition: advancingTo(target.id),
    });
    await activateSequence(deps, actor, source.id);

    for (const attempt of [
      () => deactivateSequence(deps, actor, target.id),
      () => deleteSequence(deps, actor, target.id),
    ]) {
      const error = await rejection(attempt());
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('conflict');
      expect((error as ConflictError).message).toContain('"Outbound"');
    }
    expect(await getSequence(deps, target.id)).toMatchObject({ status: 'active' });

    // A source in revision still runs its active version, so it still holds the target.
    await reviseSequence(deps, actor, source.id);
    await updateSequence(deps, actor, source.id, { definition: EMAIL_ONLY });
    expect(await rejection(deactivateSequence(deps, actor, target.id))).toBeInstanceOf(ConflictError);
    // Once the source publishes a version without the advance, the target is free.
    await activateSequence(deps, actor, source.id);
    expect(await deactivateSequence(deps, actor, target.id)).toMatchObject({ status: 'inactive' });
    await deleteSequence(deps, actor, target.id);
  });
});
