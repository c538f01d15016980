import type { SequenceDefinition } from '@domain/definition.js';
import { describe, expect, it } from 'vitest';
import type { SequenceStatsAnswer, StepStats } from '../api/types.js';
import { FIXTURES } from '../designer/fixtures/index.js';
import { percent, statsCharts } from './stats-data.js';

function step(stepId: string, extra: Partial<StepStats> = {}): StepStats {
  return { stepId, reached: 0, completed: 0, skipped: 0, ...extra };
}

function answer(steps: StepStats[], endReasons: Record<string, number> = {}): SequenceStatsAnswer {
  return { enrolled: 10, active: 4, paused: 0, completed: 3, disconnected: 3, endReasons, steps };
}

describe('stats charts from the stats answer', () => {
  it('orders the funnel along the main path, then the Yes branch, then the No branch, without waits', () => {
    const charts = statsCharts(
      FIXTURES.highVolumeOutbound,
      answer([
        step('auto_intro', {
          reached: 10,
          completed: 9,
          skipped: 0,
          emailsSent: 9,
          opened: 6,
          replied: 2,
          bounced: 1,
        }),
        step('call1', { reached: 9, completed: 7, skipped: 1, outcomes: { answered: 3, no_answer: 4 } }),
        step('cond_answer1', { reached: 8, outcomes: { yes: 3, no: 4 } }),
      ]),
    );
    expect(charts.funnel.slice(0, 4).map((r) => [r.label, r.branch])).toEqual([
      ['1. Automated introduction email', ''],
      ['2. Research the lead on LinkedIn, then call', ''],
      // Reached on three routes: the first call answered, the second, or the third.
      ['4. Connect on LinkedIn and book the meeting', 'Yes, No › Yes or No › No › Yes'],
      ['5. Automated follow-up email', 'No'],
    ]);
    expect(charts.funnel.some((r) => r.type === 'wait' || r.type === 'condition')).toBe(false);
    expect(charts.funnel[1]).toMatchObject({ reached: 9, completed: 7, skipped: 1, unfinished: 1 });
    expect(charts.branches[0]).toEqual({
      stepId: 'cond_answer1',
      label: '3. Answered the first call?',
      reached: 8,
      yes: 3,
      no: 4,
      pending: 1,
    });
  });

  it('names every route to a step where branches join, not only the first', () => {
    const joined: SequenceDefinition = {
      start: 'e1',
      options: { exitOnReply: false, workingHours: 'owner', skipNonWorkingDays: false, tracking: true },
      steps: [
        { id: 'e1', type: 'email', name: 'Intro', next: 'c1' },
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_opened', step: 'e1' },
          within: 'P1D',
          yes: 'p1',
          no: 'a1',
        },
        { id: 'p1', type: 'phone_call', name: 'Call', next: 'c2' },
        { id: 'c2', type: 'condition', if: { step: 'p1', outcome: ['answered'] }, yes: 't1', no: 'l1' },
        { id: 't1', type: 'task', name: 'Book' },
        { id: 'a1', type: 'automated_email', name: 'Nudge', next: 'l1' },
        { id: 'l1', type: 'linkedin_connect', name: 'Connect on LinkedIn' },
      ],
    };
    const labels = statsCharts(joined, answer([])).funnel.map((r) => [r.stepId, r.branch]);
    expect(labels).toEqual([
      ['e1', ''],
      ['p1', 'Yes'],
      ['t1', 'Yes › Yes'],
      ['l1', 'Yes › No or No'],
      ['a1', 'No'],
    ]);
  });

  it('gives every email step its metrics and rates of what was sent', () => {
    const charts = statsCharts(
      FIXTURES.highVolumeOutbound,
      answer([
        step('auto_intro', { reached: 10, emailsSent: 8, opened: 6, clicked: 2, replied: 2, bounced: 1 }),
      ]),
    );
    const intro = charts.emails.find((e) => e.stepId === 'auto_intro');
    expect(intro).toMatchObject({ sent: 8, opened: 6, openRate: 0.75, clickRate: 0.25, replyRate: 0.25 });
    expect(percent(intro?.bounceRate ?? null)).toBe('13%');
    const followUp = charts.emails.find((e) => e.stepId === 'auto_followup');
    expect(followUp).toMatchObject({ sent: 0, openRate: null });
    expect(percent(followUp?.openRate ?? null)).toBe('—');
  });

  it('lists call outcomes per call step with every known outcome and unknown ones after', () => {
    const charts = statsCharts(
      FIXTURES.highVolumeOutbound,
      answer([step('call1', { reached: 5, completed: 5, outcomes: { answered: 2, busy: 1 } })]),
    );
    expect(charts.callOutcomeKeys).toEqual([
      'answered',
      'no_answer',
      'left_voicemail',
      'wrong_number',
      'busy',
    ]);
    expect(charts.calls.map((c) => c.stepId)).toEqual(['call1', 'call2', 'call3']);
    expect(charts.calls[0]).toMatchObject({
      total: 3,
      outcomes: { answered: 2, no_answer: 0, left_voicemail: 0, wrong_number: 0, busy: 1 },
    });
  });

  it('keeps steps only earlier versions had, and lists end reasons that happened, most first', () => {
    const charts = statsCharts(
      FIXTURES.branching,
      answer(
        [
          step('e1', { reached: 4 }),
          step('old_call', { reached: 2, completed: 2, outcomes: { answered: 2 } }),
        ],
        { completed: 1, user_disconnected: 3, bounced: 0, exit_on_reply: 1 },
      ),
    );
    expect(charts.funnel.at(-1)).toMatchObject({ stepId: 'old_call', branch: 'Earlier version', reached: 2 });
    expect(charts.calls.map((c) => c.stepId)).toEqual(['call1', 'old_call']);
    expect(charts.endReasons).toEqual([
      { reason: 'user_disconnected', label: 'Disconnected by a user', count: 3 },
      { reason: 'completed', label: 'Completed the sequence', count: 1 },
      { reason: 'exit_on_reply', label: 'Replied (exit on reply)', count: 1 },
    ]);
  });
});
