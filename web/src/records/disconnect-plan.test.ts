import { describe, expect, it } from 'vitest';
import type { CrmRecord } from '../api/types.js';
import { disconnectResults, planDisconnect } from './disconnect-plan.js';

const rec = (id: string, sequenceId?: string): CrmRecord => ({
  id,
  type: 'lead',
  name: id,
  currentSequence:
    sequenceId === undefined ? null : { id: sequenceId, name: sequenceId, enrollmentId: `e-${id}` },
});

describe('planDisconnect / disconnectResults', () => {
  const records = [rec('a', 's1'), rec('b', 's2'), rec('c'), rec('d', 's1')];
  const plan = planDisconnect(records);

  it('groups the selection by sequence', () => {
    expect([...plan.bySequence]).toEqual([
      ['s1', ['a', 'd']],
      ['s2', ['b']],
    ]);
    expect(plan.notOnSequence).toEqual(['c']);
  });

  it('reads back one result per record, in the order selected', () => {
    const results = disconnectResults(
      records,
      plan,
      new Map([
        ['s1', { disconnected: ['a'], notEnrolled: ['d'] }],
        ['s2', { error: 'No such sequence.' }],
      ]),
    );
    expect(results).toEqual([
      { recordId: 'a', ok: true },
      { recordId: 'b', ok: false, message: 'No such sequence.' },
      { recordId: 'c', ok: false, message: 'is not on a sequence.' },
      { recordId: 'd', ok: false, message: expect.stringMatching(/no longer running/) },
    ]);
  });
});
