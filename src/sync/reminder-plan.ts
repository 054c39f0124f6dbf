import { DateTime, Duration } from 'luxon';

export interface QuietHours {
  from: string; // HH:mm, first quiet minute
  to: string; // HH:mm, first minute allowed again
}

export interface PlannedReminder {
  offset: string; // ISO duration before the start
  runAt: number; // ms since epoch
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Minutes before quiet hours begin that a moved reminder goes out (a round time, not 20:59). */
const BEFORE_QUIET_MIN = 15;

/** Is this local time inside the quiet window (which may wrap midnight)? */
export function inQuietHours(local: DateTime, q: QuietHours): boolean {
  const t = local.hour * 60 + local.minute;
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  return from <= to ? t >= from && t < to : t >= from || t < to;
}

/** Moves a time inside quiet hours earlier, to just before that quiet period began. */
export function moveBeforeQuietHours(local: DateTime, q: QuietHours): DateTime {
  if (!inQuietHours(local, q)) return local;
  const from = minutesOf(q.from);
  const t = local.hour * 60 + local.minute;
  // the quiet period began today at `from` when we are after it, else yesterday
  const startDay = t >= from ? local.startOf('day') : local.minus({ days: 1 }).startOf('day');
  return startDay.plus({ minutes: from - BEFORE_QUIET_MIN });
}

/**
 * When each reminder of an appointment goes out: start minus each offset, moved out of quiet hours
 * (earlier), dropping the ones already past and the ones that would collapse onto another.
 */
export function planReminders(opts: { start: string; offsets: readonly string[]; timezone: string; quietHours?: QuietHours; now: number }): PlannedReminder[] {
  const start = DateTime.fromISO(opts.start, { setZone: true }).setZone(opts.timezone);
  if (!start.isValid || start.toMillis() <= opts.now) return [];
  const planned: PlannedReminder[] = [];
  for (const offset of opts.offsets) {
    const dur = Duration.fromISO(offset);
    if (!dur.isValid) continue;
    let at: DateTime = start.minus(dur);
    if (opts.quietHours) at = moveBeforeQuietHours(at, opts.quietHours);
    const runAt = at.toMillis();
    if (runAt <= opts.now || runAt >= start.toMillis()) continue;
    if (planned.some((p) => Math.abs(p.runAt - runAt) < 30 * 60_000)) continue;
    planned.push({ offset, runAt });
  }
  return planned.sort((a, b) => a.runAt - b.runAt);
}

/** Stable job id: a moved appointment gets new ids, a repeated plan the same ones. */
export const reminderJobId = (facilityId: string, appointmentId: string, offset: string, start: string): string =>
  `rem:${facilityId}:${appointmentId}:${offset}:${Date.parse(start) / 1000}`;
