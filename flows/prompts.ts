import type { ChoiceRef, ConversationContext } from './context.js';
import { k, type MessageKey } from './messages.js';
import { CHOICE, type FlowEmitted, type MessageDescriptor } from './protocol.js';

/** Building what the conversation says: messages, the options they offer, the prompts of steps. */

/** What a step asks when it is entered: the message, and the choices a typed answer may name. */
export interface Prompt {
  message?: MessageDescriptor;
  choices: ChoiceRef[];
}

export type Option = NonNullable<MessageDescriptor['choices']>[number];

/** An option a message offers: its stable id (echoed back when tapped) and its label's key. */
export const option = (id: string, key: MessageKey, params?: Record<string, unknown>): Option => (params ? { id, key, params } : { id, key });

/** How to answer a prompt's options where the patient is: tap them, type their number, or either (the engine says which). */
export const choiceHint = (ctx: ConversationContext): { key: MessageKey } => {
  const style = ctx.contact.replyStyle ?? 'both';
  return { key: style === 'tap' ? k('hint.tap') : style === 'number' ? k('hint.number') : k('hint.both') };
};

export const MENU_CHOICES: Option[] = [
  option(CHOICE.menu.book, k('choice.book')),
  option(CHOICE.menu.mine, k('choice.mine')),
  option(CHOICE.menu.reschedule, k('choice.reschedule')),
  option(CHOICE.menu.cancel, k('choice.cancel')),
  option(CHOICE.menu.staff, k('choice.staff')),
  option(CHOICE.menu.language, k('choice.language')),
  option(CHOICE.menu.info, k('choice.info')),
];
export const LANGUAGE_CHOICES: Option[] = [option('lang:en', k('choice.langEn')), option('lang:fil', k('choice.langFil')), option('lang:id', k('choice.langId'))];
export const STUCK_CHOICES: Option[] = [option(CHOICE.cmd.menu, k('choice.menu')), option(CHOICE.menu.staff, k('choice.staff'))];

export const msg = (key: MessageKey, params?: Record<string, unknown>, choices?: Option[]): MessageDescriptor => ({
  key,
  ...(params ? { params } : {}),
  ...(choices?.length ? { choices } : {}),
});

/** A reply to the patient, in the conversation's language. */
export const reply = (ctx: ConversationContext, message: MessageDescriptor): FlowEmitted => ({ type: 'reply', message, locale: ctx.locale });

/** The options a prompt offered, as the next answer is read against them (with words that may be typed for each). */
export const refs = (choices: Option[], words?: (ch: Option) => string[] | undefined): ChoiceRef[] =>
  choices.map((ch) => {
    const w = words?.(ch);
    return w ? { id: ch.id, words: w } : { id: ch.id };
  });

export const prompt = (key: MessageKey, params?: Record<string, unknown>, choices: Option[] = [], words?: (ch: Option) => string[] | undefined): Prompt => ({
  message: msg(key, params, choices),
  choices: refs(choices, words),
});

/** An option naming something (a doctor, a person) may be answered by typing that name. */
export const nameWords = (ch: Option): string[] | undefined => (typeof ch.params?.name === 'string' ? [ch.params.name] : undefined);
