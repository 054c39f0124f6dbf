import { DateTime } from 'luxon';
import type { Appointment, Calendar, LocaleCode, Relationship, Slot } from '../src/core/index.js';
import type { BookingSubject, FlowContact, FlowEmitted, FlowFacility, FlowPerson, MessageDescriptor, SurveyChoice } from './protocol.js';

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
  /** the provider's id of whom the booking is for: set only from a verified link or a look-up behind a proved phone */
  patientId?: string;
  /** whom the booking is for; absent: the contact itself */
  subject?: { ref?: string; relationship?: Relationship };
  /** the phone check of this booking: a code was sent, it was confirmed, or the patient went on without it */
  verify?: 'sent' | 'done' | 'skipped';
  /** the number the code went to, masked for display */
  masked?: string;
  calendarId?: string;
  /** the doctor step of a long list: the chosen specialty ('' the others), the page shown, the calendars a typed name matched */
  doctorPick?: { specialty?: string; page: number; ids?: string[]; typed?: string };
  /** what the booking request already said ("book Dr. Reyes tomorrow at 10"): used when the flow reaches those steps */
  wish?: { calendarIds?: string[]; date?: string; minutes?: number; /** the type a rebook nudge's slot was offered for (./nudge.ts) */ typeId?: string };
  appointmentTypeId?: string;
  /** YYYY-MM of the loaded availability */
  month?: string;
  /** the loaded month's open dates (facility zone), in order; absent in snapshots older than it: then read off `slots` */
  dates?: string[];
  /** the slots of `date` only (at most MAX_SLOTS_PER_DATE), not the whole month: see slotView */
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
  /** equals opKey once that write's answer was lost: it is being checked (asked again with the same key), not redone */
  checkingKey?: string;
  handoffReason?: Extract<FlowEmitted, { type: 'handoff' }>['reason'];
  /** the survey score just given: its comment is asked next (./steps/surveyComment.ts) */
  survey?: SurveyChoice;
  /** the change was refused by the hospital's system (422 too close), not by our own cutoff check */
  tooCloseBy?: 'hospital';
  /** the last booking made here: a summary's "Yes, book it" tapped again is answered with it, not booked twice */
  lastBooked?: { key: string; calendarId: string; start: string; reference: string };
  /** the slot key of an old "Yes, book it" being looked up (the conversation was reset since) */
  replayKey?: string;
  /** a code the patient typed, held only until the check of this turn */
  pendingCode?: string;
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

/** a booking for someone new: nothing of the contact's own details but the phone to reach them on */
export const draftForSomeoneElse = (contact: FlowContact): Draft => ({
  phone: contact.phone,
  subject: {},
  collected: [],
  slots: [],
  datePage: 0,
  timePage: 0,
});

/** a booking for a saved person: their details as far as the link lets us know them */
export const draftForPerson = (contact: FlowContact, p: FlowPerson): Draft => ({
  name: p.name,
  dob: p.dob,
  gender: p.gender,
  phone: contact.phone,
  consent: p.consent,
  patientId: p.verified ? p.patientId : undefined,
  subject: { ref: p.ref, relationship: p.relationship },
  collected: [],
  slots: [],
  datePage: 0,
  timePage: 0,
});

export const isSelf = (d: Draft): boolean => !d.subject || d.subject.relationship === 'self';

/** whom a created appointment is for, as the engine records it */
export function subjectOf(ctx: ConversationContext): BookingSubject {
  const d = ctx.draft;
  const self = isSelf(d);
  return {
    ...(d.subject?.ref ? { ref: d.subject.ref } : self && ctx.contact.selfRef ? { ref: ctx.contact.selfRef } : {}),
    relationship: d.subject?.relationship ?? 'self',
    name: d.name ?? '',
    consent: d.consent === true,
  };
}

/** the phone of this booking was proved by the contact */
export const phoneProved = (ctx: ConversationContext): boolean => !!ctx.contact.phoneVerified && !!ctx.draft.phone && ctx.contact.phone === ctx.draft.phone;

export const firstName = (name: string | undefined): string => name?.trim().split(/\s+/)[0] ?? '';

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
/** Month after `month` (YYYY-MM). */
export const nextMonth = (month: string): string => DateTime.fromFormat(month, 'yyyy-MM').plus({ months: 1 }).toFormat('yyyy-MM');

/** Dates (YYYY-MM-DD, facility zone) that still have slots after now, in order. */
export function openDates(ctx: ConversationContext): string[] {
  if (ctx.draft.dates) return ctx.draft.dates;
  const tz = ctx.facility.timezone;
  return [...new Set(ctx.draft.slots.map((s) => localDate(s.start, tz)))];
}

/** How many slots of one date the conversation keeps (the time prompt pages through them 8 at a time). */
export const MAX_SLOTS_PER_DATE = 200;

/**
 * A day-of-instant reader for one zone that asks luxon once per quarter hour, not once per slot
 * (zone offsets change on quarter hours): a month of 300k slots costs a few thousand zone look-ups.
 */
const zoneDays = new Map<string, Map<number, string>>();
function dayReader(tz: string): (ms: number) => string {
  // offsets are whole quarter hours, so a local midnight never falls inside a quarter hour: one day per bucket;
  // the buckets are kept for the process (a pure memo: tz data does not change under it), bounded
  let days = zoneDays.get(tz);
  if (!days || days.size > 200_000) zoneDays.set(tz, (days = new Map()));
  return (ms) => {
    const bucket = Math.floor(ms / 900_000);
    let day = days.get(bucket);
    if (day === undefined) days.set(bucket, (day = DateTime.fromMillis(bucket * 900_000, { zone: tz }).toISODate()!));
    return day;
  };
}

/**
 * What the date and time prompts need of a month's availability, in one pass: the open dates (after
 * `now`, without the reschedule's own time) and the slots of `date`, deduplicated by start, sorted and
 * capped. This, not the month, is what the conversation's snapshot holds.
 */
export function slotView(all: Slot[], opts: { now: string; tz: string; date?: string; exclude?: string }): { dates: string[]; slots: Slot[] } {
  const after = Date.parse(opts.now);
  const excluded = opts.exclude ? Date.parse(opts.exclude) : NaN;
  const dayOf = dayReader(opts.tz);
  const dates = new Set<string>();
  const chosen = new Map<number, Slot>();
  for (const s of all) {
    const ms = Date.parse(s.start);
    if (!(ms > after) || ms === excluded) continue;
    const day = dayOf(ms);
    dates.add(day);
    if (day === opts.date && !chosen.has(ms)) chosen.set(ms, s.end ? { start: s.start, end: s.end } : { start: s.start });
  }
  const slots = [...chosen.entries()].sort((a, b) => a[0] - b[0]).slice(0, MAX_SLOTS_PER_DATE).map(([, s]) => s);
  return { dates: [...dates].sort(), slots };
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
