// The working-hours editor's model: a week of `HH:MM`–`HH:MM` intervals per weekday (api.md "Users"),
// edited as rows and checked before it goes to the server, which merges and re-checks them.
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export interface Interval {
  start: string;
  end: string;
}

export type Week = Record<Weekday, Interval[]>;

/** api.md's default: Monday to Friday 08:00–17:00. */
export const DEFAULT_WEEK: Week = {
  mon: [{ start: '08:00', end: '17:00' }],
  tue: [{ start: '08:00', end: '17:00' }],
  wed: [{ start: '08:00', end: '17:00' }],
  thu: [{ start: '08:00', end: '17:00' }],
  fri: [{ start: '08:00', end: '17:00' }],
  sat: [],
  sun: [],
};

export interface WeekProblem {
  day: Weekday | null;
  /** The interval's index in its day, or null for the whole week. */
  index: number | null;
  message: string;
}

/** The API's `{mon: [["08:00","17:00"]], ...}`; a missing day has no hours. */
export function weekFromApi(json: Record<string, string[][]> | undefined): Week {
  if (json === undefined) return structuredClone(DEFAULT_WEEK);
  const week = {} as Week;
  for (const day of WEEKDAYS) week[day] = (json[day] ?? []).map(([start = '', end = '']) => ({ start, end }));
  return week;
}

export function weekToApi(week: Week): Record<Weekday, [string, string][]> {
  const json = {} as Record<Weekday, [string, string][]>;
  for (const day of WEEKDAYS) json[day] = week[day].map((i) => [i.start, i.end]);
  return json;
}

/** Minutes since midnight of "HH:MM" ("24:00" only when it may end a day), or undefined. */
export function minutesOf(text: string, isEnd: boolean): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59) return undefined;
  if (minutes === 24 * 60) return isEnd ? minutes : undefined;
  return minutes < 24 * 60 ? minutes : undefined;
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Every problem in the week, in day order; an empty list means the server will accept it. */
export function checkWeek(week: Week): WeekProblem[] {
  const problems: WeekProblem[] = [];
  for (const day of WEEKDAYS) {
    const spans: { start: number; end: number; index: number }[] = [];
    week[day].forEach((interval, index) => {
      const start = minutesOf(interval.start, false);
      const end = minutesOf(interval.end, true);
      if (start === undefined || end === undefined)
        problems.push({ day, index, message: 'Times are HH:MM, from 00:00 to 24:00.' });
      else if (end <= start) problems.push({ day, index, message: 'The end must be after the start.' });
      else spans.push({ start, end, index });
    });
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      const previous = spans[i - 1];
      const current = spans[i];
      if (previous !== undefined && current !== undefined && current.start < previous.end)
        problems.push({ day, index: current.index, message: 'This interval overlaps another one.' });
    }
  }
  if (WEEKDAYS.every((day) => week[day].length === 0))
    problems.push({ day: null, index: null, message: 'At least one day needs working hours.' });
  return problems;
}

/** A new interval after the day's last one (an hour after it ends, for up to four hours), or 09:00–17:00. */
export function addInterval(week: Week, day: Weekday): Week {
  const ends = week[day].map((i) => minutesOf(i.end, true)).filter((m): m is number => m !== undefined);
  const lastEnd = ends.length === 0 ? undefined : Math.max(...ends);
  let next: Interval = { start: '09:00', end: '17:00' };
  if (lastEnd !== undefined) {
    const start = Math.min(lastEnd + 60, 23 * 60);
    const end = Math.min(start + 4 * 60, 24 * 60);
    next = { start: formatMinutes(start), end: formatMinutes(end) };
  }
  return { ...week, [day]: [...week[day], next] };
}

export function removeInterval(week: Week, day: Weekday, index: number): Week {
  return { ...week, [day]: week[day].filter((_, i) => i !== index) };
}

export function changeInterval(week: Week, day: Weekday, index: number, patch: Partial<Interval>): Week {
  return {
    ...week,
    [day]: week[day].map((interval, i) => (i === index ? { ...interval, ...patch } : interval)),
  };
}

/** Gives each of `targets` a copy of `source`'s intervals. */
export function copyDay(week: Week, source: Weekday, targets: readonly Weekday[]): Week {
  const copy = { ...week };
  for (const day of targets) if (day !== source) copy[day] = week[source].map((i) => ({ ...i }));
  return copy;
}

/** Hours of work in the week (overlaps counted once), for a one-line summary. */
export function weeklyHours(week: Week): number {
  let total = 0;
  for (const day of WEEKDAYS) {
    const covered = new Set<number>();
    for (const interval of week[day]) {
      const start = minutesOf(interval.start, false);
      const end = minutesOf(interval.end, true);
      if (start === undefined || end === undefined) continue;
      for (let m = start; m < end; m++) covered.add(m);
    }
    total += covered.size;
  }
  return total / 60;
}

/** "Mon–Fri 08:00–17:00" style summary: runs of days with the same hours. */
export function describeWeek(week: Week): string {
  const label = (day: Weekday) =>
    week[day].length === 0 ? '' : week[day].map((i) => `${i.start}–${i.end}`).join(', ');
  const parts: string[] = [];
  let runStart = 0;
  for (let i = 1; i <= WEEKDAYS.length; i++) {
    const startDay = WEEKDAYS[runStart] as Weekday;
    const day = WEEKDAYS[i];
    if (day !== undefined && label(day) === label(startDay)) continue;
    const endDay = WEEKDAYS[i - 1] as Weekday;
    const hours = label(startDay);
    if (hours !== '') {
      const days = startDay === endDay ? short(startDay) : `${short(startDay)}–${short(endDay)}`;
      parts.push(`${days} ${hours}`);
    }
    runStart = i;
  }
  return parts.length === 0 ? 'No working hours' : parts.join('; ');
}

function short(day: Weekday): string {
  return WEEKDAY_NAMES[day].slice(0, 3);
}

/** Choices for a time select: every quarter hour, plus `current` when it is off that grid. */
export function timeChoices(isEnd: boolean, current: string): string[] {
  const list: string[] = [];
  for (let m = isEnd ? 15 : 0; m <= (isEnd ? 24 * 60 : 24 * 60 - 15); m += 15) list.push(formatMinutes(m));
  if (current !== '' && !list.includes(current)) {
    list.push(current);
    list.sort();
  }
  return list;
}
