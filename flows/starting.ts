import { draftForSomeoneElse, emptyDraft, type ConversationContext } from './context.js';
import { firstIntent, hasIntent } from './intents.js';
import { asksInfo, clinicInfo } from './knowledge.js';
import { k } from './messages.js';
import { msg, reply } from './prompts.js';
import type { Outcome, UserMessage } from './step.js';
import { wishOf } from './wish.js';

/** What a menu choice starts (the menu, the first message, a message to staff's conversation, "book again"). */

export type Started = Outcome<'book' | 'erase' | 'verify' | 'mine' | 'manage' | 'menu' | 'info'>;

/** The menu option tapped, else the first one the text asks for. */
function menuIntent(ev: UserMessage, choice: string | undefined): string | undefined {
  if (choice?.startsWith('menu:')) return choice.slice(5);
  // clinic info last: "book at the address" books
  return firstIntent(ev.text, ['deleteData', 'reschedule', 'cancel', 'mine', 'book', 'verify'] as const) ?? (asksInfo(ev.text) ? 'info' : undefined);
}

/** A booking: for the contact, or for someone else when the message says so ("book for my son"). */
export function startBooking(ctx: ConversationContext, ev?: UserMessage): Outcome<'book'> {
  const draft = ev && hasIntent(ev.text, 'someoneElse') ? draftForSomeoneElse(ctx.contact) : emptyDraft(ctx.contact);
  // the doctor, date and time the request names are kept for their steps (consent and details are asked first)
  const wish = ev && !ev.choiceId ? wishOf(ctx, ev.text, ev.at) : undefined;
  return { outcome: 'book', patch: { mode: 'book', draft: wish ? { ...draft, wish } : draft } };
}

/** Proving the contact's phone, when the facility can send a code and there is one to prove; else why not. */
function startVerifying(ctx: ConversationContext): Outcome<'verify' | 'menu'> {
  if (!ctx.facility.canVerifyPhone) {
    const contact = ctx.facility.staffContact;
    return { outcome: 'menu', emits: [reply(ctx, contact ? msg(k('verify.unavailable'), { contact }) : msg(k('verify.noPhone')))] };
  }
  if (!ctx.contact.phone) return { outcome: 'menu', emits: [reply(ctx, msg(k('verify.noPhone')))] };
  if (ctx.contact.phoneVerified) return { outcome: 'menu', emits: [reply(ctx, msg(k('verify.done')))] };
  return { outcome: 'verify', patch: { draft: { ...emptyDraft(ctx.contact), verify: undefined } } };
}

/** The operation a menu answer starts, if it names one. */
export function startFromMenu(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Started | undefined {
  const intent = menuIntent(ev, choice);
  switch (intent) {
    case 'book':
      return startBooking(ctx, ev);
    case 'deleteData':
      return { outcome: 'erase' };
    case 'verify':
      return startVerifying(ctx);
    case 'mine':
      return { outcome: 'mine' };
    case 'info':
      return { outcome: 'info', emits: [reply(ctx, clinicInfo(ctx))] };
    case 'reschedule':
    case 'cancel':
      return { outcome: 'manage', patch: { mode: intent, targetId: undefined, target: undefined, appointments: [], draft: emptyDraft(ctx.contact) } };
    default:
      return undefined;
  }
}
