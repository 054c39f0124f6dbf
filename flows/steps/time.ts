import { DateTime } from 'luxon';
import { missOutcome } from '../answers.js';
import { TIMES_PER_PAGE, slotsOn, type ConversationContext } from '../context.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { parseTimeOfDay } from '../parse.js';
import { option, prompt, type Prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import type { Slot } from '../../src/core/index.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The chosen date's times, a page at a time, "more times" when there are more, and "another date". */
function timePrompt(ctx: ConversationContext): Prompt {
  const slots = slotsOn(ctx, ctx.draft.date);
  const page = slots.slice(ctx.draft.timePage * TIMES_PER_PAGE, (ctx.draft.timePage + 1) * TIMES_PER_PAGE);
  const choices = page.map((s) => option(`slot:${s.start}`, k('choice.time'), { slotTime: s.start }));
  if (slots.length > TIMES_PER_PAGE) choices.push(option(CHOICE.moreTimes, k('choice.moreTimes')));
  choices.push(option(CHOICE.otherDate, k('choice.otherDate')));
  return prompt(k('slots.time'), { slotDate: ctx.draft.date }, choices);
}

/** The slot starting at a typed time of day ("10am", "14:00"), in the facility's zone. */
function slotAtTimeOfDay(slots: Slot[], text: string, tz: string): string | undefined {
  const minutes = parseTimeOfDay(text);
  if (minutes === undefined) return undefined;
  return slots.find((s) => {
    const local = DateTime.fromISO(s.start, { setZone: true }).setZone(tz);
    return local.hour * 60 + local.minute === minutes;
  })?.start;
}

/** Which time: a `slot` (tapped or typed), the next `page` of times, or `otherDate`. */
export const time = defineStep({
  name: 'time',
  outcomes: ['slot', 'page', 'otherDate'],
  cancelMeansStop: true,
  prompt: timePrompt,
  classify(ctx, ev, choice) {
    const d = ctx.draft;
    const slots = slotsOn(ctx, d.date);
    if (choice === CHOICE.moreTimes || (!choice && hasIntent(ev.text, 'more'))) {
      const pages = Math.ceil(slots.length / TIMES_PER_PAGE);
      return { outcome: 'page', patch: { draft: { ...d, timePage: (d.timePage + 1) % Math.max(1, pages) } } };
    }
    if (choice === CHOICE.otherDate || (!choice && hasIntent(ev.text, 'otherDate'))) return { outcome: 'otherDate', patch: { draft: { ...d, date: undefined, datePage: 0 } } };
    const start = choice ? (choice.startsWith('slot:') ? slots.find((s) => `slot:${s.start}` === choice)?.start : undefined) : slotAtTimeOfDay(slots, ev.text?.trim() ?? '', ctx.facility.timezone);
    return start ? { outcome: 'slot', patch: { draft: { ...d, start } } } : missOutcome(ctx, k('slots.timeUnknown'));
  },
});

export type TimeOutcome = OutcomeOf<typeof time>;
