import { clinicInfoLines, visitLines } from '../src/core/index.js';
import type { ConversationContext } from './context.js';
import { intentKeywords, normalize } from './intents.js';
import { k } from './messages.js';
import { msg } from './prompts.js';
import type { CardValue, MessageDescriptor } from './protocol.js';

/** The clinic's facts in the conversation (configured per facility; a fact not configured is not said). */

/** The summary card's room and clinic days of the chosen doctor, when configured. */
export function calendarRows(ctx: ConversationContext, calendarId: string | undefined): { labelKey: string; value: CardValue }[] {
  const c = calendarId ? ctx.facility.knowledge?.calendars?.[calendarId] : undefined;
  return [...(c?.room ? [{ labelKey: k('card.room'), value: c.room }] : []), ...(c?.clinicDays ? [{ labelKey: k('card.clinicDays'), value: c.clinicDays }] : [])];
}

/** Lines under "You're booked": address, map, room, preparation, what to bring, when to arrive. */
export const bookedDetails = (ctx: ConversationContext, a: { calendarId: string; appointmentTypeId: string }) =>
  visitLines(ctx.facility.knowledge, a.calendarId, a.appointmentTypeId);

/**
 * Does the text ask for the clinic's details ("opening hours", "saan", "jam buka")? Whole words only, never
 * one edit away as other intents allow: that would read "salamat" (thank you) as "alamat", "there" as "where".
 */
export function asksInfo(text: string | undefined): boolean {
  const tokens = normalize(text ?? '').split(' ');
  return intentKeywords('info').some((kw) => tokens.some((_, i) => kw.every((w, j) => tokens[i + j] === w)));
}

/** The clinic's own number for patients: the hotline, else the staff contact. */
export const clinicPhone = (ctx: ConversationContext): string | undefined => ctx.facility.knowledge?.info?.hotline ?? ctx.facility.staffContact;

/** The "Clinic info" answer: hours, location, contact, parking; with none configured, whom to ask. */
export function clinicInfo(ctx: ConversationContext): MessageDescriptor {
  const lines = clinicInfoLines(ctx.facility.knowledge);
  if (lines.length) return msg(k('info.text'), { clinic: ctx.facility.name, lines });
  const contact = ctx.facility.staffContact;
  return contact ? msg(k('info.noneWithContact'), { clinic: ctx.facility.name, contact }) : msg(k('info.none'), { clinic: ctx.facility.name });
}
