import type { Exchange, Probe } from '../probe.js';
import type { ConformanceOptions } from '../types.js';

export interface SlotSeen {
  /** the start as it can be sent back in a create/reschedule body */
  start: string;
  at: number;
}

/** the calendar and type the availability (and write) checks use */
export interface ReadTarget {
  calendarId: string;
  appointmentTypeId: string;
}

export interface CalendarItem {
  id: unknown;
  types: unknown[] | undefined;
}

export type AvailabilityForm = 'slots' | 'grouped' | 'unknown';

export interface MonthRead {
  month: string;
  x: Exchange;
  form: AvailabilityForm;
  slots: SlotSeen[];
  times: string[];
}

/** What the read checks share, filled in as they go. */
export interface ReadState {
  probe: Probe;
  opts: ConformanceOptions;
  now: () => Date;
  zone: string;
  /** the answer of GET /calendars, once auth.accepted made it */
  calendars?: Exchange;
  /** its calendars, when it succeeded with a list */
  items?: CalendarItem[];
}

/** ...and once the calendars are known, what the availability checks share. */
export interface AvailabilityState extends ReadState {
  target?: ReadTarget;
  /** this month and the next, in the facility's zone */
  months: [string, string];
  perMonth: MonthRead[];
}
