import { describe, expect, it } from 'vitest';
import { workItem } from './work-fixtures.js';
import { EMPTY_WORK_LIST, workListReducer as reduce } from './work-list-state.js';

const loaded = reduce(EMPTY_WORK_LIST, { type: 'loaded', items: [workItem('a'), workItem('b')] });

describe('workListReducer', () => {
  it('removes at once and forgets the old item when the server confirms', () => {
    const removed = reduce(loaded, { type: 'removed', id: 'a' });
    expect(removed.items.map((i) => i.id)).toEqual(['b']);
    const confirmed = reduce(removed, { type: 'confirmed', id: 'a' });
    expect(confirmed.items.map((i) => i.id)).toEqual(['b']);
    expect(confirmed.pending).toEqual({});
  });
  it('brings a removed item back on rollback', () => {
    const back = reduce(reduce(loaded, { type: 'removed', id: 'a' }), { type: 'rolledBack', id: 'a' });
    expect(back.items.map((i) => i.id).sort()).toEqual(['a', 'b']);
    expect(back.items.find((i) => i.id === 'a')).toEqual(workItem('a'));
    expect(back.pending).toEqual({});
  });
  it('moves a snoozed item and restores its due time on rollback', () => {
    const until = '2026-11-30T14:00:00.000Z';
    const at = '2026-11-30T09:00:00.000Z';
    const snoozed = reduce(loaded, { type: 'snoozed', id: 'b', until, at });
    expect(snoozed.items.find((i) => i.id === 'b')).toMatchObject({
      dueAt: until,
      state: 'waiting',
      snoozedAt: at,
    });
    const back = reduce(snoozed, { type: 'rolledBack', id: 'b' });
    expect(back.items.find((i) => i.id === 'b')).toEqual(workItem('b'));
  });
  it('keeps the first version when one item changes twice before the answer', () => {
    const twice = reduce(
      reduce(loaded, { type: 'snoozed', id: 'a', until: '2026-12-01T00:00:00Z', at: '2026-11-30T09:00:00Z' }),
      {
        type: 'removed',
        id: 'a',
      },
    );
    expect(reduce(twice, { type: 'rolledBack', id: 'a' }).items.find((i) => i.id === 'a')).toEqual(
      workItem('a'),
    );
  });
  it('does not bring back an item in flight when the list reloads', () => {
    const removed = reduce(loaded, { type: 'removed', id: 'a' });
    const reloaded = reduce(removed, {
      type: 'loaded',
      items: [workItem('a'), workItem('b'), workItem('c')],
    });
    expect(reloaded.items.map((i) => i.id)).toEqual(['b', 'c']);
    expect(reduce(reloaded, { type: 'rolledBack', id: 'a' }).items.map((i) => i.id)).toContain('a');
  });
  it('ignores actions on unknown ids', () => {
    expect(reduce(loaded, { type: 'removed', id: 'zz' })).toBe(loaded);
    expect(reduce(loaded, { type: 'rolledBack', id: 'zz' })).toBe(loaded);
    expect(reduce(loaded, { type: 'confirmed', id: 'zz' })).toBe(loaded);
  });
});
