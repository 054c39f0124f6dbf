import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { inQuietHours, planReminders, reminderJobId } from '../../src/sync/reminder-plan.js';

const tz = 'Asia/Manila';
const local = (iso: string) => DateTime.fromISO(iso, { zone: tz });
const at = (ms: number) => DateTime.fromMillis(ms, { zone: tz }).toFormat("yyyy-MM-dd'T'HH:mm");
const quiet = { from: '21:00', to: '08:00' };
const now = local('2026-12-01T09:00').toMillis();

describe('reminder planning', () => {
  it('puts a reminder one day and two hours before the start', () => {
    const r = planReminders({ start: '2026-12-03T14:00:00+08:00', offsets: ['P1D', 'PT2H'], timezone: tz, quietHours: quiet, now });
    expect(r.map((p) => [p.offset, at(p.runAt)])).toEqual([
      ['P1D', '2026-12-02T14:00'],
      ['PT2H', '2026-12-03T12:00'],
    ]);
  });

  it('moves a reminder that falls in quiet hours to before they begin, the evening before', () => {
    const r = planReminders({ start: '2026-12-03T08:30:00+08:00', offsets: ['PT2H'], timezone: tz, quietHours: quiet, now });
    expect(r.map((p) => at(p.runAt))).toEqual(['2026-12-02T20:45']);
  });

  it('drops reminders already past, and one that would land within 30 minutes of another', () => {
    const r = planReminders({ start: '2026-12-01T10:00:00+08:00', offsets: ['P1D', 'PT2H', 'PT30M'], timezone: tz, now });
    expect(r.map((p) => p.offset)).toEqual(['PT30M']);
    const crowded = planReminders({ start: '2026-12-03T08:30:00+08:00', offsets: ['PT12H', 'PT2H'], timezone: tz, quietHours: quiet, now });
    expect(crowded.map((p) => [p.offset, at(p.runAt)])).toEqual([['PT12H', '2026-12-02T20:30']]);
  });

  it('plans nothing for an appointment in the past', () => {
    expect(planReminders({ start: '2026-11-30T10:00:00+08:00', offsets: ['P1D'], timezone: tz, now })).toEqual([]);
  });

  it('handles quiet hours that do not wrap midnight', () => {
    const q = { from: '12:00', to: '13:00' };
    expect(inQuietHours(local('2026-12-01T12:30'), q)).toBe(true);
    expect(inQuietHours(local('2026-12-01T13:00'), q)).toBe(false);
    expect(inQuietHours(local('2026-12-01T23:00'), quiet)).toBe(true);
    expect(inQuietHours(local('2026-12-01T07:59'), quiet)).toBe(true);
    expect(inQuietHours(local('2026-12-01T08:00'), quiet)).toBe(false);
  });

  it('gives a moved appointment new job ids and a repeated plan the same ones', () => {
    const a = reminderJobId('f', '42', 'P1D', '2026-12-03T14:00:00+08:00');
    expect(a).toBe(reminderJobId('f', '42', 'P1D', '2026-12-03T06:00:00Z'));
    expect(a).not.toBe(reminderJobId('f', '42', 'P1D', '2026-12-04T14:00:00+08:00'));
  });
});
