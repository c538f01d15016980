// Properties of working-time arithmetic over random zones, weekly hours, time off and instants in 2026–2027,
// checked partly against an independent wall-clock reading through luxon. fast-check prints the seed on failure.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWait,
  isWorkingInstant,
  nextWorkingInstant,
  type TimeOff,
  type Weekday,
  type WeeklyHours,
  type WorkingCalendar,
} from './calendar.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham',
];
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FROM = Date.parse('2026-01-01T00:00:00Z');
const UNTIL = Date.parse('2028-01-01T00:00:00Z');
/** The test zones' DST changes in 2026–2027 (UTC instants): random instants crowd around them. */
const TRANSITIONS: Record<string, number[]> = Object.fromEntries(
  Object.entries({
    UTC: [],
    'Asia/Kolkata': [],
    'America/New_York': ['2026-03-08T07:00Z', '2026-11-01T06:00Z', '2027-03-14T07:00Z', '2027-11-07T06:00Z'],
    'Europe/London': ['2026-03-29T01:00Z', '2026-10-25T01:00Z', '2027-03-28T01:00Z', '2027-10-31T01:00Z'],
    'Australia/Sydney': ['2026-04-04T16:00Z', '2026-10-03T16:00Z', '2027-04-03T16:00Z', '2027-10-02T16:00Z'],
    'Pacific/Chatham': ['2026-04-04T14:00Z', '2026-09-26T14:00Z', '2027-04-03T14:00Z', '2027-09-25T14:00Z'],
  }).map(([zone, list]) => [zone, list.map((iso) => Date.parse(iso))]),
);

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Any instant in 2026–2027; more than half of them within days or hours of one of the zone's DST changes. */
function instantIn(zone: string, shiftDays = 0): fc.Arbitrary<number> {
  const changes = TRANSITIONS[zone] ?? [];
  const uniform = fc.integer({ min: FROM, max: UNTIL });
  if (changes.length === 0) return uniform;
  const near = (range: number) =>
    fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -range, max: range }))
      .map(([t, d]) => t + d - shiftDays * DAY);
  return fc.oneof(uniform, near(3 * DAY), near(3 * HOUR));
}

/** Intervals on the minute (some on the quarter hour, some whole days), unsorted and overlapping. */
const interval = fc.oneof(
  fc
    .integer({ min: 0, max: 1439 })
    .chain((start) =>
      fc.integer({ min: start + 1, max: 1440 }).map((end): [string, string] => [hhmm(start), hhmm(end)]),
    ),
  fc
    .integer({ min: 0, max: 95 })
    .chain((q) =>
      fc.integer({ min: q + 1, max: 96 }).map((r): [string, string] => [hhmm(q * 15), hhmm(r * 15)]),
    ),
  fc.constant<[string, string]>(['00:00', '24:00']),
  // Boundaries in the hours the test zones' clocks skip or repeat.
  fc
    .uniqueArray(
      fc.constantFrom(
        '00:30',
        '01:00',
        '01:30',
        '02:00',
        '02:30',
        '02:45',
        '03:00',
        '03:30',
        '03:45',
        '04:00',
      ),
      {
        minLength: 2,
        maxLength: 2,
      },
    )
    .map(([a, b]): [string, string] =>
      (a as string) < (b as string) ? [a as string, b as string] : [b as string, a as string],
    ),
);

const weeklyHours: fc.Arbitrary<WeeklyHours> = fc
  .tuple(...WEEKDAYS.map(() => fc.array(interval, { maxLength: 3 })))
  .map((days) => Object.fromEntries(WEEKDAYS.map((day, i) => [day, days[i] ?? []])) as WeeklyHours);

const timeOff = (zone: string): fc.Arbitrary<TimeOff[]> =>
  fc.array(
    fc
      .tuple(instantIn(zone), fc.integer({ min: MINUTE, max: 6 * 7 * DAY }))
      .map(([start, length]) => ({ start, end: start + length })),
    { maxLength: 3 },
  );

const calendar: fc.Arbitrary<WorkingCalendar> = fc
  .constantFrom(...ZONES)
  .chain((timezone) =>
    fc.record({ timezone: fc.constant(timezone), weeklyHours, timeOff: timeOff(timezone) }),
  );

/** A calendar and an instant, the instant often near one of the calendar zone's DST changes. */
const calendarAt = (shiftDays = 0): fc.Arbitrary<[WorkingCalendar, number]> =>
  calendar.chain((cal) => instantIn(cal.timezone, shiftDays).map((t): [WorkingCalendar, number] => [cal, t]));

const RUNS = { numRuns: 400 };

/** The luxon zone offset at an instant, in minutes. */
const offsetAt = (t: number, zone: string): number => DateTime.fromMillis(t, { zone }).offset;

/** Working by the wall clock alone: meaningful away from DST changes, where every wall time happens once. */
function wallClockWorking(cal: WorkingCalendar, t: number): boolean {
  if (cal.timeOff.some((b) => b.start <= t && t < b.end)) return false;
  const dt = DateTime.fromMillis(t, { zone: cal.timezone });
  const intervals = WEEKDAYS.flatMap((d) => cal.weeklyHours[d]);
  if (intervals.length === 0) return true; // a week without hours puts no restriction on hours
  const minutes = dt.hour * 60 + dt.minute + dt.second / 60 + dt.millisecond / MINUTE;
  const today = cal.weeklyHours[WEEKDAYS[dt.weekday - 1] as Weekday];
  return today.some(([s, e]) => {
    const [sh, sm] = s.split(':').map(Number) as [number, number];
    const [eh, em] = e.split(':').map(Number) as [number, number];
    return sh * 60 + sm <= minutes && minutes < eh * 60 + em;
  });
}

const nearDstChange = (t: number, zone: string): boolean =>
  offsetAt(t - 3 * HOUR, zone) !== offsetAt(t + 3 * HOUR, zone);

it('the listed DST changes are real', () => {
  for (const [zone, changes] of Object.entries(TRANSITIONS))
    for (const t of changes) expect(offsetAt(t - 1, zone), `${zone} ${t}`).not.toBe(offsetAt(t, zone));
});

describe('nextWorkingInstant (property)', () => {
  it('is at or after x, working, idempotent, and x itself exactly when x is working', () => {
    fc.assert(
      fc.property(calendarAt(), ([cal, x]) => {
        const r = nextWorkingInstant(cal, x);
        expect(r).toBeGreaterThanOrEqual(x);
        expect(isWorkingInstant(cal, r)).toBe(true);
        expect(nextWorkingInstant(cal, r)).toBe(r);
        expect(r === x).toBe(isWorkingInstant(cal, x));
      }),
      RUNS,
    );
  });

  it('leaves no working instant in [x, result)', () => {
    fc.assert(
      fc.property(
        calendarAt(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        ([cal, x], fractions) => {
          const r = nextWorkingInstant(cal, x);
          if (r === x) return;
          const probes = [x, r - 1, ...fractions.map((f) => Math.min(r - 1, x + Math.floor(f * (r - x))))];
          for (const t of probes) {
            expect(isWorkingInstant(cal, t)).toBe(false);
            if (!nearDstChange(t, cal.timezone)) expect(wallClockWorking(cal, t)).toBe(false);
          }
        },
      ),
      RUNS,
    );
  });

  it('agrees with the wall clock read by luxon, away from DST changes', () => {
    fc.assert(
      fc.property(calendarAt(), ([cal, t]) => {
        fc.pre(!nearDstChange(t, cal.timezone));
        expect(isWorkingInstant(cal, t)).toBe(wallClockWorking(cal, t));
      }),
      RUNS,
    );
  });
});

const wait = fc.record(
  {
    weeks: fc.integer({ min: 0, max: 4 }),
    days: fc.integer({ min: 0, max: 30 }),
    hours: fc.integer({ min: 0, max: 48 }),
    minutes: fc.integer({ min: 0, max: 120 }),
    seconds: fc.integer({ min: 0, max: 120 }),
  },
  { requiredKeys: [] },
);

describe('addWait (property)', () => {
  it('never ends before it starts, with or without skipping non-working days', () => {
    fc.assert(
      fc.property(calendarAt(), wait, fc.boolean(), ([cal, at], w, skipNonWorkingDays) => {
        expect(addWait(cal, at, w, { skipNonWorkingDays })).toBeGreaterThanOrEqual(at);
      }),
      RUNS,
    );
  });

  it('adds clock time as exact elapsed time', () => {
    fc.assert(
      fc.property(
        calendarAt(),
        fc.nat(100),
        fc.nat(1000),
        fc.boolean(),
        ([cal, at], hours, minutes, skip) => {
          expect(addWait(cal, at, { hours, minutes }, { skipNonWorkingDays: skip })).toBe(
            at + hours * HOUR + minutes * MINUTE,
          );
        },
      ),
      RUNS,
    );
  });

  it('days keep the local wall-clock time unless it falls in a DST gap (then the end of the gap)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((days) => calendarAt(days).map((pair) => [...pair, days] as const)),
        ([cal, at, days]) => {
          const zone = cal.timezone;
          const r = addWait(cal, at, { days }, { skipNonWorkingDays: false });
          const start = DateTime.fromMillis(at, { zone });
          const end = DateTime.fromMillis(r, { zone });
          const wall = start.toFormat('HH:mm:ss.SSS');
          // Built by hand: luxon itself moves a wall time in a gap forward by the gap's length.
          const date = DateTime.fromISO(start.toISODate() ?? '', { zone: 'UTC' }).plus({ days });
          const target = `${date.toFormat('yyyy-MM-dd')} ${wall}`;
          if (end.toFormat('HH:mm:ss.SSS') === wall) {
            expect(end.toFormat('yyyy-MM-dd HH:mm:ss.SSS')).toBe(target);
            // When that wall time happens twice, the earlier one.
            expect(DateTime.fromMillis(r - HOUR, { zone }).toFormat('yyyy-MM-dd HH:mm:ss.SSS')).not.toBe(
              target,
            );
          } else {
            // In a gap: r is the instant the clocks jump forward, past the wanted wall time.
            expect(offsetAt(r, zone)).toBeGreaterThan(offsetAt(r - 1, zone));
            expect(DateTime.fromMillis(r - 1, { zone }).toFormat('yyyy-MM-dd HH:mm:ss.SSS') < target).toBe(
              true,
            );
            expect(end.toFormat('yyyy-MM-dd HH:mm:ss.SSS') > target).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('skipping non-working days waits at least as long, and more days wait longer', () => {
    fc.assert(
      fc.property(calendarAt(), fc.integer({ min: 1, max: 30 }), ([cal, at], days) => {
        const skip = { skipNonWorkingDays: true };
        const skipped = addWait(cal, at, { days }, skip);
        expect(skipped).toBeGreaterThanOrEqual(addWait(cal, at, { days }, { skipNonWorkingDays: false }));
        expect(addWait(cal, at, { days: days + 1 }, skip)).toBeGreaterThan(skipped);
      }),
      RUNS,
    );
  });

  it('skipping non-working days is the same as waiting until the n-th later local day with working time', () => {
    fc.assert(
      fc.property(calendarAt(), fc.integer({ min: 1, max: 10 }), ([cal, at], days) => {
        const zone = cal.timezone;
        // Oracle: walk local days with luxon; a day counts when it holds a working instant.
        let day = DateTime.fromMillis(at, { zone }).startOf('day');
        let calendarDays = 0;
        for (let counted = 0; counted < days; ) {
          day = day.plus({ days: 1 });
          calendarDays += 1;
          if (nextWorkingInstant(cal, day.toMillis()) < day.plus({ days: 1 }).toMillis()) counted += 1;
        }
        expect(addWait(cal, at, { days }, { skipNonWorkingDays: true })).toBe(
          addWait(cal, at, { days: calendarDays }, { skipNonWorkingDays: false }),
        );
      }),
      RUNS,
    );
  });
});
