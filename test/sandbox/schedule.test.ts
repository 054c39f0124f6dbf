import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { LocalDays, gridOf } from '../../src/sandbox/schedule.js';

/** The epoch-arithmetic day cache must say exactly what luxon says, DST days and odd offsets included. */
const ZONES = ['Asia/Manila', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham'];

describe('LocalDays', () => {
  it.each(ZONES)('formats instants and finds their local day like luxon in %s', (zone) => {
    const days = new LocalDays(zone);
    const from = Date.parse('2025-12-30T00:00:00Z');
    // every 71 minutes for over a year (crosses every DST change), plus a few with milliseconds
    for (let ms = from; ms < from + 400 * 86_400_000; ms += 71 * 60_000) {
      const dt = DateTime.fromMillis(ms, { zone });
      expect(days.iso(ms)).toBe(dt.toISO({ suppressMilliseconds: true }));
      expect(days.dayAt(ms).date).toBe(dt.toISODate());
    }
    for (const ms of [from + 1, from + 86_400_123, from + 200 * 86_400_000 + 999]) {
      expect(days.iso(ms)).toBe(DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }));
    }
  });

  it.each(ZONES)('puts every day between its local midnights, Sundays closed, in %s', (zone) => {
    const days = new LocalDays(zone);
    let day = days.day('2026-01-01')!;
    for (let i = 0; i < 370; i++, day = days.plus(day, 1)) {
      const luxon = DateTime.fromISO(day.date, { zone });
      expect(day.start).toBe(luxon.startOf('day').toMillis());
      expect(day.end).toBe(luxon.plus({ days: 1 }).startOf('day').toMillis());
      expect(day.open).toBe(luxon.weekday !== 7);
    }
  });

  it('keeps the grid at wall-clock times on a DST day', () => {
    const zone = 'America/New_York';
    const days = new LocalDays(zone);
    for (const date of ['2026-03-08', '2026-11-01', '2026-03-09']) {
      const day = days.day(date)!;
      const starts = gridOf({ ...day, open: true }, 30, zone).map((i) => DateTime.fromMillis(i.start, { zone }).toFormat('HH:mm'));
      expect(starts[0]).toBe('08:00');
      expect(starts.at(-1)).toBe('16:30');
      expect(starts).not.toContain('12:00');
    }
  });

  it('answers undefined for something that is not a date', () => {
    const days = new LocalDays('Asia/Manila');
    expect(days.day('2026-02-30')).toBeUndefined();
    expect(days.day('soon')).toBeUndefined();
  });
});
