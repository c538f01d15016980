// The long-running webhook worker of `serve` and `worker`: fans the event log out into deliveries,
// then attempts the due deliveries, and sleeps until the next one is due (at most `maxIdleMs`, so
// events written by other processes are picked up within about a second).

import { Alarm } from '../alarm.js';
import type { SenderLog } from '../outbox-sender.js';
import { type DeliveryOptions, deliverDueWebhooks, type WebhookDeliveryDeps } from './deliverer.js';
import { DISPATCH_BATCH, dispatchWebhookEvents } from './dispatcher.js';

export interface WebhookRunnerOptions extends Partial<DeliveryOptions> {
  maxIdleMs?: number;
  errorBackoffMs?: number;
  log?: SenderLog;
}

export class WebhookRunner {
  readonly #deps: WebhookDeliveryDeps;
  readonly #options: WebhookRunnerOptions;
  #running = false;
  #loop: Promise<void> | null = null;
  readonly #alarm = new Alarm();
  delivered = 0;

  constructor(deps: WebhookDeliveryDeps, options: WebhookRunnerOptions = {}) {
    this.#deps = deps;
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  nudge(): void {
    this.#wakeUp();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
    this.#loop = null;
  }

  /** One round: every pending event fanned out, then one delivery pass. */
  async runOnce(): Promise<{ dispatched: number; delivered: number; retried: number; failed: number }> {
    let dispatched = 0;
    for (;;) {
      const result = await dispatchWebhookEvents(this.#deps, DISPATCH_BATCH);
      dispatched += result.deliveries;
      if (result.events < DISPATCH_BATCH) break;
    }
    const pass = await deliverDueWebhooks(this.#deps, this.#options);
    this.delivered += pass.delivered;
    return { dispatched, ...pass };
  }

  async #run(): Promise<void> {
    const maxIdleMs = this.#options.maxIdleMs ?? 1_000;
    while (this.#running) {
      try {
        const round = await this.runOnce();
        if (!this.#running) break;
        const busy = round.delivered + round.retried + round.failed >= (this.#options.batchSize ?? 50);
        if (busy) continue;
        const next = await this.#deps.store.webhooks.nextDueAt();
        const now = this.#deps.clock.now();
        // Due deliveries left after a pass are leased by another deliverer: look again shortly.
        await this.#sleep(next === null ? maxIdleMs : Math.min(Math.max(next - now, 200), maxIdleMs));
      } catch (error) {
        this.#options.log?.error({ err: error }, 'webhook pass failed');
        if (this.#running) await this.#sleep(this.#options.errorBackoffMs ?? 5_000);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#alarm.sleep(ms);
  }

  #wakeUp(): void {
    this.#alarm.wake();
  }
}
