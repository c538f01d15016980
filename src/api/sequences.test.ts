import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';

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
});
