import { DateTime } from 'luxon';

/** When a facility's staff answer chats: ISO weekdays (1 = Monday) and a facility-local HH:mm range. */
export interface StaffHours {
  days: readonly number[];
  from: string;
  to: string;
}

/** Is `at` within the staff's hours, in the facility's time zone? */
export function isStaffHours(at: Date, timezone: string, hours: StaffHours): boolean {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  if (!hours.days.includes(local.weekday)) return false;
  const hhmm = local.toFormat('HH:mm');
  return hhmm >= hours.from && hhmm < hours.to;
}
