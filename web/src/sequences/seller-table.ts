// The Stats tab's table of sellers (GET /api/sequences/{id}/stats/sellers): per seller, the records connected,
// how many still run and how the others ended, each row adding up to its Connected; rates of records
// connected; sorted by any column.
import type { SellerStats } from '../api/types.js';

export interface SellerRow {
  ownerId: string;
  name: string;
  activeUser: boolean;
  connected: number;
  /** Active or paused. */
  running: number;
  paused: number;
  /** Ran to the end, or moved on to another sequence. */
  completed: number;
  /** Ended by a reply (exit on reply). */
  replied: number;
  bounced: number;
  unsubscribed: number;
  /** Disconnected by a user. */
  disconnected: number;
  /** Ended by the sequence's deactivation or deletion, the record's deletion, or an error. */
  otherEnded: number;
  /** Fractions of `connected`, null when nothing was connected. */
  replyRate: number | null;
  completionRate: number | null;
}

export type SellerSortKey = Exclude<keyof SellerRow, 'ownerId' | 'activeUser' | 'paused'>;

export interface SellerSort {
  key: SellerSortKey;
  ascending: boolean;
}

export const SELLER_COLUMNS: readonly { key: SellerSortKey; label: string; rate?: true }[] = [
  { key: 'name', label: 'Seller' },
  // Not "Connected": the tab's count cards above already say that.
  { key: 'connected', label: 'Records' },
  { key: 'running', label: 'Running' },
  { key: 'completed', label: 'Completed' },
  { key: 'replied', label: 'Replied' },
  { key: 'bounced', label: 'Bounced' },
  { key: 'unsubscribed', label: 'Unsubscribed' },
  { key: 'disconnected', label: 'Disconnected' },
  { key: 'otherEnded', label: 'Other' },
  { key: 'replyRate', label: 'Reply rate', rate: true },
  { key: 'completionRate', label: 'Completion rate', rate: true },
];

/** By name, as the server sends them. */
export const DEFAULT_SELLER_SORT: SellerSort = { key: 'name', ascending: true };

const reason = (s: SellerStats, key: string): number => s.endReasons[key] ?? 0;
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function withRates(row: Omit<SellerRow, 'replyRate' | 'completionRate'>): SellerRow {
  return {
    ...row,
    replyRate: rate(row.replied, row.connected),
    completionRate: rate(row.completed, row.connected),
  };
}

export function sellerRow(s: SellerStats): SellerRow {
  const replied = reason(s, 'exit_on_reply');
  const bounced = reason(s, 'bounced');
  const unsubscribed = reason(s, 'unsubscribed');
  const disconnected = reason(s, 'user_disconnected');
  const running = s.active + s.paused;
  // Whatever is neither running, completed nor one of the named ends: the row always adds up.
  const otherEnded = Math.max(
    0,
    s.enrolled - running - s.completed - replied - bounced - unsubscribed - disconnected,
  );
  return withRates({
    ownerId: s.ownerId,
    name: s.name,
    activeUser: s.activeUser,
    connected: s.enrolled,
    running,
    paused: s.paused,
    completed: s.completed,
    replied,
    bounced,
    unsubscribed,
    disconnected,
    otherEnded,
  });
}

/** The whole team's row (the figures added up, the rates of the sum). */
export function teamRow(rows: readonly SellerRow[]): SellerRow {
  const sum = (key: keyof SellerRow) => rows.reduce((total, r) => total + (r[key] as number), 0);
  return withRates({
    ownerId: '',
    name: 'All sellers',
    activeUser: true,
    connected: sum('connected'),
    running: sum('running'),
    paused: sum('paused'),
    completed: sum('completed'),
    replied: sum('replied'),
    bounced: sum('bounced'),
    unsubscribed: sum('unsubscribed'),
    disconnected: sum('disconnected'),
    otherEnded: sum('otherEnded'),
  });
}

/**
 * The sort as the address keeps it (`?tab=stats&by=replyRate-desc`), so a reload, a shared link and Back
 * show the same order; null for the default (by name, A–Z), which leaves the address clean.
 */
export function sellerSortParam(sort: SellerSort): string | null {
  if (sort.key === DEFAULT_SELLER_SORT.key && sort.ascending === DEFAULT_SELLER_SORT.ascending) return null;
  return `${sort.key}-${sort.ascending ? 'asc' : 'desc'}`;
}

/** The sort an address names; the default for none, or for one that names no column. */
export function sellerSortOf(param: string | null): SellerSort {
  const match = /^([A-Za-z]+)-(asc|desc)$/.exec(param ?? '');
  const column = match === null ? undefined : SELLER_COLUMNS.find((c) => c.key === match[1]);
  return column === undefined || match === null
    ? DEFAULT_SELLER_SORT
    : { key: column.key, ascending: match[2] === 'asc' };
}

/** The next sort after a click on `key`'s header: the same column turns round; a new one starts with the
 * most first (names from A). */
export function nextSellerSort(current: SellerSort, key: SellerSortKey): SellerSort {
  if (current.key === key) return { key, ascending: !current.ascending };
  return { key, ascending: key === 'name' };
}

/** Rows sorted by `sort`; a rate nothing divides (no record) goes last either way; ties by name. */
export function sortSellerRows(rows: readonly SellerRow[], sort: SellerSort): SellerRow[] {
  const byName = (a: SellerRow, b: SellerRow) =>
    a.name.localeCompare(b.name) || (a.ownerId < b.ownerId ? -1 : a.ownerId > b.ownerId ? 1 : 0);
  const direction = sort.ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort.key === 'name') return direction * byName(a, b);
    const x = a[sort.key];
    const y = b[sort.key];
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return direction * (x - y) || byName(a, b);
  });
}
