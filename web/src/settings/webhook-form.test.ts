import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { isRouteMissing } from './route-availability.js';
import {
  eventChoices,
  formFromWebhook,
  NEW_WEBHOOK,
  toggleEvent,
  webhookBody,
  webhookChange,
} from './webhook-form.js';

describe('webhook form', () => {
  it('needs an http(s) address and at least one event', () => {
    expect(webhookBody({ ...NEW_WEBHOOK, url: 'ftp://x' })).toEqual({
      ok: false,
      errors: { url: 'Enter the full address, starting with https://', events: 'Choose at least one event.' },
    });
  });

  it('keeps the events in the order of the checkboxes', () => {
    let events = toggleEvent([], 'email.sent');
    events = toggleEvent(events, 'enrollment.started');
    events = toggleEvent(events, 'x.custom');
    events = toggleEvent(events, 'email.sent');
    events = toggleEvent(events, 'email.sent');
    const answer = webhookBody({ ...NEW_WEBHOOK, url: ' https://hooks.example.com/in ', events });
    expect(answer).toEqual({
      ok: true,
      body: {
        url: 'https://hooks.example.com/in',
        description: '',
        events: ['enrollment.started', 'email.sent', 'x.custom'],
        active: true,
      },
    });
  });

  it('sends the URL on a change only when the admin changed it (a masked one stays as stored)', () => {
    const endpoint = {
      id: 'whk_1',
      url: 'https://***@hooks.example/in',
      events: ['*'],
      description: null,
      active: true,
      createdAt: '2026-11-23T09:00:00.000Z',
      updatedAt: '2026-11-23T09:00:00.000Z',
    };
    const body = { url: endpoint.url, description: 'CRM', events: ['*'], active: true };
    expect(webhookChange(endpoint, body)).toEqual({ description: 'CRM', events: ['*'], active: true });
    const moved = { ...body, url: 'https://hooks.example/in' };
    expect(webhookChange(endpoint, moved)).toEqual(moved);
  });

  it('offers event types the server has that the app does not know', () => {
    const form = formFromWebhook({
      id: 'wh_1',
      url: 'https://a.example',
      events: ['zeta.event', 'step.opened'],
      description: null,
      active: false,
      createdAt: '',
      updatedAt: '',
    });
    expect(form).toMatchObject({ description: '', active: false });
    expect(eventChoices(form.events).at(-1)).toBe('zeta.event');
    expect(eventChoices(form.events).filter((e) => e === 'step.opened')).toHaveLength(1);
  });
});

describe('route availability', () => {
  it('tells a missing route from a missing item', () => {
    expect(
      isRouteMissing(new ApiError(404, 'not_found', 'No route for GET /api/webhooks', 'Not found')),
    ).toBe(true);
    expect(isRouteMissing(new ApiError(404, 'not_found', 'No such webhook.', 'Not found'))).toBe(false);
    expect(isRouteMissing(new Error('boom'))).toBe(false);
  });
});
