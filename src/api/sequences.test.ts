import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { END_REASONS, type EndReason } from '../domain/enrollment.js';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, enrolledLead } from './test-support/enrollment-fixtures.js';

/** Every end reason, 0 unless given. */
const reasons = (counts: Partial<Record<EndReason, number>> = {}) =>
  Object.fromEntries(END_REASONS.map((reason) => [reason, counts[reason] ?? 0]));

describe('sequences over HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('lists the gallery with summaries and makes a sequence from a template', async () => {
    const gallery = (await h.as('salesperson', { method: 'GET', url: '/api/sequence-templates' })).json();
    expect(gallery.map((t: { key: string }) => t.key)).toEqual([
      'follow-up-no-show',
      'high-volume-outbound',
      'invite-to-event',
      'product-demo-meeting',
      'account-renewal',
      'webinar-follow-up',
    ]);
    expect(gallery[0]).toMatchObject({
      name: expect.any(String),
      entityType: expect.any(String),
      stepCount: expect.any(Number),
      durationDays: expect.any(Number),
    });
    const used = await h.as('sequence_manager', {
      method: 'POST',
      url: '/api/sequence-templates/invite-to-event/use',
      payload: { name: 'Summit invites' },
    });
    expect(used.statusCode).toBe(201);
    expect(used.json()).toMatchObject({
      name: 'Summit invites',
      status: 'inactive',
      version: 1,
      enrolledCount: 0,
      summary: { stepCount: expect.any(Number) },
    });
    const again = await h.as('sequence_manager', { method: 'GET', url: `/api/sequences/${used.json().id}` });
    expect(again.json()).toEqual(used.json());
    expect(
      (await h.as('admin', { method: 'POST', url: '/api/sequence-templates/no-such/use' })).statusCode,
    ).toBe(404);
  });

  it('saves a draft with a step after an advance and refuses to activate it: 422 advance_not_last', async () => {
    const target = (
      await h.as('sales_manager', {
        method: 'POST',
        url: '/api/sequences',
        payload: {
          name: 'Nurture',
          entityType: 'lead',
          definition: { start: 'c1', steps: [{ id: 'c1', type: 'phone_call', name: 'Call' }] },
        },
      })
    ).json();
    expect(
      (await h.as('sales_manager', { method: 'POST', url: `/api/sequences/${target.id}/activate` }))
        .statusCode,
    ).toBe(200);
    const draft = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/sequences',
      payload: {
        name: 'Hand over',
        entityType: 'lead',
        definition: {
          start: 's1',
          steps: [
            { id: 's1', type: 'phone_call', name: 'Call', next: 'a1' },
            { id: 'a1', type: 'advance_to_sequence', sequenceId: target.id, next: 's2' },
            { id: 's2', type: 'phone_call', name: 'Call again' },
          ],
        },
      },
    });
    expect(draft.statusCode).toBe(201);
    expect(draft.json().definition.steps[1]).toMatchObject({ id: 'a1', next: 's2' });
    const refused = await h.as('sales_manager', {
      method: 'POST',
      url: `/api/sequences/${draft.json().id}/activate`,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ code: 'advance_not_last', path: '/definition/steps/1/next', stepId: 'a1' }],
    });
    expect(refused.json().errors).toHaveLength(1);
  });

  it('runs the lifecycle: create, edit, 422 on a broken activation, activate, 409 while active, revise, versions, deactivate, delete', async () => {
    const created = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/sequences',
      payload: { name: 'Blank', entityType: 'lead' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: 'inactive',
      version: 1,
      ownerId: h.users.sales_manager.id,
    });
    const id = created.json().id;

    const broken = await h.as('sales_manager', {
      method: 'POST',
      url: `/api/sequences/${id}/activate`,
      payload: {},
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({
      code: 'validation_failed',
      errors: expect.arrayContaining([
        expect.objectContaining({ code: 'no_activity', path: '/definition/steps' }),
      ]),
    });

    const definition = {
      start: 's1',
      steps: [
        { id: 's1', type: 'phone_call', name: 'Call', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'P2D', next: 's2' },
        { id: 's2', type: 'task', name: 'Follow up' },
      ],
    };
    const badShape = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/sequences/${id}`,
      payload: { definition: { steps: 'nope' } },
    });
    expect(badShape.statusCode).toBe(400);
    const put = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/sequences/${id}`,
      payload: { definition, description: null },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ summary: { stepCount: 2, durationDays: 2 }, description: null });

    const active = await h.as('sales_manager', {
      method: 'POST',
      url: `/api/sequences/${id}/activate`,
      payload: { versionDescription: 'first' },
    });
    expect(active.statusCode).toBe(200);
    expect(active.json()).toMatchObject({ status: 'active', version: 1 });
    const locked = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/sequences/${id}`,
      payload: { name: 'x' },
    });
    expect(locked.statusCode).toBe(409);
    expect(locked.json()).toMatchObject({ code: 'sequence_active' });

    const revision = await h.as('admin', { method: 'POST', url: `/api/sequences/${id}/revise` });
    expect(revision.json()).toMatchObject({ status: 'revision', version: 2, activeVersion: 1 });
    expect(
      (await h.as('admin', { method: 'PUT', url: `/api/sequences/${id}`, payload: { name: 'Blank v2' } }))
        .statusCode,
    ).toBe(200);
    const versions = (
      await h.as('salesperson', { method: 'GET', url: `/api/sequences/${id}/versions` })
    ).json();
    expect(versions).toMatchObject([
      { version: 1, description: 'first', activatedAt: expect.any(String), enrolledCount: 0 },
      { version: 2, activatedAt: null },
    ]);
    // One version with its steps: the old one as it ran, the draft as edited; a salesperson may read both.
    const ofOne = (v: string) =>
      h.as('salesperson', { method: 'GET', url: `/api/sequences/${id}/versions/${v}` });
    const first = await ofOne('1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      version: 1,
      description: 'first',
      activatedAt: expect.any(String),
      createdAt: expect.any(String),
      enrolledCount: 0,
      summary: { stepCount: 2, durationDays: 2 },
    });
    expect(first.json().definition).toMatchObject(definition);
    expect((await ofOne('2')).json()).toMatchObject({ version: 2, activatedAt: null });
    expect((await ofOne('3')).statusCode).toBe(404);
    expect((await ofOne('3')).json()).toMatchObject({ code: 'not_found' });
    for (const bad of ['0', '-1', 'x', '1.5', '99999999999'])
      expect((await ofOne(bad)).statusCode, bad).toBe(400);
    expect(
      (await h.as('salesperson', { method: 'GET', url: '/api/sequences/seq_none/versions/1' })).statusCode,
    ).toBe(404);
    const stats = await h.as('sales_manager', { method: 'GET', url: `/api/sequences/${id}/stats` });
    expect(stats.json()).toMatchObject({
      version: null,
      versions: [1, 2],
      enrolled: 0,
      steps: expect.any(Array),
      endReasons: expect.any(Object),
    });
    const ofVersion = (q: string) =>
      h.as('sales_manager', { method: 'GET', url: `/api/sequences/${id}/stats?version=${q}` });
    expect((await ofVersion('2')).json()).toMatchObject({ version: 2, versions: [1, 2], enrolled: 0 });
    expect((await ofVersion('3')).statusCode).toBe(404);
    for (const bad of ['0', '-1', 'x', '1.5', '99999999999'])
      expect((await ofVersion(bad)).statusCode, bad).toBe(400);

    const clone = await h.as('sequence_manager', {
      method: 'POST',
      url: `/api/sequences/${id}/clone`,
      payload: { name: 'Copy' },
    });
    expect(clone.json()).toMatchObject({ name: 'Copy', status: 'inactive', version: 1 });
    // Bodies of all-optional fields may be left out.
    const bare = await h.as('sequence_manager', { method: 'POST', url: `/api/sequences/${id}/clone` });
    expect(bare.statusCode).toBe(201);
    expect(bare.json()).toMatchObject({ name: 'Blank v2 (copy)' });

    const listed = (
      await h.as('salesperson', { method: 'GET', url: '/api/sequences?status=revision' })
    ).json();
    expect(listed.items.map((s: { id: string }) => s.id)).toEqual([id]);

    const off = await h.as('admin', { method: 'POST', url: `/api/sequences/${id}/deactivate` });
    expect(off.json()).toMatchObject({ status: 'inactive' });
    expect(
      (await h.as('admin', { method: 'POST', url: `/api/sequences/${id}/deactivate` })).json(),
    ).toMatchObject({ code: 'sequence_not_active' });
    expect((await h.as('admin', { method: 'DELETE', url: `/api/sequences/${id}` })).statusCode).toBe(204);
    expect((await h.as('admin', { method: 'GET', url: `/api/sequences/${id}` })).statusCode).toBe(404);
  });

  it('counts enrollments per seller: managers see every seller, a salesperson only their own row', async () => {
    const { admin, salesperson, seller2 } = h.users;
    const id = await activeSequence(h.deps, admin, 'call');
    const paused = await enrolledLead(h.deps, admin, salesperson, id);
    await enrolledLead(h.deps, admin, salesperson, id);
    const other = await enrolledLead(h.deps, admin, seller2, id);
    const pause = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollments/${paused.enrollmentId}/pause`,
    });
    expect(pause.statusCode).toBe(200);
    const disconnect = await h.as('admin', {
      method: 'POST',
      url: `/api/sequences/${id}/enrollments/disconnect`,
      payload: { recordIds: [other.recordId] },
    });
    expect(disconnect.statusCode).toBe(200);

    const row = {
      ownerId: salesperson.id,
      name: 'The salesperson',
      activeUser: true,
      enrolled: 2,
      active: 1,
      paused: 1,
      completed: 0,
      disconnected: 0,
      error: 0,
      endReasons: reasons(),
    };
    const otherRow = {
      ownerId: seller2.id,
      name: 'The seller2',
      activeUser: true,
      enrolled: 1,
      active: 0,
      paused: 0,
      completed: 0,
      disconnected: 1,
      error: 0,
      endReasons: reasons({ user_disconnected: 1 }),
    };
    const sellers = (who: Parameters<Harness['as']>[0], query = '') =>
      h.as(who, { method: 'GET', url: `/api/sequences/${id}/stats/sellers${query}` });
    for (const manager of ['admin', 'sequence_manager', 'sales_manager'] as const)
      expect((await sellers(manager)).json(), manager).toEqual({ version: null, sellers: [row, otherRow] });
    expect((await sellers('salesperson')).json()).toEqual({ version: null, sellers: [row] });
    expect((await sellers('seller2')).json()).toEqual({ version: null, sellers: [otherRow] });
    expect((await sellers('sales_manager', '?version=1')).json()).toEqual({
      version: 1,
      sellers: [row, otherRow],
    });
    // The team's figures add up to the sequence's own.
    const stats = (await h.as('sales_manager', { method: 'GET', url: `/api/sequences/${id}/stats` })).json();
    expect(stats).toMatchObject({ enrolled: 3, active: 1, paused: 1, disconnected: 1 });

    // A seller disabled since keeps their row, marked.
    const disabled = await h.as('admin', {
      method: 'PATCH',
      url: `/api/users/${seller2.id}`,
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect((await sellers('sales_manager')).json().sellers[1]).toEqual({ ...otherRow, activeUser: false });
    await h.as('admin', { method: 'PATCH', url: `/api/users/${seller2.id}`, payload: { disabled: false } });

    expect((await sellers('sales_manager', '?version=2')).statusCode).toBe(404);
    expect((await sellers('sales_manager', '?version=x')).statusCode).toBe(400);
    const none = await h.as('sales_manager', { method: 'GET', url: '/api/sequences/seq_none/stats/sellers' });
    expect(none.statusCode).toBe(404);
  });
});
