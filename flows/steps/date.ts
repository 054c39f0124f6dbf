import { DateTime } from 'luxon';
import { missOutcome } from '../answers.js';
import { DATES_PER_PAGE, MONTHS_AHEAD, monthOf, nextMonth, openDates, slotsOn, type ConversationContext } from '../context.js';
import { hasIntent } from '../intents.js';
import { asksNextWeek, parseAppointmentDate } from '../parse.js';
import { k } from '../messages.js';
import { msg, option, prompt, reply, type Prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type Outcome, type OutcomeOf, type UserMessage } from '../step.js';

/** The month's open dates, a page at a time, and "later dates"; a month with none says so. */
function datePrompt(ctx: ConversationContext): Prompt {
  const dates = openDates(ctx);
  const page = dates.slice(ctx.draft.datePage * DATES_PER_PAGE, (ctx.draft.datePage + 1) * DATES_PER_PAGE);
  if (!page.length) {
    return prompt(k('slots.monthEmpty'), { slotMonth: ctx.draft.month }, [option(CHOICE.moreDates, k('choice.moreDates')), option(CHOICE.menu.staff, k('choice.staff'))]);
  }
  const choices = [...page.map((d) => option(`date:${d}`, k('choice.date'), { slotDate: d })), option(CHOICE.moreDates, k('choice.moreDates'))];
  return prompt(k('slots.date'), undefined, choices);
}

/** A real calendar day, not before today and not past the months "later dates" may reach. */
function reachableDate(date: string, at: string, tz: string): boolean {
  const day = DateTime.fromISO(date, { zone: tz });
  const today = DateTime.fromISO(at, { zone: tz }).startOf('day');
  return day.isValid && day >= today && date.slice(0, 7) <= today.plus({ months: MONTHS_AHEAD }).toFormat('yyyy-MM');
}

/** "Later dates": the next page of this month, else the next month, else (too far ahead) staff. */
function laterDates(ctx: ConversationContext, ev: UserMessage): Outcome<'page' | 'load' | 'tooFar'> {
  const d = ctx.draft;
  const tz = ctx.facility.timezone;
  if ((d.datePage + 1) * DATES_PER_PAGE < openDates(ctx).length) return { outcome: 'page', patch: { draft: { ...d, datePage: d.datePage + 1 } } };
  const month = nextMonth(d.month ?? monthOf(ev.at, tz));
  if (month > DateTime.fromISO(ev.at, { zone: tz }).plus({ months: MONTHS_AHEAD }).toFormat('yyyy-MM')) {
    return { outcome: 'tooFar', patch: { handoffReason: 'no_availability' }, emits: [reply(ctx, msg(k('slots.tooFar')))] };
  }
  return { outcome: 'load', patch: { draft: { ...d, month, slots: [], date: undefined, datePage: 0 } } };
}

/** "Next week": its first open date this month's slots know of, else its Monday (`r.value`, loaded or said empty). */
function firstOpenInWeek(ctx: ConversationContext, monday: string): string {
  const sunday = DateTime.fromISO(monday).plus({ days: 6 }).toISODate()!;
  return openDates(ctx).find((d) => d >= monday && d <= sunday) ?? monday;
}

/**
 * Which date, tapped or typed ("tomorrow", "bukas", "Dec 3"): `date` has times, `load` needs another month's
 * (or this date's) slots, `empty` has none; "later dates" pages, loads the next month, or is `tooFar`.
 */
export const date = defineStep({
  name: 'date',
  outcomes: ['date', 'page', 'empty', 'load', 'tooFar'],
  cancelMeansStop: true,
  prompt: datePrompt,
  classify(ctx, ev, choice) {
    const d = ctx.draft;
    const tz = ctx.facility.timezone;
    if (choice === CHOICE.moreDates) return laterDates(ctx, ev);
    let day: string | undefined;
    if (choice?.startsWith('date:')) day = choice.slice(5);
    else if (!choice && ev.text) {
      // a date first: "next Monday" or "susunod na Lunes" name a day, though "next" and "susunod" also ask for later dates
      const r = parseAppointmentDate(ev.text, ctx.locale, ev.at, tz);
      if (!r.ok && r.reason === 'invalid' && hasIntent(ev.text, 'more')) return laterDates(ctx, ev);
      if (!r.ok) return missOutcome(ctx, r.reason === 'past' ? k('slots.datePast') : k('slots.dateUnknown'));
      day = asksNextWeek(ev.text) ? firstOpenInWeek(ctx, r.value) : r.value;
    }
    if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return missOutcome(ctx);
    if (choice && !reachableDate(day, ev.at, tz)) return missOutcome(ctx); // a tapped date:2026-13-45 or a day long gone: no longer offered
    if (day.slice(0, 7) !== d.month) return { outcome: 'load', patch: { draft: { ...d, month: day.slice(0, 7), slots: [], date: day, datePage: 0 } } };
    if (slotsOn(ctx, day).length) return { outcome: 'date', patch: { draft: { ...d, date: day, timePage: 0 } } };
    // an open date whose slots the snapshot does not hold (it keeps one date's): fetch them
    if (openDates(ctx).includes(day)) return { outcome: 'load', patch: { draft: { ...d, date: day, slots: [], timePage: 0 } } };
    if (choice) return missOutcome(ctx);
    return { outcome: 'empty', patch: { notice: msg(k('slots.dateEmpty'), { slotDate: day }) } };
  },
});

export type DateOutcome = OutcomeOf<typeof date>;
