import { describe, expect, it } from 'vitest';
import { bulkEmailEligibility, canJoinBulk, selectAllCandidates, sendEach } from './bulk-email.js';
import { workItem } from './work-fixtures.js';

describe('bulkEmailEligibility', () => {
  it('accepts open email steps of the same step of the same sequence', () => {
    expect(bulkEmailEligibility([workItem('a'), workItem('b')])).toEqual({
      ok: true,
      sequenceId: 'seq1',
      stepId: 's1',
      templateId: 'tpl1',
    });
  });
  it('says why a selection does not qualify', () => {
    expect(bulkEmailEligibility([])).toMatchObject({ ok: false, reason: expect.stringMatching(/Select/) });
    expect(bulkEmailEligibility([workItem('a')])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/two/),
    });
    expect(bulkEmailEligibility([workItem('a'), workItem('b', { stepType: 'phone_call' })])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Only email/),
    });
    expect(
      bulkEmailEligibility([workItem('a'), workItem('b', { stepType: 'automated_email' })]),
    ).toMatchObject({
      ok: false,
    });
    expect(
      bulkEmailEligibility([workItem('a'), workItem('b', { sequence: { id: 'seq2', name: 'Other' } })]),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/different sequences/) });
    const other = workItem('b');
    other.step = { ...other.step, id: 's9' };
    expect(bulkEmailEligibility([workItem('a'), other])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/different steps/),
    });
    expect(bulkEmailEligibility([workItem('a'), workItem('b', { state: 'waiting' })])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not open/),
    });
  });
  it('tells which cards may join the selection', () => {
    expect(canJoinBulk([], workItem('a'))).toBe(true);
    expect(canJoinBulk([], workItem('a', { stepType: 'task' }))).toBe(false);
    expect(canJoinBulk([workItem('a')], workItem('b', { sequence: { id: 'x', name: 'X' } }))).toBe(false);
    expect(canJoinBulk([workItem('a')], workItem('b'))).toBe(true);
  });
});

describe('selectAllCandidates', () => {
  const secondStep = (id: string) => {
    const item = workItem(id);
    item.step = { ...item.step, id: 's2', name: 'Follow up' };
    return item;
  };
  it('takes the shown due emails of the first shown email’s step, or of the selection’s', () => {
    const shown = [
      workItem('call', { stepType: 'phone_call' }),
      workItem('a'),
      secondStep('x'),
      workItem('later', { state: 'waiting' }),
      workItem('b'),
    ];
    expect(selectAllCandidates(shown, []).map((i) => i.id)).toEqual(['a', 'b']);
    expect(selectAllCandidates(shown, [secondStep('y')]).map((i) => i.id)).toEqual(['x']);
  });
  it('takes nothing when no due email is shown', () => {
    expect(
      selectAllCandidates([workItem('t', { stepType: 'task' }), workItem('w', { state: 'waiting' })], []),
    ).toEqual([]);
  });
});

describe('sendEach', () => {
  it('sends each once, at most N at a time, and keeps going after a failure', async () => {
    let running = 0;
    let most = 0;
    const seen: string[] = [];
    const results = await sendEach(
      ['a', 'b', 'c', 'd', 'e'],
      async (id) => {
        running++;
        most = Math.max(most, running);
        await Promise.resolve();
        await Promise.resolve();
        running--;
        if (id === 'c') throw new Error('refused');
      },
      (r) => seen.push(r.id),
      2,
    );
    expect(most).toBe(2);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(results.map((r) => [r.id, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', true],
      ['e', true],
    ]);
  });
  it('answers nothing for nothing', async () => {
    expect(
      await sendEach(
        [],
        async () => undefined,
        () => undefined,
      ),
    ).toEqual([]);
  });
});
