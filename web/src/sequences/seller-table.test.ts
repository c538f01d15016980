import { describe, expect, it } from 'vitest';
import type { SellerStats } from '../api/types.js';
import {
  DEFAULT_SELLER_SORT,
  nextSellerSort,
  type SellerRow,
  sellerRow,
  sellerSortOf,
  sellerSortParam,
  sortSellerRows,
  teamRow,
} from './seller-table.js';

function seller(name: string, extra: Partial<SellerStats> = {}): SellerStats {
  return {
    ownerId: `usr_${name.toLowerCase()}`,
    name,
    activeUser: true,
    enrolled: 0,
    active: 0,
    paused: 0,
    completed: 0,
    disconnected: 0,
    error: 0,
    endReasons: {},
    ...extra,
  };
}

const names = (rows: SellerRow[]) => rows.map((r) => r.name);

describe("the Stats tab's table of sellers", () => {
  it('splits the ended records by how they ended, so each row adds up to its Connected', () => {
    const row = sellerRow(
      seller('Ada', {
        enrolled: 20,
        active: 5,
        paused: 1,
        completed: 4,
        disconnected: 9,
        error: 1,
        endReasons: {
          completed: 3,
          advanced_to_other_sequence: 1,
          exit_on_reply: 4,
          bounced: 1,
          unsubscribed: 1,
          user_disconnected: 2,
          sequence_deactivated: 1,
        },
      }),
    );
    expect(row).toEqual({
      ownerId: 'usr_ada',
      name: 'Ada',
      activeUser: true,
      connected: 20,
      running: 6,
      paused: 1,
      completed: 4,
      replied: 4,
      bounced: 1,
      unsubscribed: 1,
      disconnected: 2,
      // One deactivated, one in error.
      otherEnded: 2,
      replyRate: 0.2,
      completionRate: 0.2,
    });
    const { running, completed, replied, bounced, unsubscribed, disconnected, otherEnded } = row;
    expect(running + completed + replied + bounced + unsubscribed + disconnected + otherEnded).toBe(20);
  });

  it('has no rate for a seller with nothing connected, and adds the team up with rates of the sums', () => {
    const nobody = sellerRow(seller('Nobody'));
    expect(nobody).toMatchObject({ connected: 0, otherEnded: 0, replyRate: null, completionRate: null });
    const rows = [
      sellerRow(seller('Ada', { enrolled: 4, active: 2, disconnected: 2, endReasons: { exit_on_reply: 2 } })),
      sellerRow(seller('Bob', { enrolled: 6, completed: 3, active: 3, endReasons: { completed: 3 } })),
      nobody,
    ];
    expect(teamRow(rows)).toMatchObject({
      name: 'All sellers',
      connected: 10,
      running: 5,
      completed: 3,
      replied: 2,
      replyRate: 0.2,
      completionRate: 0.3,
    });
    expect(teamRow([])).toMatchObject({ connected: 0, replyRate: null });
  });

  it('sorts by any column: a new numeric column most first, a second click turns it round', () => {
    const rows = [
      sellerRow(seller('Cleo', { enrolled: 10, active: 10 })),
      sellerRow(seller('ada', { enrolled: 4, disconnected: 1, endReasons: { exit_on_reply: 1 } })),
      sellerRow(seller('Bob', { enrolled: 10, disconnected: 5, endReasons: { exit_on_reply: 5 } })),
      sellerRow(seller('Dan')),
    ];
    // Names compare as people read them, not by code point ('ada' before 'Bob').
    expect(names(sortSellerRows(rows, DEFAULT_SELLER_SORT))).toEqual(['ada', 'Bob', 'Cleo', 'Dan']);
    const byConnected = nextSellerSort(DEFAULT_SELLER_SORT, 'connected');
    expect(byConnected).toEqual({ key: 'connected', ascending: false });
    // Ties by name.
    expect(names(sortSellerRows(rows, byConnected))).toEqual(['Bob', 'Cleo', 'ada', 'Dan']);
    expect(names(sortSellerRows(rows, nextSellerSort(byConnected, 'connected')))).toEqual([
      'Dan',
      'ada',
      'Bob',
      'Cleo',
    ]);
    // A rate nothing divides goes last both ways.
    const byReplyRate = nextSellerSort(byConnected, 'replyRate');
    expect(names(sortSellerRows(rows, byReplyRate))).toEqual(['Bob', 'ada', 'Cleo', 'Dan']);
    expect(names(sortSellerRows(rows, nextSellerSort(byReplyRate, 'replyRate')))).toEqual([
      'Cleo',
      'ada',
      'Bob',
      'Dan',
    ]);
    expect(nextSellerSort(byReplyRate, 'name')).toEqual({ key: 'name', ascending: true });
    expect(names(sortSellerRows(rows, { key: 'name', ascending: false }))).toEqual([
      'Dan',
      'Cleo',
      'Bob',
      'ada',
    ]);
    // The input is left as it was.
    expect(names(rows)).toEqual(['Cleo', 'ada', 'Bob', 'Dan']);
  });
});

describe('the sort in the address', () => {
  it('leaves the default out and reads back every sort it writes', () => {
    expect(sellerSortParam(DEFAULT_SELLER_SORT)).toBeNull();
    expect(sellerSortOf(null)).toEqual(DEFAULT_SELLER_SORT);
    const sorts = [
      { key: 'replyRate', ascending: false },
      { key: 'name', ascending: false },
      { key: 'connected', ascending: true },
    ] as const;
    for (const sort of sorts) expect(sellerSortOf(sellerSortParam(sort))).toEqual(sort);
    expect(sellerSortParam({ key: 'replyRate', ascending: false })).toBe('replyRate-desc');
  });

  it('takes an address naming no column, or no direction, as the default', () => {
    for (const param of [
      'ownerId-asc',
      'paused-desc',
      'replyRate',
      'replyRate-up',
      '',
      '-asc',
      'toString-asc',
    ])
      expect(sellerSortOf(param), param).toEqual(DEFAULT_SELLER_SORT);
  });
});
