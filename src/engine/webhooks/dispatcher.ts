// The dispatcher: turns the event log (written by the 0005 triggers inside the engine's commits) into
// deliveries, one per subscribed active endpoint and event. Taking the events, inserting deliveries
// and deleting the events is one transaction; the unique (endpoint, event) key makes a second fan-out
// of the same event — a retried or duplicated dispatcher — add nothing.
import type { EngineDeps } from '../deps.js';
import type { Ids } from '../ports/ids.js';
import type { NewWebhookDelivery, Webhook, WebhookEvent } from '../ports/store.js';
import { subscribes } from './event-types.js';
import { deliveryPayload, eventId, RETRY_WINDOW_MS } from './payload.js';

export const DISPATCH_BATCH = 500;

/** The deliveries of `events` for the endpoints that subscribe to them, due at `now`. */
export function deliveriesFor(
  events: readonly WebhookEvent[],
  endpoints: readonly Webhook[],
  ids: Ids,
  now: number,
): NewWebhookDelivery[] {
  const deliveries: NewWebhookDelivery[] = [];
  for (const event of events) {
    const targets = endpoints.filter(
      (endpoint) => endpoint.active && subscribes(endpoint.events, event.type),
    );
    if (targets.length === 0) continue;
    const id = eventId(event.seq);
    const at = event.at ?? now;
    const payload = deliveryPayload(id, event.type, at, event.data);
    for (const endpoint of targets) {
      deliveries.push({
        id: ids.newId('whd'),
        webhookId: endpoint.id,
        eventId: id,
        eventType: event.type,
        payload,
        nextAttemptAt: now,
        retryUntil: now + RETRY_WINDOW_MS,
        createdAt: now,
      });
    }
  }
  return deliveries;
}

export interface DispatchResult {
  events: number;
  deliveries: number;
}

/** Fans out up to `batchSize` events; call again while `events` equals the batch size. */
export async function dispatchWebhookEvents(
  deps: EngineDeps,
  batchSize: number = DISPATCH_BATCH,
): Promise<DispatchResult> {
  return deps.store.transaction(async (tx) => {
    const events = await tx.webhooks.takeEvents(batchSize);
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const endpoints = await tx.webhooks.listActive();
    const deliveries = deliveriesFor(events, endpoints, deps.ids, deps.clock.now());
    const inserted = deliveries.length === 0 ? 0 : await tx.webhooks.enqueue(deliveries);
    await tx.webhooks.deleteEvents(events.map((event) => event.seq));
    return { events: events.length, deliveries: inserted };
  });
}
