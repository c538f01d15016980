// Every route × every role (and, for a salesperson, their own record vs. another seller's): the status the
// server answers. The table must cover every route the server has: adding a route without a row fails.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequenceFromTemplate } from '../engine/sequence-templates.js';
import { activateSequence } from '../engine/sequences/activate-sequence.js';
import { createWebhook, sendWebhookPing } from '../engine/webhooks/endpoints.js';
import { createApiToken } from './auth/api-tokens.js';
import { type Harness, PASSWORD, startHarness } from './test-support/api-harness.js';
import {
  enrolledLead,
  type FirstStep,
  activeSequence as flowSequence,
} from './test-support/enrollment-fixtures.js';
import { serverRoutes } from './test-support/route-list.js';

type Caller = 'admin' | 'sequence_manager' | 'sales_manager' | 'salesperson' | 'anonymous';
const CALLERS: readonly Caller[] = ['admin', 'sequence_manager', 'sales_manager', 'salesperson', 'anonymous'];

interface Fixtures {
  h: Harness;
  /** A record owned by the salesperson (own) or by the other seller (other). */
  record(owner: 'own' | 'other'): Promise<string>;
  template(): Promise<string>;
  /** An inactive sequence made from a gallery template (valid for activation). */
  sequence(): Promise<string>;
  activeSequence(): Promise<string>;
  unique(): string;
  /** A fresh API token of the salesperson. */
  token(): Promise<string>;
  /** A new salesperson's id, and a mailbox of a new user. */
  user(): Promise<string>;
  mailbox(): Promise<string>;
  /** An active sequence (one per kind) whose current step after connecting is a call, a manual email or a wait. */
  flow(first: FirstStep): Promise<string>;
  /** A new lead of the salesperson (own) or the other seller, connected to flow(first). */
  enrolled(
    owner: 'own' | 'other',
    first: FirstStep,
  ): Promise<{ recordId: string; enrollmentId: string; stepRowId: string }>;
}

interface Row {
  route: string;
  variant?: 'own record' | "other seller's record" | 'own token' | 'searched and sorted';
  /** The request `caller` makes (most rows make the same one for everybody). */
  request(f: Fixtures, caller: Caller): Promise<InjectOptions>;
  expect: Record<Caller, number>;
}

const all = (status: number, anonymous = 401): Record<Caller, number> => ({
  admin: status,
  sequence_manager: status,
  sales_manager: status,
  salesperson: status,
  anonymous,
});
const managers = (status: number, salesperson = 403): Record<Caller, number> => ({
  ...all(status),
  salesperson,
});
const adminOnly = (status: number): Record<Caller, number> => ({
  admin: status,
  sequence_manager: 403,
  sales_manager: 403,
  salesperson: 403,
  anonymous: 401,
});

const get = (url: string): InjectOptions => ({ method: 'GET', url });
/** A mailbox nobody can reach (port 1 refuses at once): verify answers `{ ok: false }`. */
const MAILBOX = {
  name: 'Matrix',
  host: '127.0.0.1',
  port: 1,
  secure: false,
  username: 'user',
  password: 'secret',
  fromAddress: 'sales@example.com',
};
/** A fresh webhook endpoint (on a port nothing listens to: no worker runs in this suite). */
const webhookOf = async (f: Fixtures): Promise<string> =>
  (
    await createWebhook(
      f.h.deps,
      { id: f.h.users.admin.id, role: 'admin' },
      { url: 'http://127.0.0.1:9/hooks', events: ['*'] },
    )
  ).id;
const csv = 'name,email,externalId\nAda,ada@example.com,\n';

const TABLE: Row[] = [
  { route: 'GET /healthz', request: async () => get('/healthz'), expect: all(200, 200) },
  { route: 'GET /readyz', request: async () => get('/readyz'), expect: all(200, 200) },
  { route: 'GET /api/openapi.json', request: async () => get('/api/openapi.json'), expect: all(200, 200) },
  {
    route: 'POST /api/auth/login',
    request: async () => ({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'admin@example.com', password: PASSWORD },
    }),
    expect: all(200, 200),
  },
  {
    route: 'POST /api/auth/logout',
    request: async () => ({ method: 'POST', url: '/api/auth/logout' }),
    expect: all(204),
  },
  // The set-up link is public; here users exist, so every link is dead (src/api/setup.test.ts covers the rest).
  {
    route: 'GET /api/setup',
    request: async () => get('/api/setup?token=forged'),
    expect: all(404, 404),
  },
  {
    route: 'POST /api/setup',
    request: async () => ({
      method: 'POST',
      url: '/api/setup',
      payload: { token: 'forged', email: 'first@example.com', name: 'First', password: PASSWORD },
    }),
    expect: all(404, 404),
  },

  {
    route: 'POST /api/users',
    request: async (f) => ({
      method: 'POST',
      url: '/api/users',
      payload: { email: `${f.unique()}@example.com`, name: 'New', role: 'salesperson' },
    }),
    expect: adminOnly(201),
  },
  { route: 'GET /api/users', request: async () => get('/api/users'), expect: adminOnly(200) },
  { route: 'GET /api/users/me', request: async () => get('/api/users/me'), expect: all(200) },
  { route: 'GET /api/users/directory', request: async () => get('/api/users/directory'), expect: all(200) },
  {
    // Each changes their password to the same one: later rows still sign in with it.
    route: 'PUT /api/users/me/password',
    request: async () => ({
      method: 'PUT',
      url: '/api/users/me/password',
      payload: { currentPassword: PASSWORD, newPassword: PASSWORD },
    }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/users/me',
    request: async () => ({ method: 'PATCH', url: '/api/users/me', payload: { timezone: 'Europe/Paris' } }),
    expect: all(200),
  },
  {
    route: 'GET /api/users/:id',
    request: async (f) => get(`/api/users/${f.h.users.seller2.id}`),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/users/:id',
    request: async (f) => ({
      method: 'PATCH',
      url: `/api/users/${f.h.users.seller2.id}`,
      payload: { name: 'Renamed' },
    }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/users/me/tokens', request: async () => get('/api/users/me/tokens'), expect: all(200) },
  {
    route: 'POST /api/users/me/tokens',
    request: async () => ({ method: 'POST', url: '/api/users/me/tokens', payload: { name: 'script' } }),
    expect: all(201),
  },
  {
    route: 'DELETE /api/users/me/tokens/:id',
    variant: 'own token',
    // Each caller revokes a token of the salesperson: only the salesperson owns it.
    request: async (f) => ({ method: 'DELETE', url: `/api/users/me/tokens/${await f.token()}` }),
    expect: { admin: 404, sequence_manager: 404, sales_manager: 404, salesperson: 204, anonymous: 401 },
  },
  {
    route: 'GET /api/users/:id/tokens',
    request: async (f) => get(`/api/users/${f.h.users.salesperson.id}/tokens`),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/users/:id/tokens/:tokenId',
    // Each caller revokes a fresh token of the salesperson; even the salesperson must use /me here.
    request: async (f) => ({
      method: 'DELETE',
      url: `/api/users/${f.h.users.salesperson.id}/tokens/${await f.token()}`,
    }),
    expect: adminOnly(204),
  },

  {
    route: 'POST /api/records',
    request: async () => ({ method: 'POST', url: '/api/records', payload: { type: 'lead', name: 'Grace' } }),
    expect: all(201),
  },
  {
    route: 'POST /api/records/bulk',
    request: async () => ({
      method: 'POST',
      url: '/api/records/bulk',
      payload: { records: [{ type: 'lead', name: 'Bulk' }] },
    }),
    expect: managers(200),
  },
  {
    route: 'POST /api/records/import',
    request: async () => ({
      method: 'POST',
      url: '/api/records/import?type=lead',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    }),
    expect: managers(200),
  },
  { route: 'GET /api/records', request: async () => get('/api/records'), expect: all(200) },
  ...(['own', 'other'] as const).flatMap((owner): Row[] => {
    const variant = owner === 'own' ? 'own record' : "other seller's record";
    const sellerStatus = (ok: number) => (owner === 'own' ? ok : 404);
    return [
      {
        route: 'GET /api/records/:id',
        variant,
        request: async (f) => get(`/api/records/${await f.record(owner)}`),
        expect: managers(200, sellerStatus(200)),
      },
      {
        route: 'PATCH /api/records/:id',
        variant,
        request: async (f) => ({
          method: 'PATCH',
          url: `/api/records/${await f.record(owner)}`,
          payload: { company: 'Acme' },
        }),
        expect: managers(200, sellerStatus(200)),
      },
      {
        route: 'DELETE /api/records/:id',
        variant,
        request: async (f) => ({ method: 'DELETE', url: `/api/records/${await f.record(owner)}` }),
        expect: managers(204, sellerStatus(204)),
      },
      {
        route: 'POST /api/email-templates/:id/preview',
        variant,
        request: async (f) => ({
          method: 'POST',
          url: `/api/email-templates/${await f.template()}/preview`,
          payload: { recordId: await f.record(owner) },
        }),
        expect: managers(200, sellerStatus(200)),
      },
    ];
  }),

  {
    route: 'POST /api/email-templates',
    request: async () => ({
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Hello', subject: 'Hi {{ record.name }}', body: 'Hello' },
    }),
    expect: managers(201),
  },
  { route: 'GET /api/email-templates', request: async () => get('/api/email-templates'), expect: all(200) },
  {
    route: 'GET /api/email-templates/:id',
    request: async (f) => get(`/api/email-templates/${await f.template()}`),
    expect: all(200),
  },
  {
    route: 'PUT /api/email-templates/:id',
    request: async (f) => ({
      method: 'PUT',
      url: `/api/email-templates/${await f.template()}`,
      payload: { name: 'Renamed' },
    }),
    expect: managers(200),
  },
  {
    route: 'DELETE /api/email-templates/:id',
    request: async (f) => ({ method: 'DELETE', url: `/api/email-templates/${await f.template()}` }),
    expect: managers(204),
  },

  {
    route: 'POST /api/sequences',
    request: async () => ({
      method: 'POST',
      url: '/api/sequences',
      payload: { name: 'Outbound', entityType: 'lead' },
    }),
    expect: managers(201),
  },
  { route: 'GET /api/sequences', request: async () => get('/api/sequences'), expect: all(200) },
  {
    route: 'GET /api/sequences/:id',
    request: async (f) => get(`/api/sequences/${await f.sequence()}`),
    expect: all(200),
  },
  {
    route: 'PUT /api/sequences/:id',
    request: async (f) => ({
      method: 'PUT',
      url: `/api/sequences/${await f.sequence()}`,
      payload: { name: 'Renamed' },
    }),
    expect: managers(200),
  },
  {
    route: 'POST /api/sequences/:id/activate',
    request: async (f) => ({
      method: 'POST',
      url: `/api/sequences/${await f.sequence()}/activate`,
      payload: {},
    }),
    expect: managers(200),
  },
  {
    route: 'POST /api/sequences/:id/revise',
    request: async (f) => ({ method: 'POST', url: `/api/sequences/${await f.activeSequence()}/revise` }),
    expect: managers(200),
  },
  {
    route: 'POST /api/sequences/:id/discard-revision',
    request: async (f) => ({
      method: 'POST',
      url: `/api/sequences/${await f.activeSequence()}/discard-revision`,
    }),
    expect: managers(200),
  },
  {
    route: 'POST /api/sequences/:id/deactivate',
    request: async (f) => ({ method: 'POST', url: `/api/sequences/${await f.activeSequence()}/deactivate` }),
    expect: managers(200),
  },
  {
    route: 'GET /api/sequences/:id/versions',
    request: async (f) => get(`/api/sequences/${await f.sequence()}/versions`),
    expect: all(200),
  },
  {
    route: 'GET /api/sequences/:id/versions/:version',
    request: async (f) => get(`/api/sequences/${await f.sequence()}/versions/1`),
    expect: all(200),
  },
  {
    route: 'POST /api/sequences/:id/clone',
    request: async (f) => ({
      method: 'POST',
      url: `/api/sequences/${await f.sequence()}/clone`,
      payload: {},
    }),
    expect: managers(201),
  },
  {
    route: 'DELETE /api/sequences/:id',
    request: async (f) => ({ method: 'DELETE', url: `/api/sequences/${await f.sequence()}` }),
    expect: managers(204),
  },
  {
    route: 'GET /api/sequences/:id/stats',
    request: async (f) => get(`/api/sequences/${await f.sequence()}/stats`),
    expect: managers(200),
  },
  {
    // Everyone: a salesperson's answer holds only their own row (src/api/sequences.test.ts).
    route: 'GET /api/sequences/:id/stats/sellers',
    request: async (f) => get(`/api/sequences/${await f.flow('call')}/stats/sellers`),
    expect: all(200),
  },

  {
    route: 'GET /api/sequence-templates',
    request: async () => get('/api/sequence-templates'),
    expect: all(200),
  },
  {
    route: 'POST /api/sequence-templates/:key/use',
    request: async () => ({
      method: 'POST',
      url: '/api/sequence-templates/product-demo-meeting/use',
      payload: {},
    }),
    expect: managers(201),
  },

  // Mail: tracking and unsubscribe are public (a forged token records nothing: pixel 200, others 404).
  { route: 'GET /t/o/:token', request: async () => get('/t/o/forged.token'), expect: all(200, 200) },
  { route: 'GET /t/c/:token', request: async () => get('/t/c/forged.token'), expect: all(404, 404) },
  { route: 'GET /u/:token', request: async () => get('/u/forged.token'), expect: all(404, 404) },
  {
    route: 'POST /u/:token',
    request: async () => ({ method: 'POST', url: '/u/forged.token', payload: {} }),
    expect: all(404, 404),
  },
  {
    route: 'POST /api/inbound-email',
    // Every caller here uses an API token; a salesperson's is refused (a bounce ends other owners' work).
    request: async () => ({
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload:
        'From: someone@example.org\r\nTo: sales@example.com\r\nSubject: Hello\r\n\r\nA new message.\r\n',
    }),
    expect: managers(200),
  },

  // Enrollments, the work list and step actions (own vs. another seller's record), signals, the test clock.
  {
    route: 'POST /api/sequences/:id/enrollments',
    request: async (f) => ({
      method: 'POST',
      url: `/api/sequences/${await f.flow('call')}/enrollments`,
      payload: { recordIds: [await f.record('own')] },
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/sequences/:id/enrollments',
    request: async (f) => get(`/api/sequences/${await f.flow('call')}/enrollments`),
    expect: all(200),
  },
  {
    route: 'GET /api/sequences/:id/enrollments',
    variant: 'searched and sorted',
    request: async (f) => get(`/api/sequences/${await f.flow('call')}/enrollments?q=lead&sort=name`),
    expect: all(200),
  },
  {
    route: 'POST /api/sequences/:id/enrollments/disconnect',
    request: async (f) => ({
      method: 'POST',
      url: `/api/sequences/${await f.flow('call')}/enrollments/disconnect`,
      payload: { recordIds: [(await f.enrolled('own', 'call')).recordId] },
    }),
    expect: all(200),
  },
  { route: 'GET /api/worklist', request: async () => get('/api/worklist?when=today'), expect: all(200) },
  ...(['own', 'other'] as const).flatMap((owner): Row[] => {
    const variant = owner === 'own' ? 'own record' : "other seller's record";
    const ok = managers(200, owner === 'own' ? 200 : 404);
    const post = (url: string, payload: object = {}): InjectOptions => ({ method: 'POST', url, payload });
    return [
      {
        route: 'GET /api/enrollments/:id',
        variant,
        request: async (f) => get(`/api/enrollments/${(await f.enrolled(owner, 'call')).enrollmentId}`),
        expect: ok,
      },
      ...(['pause', 'resume'] as const).map(
        (action): Row => ({
          route: `POST /api/enrollments/:id/${action}`,
          variant,
          request: async (f) =>
            post(`/api/enrollments/${(await f.enrolled(owner, 'call')).enrollmentId}/${action}`),
          expect: ok,
        }),
      ),
      {
        route: 'GET /api/records/:id/up-next',
        variant,
        request: async (f) => get(`/api/records/${(await f.enrolled(owner, 'call')).recordId}/up-next`),
        expect: ok,
      },
      {
        route: 'GET /api/records/:id/enrollments',
        variant,
        request: async (f) => get(`/api/records/${(await f.enrolled(owner, 'call')).recordId}/enrollments`),
        expect: ok,
      },
      {
        route: 'POST /api/enrollment-steps/:id/complete',
        variant,
        request: async (f) =>
          post(`/api/enrollment-steps/${(await f.enrolled(owner, 'call')).stepRowId}/complete`, {
            outcome: 'answered',
          }),
        expect: ok,
      },
      {
        route: 'POST /api/enrollment-steps/:id/skip',
        variant,
        request: async (f) =>
          post(`/api/enrollment-steps/${(await f.enrolled(owner, 'call')).stepRowId}/skip`),
        expect: ok,
      },
      {
        route: 'POST /api/enrollment-steps/:id/snooze',
        variant,
        request: async (f) =>
          post(`/api/enrollment-steps/${(await f.enrolled(owner, 'call')).stepRowId}/snooze`, {
            until: new Date(f.h.clock.now() + 3_600_000).toISOString(),
          }),
        expect: ok,
      },
      {
        route: 'POST /api/enrollment-steps/:id/skip-wait',
        variant,
        request: async (f) =>
          post(`/api/enrollment-steps/${(await f.enrolled(owner, 'wait')).stepRowId}/skip-wait`),
        expect: ok,
      },
      {
        route: 'POST /api/enrollment-steps/:id/send',
        variant,
        request: async (f) =>
          post(`/api/enrollment-steps/${(await f.enrolled(owner, 'email')).stepRowId}/send`, {
            subject: 'Hello',
          }),
        expect: ok,
      },
    ];
  }),
  {
    route: 'POST /api/signals',
    request: async (f) => ({
      method: 'POST',
      url: '/api/signals',
      payload: { signals: [{ type: 'email_opened', recordId: await f.record('own') }] },
    }),
    expect: managers(200),
  },
  // Webhooks: administrators only.
  { route: 'GET /api/webhooks', request: async () => get('/api/webhooks'), expect: adminOnly(200) },
  {
    route: 'POST /api/webhooks',
    request: async () => ({
      method: 'POST',
      url: '/api/webhooks',
      payload: { url: 'https://example.com/hooks', events: ['step.completed'] },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'GET /api/webhooks/:id',
    request: async (f) => get(`/api/webhooks/${await webhookOf(f)}`),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/webhooks/:id',
    request: async (f) => ({
      method: 'PATCH',
      url: `/api/webhooks/${await webhookOf(f)}`,
      payload: { active: false },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/webhooks/:id',
    request: async (f) => ({ method: 'DELETE', url: `/api/webhooks/${await webhookOf(f)}` }),
    expect: adminOnly(204),
  },
  {
    route: 'POST /api/webhooks/:id/rotate-secret',
    request: async (f) => ({ method: 'POST', url: `/api/webhooks/${await webhookOf(f)}/rotate-secret` }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/webhooks/:id/deliveries',
    request: async (f) => get(`/api/webhooks/${await webhookOf(f)}/deliveries`),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/webhooks/:id/test',
    request: async (f) => ({ method: 'POST', url: `/api/webhooks/${await webhookOf(f)}/test` }),
    expect: adminOnly(202),
  },
  {
    route: 'POST /api/webhook-deliveries/:id/resend',
    request: async (f) => {
      const delivery = await sendWebhookPing(f.h.deps, await webhookOf(f));
      return { method: 'POST', url: `/api/webhook-deliveries/${delivery.id}/resend` };
    },
    expect: adminOnly(200),
  },
  // Mailboxes (admin) and your own mailbox (everyone); the outbox's send_unknown decisions (admin).
  { route: 'GET /api/mailboxes', request: async () => get('/api/mailboxes'), expect: adminOnly(200) },
  {
    route: 'POST /api/mailboxes',
    request: async (f) => ({
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...MAILBOX, userId: await f.user() },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'GET /api/mailboxes/:id',
    request: async (f) => get(`/api/mailboxes/${await f.mailbox()}`),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/mailboxes/:id',
    request: async (f) => ({
      method: 'PATCH',
      url: `/api/mailboxes/${await f.mailbox()}`,
      payload: { name: 'Renamed' },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/mailboxes/:id',
    request: async (f) => ({ method: 'DELETE', url: `/api/mailboxes/${await f.mailbox()}` }),
    expect: adminOnly(204),
  },
  {
    route: 'POST /api/mailboxes/:id/verify',
    request: async (f) => ({ method: 'POST', url: `/api/mailboxes/${await f.mailbox()}/verify` }),
    expect: adminOnly(200),
  },
  {
    route: 'PUT /api/users/me/mailbox',
    // A user's own mailbox sends from their own address (administrators may choose any).
    request: async (f, caller) => ({
      method: 'PUT',
      url: '/api/users/me/mailbox',
      payload: {
        ...MAILBOX,
        fromAddress: caller === 'anonymous' ? MAILBOX.fromAddress : f.h.users[caller].email,
      },
    }),
    expect: all(200),
  },
  // After the PUT row above, every caller has a mailbox of their own.
  { route: 'GET /api/users/me/mailbox', request: async () => get('/api/users/me/mailbox'), expect: all(200) },
  { route: 'GET /api/audit', request: async () => get('/api/audit?limit=5'), expect: adminOnly(200) },
  {
    route: 'GET /api/outbox',
    request: async () => get('/api/outbox?status=send_unknown'),
    expect: adminOnly(200),
  },
  // No send_unknown message in this installation: the administrator is told so, the others are refused.
  { route: 'GET /api/outbox/:id', request: async () => get('/api/outbox/obx_none'), expect: adminOnly(404) },
  {
    route: 'POST /api/outbox/:id/resend',
    request: async () => ({ method: 'POST', url: '/api/outbox/obx_none/resend' }),
    expect: adminOnly(404),
  },
  {
    route: 'POST /api/outbox/:id/drop',
    request: async () => ({
      method: 'POST',
      url: '/api/outbox/obx_none/drop',
      payload: { delivered: false },
    }),
    expect: adminOnly(404),
  },
  { route: 'GET /metrics', request: async () => get('/metrics'), expect: all(200, 200) },
  // The test clock (this suite runs with STEPWISE_CLOCK=manual): anyone signed in on a test installation.
  { route: 'GET /api/clock', request: async () => get('/api/clock'), expect: all(200) },
  {
    route: 'POST /api/clock',
    request: async () => ({ method: 'POST', url: '/api/clock', payload: { advance: 'PT1M' } }),
    expect: all(200),
  },
];

describe('route × role matrix', () => {
  let h: Harness;
  let fixtures: Fixtures;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    let n = 0;
    const { deps, users } = h;
    const sequence = async () =>
      (await createSequenceFromTemplate(deps, { key: 'follow-up-no-show', ownerId: users.admin.id })).id;
    const flows = new Map<FirstStep, Promise<string>>();
    const flow = (first: FirstStep) => {
      let id = flows.get(first);
      if (id === undefined) {
        id = flowSequence(deps, users.admin, first);
        flows.set(first, id);
      }
      return id;
    };
    fixtures = {
      h,
      flow,
      enrolled: async (owner, first) =>
        enrolledLead(
          deps,
          users.admin,
          owner === 'own' ? users.salesperson : users.seller2,
          await flow(first),
        ),
      unique: () => `u${++n}`,
      token: async () => (await createApiToken(deps, users.salesperson.id, 'spare')).id,
      async user() {
        const user = await deps.store.users.create({
          id: deps.ids.newId('usr'),
          email: `mailbox.${++n}@example.com`,
          name: `Seller ${n}`,
          role: 'salesperson',
          createdAt: deps.clock.now(),
        });
        return user.id;
      },
      async mailbox() {
        const mailbox = await deps.store.mailboxes.create({
          id: deps.ids.newId('mbx'),
          userId: await fixtures.user(),
          host: '127.0.0.1',
          port: 1,
          createdAt: deps.clock.now(),
        });
        return mailbox.id;
      },
      async record(owner) {
        const record = await deps.store.records.create({
          id: deps.ids.newId('rec'),
          type: 'lead',
          name: `Lead ${++n}`,
          ownerId: owner === 'own' ? users.salesperson.id : users.seller2.id,
          createdAt: deps.clock.now(),
        });
        return record.id;
      },
      async template() {
        const template = await deps.store.emailTemplates.create({
          id: deps.ids.newId('tpl'),
          name: `Template ${++n}`,
          subject: 'Hi {{ record.name }}',
          body: 'Hello {{ record.name }}, {{ sender.name }} here.',
          createdAt: deps.clock.now(),
        });
        return template.id;
      },
      sequence,
      async activeSequence() {
        const id = await sequence();
        await activateSequence(deps, { id: users.admin.id, role: 'admin' }, id);
        return id;
      },
    };
  });

  afterAll(async () => {
    await h.close();
  });

  it('has a row for every route the server has, and no row for a route it lacks', () => {
    const routes = serverRoutes(h.app);
    const covered = new Set(TABLE.map((row) => row.route));
    expect(routes.filter((route) => !covered.has(route))).toEqual([]);
    expect([...covered].filter((route) => !routes.includes(route))).toEqual([]);
  });

  for (const row of TABLE) {
    it(`${row.route}${row.variant === undefined ? '' : ` (${row.variant})`}`, async () => {
      const answers: Record<string, number> = {};
      for (const caller of CALLERS) {
        const response = await h.as(caller, await row.request(fixtures, caller));
        answers[caller] = response.statusCode;
        if (response.statusCode >= 400)
          expect(response.headers['content-type']).toContain('application/problem+json');
      }
      expect(answers).toEqual(row.expect);
    });
  }
});
