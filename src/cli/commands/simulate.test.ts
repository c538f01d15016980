import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../engine/simulate.js';
import { run } from '../main.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
const SEQUENCE = join(EXAMPLES, 'sequence.json');
const RECORD = join(EXAMPLES, 'record.json');
const SIGNALS = join(EXAMPLES, 'signals.json');
/** Thursday 09:00 in New York, three days before DST ends there. */
const START = '2026-10-29T09:00';

async function simulate(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  const code = await run(['node', 'stepwise', 'simulate', ...args], { output, env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function file(name: string, content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'stepwise-simulate-')), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('stepwise simulate', () => {
  it('prints the example timeline: the owner in New York, the wait across DST, the opened email', async () => {
    const { code, out, err } = await simulate(
      '--sequence',
      SEQUENCE,
      '--record',
      RECORD,
      '--signals',
      SIGNALS,
      '--start',
      START,
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^WHEN \(UTC\)\s+WHEN \(America\/New_York\)\s+STEP\s+EVENT\s+DETAIL$/);
    const table = lines.map((line) => line.replace(/ {2,}/g, ' | '));
    expect(table).toContain(
      '2026-10-29T13:00:00Z | 2026-10-29T09:00:00-04:00 Thu | s1 Introduce yourself | entered | email, due now',
    );
    expect(table).toContain(
      '2026-10-31T13:00:00Z | 2026-10-31T09:00:00-04:00 Sat | c1 | branch no | no → w1',
    );
    expect(table).toContain('2026-11-02T14:00:00Z | 2026-11-02T09:00:00-05:00 Mon | s3 | sent');
    expect(table).toContain(
      '2026-11-02T16:00:00Z | 2026-11-02T11:00:00-05:00 Mon | s3 | signal | email_opened on s3',
    );
    expect(table).toContain(
      '2026-11-05T14:00:00Z | 2026-11-05T09:00:00-05:00 Thu | c2 | branch yes | yes → t1',
    );
    expect(table.at(-1)).toBe(
      '2026-11-05T15:00:00Z | 2026-11-05T10:00:00-05:00 Thu | t1 | ended | completed',
    );
  });

  it('prints JSON, takes the owner from --owner, and skips the weekend on the yes branch', async () => {
    const signals = file('signals.json', [
      { type: 'email_replied', stepId: 's1', at: '2026-10-30T15:00:00Z' },
      { stepId: 's2', outcome: 'left_voicemail' },
    ]);
    const owner = file('owner.json', { timezone: 'Europe/London' });
    const { code, out } = await simulate(
      '--sequence',
      SEQUENCE,
      '--record',
      RECORD,
      '--signals',
      signals,
      '--owner',
      owner,
      '--start',
      '2026-10-29T13:00:00Z',
      '--json',
    );
    expect(code).toBe(0);
    const timeline = JSON.parse(out) as TimelineEntry[];
    // London left summer time on 2026-10-25: GMT, +00:00. Saturday's yes → the call opens Monday 08:00.
    expect(timeline.find((e) => e.stepId === 's2' && e.event === 'opened')).toMatchObject({
      utc: '2026-11-02T08:00:00Z',
      ownerTime: '2026-11-02T08:00:00+00:00',
    });
    expect(timeline.filter((e) => e.event === 'branch').map((e) => [e.stepId, e.branch])).toEqual([
      ['c1', 'yes'],
      ['c3', 'no'],
    ]);
    expect(timeline.at(-1)).toMatchObject({ stepId: 't2', event: 'ended', endReason: 'completed' });
  });

  it('refuses a definition that cannot be activated, with the validator codes', async () => {
    const sequence = file('bad-sequence.json', {
      start: 'w0',
      steps: [
        { id: 'w0', type: 'wait', duration: 'P2D', next: 's1' },
        { id: 's1', type: 'email', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'P40D' },
      ],
    });
    const { code, out, err } = await simulate('--sequence', sequence, '--record', RECORD, '--start', START);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(`${sequence}: the sequence can't be activated`);
    for (const codeName of ['wait_at_start', 'wait_at_end', 'wait_too_long']) expect(err).toContain(codeName);
    expect(err).toMatch(/wait_at_end at \/steps\/2 \(step w1\): /);
  });

  it('says which file is missing, unreadable or not JSON, and exits 1', async () => {
    const missing = await simulate('--sequence', '/nowhere/sequence.json', '--record', RECORD);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('stepwise: /nowhere/sequence.json: file not found');

    const notJson = file('record.json', '{ "name": "Ada", ');
    const broken = await simulate('--sequence', SEQUENCE, '--record', notJson);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(new RegExp(`^stepwise: ${notJson}: not JSON \\(`));

    const noRecord = await simulate('--sequence', SEQUENCE);
    expect(noRecord.code).not.toBe(0);
    expect(noRecord.err).toMatch(/required option '--record <file>'/);
  });

  it('lists every problem of a signals file and of an owner, with where it is', async () => {
    const signals = file('signals.json', [
      { type: 'email_replyed', stepId: 's1', at: '2026-10-30T15:00:00Z' },
      { type: 'email_opened', stepId: 's2', after: 'P1M' },
      { stepId: 's3', outcome: 'answered' },
      { stepId: 's2', outcome: 'busy', when: 'later' },
      { type: 'email_opened', stepId: 's1' },
    ]);
    const bad = await simulate('--sequence', SEQUENCE, '--record', RECORD, '--signals', signals);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${signals}:`);
    expect(bad.err).toContain('[0] type: "email_replyed" is not one of email_opened');
    expect(bad.err).toContain('[1] after: "P1M" counts months or years');
    expect(bad.err).toContain(
      '[1] stepId: email_opened needs an email or automated_email step, not s2 (phone_call)',
    );
    expect(bad.err).toContain('[2] s3 (automated_email): actions apply to manual activities');
    expect(bad.err).toContain('[3] unknown property "when"');
    expect(bad.err).toContain('[3] outcome: "busy" is not one of answered');
    expect(bad.err).toContain('[4] a signal needs "at" (an instant) or "after" (a duration)');

    const owner = file('owner.json', {
      timezone: 'Mars/Olympus',
      workingHours: { mon: [['09:00', '08:00']] },
    });
    const badOwner = await simulate('--sequence', SEQUENCE, '--record', RECORD, '--owner', owner);
    expect(badOwner.code).toBe(1);
    expect(badOwner.err).toContain('timezone: "Mars/Olympus" is not an IANA time zone');
    expect(badOwner.err).toContain('workingHours/mon/0: An interval ends after it starts');

    const badStart = await simulate('--sequence', SEQUENCE, '--record', RECORD, '--start', 'tomorrow');
    expect(badStart.err).toBe(
      'stepwise: --start: "tomorrow" is not an ISO 8601 time (e.g. 2026-11-24T10:00:00Z)',
    );
  });

  it('documents the signals format in --help', async () => {
    const { code, out } = await simulate('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: stepwise simulate/);
    expect(out).toContain('{"stepId": "s2", "outcome": "no_answer"}');
    expect(out).toContain('docs/simulate.md');
  });
});
