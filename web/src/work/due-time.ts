// Due times in the seller's time zone: relative ("in 3 hours") and absolute ("Tue 24 Nov, 09:00"), the
// snooze presets, and the custom snooze date-time (a local `datetime-local` value read in that zone).
import { DateTime } from 'luxon';
import { safeZone } from './work-groups.js';

export interface DueText {
  relative: string;
  absolute: string;
  /** ISO for a <time dateTime>. */
  iso: string;
}

export function describeDue(dueAt: string, now: number, zone: string, locale = 'en-GB'): DueText {
  const due = DateTime.fromISO(dueAt, { zone: safeZone(zone), locale });
  const base = DateTime.fromMillis(now, { zone: safeZone(zone), locale });
  const sameYear = due.year === base.year;
  return {
    relative: Math.abs(due.toMillis() - now) < 60_000 ? 'now' : (due.toRelative({ base }) ?? ''),
    absolute: due.toFormat(sameYear ? 'ccc d LLL, HH:mm' : 'ccc d LLL yyyy, HH:mm'),
    iso: due.toUTC().toISO() ?? dueAt,
  };
}

/** How far ahead a step may be snoozed (the server's limit: 30 days). */
export const MAX_SNOOZE_DAYS = 30;

export interface SnoozePreset {
  key: string;
  label: string;
  until: string;
}

/**
 * In an hour; this afternoon at 15:00 (while before 14:00); tomorrow 09:00; next Monday 09:00 (unless that
 * is tomorrow or a week away); in a week.
 */
export function snoozePresets(now: number, zone: string, locale = 'en-GB'): SnoozePreset[] {
  const local = DateTime.fromMillis(now, { zone: safeZone(zone), locale });
  const at9 = (d: DateTime) => d.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  const presets: { key: string; label: string; at: DateTime }[] = [
    { key: 'hour', label: 'In 1 hour', at: local.plus({ hours: 1 }).startOf('minute') },
  ];
  if (local.hour < 14)
    presets.push({
      key: 'afternoon',
      label: 'This afternoon',
      at: local.set({ hour: 15, minute: 0, second: 0, millisecond: 0 }),
    });
  presets.push({ key: 'tomorrow', label: 'Tomorrow morning', at: at9(local.plus({ days: 1 })) });
  const daysToMonday = ((8 - local.weekday) % 7 || 7) as number;
  // Not when it is tomorrow, nor on a Monday, when next Monday is the same time as "In a week".
  if (daysToMonday > 1 && daysToMonday < 7)
    presets.push({ key: 'monday', label: 'Next Monday', at: at9(local.plus({ days: daysToMonday })) });
  presets.push({ key: 'week', label: 'In a week', at: at9(local.plus({ days: 7 })) });
  return presets.map((p) => ({
    key: p.key,
    label: `${p.label} (${p.at.toFormat('ccc d LLL, HH:mm')})`,
    until: p.at.toUTC().toISO() ?? '',
  }));
}

export type CustomSnooze = { ok: true; until: string } | { ok: false; message: string };

/** A `datetime-local` value ("2026-11-24T09:30") read in `zone`, checked as the server will check it. */
export function customSnooze(value: string, now: number, zone: string): CustomSnooze {
  if (value.trim() === '') return { ok: false, message: 'Choose a date and time.' };
  const at = DateTime.fromISO(value, { zone: safeZone(zone) });
  if (!at.isValid) return { ok: false, message: 'That is not a date and time.' };
  if (at.toMillis() <= now) return { ok: false, message: 'Choose a time in the future.' };
  if (at.toMillis() > now + MAX_SNOOZE_DAYS * 86_400_000)
    return { ok: false, message: `A step can be snoozed for at most ${MAX_SNOOZE_DAYS} days.` };
  return { ok: true, until: at.toUTC().toISO() ?? '' };
}

/** A `datetime-local` value for an instant in `zone` (the custom field's default and bounds). */
export function localInputValue(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone: safeZone(zone) }).toFormat("yyyy-LL-dd'T'HH:mm");
}
