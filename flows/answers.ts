import type { ConversationContext, DetailField } from './context.js';
import { firstIntent } from './intents.js';
import { k, type MessageKey } from './messages.js';
import { msg, reply, STUCK_CHOICES } from './prompts.js';
import { CHOICE, type FlowEmitted } from './protocol.js';
import type { Miss, Outcome, UserMessage } from './step.js';

/** Readers of answers that several steps share. */

/** The current step's question again (its stored prompt), when it has one. */
export const repeatPrompt = (ctx: ConversationContext): FlowEmitted[] => (ctx.prompt ? [reply(ctx, ctx.prompt)] : []);

/** A miss: the hint (or "didn't catch that") and the question again; the third miss offers menu or staff. */
export function missOutcome(ctx: ConversationContext, hint?: MessageKey, params?: Record<string, unknown>): Miss {
  const misses = ctx.misses + 1;
  if (misses >= 3) {
    return {
      outcome: 'miss',
      patch: { misses: 0, choices: STUCK_CHOICES.map((ch) => ({ id: ch.id })) },
      emits: [reply(ctx, msg(k('common.stuck'), undefined, STUCK_CHOICES))],
    };
  }
  return { outcome: 'miss', patch: { misses }, emits: [reply(ctx, msg(hint ?? k('common.notUnderstood'), hint ? params : undefined)), ...repeatPrompt(ctx)] };
}

/** A tapped yes or no, else one typed in any of the three languages (a message saying both is a no). */
export function yesNo(ev: UserMessage, choice: string | undefined): 'yes' | 'no' | undefined {
  if (choice === CHOICE.yes) return 'yes';
  if (choice === CHOICE.no) return 'no';
  return firstIntent(ev.text, ['no', 'yes'] as const);
}

/** A booking detail given: kept in the draft, and remembered as given in this conversation (for "back"). */
export const collect = (ctx: ConversationContext, field: DetailField, value: unknown): Outcome<'ok'> => ({
  outcome: 'ok',
  patch: { draft: { ...ctx.draft, [field]: value, collected: [...ctx.draft.collected, field] } },
});

/** The idempotency key of the write this message asks for: one per contact and message. */
export const writeKey = (ctx: ConversationContext, ev: UserMessage): string => `${ctx.contact.id}:${ev.messageId}`;
