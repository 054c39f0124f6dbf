import { DateTime } from 'luxon';

export const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** The instant of a provider date-time; one without offset is read in `zone` (contract §1). NaN when unreadable. */
export function instant(raw: unknown, zone: string): number {
  if (typeof raw !== 'string') return NaN;
  const dt = DateTime.fromISO(raw.trim(), { zone });
  return dt.isValid ? dt.toMillis() : NaN;
}

/** `YYYY-MM` of `now` and of the month after it, in `zone`. */
export function thisAndNextMonth(now: Date, zone: string): [string, string] {
  const here = DateTime.fromJSDate(now, { zone });
  return [here.toFormat('yyyy-MM'), here.plus({ months: 1 }).toFormat('yyyy-MM')];
}

export const showInstant = (ms: number, zone: string): string =>
  DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
