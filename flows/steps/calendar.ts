import { missOutcome } from '../answers.js';
import type { ConversationContext } from '../context.js';
import { asksSpecialty, DOCTOR_CHOICE, listedCalendars, matchCalendars, matchSpecialty, nextPage, ONE_SCREEN, pageOf, specialties } from '../doctors.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { nameWords, option, prompt, type Option, type Prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type Outcome, type OutcomeOf } from '../step.js';

const specialtyOption = (s: string): Option => (s ? option(`${DOCTOR_CHOICE.specialty}${s}`, k('choice.named'), { name: s }) : option(`${DOCTOR_CHOICE.specialty}`, k('choice.otherSpecialty')));

/**
 * The doctors, as one list when they fit a screen; else the specialty first (paged), then its doctors a page
 * at a time with "More" and "Back"; a typed name that matched several: those.
 */
function calendarPrompt(ctx: ConversationContext): Prompt {
  const pick = ctx.draft.doctorPick;
  const page = pick?.page ?? 0;
  if (asksSpecialty(ctx)) {
    const all = specialties(ctx);
    const shown = pageOf(all, page);
    return prompt(k('book.specialty'), undefined, [...shown.items.map(specialtyOption), ...(shown.more ? [option(DOCTOR_CHOICE.more, k('choice.moreDoctors'))] : [])], nameWords);
  }
  const listed = listedCalendars(ctx);
  const options = (cals: typeof listed) => cals.map((cal) => option(`cal:${cal.id}`, k('choice.named'), { name: cal.name }));
  if (pick?.ids?.length) return prompt(k('book.calendarWhich'), { name: pick.typed ?? '' }, options(listed), nameWords);
  if (ctx.calendars.length <= ONE_SCREEN) return prompt(k('book.calendar'), undefined, options(listed), nameWords);
  const shown = pageOf(listed, page);
  const back = inSpecialty(ctx);
  const choices = [...options(shown.items), ...(shown.more ? [option(DOCTOR_CHOICE.more, k('choice.moreDoctors'))] : []), ...(back ? [option(DOCTOR_CHOICE.back, k('choice.backDoctors'))] : [])];
  return pick?.specialty ? prompt(k('book.calendarIn'), { specialty: pick.specialty }, choices, nameWords) : prompt(k('book.calendar'), undefined, choices, nameWords);
}

/** a specialty's doctors are listed (and there are other specialties to go back to) */
const inSpecialty = (ctx: ConversationContext): boolean => ctx.calendars.length > ONE_SCREEN && ctx.draft.doctorPick?.specialty !== undefined && specialties(ctx).length > 1;

const picked = (ctx: ConversationContext, id: string): Outcome<'ok'> => ({
  outcome: 'ok',
  patch: { draft: { ...ctx.draft, calendarId: id, doctorPick: undefined, appointmentTypeId: undefined, date: undefined, start: undefined } },
});
const showing = (ctx: ConversationContext, doctorPick: NonNullable<ConversationContext['draft']['doctorPick']>): Outcome<'page'> => ({ outcome: 'page', patch: { draft: { ...ctx.draft, doctorPick } } });

/** Which doctor or service: tapped, typed by name (any time, from any page), or reached by specialty and pages. */
export const calendar = defineStep({
  name: 'calendar',
  outcomes: ['ok', 'page'],
  cancelMeansStop: true,
  // inside a specialty's doctors, "back" is back to the specialties (the list's own "Back" option)
  ownBack: (ctx) => inSpecialty(ctx),
  prompt: calendarPrompt,
  classify(ctx, ev, choice) {
    const pick = ctx.draft.doctorPick;
    const text = ev.text?.trim() ?? '';
    const big = ctx.calendars.length > ONE_SCREEN;
    // "back" inside a specialty (typed or tapped): the specialties again
    if (choice === DOCTOR_CHOICE.back || (inSpecialty(ctx) && (choice === CHOICE.cmd.back || hasIntent(text, 'back', true)))) return showing(ctx, { page: 0 });
    // a typed name, matched against every doctor (not only the page shown); a number picks from the list, "more" pages
    if (!ev.choiceId && text && !/^\d{1,2}$/.test(text) && !(big && hasIntent(text, 'more', true))) {
      const found = matchCalendars(ctx.calendars, text);
      if (found.length === 1) return picked(ctx, found[0]!.id);
      if (found.length > 1) return showing(ctx, { page: 0, ids: found.map((c) => c.id), typed: text });
      const specialty = big ? matchSpecialty(ctx, text) : undefined;
      if (specialty !== undefined) return showing(ctx, { page: 0, specialty });
    }
    if (choice === DOCTOR_CHOICE.more || (!choice && big && hasIntent(text, 'more', true))) {
      const count = asksSpecialty(ctx) ? specialties(ctx).length : listedCalendars(ctx).length;
      return showing(ctx, { ...pick, ids: undefined, page: nextPage(count, pick?.page ?? 0) });
    }
    if (choice?.startsWith(DOCTOR_CHOICE.specialty)) {
      const specialty = choice.slice(DOCTOR_CHOICE.specialty.length);
      if (specialties(ctx).includes(specialty)) return showing(ctx, { page: 0, specialty });
      return missOutcome(ctx);
    }
    const id = choice?.startsWith('cal:') ? choice.slice(4) : undefined;
    if (id && ctx.calendars.some((c) => c.id === id)) return picked(ctx, id);
    // a name not found: say so (a title typed, or a list too long to show at once)
    if (!ev.choiceId && text && (big || /^(dr|dra|doc|dok)\b/i.test(text))) return missOutcome(ctx, k('book.calendarUnknown'));
    return missOutcome(ctx);
  },
});

export type CalendarOutcome = OutcomeOf<typeof calendar>;
