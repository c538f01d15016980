import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';

describe('users', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('creates a user with the default calendar, and checks time zones and working hours', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/users',
      payload: {
        email: 'new.seller@example.com',
        name: 'New Seller',
        role: 'salesperson',
        password: 'a long enough password',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      timezone: 'UTC',
      workingHours: { mon: [['08:00', '17:00']], sat: [] },
      disabled: false,
    });
    expect(created.json()).not.toHaveProperty('passwordHash');
    const taken = await h.as('admin', {
      method: 'POST',
      url: '/api/users',
      payload: { email: 'NEW.SELLER@example.com', name: 'Dup', role: 'salesperson' },
    });
    expect(taken.statusCode).toBe(409);
    const bad = await h.as('admin', {
      method: 'POST',
      url: '/api/users',
      payload: {
        email: 'x@example.com',
        name: 'X',
        role: 'salesperson',
        timezone: 'Europe/Atlantis',
        workingHours: { mon: [['18:00', '09:00']] },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { code: string }) => e.code)).toEqual([
      'invalid_timezone',
      'invalid_working_hours',
    ]);
    const badRole = await h.as('admin', {
      method: 'POST',
      url: '/api/users',
      payload: { email: 'y@example.com', name: 'Y', role: 'overlord' },
    });
    expect(badRole.statusCode).toBe(400);
  });

  it('lets everyone tune their own calendar, and only administrators change others', async () => {
    const me = await h.as('salesperson', {
      method: 'PATCH',
      url: '/api/users/me',
      payload: {
        timezone: 'America/New_York',
        workingHours: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '24:00'],
          ],
        },
      },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      timezone: 'America/New_York',
      workingHours: {
        mon: [
          ['09:00', '12:00'],
          ['13:00', '24:00'],
        ],
        // Days left out of the change keep their hours (here the default).
        tue: [['08:00', '17:00']],
        sat: [],
      },
    });
    expect(
      (await h.as('salesperson', { method: 'PATCH', url: '/api/users/me', payload: { role: 'admin' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await h.as('sales_manager', {
          method: 'PATCH',
          url: `/api/users/${h.users.seller2.id}`,
          payload: { name: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    const self = await h.as('admin', {
      method: 'PATCH',
      url: `/api/users/${h.users.admin.id}`,
      payload: { role: 'salesperson' },
    });
    expect(self.statusCode).toBe(409);
  });

  it('disabling a user ends their access', async () => {
    const user = await h.deps.store.users.create({
      id: h.deps.ids.newId('usr'),
      email: 'leaving@example.com',
      name: 'Leaving',
      role: 'salesperson',
      createdAt: h.clock.now(),
    });
    const { createApiToken } = await import('./auth/api-tokens.js');
    const { token } = await createApiToken(h.deps, user.id, 'x');
    const headers = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers })).statusCode).toBe(200);
    const off = await h.as('admin', {
      method: 'PATCH',
      url: `/api/users/${user.id}`,
      payload: { disabled: true },
    });
    expect(off.json()).toMatchObject({ disabled: true });
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers })).statusCode).toBe(401);
    // Enabled again, the token works again (README: revoke it to end it for good); a new password keeps it.
    const on = await h.as('admin', {
      method: 'PATCH',
      url: `/api/users/${user.id}`,
      payload: { disabled: false, password: 'a-brand-new-password-42' },
    });
    expect(on.json()).toMatchObject({ disabled: false });
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers })).statusCode).toBe(200);
  });

  it('gives every signed-in user the directory of names, roles and time zones, without addresses', async () => {
    const answer = await h.as('salesperson', { method: 'GET', url: '/api/users/directory?limit=500' });
    expect(answer.statusCode).toBe(200);
    const items = answer.json().items as Record<string, unknown>[];
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['id', 'name', 'role', 'timezone']);
    const all = (await h.as('admin', { method: 'GET', url: '/api/users?limit=500' })).json().items as {
      id: string;
      disabled: boolean;
    }[];
    expect(items.map((u) => u.id).sort()).toEqual(
      all
        .filter((u) => !u.disabled)
        .map((u) => u.id)
        .sort(),
    );
  });

  it('lists users a page at a time', async () => {
    const page = (await h.as('admin', { method: 'GET', url: '/api/users?limit=2' })).json();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const managers = (await h.as('admin', { method: 'GET', url: '/api/users?role=sales_manager' })).json();
    expect(managers.items.map((u: { email: string }) => u.email)).toEqual(['sales.manager@example.com']);
  });
});
