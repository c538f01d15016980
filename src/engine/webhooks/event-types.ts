// The event types an endpoint may subscribe to (docs/webhooks.md), and `*` for all of them.
// The 0005_webhooks triggers write exactly these; `ping` is only ever sent by "send a test".

export const WEBHOOK_EVENT_TYPES = [
  'enrollment.started',
  'enrollment.ended',
  'step.opened',
  'step.completed',
  'step.skipped',
  'email.sent',
  'email.failed',
  'signal.received',
  'sequence.activated',
  'sequence.deactivated',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const ALL_EVENTS = '*';
export const PING_EVENT = 'ping';

/** What an endpoint may list in `events`. */
export const SUBSCRIBABLE_EVENTS = [ALL_EVENTS, ...WEBHOOK_EVENT_TYPES] as const;

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}
