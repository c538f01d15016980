// Webhooks (docs/webhooks.md): administrators register endpoints for event types, see each delivery
// with its attempts, and send one again. The signing secret appears only in the answers of create and
// rotate-secret.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import type { OutboundPolicy } from '../../engine/outbound-hosts.js';
import type { Webhook, WebhookDelivery } from '../../engine/ports/store.js';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  MAX_URL_LENGTH,
  resendWebhookDelivery,
  resentAt,
  rotateWebhookSecret,
  sendWebhookPing,
  shownUrl,
  updateWebhook,
} from '../../engine/webhooks/endpoints.js';
import { SUBSCRIBABLE_EVENTS } from '../../engine/webhooks/event-types.js';
import { actorOf, requireRole } from '../auth/actor.js';
import { checkHostAllowed, hostOfUrl } from '../host-not-allowed.js';
import {
  absentBodyIsEmpty,
  IdParams,
  Instant,
  iso,
  isoOrNull,
  NoContent,
  NullableText,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';

const EventType = Type.Enum(SUBSCRIBABLE_EVENTS, { description: 'An event type, or `*` for all.' });
const Events = Type.Array(EventType, {
  minItems: 1,
  maxItems: SUBSCRIBABLE_EVENTS.length,
  uniqueItems: true,
});
const Url = Type.String({
  minLength: 1,
  maxLength: MAX_URL_LENGTH,
  description: 'An absolute http:// or https:// URL.',
});
const Description = NullableText({ maxLength: 500 });

export const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});

const WebhookWithSecret = Type.Object({
  ...WebhookView.properties,
  secret: Type.String({
    description: 'The signing secret of Stepwise-Signature. Shown only here: keep it now.',
  }),
});

const AttemptView = Type.Object({
  at: Instant,
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

export const DeliveryView = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventId: Type.String({ description: 'Also the Stepwise-Event-Id header: the same on every attempt.' }),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Array(AttemptView),
  nextAttemptAt: Type.Union([Instant, Type.Null()]),
  createdAt: Instant,
  deliveredAt: Type.Union([Instant, Type.Null()]),
  resentAt: Type.Union([Instant, Type.Null()], {
    description:
      'When an administrator last sent it again (POST /api/webhook-deliveries/{id}/resend), or null; the attempts from then on are the re-send’s.',
  }),
  payload: Type.Unknown({ description: 'The JSON body sent: `{id, type, createdAt, data}`.' }),
});

function toWebhookView(webhook: Webhook): Static<typeof WebhookView> {
  return {
    id: webhook.id,
    url: shownUrl(webhook.url),
    events: webhook.events,
    description: webhook.description,
    active: webhook.active,
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
}

function toDeliveryView(delivery: WebhookDelivery): Static<typeof DeliveryView> {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts.map((a) => ({
      at: iso(a.at),
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
    })),
    nextAttemptAt: delivery.status === 'pending' ? isoOrNull(delivery.nextAttemptAt) : null,
    createdAt: iso(delivery.createdAt),
    deliveredAt: isoOrNull(delivery.deliveredAt),
    resentAt: isoOrNull(resentAt(delivery)),
    payload: JSON.parse(delivery.payload) as unknown,
  };
}

const NewWebhookBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const WebhookPatchBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const webhookRoutes: FastifyPluginAsyncTypebox<{
  deps: EngineDeps;
  outbound: OutboundPolicy;
}> = async (app, { deps, outbound }) => {
  const adminOnly = requireRole('admin');
  const tags = ['webhooks'];
  /** A URL whose host the server would never connect to is refused now (422), not at every delivery. */
  const checkUrlHost = async (url: string | undefined) => {
    const host = url === undefined ? null : hostOfUrl(url);
    if (host !== null) await checkHostAllowed(outbound, host, '/url');
  };

  app.get(
    '/api/webhooks',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'List webhook endpoints',
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(WebhookView) },
      },
    },
    async (request) => {
      const page = await listWebhooks(deps, pageOptions(request.query));
      return { items: page.items.map(toWebhookView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/webhooks',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'Register a webhook endpoint (the answer holds its signing secret, shown once)',
        body: NewWebhookBody,
        response: { 201: WebhookWithSecret, 422: Problem },
      },
    },
    async (request, reply) => {
      await checkUrlHost(request.body.url);
      const webhook = await createWebhook(deps, actorOf(request), request.body);
      request.log.info({ webhookId: webhook.id }, 'webhook created');
      return reply.status(201).send({ ...toWebhookView(webhook), secret: webhook.secret });
    },
  );

  app.get(
    '/api/webhooks/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'One webhook endpoint',
        params: IdParams,
        response: { 200: WebhookView, 404: Problem },
      },
    },
    async (request) => toWebhookView(await getWebhook(deps, request.params.id)),
  );

  app.patch(
    '/api/webhooks/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'Change a webhook endpoint (URL, events, description, active)',
        params: IdParams,
        body: WebhookPatchBody,
        response: { 200: WebhookView, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      await checkUrlHost(request.body.url);
      return toWebhookView(await updateWebhook(deps, actorOf(request), request.params.id, request.body));
    },
  );

  app.delete(
    '/api/webhooks/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'Delete a webhook endpoint with its deliveries',
        params: IdParams,
        response: { 204: NoContent, 404: Problem },
      },
    },
    async (request, reply) => {
      await deleteWebhook(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/webhooks/:id/rotate-secret',
    {
      preHandler: adminOnly,
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Replace the signing secret (the answer holds the new one, shown once)',
        params: IdParams,
        response: { 200: WebhookWithSecret, 404: Problem },
      },
    },
    async (request) => {
      const webhook = await rotateWebhookSecret(deps, actorOf(request), request.params.id);
      request.log.info({ webhookId: webhook.id }, 'webhook secret rotated');
      return { ...toWebhookView(webhook), secret: webhook.secret };
    },
  );

  app.get(
    '/api/webhooks/:id/deliveries',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first, each with its attempts",
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(DeliveryView), 404: Problem },
      },
    },
    async (request) => {
      const page = await listWebhookDeliveries(deps, request.params.id, pageOptions(request.query));
      return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/webhooks/:id/test',
    {
      preHandler: adminOnly,
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Queue a `ping` event for this endpoint',
        params: IdParams,
        response: { 202: DeliveryView, 404: Problem },
      },
    },
    async (request, reply) =>
      reply.status(202).send(toDeliveryView(await sendWebhookPing(deps, request.params.id))),
  );

  app.post(
    '/api/webhook-deliveries/:id/resend',
    {
      preHandler: adminOnly,
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Send a delivery again (same event id and body), retried for another 24 hours',
        params: IdParams,
        response: { 200: DeliveryView, 404: Problem },
      },
    },
    async (request) => toDeliveryView(await resendWebhookDelivery(deps, actorOf(request), request.params.id)),
  );
};
