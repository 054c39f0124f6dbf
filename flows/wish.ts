import { DateTime } from 'luxon';
import { localDate, slotsOn, type ConversationContext, type Draft } from './context.js';
import { mentionedCalendars } from './doctors.js';
import { normalize } from './intents.js';
import { parseAppointmentDate, parseTimeOfDay } from './parse.js';

/** What a booking request already says ("book Dr. Reyes tomorrow at 10", "magpa-schedule kay Dr. Cruz bukas"). */

/** A time of day in a sentence: "at 10", "10am", "10:30", "alas 10", "jam 9", "pukul 14.00". */
const TIME_IN_TEXT = [
  /\b(?:at|@|alas|jam|pukul|pkl)\s*(\d{1,2}(?:[:.]\d{2})?)(?:\s*(am|pm|a\.m\.|p\.m\.))?(?![\d/])/i,
  /\b(\d{1,2}(?:[:.]\d{2})?)\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])/i,
  /\b(\d{1,2}:\d{2})\b/,
];

function timeIn(text: string): { minutes: number; rest: string } | undefined {
  for (const re of TIME_IN_TEXT) {
    const m = re.exec(text);
    if (!m) continue;
    const minutes = parseTimeOfDay(`${m[1]}${m[2] ? ` ${m[2]}` : ''}`);
    if (minutes !== undefined) return { minutes, rest: `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}` };
  }
  return undefined;
}

/** Words that name a day (a digit, a weekday, a month, today/tomorrow/next week in the three languages): without one, no date is read ("in the morning" is no date). */
const DAY_WORD = new RegExp(
  '\\d|\\b(' +
    [
      'today|tomorrow|tmrw|tonight|week|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun',
      'jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december',
      'ngayong araw|bukas|makalawa|lunes|martes|miyerkules|miyerkoles|huwebes|biyernes|sabado|linggo|enero|pebrero|marso|abril|mayo|hunyo|hulyo|agosto|setyembre|oktubre|nobyembre|disyembre',
      'hari ini|besok|lusa|senin|selasa|rabu|kamis|jumat|sabtu|minggu|pekan|januari|februari|maret|mei|juni|juli|agustus|oktober|desember',
    ].join('|') +
    ')\\b',
);

/** The doctor, date and time a free booking request names (each only when read with confidence). */
export function wishOf(ctx: ConversationContext, text: string | undefined, at: string): Draft['wish'] {
  if (!text?.trim()) return undefined;
  const calendars = mentionedCalendars(ctx.calendars, text);
  const time = timeIn(text);
  // the date without the time ("at 10" would read as today at 10) and without the doctor's name
  const rest = (time?.rest ?? text).replace(/\b(dr|dra|doc)\.?\s+\S+/gi, ' ');
  const date = DAY_WORD.test(normalize(rest)) ? parseAppointmentDate(rest, ctx.locale, at, ctx.facility.timezone) : ({ ok: false } as const);
  const wish = {
    ...(calendars.length ? { calendarIds: calendars.map((c) => c.id) } : {}),
    ...(date.ok ? { date: date.value } : {}),
    ...(time ? { minutes: time.minutes } : {}),
  };
  return Object.keys(wish).length ? wish : undefined;
}

/** The wished doctor, when the request named exactly one. */
export const wishedCalendar = (ctx: ConversationContext): string | undefined => {
  const ids = ctx.draft.wish?.calendarIds?.filter((id) => ctx.calendars.some((c) => c.id === id)) ?? [];
  return ids.length === 1 ? ids[0] : undefined;
};

/** The month and date the slot picker starts at: the wished date's (then forgotten), else this month's. */
export function startingDate(ctx: ConversationContext, draft: Draft): Pick<Draft, 'month' | 'date' | 'wish'> {
  const date = draft.wish?.date;
  const now = ctx.now;
  const month = DateTime.fromISO(now, { setZone: true }).setZone(ctx.facility.timezone).toFormat('yyyy-MM');
  // the time is kept for the date the patient picks ("Dr. Reyes at 10")
  const wish = draft.wish?.minutes !== undefined ? { minutes: draft.wish.minutes } : undefined;
  if (!date || date < localDate(now, ctx.facility.timezone)) return { month, date: undefined, wish };
  return { month: date.slice(0, 7), date, wish };
}

/** The start of the wished time on the chosen date (facility zone), open or not. */
export function wishedTime(ctx: ConversationContext): string | undefined {
  const minutes = ctx.draft.wish?.minutes;
  if (minutes === undefined || !ctx.draft.date) return undefined;
  return DateTime.fromISO(ctx.draft.date, { zone: ctx.facility.timezone }).plus({ minutes }).toISO({ suppressMilliseconds: true })!;
}

/** The open slot at the wished time on the chosen date, if there is one. */
export function wishedSlot(ctx: ConversationContext): string | undefined {
  const start = wishedTime(ctx);
  if (!start) return undefined;
  return slotsOn(ctx, ctx.draft.date).find((s) => Date.parse(s.start) === Date.parse(start))?.start;
}
