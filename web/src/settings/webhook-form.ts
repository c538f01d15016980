// Webhook endpoints as the admin edits them: the event types one may subscribe to (the server's
// src/engine/webhooks/event-types.ts) grouped for the checkboxes, and the form checked before
// POST/PATCH /api/webhooks.
import type { WebhookEndpoint } from '../api/types.js';

export const WEBHOOK_EVENT_GROUPS: { title: string; events: { type: string; label: string }[] }[] = [
  {
    title: 'Enrollments',
    events: [
      { type: 'enrollment.started', label: 'A record was connected' },
      { type: 'enrollment.ended', label: 'A record left a sequence' },
    ],
  },
  {
    title: 'Steps',
    events: [
      { type: 'step.opened', label: 'A step became due' },
      { type: 'step.completed', label: 'A step was completed' },
      { type: 'step.skipped', label: 'A step was skipped' },
    ],
  },
  {
    title: 'Email and signals',
    events: [
      { type: 'email.sent', label: 'An email was sent' },
      { type: 'email.failed', label: 'An email failed' },
      { type: 'signal.received', label: 'An open, click, reply, bounce…' },
    ],
  },
  {
    title: 'Sequences',
    events: [
      { type: 'sequence.activated', label: 'A sequence was activated' },
      { type: 'sequence.deactivated', label: 'A sequence was deactivated' },
    ],
  },
];

export const KNOWN_WEBHOOK_EVENTS = WEBHOOK_EVENT_GROUPS.flatMap((g) => g.events.map((e) => e.type));

export interface WebhookForm {
  url: string;
  description: string;
  events: string[];
  active: boolean;
}

export const NEW_WEBHOOK: WebhookForm = { url: '', description: '', events: [], active: true };

export function formFromWebhook(endpoint: WebhookEndpoint): WebhookForm {
  return {
    url: endpoint.url,
    description: endpoint.description ?? '',
    events: [...endpoint.events],
    active: endpoint.active,
  };
}

/** Event types to offer: the known ones, then any the server already has on this endpoint. */
export function eventChoices(current: readonly string[]): string[] {
  return [...KNOWN_WEBHOOK_EVENTS, ...current.filter((e) => !KNOWN_WEBHOOK_EVENTS.includes(e)).sort()];
}

export function toggleEvent(events: readonly string[], type: string): string[] {
  return events.includes(type) ? events.filter((e) => e !== type) : [...events, type];
}

export function webhookBody(
  form: WebhookForm,
):
  | { ok: true; body: { url: string; description: string; events: string[]; active: boolean } }
  | { ok: false; errors: Partial<Record<'url' | 'events', string>> } {
  const errors: Partial<Record<'url' | 'events', string>> = {};
  let url: URL | null = null;
  try {
    url = new URL(form.url.trim());
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    errors.url = 'Enter the full address, starting with https://';
  if (form.events.length === 0) errors.events = 'Choose at least one event.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const order = eventChoices(form.events);
  return {
    ok: true,
    body: {
      url: form.url.trim(),
      description: form.description.trim(),
      events: [...form.events].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
      active: form.active,
    },
  };
}

/**
 * The PATCH body for an endpoint: its URL only when the admin changed it. An endpoint registered before
 * credentials were refused is shown with `***` in their place; sending that back unchanged would be
 * refused, and leaving it out keeps the URL as stored.
 */
export function webhookChange<B extends { url: string }>(
  endpoint: WebhookEndpoint,
  body: B,
): Omit<B, 'url'> & { url?: string } {
  if (body.url !== endpoint.url) return body;
  const { url: _unchanged, ...rest } = body;
  return rest;
}
