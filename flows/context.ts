import { DateTime } from 'luxon';
import type { Appointment, Calendar, LocaleCode, Slot } from '../src/core/index.js';
import type { FlowContact, FlowEmitted, FlowFacility, MessageDescriptor } from './protocol.js';

export type Mode = 'book' | 'reschedule' | 'cancel' | 'confirm';
export type DetailField = 'consent' | 'name' | 'dob' | 'phone' | 'gender' | 'nationalId';

/** A choice the last prompt offered: its id, and words a patient may type instead of tapping it. */
export interface ChoiceRef {
  id: string;
  words?: string[];
}

export interface Draft {
  name?: string;
  dob?: string;
  phone?: string;
  gender?: string;
  nationalId?: string;
  consent?: boolean;
  /** fields asked in this conversation, in order (for "back") */
  collected: DetailField[];
  patientId?: string;
  calendarId?: string;
  appointmentTypeId?: string;
  /** YYYY-MM of the loaded availability */
  month?: string;
  slots: Slot[];
  date?: string;
  datePage: number;
  timePage: number;
  start?: string;
}

export interface ConversationContext {
  facility: FlowFacility;
  contact: FlowContact;
  calendars: Calendar[];
  locale: LocaleCode;
  /** `at` and id of the last patient event: the machine's clock and idempotency seed */
  now: string;
  messageId: string;
  greeted: boolean;
  menuShown: boolean;
  misses: number;
  choices: ChoiceRef[];
  prompt?: MessageDescriptor;
  notice?: MessageDescriptor;
  mode: Mode;
  draft: Draft;
  appointments: Appointment[];
  targetId?: string;
  target?: Appointment;
  /** idempotency key of the pending write, set before entering the state that makes it */
  opKey?: string;
  handoffReason?: Extract<FlowEmitted, { type: 'handoff' }>['reason'];
}

export const emptyDraft = (contact: FlowContact): Draft => ({
  name: contact.name,
  dob: contact.dob,
  phone: contact.phone,
  gender: contact.gender,
  nationalId: contact.nationalId,
  consent: contact.consent,
  patientId: contact.patientId,
  collected: [],
  slots: [],
  datePage: 0,
  timePage: 0,
});

export const DATES_PER_PAGE = 8;
export const TIMES_PER_PAGE = 8;
/** How many months ahead "later dates" may look before handing over to staff. */
export const MONTHS_AHEAD = 6;

export const calendarOf = (ctx: ConversationContext, id: string | undefined): Calendar | undefined => ctx.calendars.find((c) => c.id === id);
export const doctorName = (ctx: ConversationContext, calendarId: string | undefined): string => calendarOf(ctx, calendarId)?.name ?? '';
export const typeName = (ctx: ConversationContext, calendarId: string | undefined, typeId: string | undefined): string =>
  calendarOf(ctx, calendarId)?.appointmentTypes.find((t) => t.id === typeId)?.name ?? '';

export const localDate = (iso: string, tz: string): string => DateTime.fromISO(iso, { setZone: true }).setZone(tz).toISODate()!;
export const monthOf = (iso: string, tz: string): string => DateTime.fromISO(iso, { setZone: true }).setZone(tz).toFormat('yyyy-MM');

/** Dates (YYYY-MM-DD, facility zone) that still have slots after now, in order. */
export function openDates(ctx: ConversationContext): string[] {
  const tz = ctx.facility.timezone;
  return [...new Set(ctx.draft.slots.map((s) => localDate(s.start, tz)))];
}

export function slotsOn(ctx: ConversationContext, date: string | undefined): Slot[] {
  if (!date) return [];
  return ctx.draft.slots.filter((s) => localDate(s.start, ctx.facility.timezone) === date);
}

/** Future slots only, sorted, for a reschedule not the appointment's own time. */
export function usableSlots(slots: Slot[], now: string, exclude?: string): Slot[] {
  const t = Date.parse(now);
  return slots
    .filter((s) => Date.parse(s.start) > t && (!exclude || Date.parse(s.start) !== Date.parse(exclude)))
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

export const hoursUntil = (start: string, now: string): number => (Date.parse(start) - Date.parse(now)) / 3_600_000;
