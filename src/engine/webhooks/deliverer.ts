// The deliverer: claims due deliveries under a lease, POSTs each signed body through the
// WebhookPoster port, and records the attempt. A 2xx answer delivers; anything else (another status,
// no answer, a timeout) is retried with exponential backoff and jitter until the delivery's
// `retryUntil` (24 hours), then the delivery is `failed`. At-least-once: a deliverer that dies after
// the POST and before recording it leaves the lease to expire, and the event is sent again with the
// same Stepwise-Event-Id. Attempts, retries and their 24-hour window run on the engine's clock; only
// the signature's `t`, a freshness stamp receivers compare with their own time, is wall-clock time.
import { createHash } from 'node:crypto';
import type { EngineDeps } from '../deps.js';
import type { Clock } from '../ports/clock.js';
import type { Webhook, WebhookAttemptOutcome, WebhookDelivery } from '../ports/store.js';
import { RETRY_WINDOW_MS } from './payload.js';
import type { WebhookPoster } from './poster.js';
import {
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from './signature.js';

export interface WebhookDeliveryDeps extends EngineDeps {
  poster: WebhookPoster;
  /**
   * Real time, for the signature's `t` (receivers refuse one more than 5 minutes off their clock).
   * Not `clock`: under STEPWISE_CLOCK=manual that one is hours or days away from now.
   */
  wallClock: Clock;
}

export interface DeliveryOptions {
  /** Deliveries claimed per pass. */
  batchSize: number;
  /** POSTs in flight at once within a pass. */
  concurrency: number;
  /** One POST's time limit. */
  timeoutMs: number;
  /** First retry after a failed attempt; doubles per attempt up to `retryMaxMs`, ±25% jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DELIVERY_DEFAULTS = {
  batchSize: 50,
  concurrency: 8,
  timeoutMs: 10_000,
  retryBaseMs: 30_000,
  retryMaxMs: 2 * 60 * 60_000,
} satisfies DeliveryOptions;

export const USER_AGENT = 'Stepwise-Webhooks/1';

/**
 * The wait after the `failures`-th failed attempt: base × 2^(failures−1), capped, times a factor in
 * [0.75, 1.25) drawn from a hash of the delivery id and the attempt, so receivers that failed together
 * are not retried together, and the schedule is the same every time it is computed.
 */
export function retryDelay(
  deliveryId: string,
  failures: number,
  options: DeliveryOptions = DELIVERY_DEFAULTS,
) {
  const exponential = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, failures - 1));
  const hash = createHash('sha256').update(`${deliveryId}:${failures}`).digest();
  const jitter = 0.75 + (hash.readUInt32BE(0) / 2 ** 32) * 0.5;
  return Math.round(exponential * jitter);
}

export interface DeliveryPassResult {
  delivered: number;
  retried: number;
  failed: number;
}

async function deliverOne(
  deps: WebhookDeliveryDeps,
  options: DeliveryOptions,
  delivery: WebhookDelivery,
  endpoint: Webhook | null,
): Promise<WebhookAttemptOutcome['status']> {
  const at = deps.clock.now();
  const attempt = { id: deps.ids.newId('wha'), deliveryId: delivery.id, at };
  if (endpoint === null || !endpoint.active) {
    await deps.store.webhooks.recordAttempt(
      { ...attempt, statusCode: null, error: 'the endpoint is inactive', durationMs: 0 },
      { status: 'failed' },
    );
    return 'failed';
  }
  const response = await deps.poster.post({
    url: endpoint.url,
    body: delivery.payload,
    timeoutMs: options.timeoutMs,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      [EVENT_ID_HEADER]: delivery.eventId,
      [EVENT_TYPE_HEADER]: delivery.eventType,
      [DELIVERY_ID_HEADER]: delivery.id,
      [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, delivery.payload, deps.wallClock.now()),
    },
  });
  const ok = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
  let outcome: WebhookAttemptOutcome;
  if (ok) outcome = { status: 'delivered', at: deps.clock.now() };
  else {
    // Attempts since the window opened (a re-send opens a new one and restarts the backoff).
    const windowStart = delivery.retryUntil - RETRY_WINDOW_MS;
    const failures = delivery.attempts.filter((a) => a.at >= windowStart).length + 1;
    const next = deps.clock.now() + retryDelay(delivery.id, failures, options);
    outcome = next > delivery.retryUntil ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next };
  }
  await deps.store.webhooks.recordAttempt(
    { ...attempt, statusCode: response.statusCode, error: response.error, durationMs: response.durationMs },
    outcome,
  );
  return outcome.status;
}

/** One pass: claims up to `batchSize` due deliveries and attempts each once. */
export async function deliverDueWebhooks(
  deps: WebhookDeliveryDeps,
  overrides: Partial<DeliveryOptions> = {},
): Promise<DeliveryPassResult> {
  const options: DeliveryOptions = { ...DELIVERY_DEFAULTS, ...overrides };
  const now = deps.clock.now();
  // The lease outlives every POST of the pass, so no other deliverer takes a delivery in flight.
  const leaseMs = options.timeoutMs * (Math.ceil(options.batchSize / options.concurrency) + 1);
  const claimed = await deps.store.webhooks.claimDue(now, options.batchSize, now + leaseMs);
  const result: DeliveryPassResult = { delivered: 0, retried: 0, failed: 0 };
  const endpoints = new Map<string, Webhook | null>();
  for (const id of new Set(claimed.map((d) => d.webhookId)))
    endpoints.set(id, await deps.store.webhooks.get(id));
  // A pool of `concurrency` lanes, each taking the next delivery as soon as its POST is answered: a
  // receiver that hangs until the timeout holds one lane, not every delivery claimed after it (in
  // slices of `concurrency`, one dead endpoint held back every other endpoint's deliveries 10 s a slice).
  let next = 0;
  const lane = async () => {
    while (next < claimed.length) {
      const delivery = claimed[next++] as WebhookDelivery;
      const status = await deliverOne(deps, options, delivery, endpoints.get(delivery.webhookId) ?? null);
      if (status === 'delivered') result.delivered += 1;
      else if (status === 'pending') result.retried += 1;
      else result.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, claimed.length) }, lane));
  return result;
}
