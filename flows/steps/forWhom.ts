import { missOutcome } from '../answers.js';
import { draftForPerson, draftForSomeoneElse, emptyDraft, firstName, type ConversationContext } from '../context.js';
import { hasIntent, normalize } from '../intents.js';
import { k } from '../messages.js';
import { nameWords, option, prompt } from '../prompts.js';
import { CHOICE, type FlowPerson } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The people the contact books for besides itself. */
const others = (ctx: ConversationContext): FlowPerson[] => (ctx.contact.people ?? []).filter((p) => p.relationship !== 'self');

/** A saved person by tap, or by the first name typed first. */
function personNamed(ctx: ConversationContext, text: string | undefined, choice: string | undefined): FlowPerson | undefined {
  const typed = normalize(text ?? '');
  if (choice?.startsWith('who:')) return others(ctx).find((p) => `who:${p.ref}` === choice);
  return others(ctx).find((p) => typed !== '' && normalize(firstName(p.name)) === typed.split(' ')[0]);
}

/** Whom the booking is for: "me", a saved person (by tap or first name), or someone new. */
export const forWhom = defineStep({
  name: 'forWhom',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) =>
    prompt(
      k('book.forWhom'),
      undefined,
      [option(CHOICE.who.self, k('choice.me')), ...others(ctx).map((p) => option(`who:${p.ref}`, k('choice.person'), { name: p.name })), option(CHOICE.who.someoneElse, k('choice.someoneElse'))],
      nameWords,
    ),
  classify(ctx, ev, choice) {
    // what the request (or a rebook nudge) already chose is kept for its steps
    const wish = ctx.draft.wish ? { wish: ctx.draft.wish } : {};
    if (choice === CHOICE.who.self || (!choice && hasIntent(ev.text, 'me', true))) {
      return { outcome: 'ok', patch: { draft: { ...emptyDraft(ctx.contact), ...wish, subject: { relationship: 'self', ...(ctx.contact.selfRef ? { ref: ctx.contact.selfRef } : {}) } } } };
    }
    if (choice === CHOICE.who.someoneElse || (!choice && hasIntent(ev.text, 'someoneElse'))) return { outcome: 'ok', patch: { draft: { ...draftForSomeoneElse(ctx.contact), ...wish } } };
    const person = personNamed(ctx, ev.text, choice);
    return person ? { outcome: 'ok', patch: { draft: { ...draftForPerson(ctx.contact, person), ...wish } } } : missOutcome(ctx);
  },
});

export type ForWhomOutcome = OutcomeOf<typeof forWhom>;
