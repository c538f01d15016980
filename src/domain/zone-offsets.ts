// UTC offsets of IANA time zones, and wall-clock time ↔ instant, from a table per zone filled lazily in
// 128-day chunks, so the hot path never calls Intl (luxon's IANAZone.offset costs ~5 µs per call through
// Intl.DateTimeFormat#formatToParts). Instants and wall-clock times are epoch-style milliseconds.
import { IANAZone } from 'luxon';
import {
  MILLIS_PER_NOMINAL_DAY as DAY,
  MILLIS_PER_HOUR as HOUR,
  MILLIS_PER_MINUTE as MINUTE,
  MILLIS_PER_SECOND as SECOND,
} from './duration.js';

/** Offsets are sampled once a day and transitions found by bisection: two changes within one day would be missed (none in tzdb since 1970). */
const CHUNK = 128 * DAY;

interface OffsetChunk {
  /** Offset (ms) at the chunk's start. */
  first: number;
  /** Instants where a new offset starts, ascending, and that offset. */
  at: number[];
  offset: number[];
}

// Memo of a pure function of (zone name, instant): invisible to callers apart from speed.
const tables = new Map<string, ZoneOffsets>();

const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** An IANA zone name the platform knows (`Europe/London`, `UTC`); offsets such as `+05:00` are not names. */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string') return false;
  return tables.has(zone) || (ZONE_NAME.test(zone) && IANAZone.isValidZone(zone));
}

/**
 * ICU's canonical names that the IANA database has since renamed (CLDR keeps the old spelling as its id,
 * so Node 20 answers `Asia/Calcutta` for `Asia/Kolkata`), by the name IANA uses now. Newer engines answer
 * the IANA name themselves; this keeps every Node naming a zone the same way.
 */
const RENAMED: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'America/Godthab': 'America/Nuuk',
  'Africa/Asmera': 'Africa/Asmara',
  'America/Coral_Harbour': 'America/Atikokan',
};

/**
 * The IANA name of a valid zone (`america/new_york` → `America/New_York`, `utc` → `UTC`, a link such as
 * `US/Eastern` → `America/New_York`, `Asia/Calcutta` → `Asia/Kolkata`), or null for a name that is not a
 * zone. What every input stores, so the same zone never appears under two spellings (filters, exports, the
 * work list's day).
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!isValidTimeZone(zone)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  const renamed = RENAMED[resolved];
  return renamed !== undefined && isValidTimeZone(renamed) ? renamed : resolved;
}

/** One zone's offsets, shared by every caller of {@link ZoneOffsets.of}. */
export class ZoneOffsets {
  private readonly zone: IANAZone;
  private readonly chunks = new Map<number, OffsetChunk>();
  private lastKey = Number.NaN;
  private lastChunk: OffsetChunk | undefined = undefined;

  private constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  /** Throws a RangeError for a zone that is not {@link isValidTimeZone}. */
  static of(name: string): ZoneOffsets {
    let table = tables.get(name);
    if (table === undefined) {
      if (!isValidTimeZone(name)) throw new RangeError(`Unknown time zone "${name}"`);
      table = new ZoneOffsets(name);
      tables.set(name, table);
    }
    return table;
  }

  /** The zone's UTC offset in ms at an instant. */
  offsetAt(at: number): number {
    const key = Math.floor(at / CHUNK);
    let chunk = key === this.lastKey ? this.lastChunk : this.chunks.get(key);
    if (chunk === undefined) chunk = this.buildChunk(key);
    this.lastKey = key;
    this.lastChunk = chunk;
    let offset = chunk.first;
    for (let i = 0; i < chunk.at.length && at >= (chunk.at[i] as number); i++)
      offset = chunk.offset[i] as number;
    return offset;
  }

  /** Local wall-clock time of an instant, as ms since 1970-01-01T00:00 on the local calendar. */
  wallOf(at: number): number {
    return at + this.offsetAt(at);
  }

  /**
   * The earliest instant whose wall-clock time is at or after `wall`: the instant itself when the wall time
   * happens once; the earlier one when it happens twice (fall back); the end of the gap when it never
   * happens (spring forward: 02:30 → 03:00). Assumes at most one offset change in the 26 hours around it.
   */
  instantOf(wall: number): number {
    // Offsets lie within −12h … +14h, so any instant showing `wall` lies in [wall − 14h, wall + 12h].
    const early = this.offsetAt(wall - 14 * HOUR);
    const late = this.offsetAt(wall + 12 * HOUR);
    if (early === late) return wall - early;
    const a = wall - early;
    const b = wall - late;
    const aValid = this.offsetAt(a) === early;
    const bValid = this.offsetAt(b) === late;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    // A gap: the wall clock jumps over `wall` at the transition, which lies in (min, max].
    let lo = Math.min(a, b);
    let hi = Math.max(a, b);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wallOf(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  private intlOffset(at: number): number {
    return Math.round(this.zone.offset(at) * MINUTE);
  }

  private buildChunk(key: number): OffsetChunk {
    const start = key * CHUNK;
    const chunk: OffsetChunk = { first: this.intlOffset(start), at: [], offset: [] };
    let before = start;
    let previous = chunk.first;
    for (let sample = start + DAY; sample <= start + CHUNK; sample += DAY) {
      const offset = this.intlOffset(sample);
      if (offset !== previous) {
        // Intl offsets are constant within a UTC second: bisect on whole seconds in (before, sample].
        let lo = before / SECOND;
        let hi = sample / SECOND;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.intlOffset(mid * SECOND) === previous) lo = mid;
          else hi = mid;
        }
        const transition = hi * SECOND;
        if (transition < start + CHUNK) {
          chunk.at.push(transition);
          chunk.offset.push(this.intlOffset(transition));
        }
        previous = offset;
      }
      before = sample;
    }
    if (this.chunks.size > 4096) this.chunks.clear();
    this.chunks.set(key, chunk);
    return chunk;
  }
}
