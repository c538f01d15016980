import { describe, expect, it } from 'vitest';
import type { Api } from '../api/endpoints.js';
import { actionDoneText, performStepAction } from './step-actions.js';

describe('actionDoneText', () => {
  it('says a sent email step is queued for the outbox, not sent (the outbox sends it later)', () => {
    const text = actionDoneText({ type: 'send', subject: 'Hi', body: 'Hello' }, 'Ada Lovelace');
    expect(text).toBe('Queued the email to Ada Lovelace; it goes out through the outbox.');
    expect(text).not.toMatch(/\bsent\b/i);
  });

  it('names the call outcome logged', () => {
    expect(actionDoneText({ type: 'complete', outcome: 'answered' }, 'Ada')).toBe(
      'Logged the call with Ada.',
    );
  });
});

describe('the notice after sending when no mailbox is set up', () => {
  it('says the email waits for a mailbox, which the seller can add under Your account', () => {
    const action = { type: 'send', subject: 'Hi', body: 'Hello' } as const;
    expect(actionDoneText(action, 'Ada Lovelace', 'none')).toMatch(/No mailbox is set up yet/);
    expect(actionDoneText(action, 'Ada Lovelace', 'none')).toMatch(/add your own mailbox under Your account/);
    expect(actionDoneText(action, 'Ada Lovelace', 'default')).not.toMatch(/No mailbox/);
  });
});

describe('marking an email step as sent', () => {
  it('completes the step with no outcome or notes, and sends nothing', async () => {
    const calls: string[] = [];
    const record =
      (name: string) =>
      (...args: unknown[]) => {
        calls.push(`${name} ${JSON.stringify(args)}`);
        return Promise.resolve({});
      };
    const api = {
      enrollmentSteps: {
        complete: record('complete'),
        send: record('send'),
        skip: record('skip'),
        snooze: record('snooze'),
        skipWait: record('skipWait'),
      },
    } as unknown as Api;
    await performStepAction(api, 'es_1', { type: 'mark-sent' });
    expect(calls).toEqual(['complete ["es_1",{}]']);
  });

  it('says the email was recorded as sent outside Stepwise, not queued', () => {
    const text = actionDoneText({ type: 'mark-sent' }, 'Ada Lovelace');
    expect(text).toBe('Marked the email to Ada Lovelace as sent outside Stepwise.');
    expect(text).not.toMatch(/queued|outbox/i);
  });
});
