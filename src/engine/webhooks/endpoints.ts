// Administrators' use cases of webhook endpoints: register, change, rotate the secret, delete, look
// at deliveries and send one again, send a test `ping`. The secret is made here and returned only by
// create and rotate; every change is audited (without the secret).
import type { EngineDeps } from '../deps.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Page, PageOptions, Webhook, WebhookDelivery, WebhookPatch } from '../ports/store.js';
import type { EngineActor } from '../seller-actions.js';
import { PING_EVENT } from './event-types.js';
import { deliveryPayload, RETRY_WINDOW_MS } from './payload.js';

export const MAX_URL_LENGTH = 2_000;
const NO_WEBHOOK = 'No such webhook.';

export interface WebhookInput {
  url: string;
  events: readonly string[];
  description?: string | null | undefined;
  active?: boolean | undefined;
}

export type WebhookChange = Partial<WebhookInput>;

/** Whitespace and control characters anywhere (the WHATWG parser would drop a tab or newline silently). */
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;

function invalidUrl(message: string): BadRequestError {
  return new BadRequestError('The URL is not valid for a webhook.', [
    { code: 'invalid_url', path: '/url', message },
  ]);
}

/**
 * Only absolute http(s) URLs, taken as written: a webhook never reaches file:, data: or other schemes,
 * and a URL the parser would have to repair (a newline, a space) is refused rather than rewritten. No
 * user name or password in it either: it is shown on every read, and the secret is what signs deliveries.
 */
function checkedUrl(url: string): string {
  if (url.length > MAX_URL_LENGTH) throw invalidUrl(`At most ${MAX_URL_LENGTH} characters.`);
  if (SPACE_OR_CONTROL.test(url))
    throw invalidUrl('A webhook URL may not contain spaces, line breaks or other control characters.');
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (
    parsed === null ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.hostname === ''
  )
    throw invalidUrl('A webhook URL must be an absolute http:// or https:// URL.');
  if (parsed.username !== '' || parsed.password !== '')
    throw invalidUrl(
      'A webhook URL may not carry a user name or password; deliveries are signed with the endpoint secret.',
    );
  return parsed.toString();
}

/**
 * The URL as reads show it. Endpoints registered before user names and passwords were refused may still
 * carry them: deliveries keep using the URL as stored, but reads (and the audit trail) show `***` in place
 * of the credentials. Changing the URL is how to drop them.
 */
export function shownUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '***';
  parsed.password = '';
  return parsed.toString();
}

function checkedEvents(events: readonly string[]): string[] {
  const unique = [...new Set(events)];
  if (unique.length === 0)
    throw new BadRequestError('No event types.', [
      { code: 'no_events', path: '/events', message: 'Subscribe to at least one event type (or "*").' },
    ]);
  return unique;
}

function newSecret(deps: EngineDeps): string {
  return `whsec_${deps.ids.secret(32)}`;
}

async function audit(deps: EngineDeps, actor: EngineActor, action: string, webhook: Webhook, data = {}) {
  await deps.store.audit.append({
    id: deps.ids.newId('aud'),
    at: deps.clock.now(),
    actorId: actor.id,
    action,
    subjectType: 'webhook',
    subjectId: webhook.id,
    data: { url: shownUrl(webhook.url), ...data },
  });
}

export async function createWebhook(
  deps: EngineDeps,
  actor: EngineActor,
  input: WebhookInput,
): Promise<Webhook> {
  const webhook = await deps.store.webhooks.create({
    id: deps.ids.newId('whk'),
    url: checkedUrl(input.url),
    events: checkedEvents(input.events),
    description: input.description ?? null,
    secret: newSecret(deps),
    active: input.active ?? true,
    createdAt: deps.clock.now(),
  });
  await audit(deps, actor, 'webhook.created', webhook, { events: webhook.events });
  return webhook;
}

export async function getWebhook(deps: EngineDeps, id: string): Promise<Webhook> {
  const webhook = await deps.store.webhooks.get(id);
  if (webhook === null) throw new NotFoundError(NO_WEBHOOK);
  return webhook;
}

export function listWebhooks(deps: EngineDeps, options?: PageOptions): Promise<Page<Webhook>> {
  return deps.store.webhooks.list(options);
}

export async function updateWebhook(
  deps: EngineDeps,
  actor: EngineActor,
  id: string,
  change: WebhookChange,
): Promise<Webhook> {
  const patch: WebhookPatch = {
    ...(change.url === undefined ? {} : { url: checkedUrl(change.url) }),
    ...(change.events === undefined ? {} : { events: checkedEvents(change.events) }),
    ...(change.description === undefined ? {} : { description: change.description }),
    ...(change.active === undefined ? {} : { active: change.active }),
  };
  const webhook = await deps.store.webhooks.update(id, patch, deps.clock.now());
  if (webhook === null) throw new NotFoundError(NO_WEBHOOK);
  await audit(deps, actor, 'webhook.changed', webhook, { changed: Object.keys(patch) });
  return webhook;
}

/** A new secret; the old one stops signing at once. */
export async function rotateWebhookSecret(
  deps: EngineDeps,
  actor: EngineActor,
  id: string,
): Promise<Webhook> {
  const webhook = await deps.store.webhooks.update(id, { secret: newSecret(deps) }, deps.clock.now());
  if (webhook === null) throw new NotFoundError(NO_WEBHOOK);
  await audit(deps, actor, 'webhook.secret_rotated', webhook);
  return webhook;
}

export async function deleteWebhook(deps: EngineDeps, actor: EngineActor, id: string): Promise<void> {
  const webhook = await getWebhook(deps, id);
  if (!(await deps.store.webhooks.delete(id))) throw new NotFoundError(NO_WEBHOOK);
  await audit(deps, actor, 'webhook.deleted', webhook);
}

export async function listWebhookDeliveries(
  deps: EngineDeps,
  webhookId: string,
  options?: PageOptions,
): Promise<Page<WebhookDelivery>> {
  await getWebhook(deps, webhookId);
  return deps.store.webhooks.listDeliveries(webhookId, options);
}

/**
 * When an administrator last sent the delivery again, or null: a delivery's retry window opens when it
 * is made, and again at each re-send.
 */
export function resentAt(delivery: WebhookDelivery): number | null {
  const windowStart = delivery.retryUntil - RETRY_WINDOW_MS;
  return windowStart > delivery.createdAt ? windowStart : null;
}

/** Sends a delivery again (same event id and body), due now and retried for another 24 hours. */
export async function resendWebhookDelivery(
  deps: EngineDeps,
  actor: EngineActor,
  deliveryId: string,
): Promise<WebhookDelivery> {
  const before = await deps.store.webhooks.getDelivery(deliveryId);
  if (before === null) throw new NotFoundError('No such delivery.');
  const now = deps.clock.now();
  // Due now. The new window starts now too, but at least 1 ms after the delivery was made: its start
  // is what marks the delivery as re-sent (resentAt), also on a test clock that has not moved since.
  const windowStart = Math.max(now, before.createdAt + 1);
  const delivery = await deps.store.webhooks.resend(deliveryId, now, windowStart + RETRY_WINDOW_MS);
  if (delivery === null) throw new NotFoundError('No such delivery.');
  await deps.store.audit.append({
    id: deps.ids.newId('aud'),
    at: now,
    actorId: actor.id,
    action: 'webhook.delivery_resent',
    subjectType: 'webhook',
    subjectId: delivery.webhookId,
    data: { deliveryId: delivery.id, eventId: delivery.eventId },
  });
  return delivery;
}

/** Queues a `ping` event for one endpoint (active or not), delivered like any other. */
export async function sendWebhookPing(deps: EngineDeps, webhookId: string): Promise<WebhookDelivery> {
  const webhook = await getWebhook(deps, webhookId);
  const now = deps.clock.now();
  const eventId = deps.ids.newId('evt_ping');
  const id = deps.ids.newId('whd');
  await deps.store.webhooks.enqueue([
    {
      id,
      webhookId: webhook.id,
      eventId,
      eventType: PING_EVENT,
      payload: deliveryPayload(eventId, PING_EVENT, now, { webhookId: webhook.id }),
      nextAttemptAt: now,
      retryUntil: now + RETRY_WINDOW_MS,
      createdAt: now,
    },
  ]);
  const delivery = await deps.store.webhooks.getDelivery(id);
  if (delivery === null) throw new NotFoundError(NO_WEBHOOK);
  return delivery;
}
