import { DateTime } from 'luxon';
import { emptyDraft, localDate, type ConversationContext } from './context.js';
import { k } from './messages.js';
import { msg, reply } from './prompts.js';
import { parseNudgeChoice } from './protocol.js';
import type { GlobalOutcome, Outcome } from './step.js';

/**
 * A rebook nudge answered (README "Care workflows"; the message comes from src/sync/workflows/fire.ts): a slot
 * tapped books that doctor, type and time through the normal path (consent and details first, then the
 * review); "Other time" books that doctor and type from the date question; "No, thanks" is thanked. Accepted
 * in any state, as a reminder's answer is (../classify.ts).
 */
export function nudgeOutcome(ctx: ConversationContext, choice: string | undefined): Outcome<GlobalOutcome> | undefined {
  const nudge = parseNudgeChoice(choice);
  if (!nudge) return undefined;
  if (nudge === 'no') return { outcome: 'g:said', emits: [reply(ctx, msg(k('workflow.nudgeDeclined')))] };
  const tz = ctx.facility.timezone;
  const at = nudge.start ? DateTime.fromISO(nudge.start, { setZone: true }).setZone(tz) : undefined;
  const wish = {
    calendarIds: [nudge.calendarId],
    typeId: nudge.appointmentTypeId,
    ...(at?.isValid ? { date: localDate(nudge.start!, tz), minutes: at.hour * 60 + at.minute } : {}),
  };
  return {
    outcome: 'g:nudge',
    patch: { mode: 'book', targetId: undefined, target: undefined, appointments: [], draft: { ...emptyDraft(ctx.contact), wish } },
  };
}

/** The type a nudge's slot was offered for, when the chosen doctor still has it. */
export function wishedType(ctx: ConversationContext): string | undefined {
  const id = ctx.draft.wish?.typeId;
  const cal = ctx.calendars.find((c) => c.id === ctx.draft.calendarId);
  return id && cal?.appointmentTypes.some((t) => t.id === id) ? id : undefined;
}
