// The work list split the way a seller reads it: Overdue / Today / Upcoming in the seller's time zone (the
// same boundaries as GET /api/worklist's `when`), and the activity-type and record-type filters.
import type { EntityType, StepType } from '@domain/definition.js';
import { DateTime } from 'luxon';
import type { WorkItem } from '../api/types.js';

export const WHEN_GROUPS = ['overdue', 'today', 'upcoming'] as const;
export type WhenGroup = (typeof WHEN_GROUPS)[number];
export const WHEN_NAMES: Record<WhenGroup, string> = {
  overdue: 'Overdue',
  today: 'Today',
  upcoming: 'Upcoming',
};

/** Activity filters: one per kind of work a seller does (LinkedIn steps together). */
export const ACTIVITY_FILTERS = [
  { key: 'email', label: 'Email', types: ['email'] },
  { key: 'automated_email', label: 'Automated email', types: ['automated_email'] },
  { key: 'phone_call', label: 'Phone call', types: ['phone_call'] },
  { key: 'task', label: 'Task', types: ['task'] },
  {
    key: 'linkedin',
    label: 'LinkedIn',
    types: ['linkedin_research', 'linkedin_get_introduced', 'linkedin_connect', 'linkedin_inmail'],
  },
] as const satisfies readonly { key: string; label: string; types: readonly StepType[] }[];
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number]['key'] | 'all';

export interface WorkFilter {
  activity: ActivityFilter;
  recordType: EntityType | 'all';
}

export const NO_FILTER: WorkFilter = { activity: 'all', recordType: 'all' };

/**
 * Overdue: due before today began; Today: due before tomorrow began; Upcoming: later. "Today" is the
 * calendar day of `now` in `zone`. A step without a due time is workable now: Today.
 */
export function whenOf(dueAt: string | null, now: number, zone: string): WhenGroup {
  if (dueAt === null) return 'today';
  const due = Date.parse(dueAt);
  const local = DateTime.fromMillis(now, { zone: safeZone(zone) });
  if (due < local.startOf('day').toMillis()) return 'overdue';
  // Tomorrow's own start: where a midnight does not exist (DST at 00:00), today starts at 01:00 and
  // tomorrow still at 00:00, so today's start plus a day would take tomorrow's first hour into today.
  if (due < local.plus({ days: 1 }).startOf('day').toMillis()) return 'today';
  return 'upcoming';
}

export function matchesFilter(item: WorkItem, filter: WorkFilter): boolean {
  if (filter.recordType !== 'all' && item.record.type !== filter.recordType) return false;
  if (filter.activity === 'all') return true;
  const types: readonly StepType[] = ACTIVITY_FILTERS.find((f) => f.key === filter.activity)?.types ?? [];
  return types.includes(item.step.type);
}

/** The filtered items in their groups, each by due time (earliest first, then id for a stable order). */
export function groupWork(
  items: readonly WorkItem[],
  filter: WorkFilter,
  now: number,
  zone: string,
): Record<WhenGroup, WorkItem[]> {
  const groups: Record<WhenGroup, WorkItem[]> = { overdue: [], today: [], upcoming: [] };
  for (const item of items) if (matchesFilter(item, filter)) groups[whenOf(item.dueAt, now, zone)].push(item);
  for (const key of WHEN_GROUPS) groups[key].sort(byDue);
  return groups;
}

function byDue(a: WorkItem, b: WorkItem): number {
  const da = a.dueAt === null ? 0 : Date.parse(a.dueAt);
  const db = b.dueAt === null ? 0 : Date.parse(b.dueAt);
  return da - db || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** An unknown zone (a user saved before zones were checked) reads as UTC rather than failing. */
export function safeZone(zone: string): string {
  return DateTime.local().setZone(zone).isValid ? zone : 'UTC';
}
