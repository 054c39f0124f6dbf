import { DateTime } from 'luxon';

/** Opening hours of every seeded calendar: Mon–Sat, 08:00–12:00 and 13:00–17:00 (lunch closed), Sunday closed. */
export const WORKING_BLOCKS: readonly { from: number; to: number }[] = [
  { from: 8 * 60, to: 12 * 60 },
  { from: 13 * 60, to: 17 * 60 },
];

/** How far ahead (in days from today) the sandbox offers slots. The contract asks for at least 60. */
export const HORIZON_DAYS = 90;

export const isOpenDay = (day: DateTime): boolean => day.weekday !== 7;

const DAY_MS = 86_400_000;

/** One local calendar day of a zone, as epoch milliseconds. */
export interface LocalDay {
  /** `YYYY-MM-DD` */
  date: string;
  /** the day's first instant */
  start: number;
  /** the next day's first instant */
  end: number;
  /** Sunday closed */
  open: boolean;
  /** the zone's UTC offset in minutes when it is the same all day (no DST change inside), else undefined */
  offset: number | undefined;
}

const shiftDate = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

const pad2 = (n: number) => String(n).padStart(2, '0');
const formatOffset = (minutes: number): string => {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
};

/** Above this many cached days a zone's cache starts over (a client may ask for any month). */
const MAX_CACHED_DAYS = 4000;

/**
 * The local days of one zone, each computed once with luxon and then cached, so that slot grids and ISO
 * strings are plain epoch arithmetic (luxon's per-instant zone offset lookup is what made availability slow).
 */
export class LocalDays {
  private readonly days = new Map<string, LocalDay>();
  /** the offset of the last day computed: the first guess of the local date of an instant */
  private lastOffset = 0;
  private readonly fixedZone: boolean;
  private lastFound: LocalDay | undefined;

  constructor(readonly zone: string) {
    this.fixedZone = DateTime.fromMillis(0, { zone }).zone.isUniversal;
  }

  /** The local day named `YYYY-MM-DD` (undefined when that is not a date). */
  day(date: string): LocalDay | undefined {
    const cached = this.days.get(date);
    if (cached) return cached;
    const first = DateTime.fromISO(date, { zone: this.zone });
    if (!first.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
    const start = first.startOf('day').toMillis();
    const end = first.plus({ days: 1 }).startOf('day').toMillis();
    const atStart = first.startOf('day').offset;
    const atEnd = DateTime.fromMillis(end - 1, { zone: this.zone }).offset;
    const day: LocalDay = { date, start, end, open: first.weekday !== 7, offset: atStart === atEnd && Number.isInteger(atStart) ? atStart : undefined };
    this.lastOffset = atStart;
    if (this.days.size >= MAX_CACHED_DAYS) {
      this.days.clear();
      this.lastFound = undefined;
    }
    this.days.set(date, day);
    return day;
  }

  /** The local day that contains the instant `ms`. */
  dayAt(ms: number): LocalDay {
    const last = this.lastFound;
    if (last && ms >= last.start && ms < last.end) return last;
    this.lastFound = this.findDayAt(ms);
    return this.lastFound;
  }

  private findDayAt(ms: number): LocalDay {
    let date = new Date(ms + this.lastOffset * 60_000).toISOString().slice(0, 10);
    for (let i = 0; i < 4; i++) {
      const d = this.day(date)!;
      if (ms < d.start) date = shiftDate(date, -1);
      else if (ms >= d.end) date = shiftDate(date, 1);
      else return d;
    }
    return this.day(DateTime.fromMillis(ms, { zone: this.zone }).toISODate()!)!;
  }

  /** The local day `n` days after `day`. */
  plus(day: LocalDay, n: number): LocalDay {
    return this.day(shiftDate(day.date, n))!;
  }

  /** ISO 8601 with the zone's offset and no zero milliseconds, exactly as luxon's `toISO({ suppressMilliseconds: true })`. */
  iso(ms: number): string {
    const offset = this.fixedZone ? undefined : this.dayAt(ms).offset;
    if (offset === undefined) return DateTime.fromMillis(ms, { zone: this.zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
    const local = new Date(ms + offset * 60_000).toISOString();
    return `${local.slice(0, ms % 1000 === 0 ? 19 : 23)}${formatOffset(offset)}`;
  }
}

const zones = new Map<string, LocalDays>();

/** The shared day cache of a zone. */
export function localDays(zone: string): LocalDays {
  let days = zones.get(zone);
  if (!days) {
    days = new LocalDays(zone);
    zones.set(zone, days);
  }
  return days;
}

/** ISO 8601 with the zone's offset and no milliseconds: `2026-12-01T09:30:00+08:00`. */
export const toIso = (ms: number, zone: string): string => localDays(zone).iso(ms);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Reads a contract date-time; one without offset is read in `zone`. Undefined when it is not a date-time. */
export function parseDateTime(raw: string, zone: string): number | undefined {
  if (!DATE_TIME.test(raw)) return undefined;
  const dt = DateTime.fromISO(raw, { zone });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** A bound for `from`/`to` filters: a date means the day's start (or, for `to`, the next day's start). */
export function parseBound(raw: string, zone: string, end: boolean): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const day = DateTime.fromISO(raw, { zone });
    if (!day.isValid) return undefined;
    return (end ? day.plus({ days: 1 }) : day).startOf('day').toMillis();
  }
  return parseDateTime(raw, zone);
}

export interface Interval {
  start: number;
  end: number;
}

export const overlaps = (a: Interval, b: Interval): boolean => a.start < b.end && b.start < a.end;

/** The grid of one appointment type on one local day: starts every `duration` minutes inside each working block. */
export function gridOf(day: LocalDay, durationMinutes: number, zone: string): Interval[] {
  if (!day.open) return [];
  const out: Interval[] = [];
  for (const block of WORKING_BLOCKS) {
    for (let m = block.from; m + durationMinutes <= block.to; m += durationMinutes) {
      const start = localTime(day, m, zone);
      out.push({ start, end: start + durationMinutes * 60_000 });
    }
  }
  return out;
}

/** The instant of `minutes` after local midnight on `day` (wall-clock time, also on a DST day). */
export function localTime(day: LocalDay, minutes: number, zone: string): number {
  if (day.offset !== undefined) return day.start + minutes * 60_000;
  return DateTime.fromISO(day.date, { zone }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

/** The grid of one appointment type on one local day (luxon form of `gridOf`). */
export function dayGrid(day: DateTime, durationMinutes: number): Interval[] {
  const local = localDays(day.zoneName ?? 'UTC').day(day.toISODate() ?? '');
  return local ? gridOf(local, durationMinutes, day.zoneName ?? 'UTC') : [];
}

/** Deterministic pseudo-random number in [0, 1) from a string (FNV-1a, then a murmur finalizer). */
export function unitHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
