import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SequenceDefinition } from '../domain/definition.js';
import {
  definitionForSimulation,
  type SimulationInput,
  simulateEnrollment,
  type TimelineEntry,
} from './simulate.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');

function example(): SequenceDefinition {
  const result = definitionForSimulation(JSON.parse(readFileSync(join(EXAMPLES, 'sequence.json'), 'utf8')));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.definition;
}

const ms = (iso: string) => Date.parse(iso);
const NEW_YORK = { timezone: 'America/New_York' };
/** Thursday 09:00 in New York, three days before DST ends there (Sunday 2026-11-01). */
const THURSDAY = ms('2026-10-29T13:00:00Z');

function simulate(input: Partial<SimulationInput> = {}): TimelineEntry[] {
  return simulateEnrollment({ definition: example(), owner: NEW_YORK, start: THURSDAY, ...input });
}

/** The rows as "ownerTime step event detail", easy to read in a failure. */
function rows(timeline: TimelineEntry[]): string[] {
  return timeline.map((e) => `${e.ownerTime} ${e.stepId ?? '-'} ${e.event} ${e.detail}`.trimEnd());
}

describe('simulateEnrollment', () => {
  it('takes the no branch: the wait crosses the end of DST at the same wall-clock time', () => {
    const timeline = simulate();
    expect(rows(timeline)).toEqual([
      '2026-10-29T09:00:00-04:00 s1 entered email, due now',
      '2026-10-29T09:00:00-04:00 s1 opened in the work list',
      '2026-10-29T09:00:00-04:00 s1 completed done when it opened (no action scripted)',
      '2026-10-29T09:00:00-04:00 c1 entered condition, decides by 2026-10-31T09:00:00-04:00 (within P2D)',
      '2026-10-31T09:00:00-04:00 c1 branch no → w1',
      '2026-10-31T09:00:00-04:00 w1 entered wait P2D, until 2026-11-02T09:00:00-05:00',
      '2026-11-02T09:00:00-05:00 w1 completed',
      '2026-11-02T09:00:00-05:00 s3 entered automated_email, sends now',
      '2026-11-02T09:00:00-05:00 s3 sent',
      '2026-11-02T09:00:00-05:00 c2 entered condition, decides by 2026-11-05T09:00:00-05:00 (within P3D)',
      '2026-11-05T09:00:00-05:00 c2 branch no → f2',
      '2026-11-05T09:00:00-05:00 f2 entered update_field',
      '2026-11-05T09:00:00-05:00 f2 completed status = "unresponsive"',
      '2026-11-05T09:00:00-05:00 f2 ended completed',
    ]);
    // 2 calendar days of 49 hours: 13:00Z before the change, 14:00Z after it.
    const waitEnd = timeline.find((e) => e.stepId === 'w1' && e.event === 'completed');
    expect(waitEnd?.utc).toBe('2026-11-02T14:00:00Z');
    expect(timeline.at(-1)).toMatchObject({
      event: 'ended',
      endReason: 'completed',
      stepType: 'update_field',
    });
  });

  it('takes the yes branch: the call falls on a weekend and opens Monday 08:00; its outcome picks the next step', () => {
    const timeline = simulate({
      signals: [{ type: 'email_replied', stepId: 's1', at: ms('2026-10-30T15:00:00Z') }],
      actions: [{ stepId: 's2', outcome: 'answered', after: { days: 0, hours: 2, minutes: 0, seconds: 0 } }],
    });
    expect(rows(timeline).slice(4)).toEqual([
      '2026-10-30T11:00:00-04:00 s1 signal email_replied on s1',
      '2026-10-31T09:00:00-04:00 c1 branch yes → s2',
      '2026-10-31T09:00:00-04:00 s2 entered phone_call, due 2026-11-02T08:00:00-05:00 (moved into working hours)',
      '2026-11-02T08:00:00-05:00 s2 opened in the work list',
      '2026-11-02T10:00:00-05:00 s2 completed outcome answered; scripted',
      '2026-11-02T10:00:00-05:00 c3 entered condition, decides now',
      '2026-11-02T10:00:00-05:00 c3 branch yes → f1',
      '2026-11-02T10:00:00-05:00 f1 entered update_field',
      '2026-11-02T10:00:00-05:00 f1 completed status = "meeting_booked"',
      '2026-11-02T10:00:00-05:00 f1 ended completed',
    ]);
    const entered = timeline.find((e) => e.stepId === 's2' && e.event === 'entered');
    expect(entered).toMatchObject({ stepType: 'phone_call', dueAt: ms('2026-11-02T13:00:00Z') });
    expect(timeline.find((e) => e.event === 'branch')).toMatchObject({ stepId: 'c1', branch: 'yes' });
    expect(timeline.find((e) => e.event === 'completed' && e.stepId === 's2')?.outcome).toBe('answered');

    const missed = simulate({
      signals: [{ type: 'email_replied', stepId: 's1', at: ms('2026-10-30T15:00:00Z') }],
      actions: [{ stepId: 's2', outcome: 'no_answer' }],
    });
    expect(missed.filter((e) => e.event === 'branch').map((e) => `${e.stepId} ${e.branch}`)).toEqual([
      'c1 yes',
      'c3 no',
    ]);
    expect(missed.at(-1)).toMatchObject({ stepId: 't2', event: 'ended' });
  });

  it('times relative signals from the send, ignores engagement before the send, and reports what never happened', () => {
    const timeline = simulate({
      signals: [
        { type: 'email_opened', stepId: 's3', at: ms('2026-10-30T12:00:00Z') },
        { type: 'email_opened', stepId: 's3', after: { days: 1, hours: 0, minutes: 0, seconds: 0 } },
        { type: 'email_replied', stepId: 's1', at: ms('2026-12-01T12:00:00Z') },
      ],
      actions: [{ stepId: 't2', skip: true }],
    });
    expect(rows(timeline)).toContain(
      '2026-10-30T08:00:00-04:00 s3 ignored email_opened on s3: s3 was not sent yet',
    );
    expect(rows(timeline)).toContain('2026-11-03T09:00:00-05:00 s3 signal email_opened on s3');
    expect(rows(timeline)).toContain('2026-11-05T09:00:00-05:00 c2 branch yes → t1');
    expect(rows(timeline).slice(-2)).toEqual([
      '2026-11-05T09:00:00-05:00 s1 ignored email_replied on s1: the enrollment had ended',
      '2026-11-05T09:00:00-05:00 t2 ignored scripted action on t2: the step never needed it',
    ]);
  });

  it('ends on a reply with exitOnReply, cancelling the step in progress', () => {
    const definition = example();
    const timeline = simulateEnrollment({
      definition: { ...definition, options: { ...definition.options, exitOnReply: true } },
      owner: NEW_YORK,
      start: THURSDAY,
      signals: [{ type: 'email_replied', stepId: 's1', at: ms('2026-10-30T15:00:00Z') }],
    });
    expect(rows(timeline).slice(-3)).toEqual([
      '2026-10-30T11:00:00-04:00 s1 signal email_replied on s1',
      '2026-10-30T11:00:00-04:00 c1 cancelled exit_on_reply',
      '2026-10-30T11:00:00-04:00 c1 ended exit_on_reply',
    ]);
  });

  it('skips a wait when scripted, and keeps manual steps inside working hours and time off', () => {
    const timeline = simulate({
      start: ms('2026-10-29T23:30:00Z'), // 19:30 Thursday, after hours
      owner: {
        timezone: 'America/New_York',
        timeOff: [{ start: ms('2026-10-30T04:00:00Z'), end: ms('2026-10-31T04:00:00Z') }], // Friday off
      },
      actions: [{ stepId: 'w1', skip: true }],
    });
    expect(rows(timeline).slice(0, 2)).toEqual([
      '2026-10-29T19:30:00-04:00 s1 entered email, due 2026-11-02T08:00:00-05:00 (moved into working hours)',
      '2026-11-02T08:00:00-05:00 s1 opened in the work list',
    ]);
    expect(rows(timeline)).toContain('2026-11-04T08:00:00-05:00 w1 skipped scripted skip');
  });

  it('stops at `until` while the enrollment still runs', () => {
    const timeline = simulate({ until: ms('2026-10-30T12:00:00Z') });
    expect(timeline.at(-1)).toMatchObject({
      event: 'stopped',
      stepId: 'c1',
      utc: '2026-10-30T12:00:00Z',
    });
  });

  it('reports the validator codes of a definition that could not be activated', () => {
    const result = definitionForSimulation({
      start: 's1',
      steps: [
        { id: 's1', type: 'email', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'P2D' },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.code)).toContain('wait_at_end');
    const shape = definitionForSimulation({ start: 's1', steps: [{ id: 's1', type: 'fax' }] });
    expect(shape.ok ? [] : shape.issues.map((i) => i.code)).toEqual(['unknown_step_type']);
  });
});
