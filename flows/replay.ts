import { repeatPrompt } from './answers.js';
import { doctorName, type ConversationContext } from './context.js';
import { k } from './messages.js';
import { msg, reply } from './prompts.js';
import { CHOICE, type MessageDescriptor } from './protocol.js';
import type { Outcome, UserMessage } from './step.js';

/**
 * A summary's "Yes, book it" carries what it confirms (`ans:book:<key>`, the key a short hash of the doctor
 * and the start), so that the same button tapped again later (Messenger and Viber keep old buttons) is
 * answered for what it was: that booking is made (its reference), not a new booking nor "didn't catch that".
 */

const PREFIX = 'ans:book:';

/** FNV-1a, base 36: a short, stable key (not a secret). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** The key of a booking of `calendarId` at `start` (any notation of the same instant). */
export const slotKey = (calendarId: string, start: string): string => hash(`${calendarId}|${Date.parse(start)}`);

/** The review's confirm choice for the draft's slot. */
export const confirmChoiceId = (ctx: ConversationContext): string => `${PREFIX}${slotKey(ctx.draft.calendarId ?? '', ctx.draft.start ?? '')}`;

const keyOf = (choiceId: string | undefined): string | undefined => (choiceId?.startsWith(PREFIX) ? choiceId.slice(PREFIX.length) : undefined);

/** "That booking is already made: …, reference …". */
export const alreadyBooked = (ctx: ConversationContext, b: { calendarId: string; start: string; reference: string }): MessageDescriptor =>
  msg(k('book.alreadyBooked'), { doctor: doctorName(ctx, b.calendarId), startAt: b.start, reference: b.reference });

/** Steps between operations (an old button there is no answer to a question). */
const BETWEEN = new Set(['idle', 'menu', 'handoff']);

/**
 * An old "Yes, book it" tapped again: the booking it made, when this conversation made it (said where the
 * patient is, the question asked again); between operations, an unknown one is looked up (`g:replay`: the
 * conversation was reset since). A bare `ans:yes` between operations right after a booking is that booking's.
 */
export function staleConfirmation(step: string, ctx: ConversationContext, ev: UserMessage): Outcome<'g:said' | 'g:replay'> | undefined {
  const key = keyOf(ev.choiceId);
  const legacy = ev.choiceId === CHOICE.yes && BETWEEN.has(step) && !!ctx.lastBooked;
  if (!key && !legacy) return undefined;
  if (key && step === 'review' && ev.choiceId === confirmChoiceId(ctx)) return undefined;
  const last = ctx.lastBooked;
  if (last && (legacy || last.key === key)) return { outcome: 'g:said', emits: [reply(ctx, alreadyBooked(ctx, last)), ...repeatPrompt(ctx)] };
  if (key && BETWEEN.has(step)) return { outcome: 'g:replay', patch: { replayKey: key } };
  // mid-way through something else: an old button, said so by the step (../classify.ts)
  return undefined;
}
