import { DateTime, Duration } from 'luxon';
import { inQuietHours, moveBeforeQuietHours, type QuietHours } from '../reminder-plan.js';

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** A message after the fact waits for quiet hours to end (a reminder before the visit moves earlier instead). */
export function moveAfterQuietHours(local: DateTime, q: QuietHours): DateTime {
  if (!inQuietHours(local, q)) return local;
  const to = minutesOf(q.to);
  const t = local.hour * 60 + local.minute;
  const day = t < to ? local.startOf('day') : local.plus({ days: 1 }).startOf('day');
  return day.plus({ minutes: to });
}

/** `at` plus an ISO duration, out of quiet hours (later), in ms */
export function afterAt(at: number, after: string, timezone: string, quiet: QuietHours | undefined): number | undefined {
  const dur = Duration.fromISO(after);
  if (!dur.isValid) return undefined;
  const local = DateTime.fromMillis(at, { zone: timezone }).plus(dur);
  return (quiet ? moveAfterQuietHours(local, quiet) : local).toMillis();
}

/** `start` minus an ISO duration, out of quiet hours (earlier), in ms */
export function beforeStart(start: string, before: string, timezone: string, quiet: QuietHours | undefined): number | undefined {
  const dur = Duration.fromISO(before);
  const s = DateTime.fromISO(start, { setZone: true }).setZone(timezone);
  if (!dur.isValid || !s.isValid) return undefined;
  const at = s.minus(dur);
  return (quiet ? moveBeforeQuietHours(at, quiet) : at).toMillis();
}
