import type { LocaleCode } from '../src/core/index.js';
import { missOutcome, repeatPrompt } from './answers.js';
import { emptyDraft, type ConversationContext } from './context.js';
import { firstIntent, hasIntent, normalize } from './intents.js';
import { asksInfo } from './knowledge.js';
import { firstMessageLocale } from './language.js';
import { staleConfirmation } from './replay.js';
import { k } from './messages.js';
import { LANGUAGE_CHOICES, msg, reply } from './prompts.js';
import { CHOICE, parseReminderChoice, type FlowEvent } from './protocol.js';
import { nudgeOutcome } from './nudge.js';
import { surveyOutcome } from './survey.js';
import type { AnyStep, GlobalOutcome, Outcome, UserMessage } from './step.js';
import { STEPS, type StepName } from './steps/index.js';

export type { Outcome } from './step.js';

/** The choice the patient made: a tapped id, a number from the last prompt's list, or a typed label. */
export function resolveChoice(ctx: ConversationContext, ev: UserMessage): string | undefined {
  if (ev.choiceId) return ev.choiceId;
  const text = ev.text?.trim() ?? '';
  const n = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (n >= 1 && n <= ctx.choices.length) return ctx.choices[n - 1]!.id;
  const norm = normalize(text);
  if (!norm) return undefined;
  return ctx.choices.find((ch) => ch.words?.some((w) => normalize(w) === norm || (norm.length >= 3 && normalize(w).includes(norm))))?.id;
}

const LANG_BY_CHOICE: Record<string, LocaleCode> = { 'lang:en': 'en', 'lang:fil': 'fil', 'lang:id': 'id' };

/** Polite or filler words around a language's name ("Tagalog po", "English please", "Bahasa saja"). */
const LANGUAGE_FILLERS = new Set(['po', 'please', 'pls', 'plz', 'lang', 'nalang', 'na', 'in', 'sa', 'ok', 'okay', 'use', 'speak', 'saja', 'aja', 'dong', 'ya', 'yes', 'oo']);

/** The text without the filler words at its ends, if any remains. */
function withoutFillers(text: string | undefined): string | undefined {
  const tokens = normalize(text ?? '').split(' ').filter(Boolean);
  while (tokens.length > 1 && LANGUAGE_FILLERS.has(tokens[0]!)) tokens.shift();
  while (tokens.length > 1 && LANGUAGE_FILLERS.has(tokens.at(-1)!)) tokens.pop();
  return tokens.join(' ') || undefined;
}

function languageAsked(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): LocaleCode | undefined {
  if (choice && LANG_BY_CHOICE[choice]) return LANG_BY_CHOICE[choice];
  const text = withoutFillers(ev.text);
  // "Bahasa" alone names Indonesian to someone not yet speaking it (in Bahasa it is the word "language": the language menu)
  if (text === 'bahasa') return ctx.locale === 'id' ? undefined : 'id';
  const lang = firstIntent(text, ['langId', 'langFil', 'langEn'], true);
  return lang === 'langEn' ? 'en' : lang === 'langFil' ? 'fil' : lang === 'langId' ? 'id' : undefined;
}

/** The last prompt's choices, with the words typed for them kept (a language switch re-asks the same question). */
function restoreChoices(ctx: ConversationContext, ids: { id: string }[]): ConversationContext['choices'] {
  return ids.map((r) => ctx.choices.find((c) => c.id === r.id) ?? r);
}

/** A switch to another language: said in it, and the question asked again in it. */
function switchLanguage(ctx: ConversationContext, lang: LocaleCode): Outcome<'g:lang'> {
  const next: ConversationContext = { ...ctx, locale: lang, contact: { ...ctx.contact, locale: lang } };
  const restored = ctx.prompt?.choices?.map((ch) => ({ id: ch.id })) ?? ctx.choices;
  return {
    outcome: 'g:lang',
    patch: { locale: lang, contact: next.contact, choices: ctx.prompt ? restoreChoices(ctx, restored) : ctx.choices },
    emits: [{ type: 'contact.patch', patch: { locale: lang } }, reply(next, msg(k('language.changed'))), ...(ctx.prompt ? [reply(next, ctx.prompt)] : [])],
  };
}

/** A command that works at any step (reminder answers, language, menu, back, stop, help, staff), if the message is one. */
function globalOutcome(step: AnyStep, ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome<GlobalOutcome> | undefined {
  const whole = !!step.freeText;
  const text = ev.text;
  // an old summary's "Yes, book it" tapped again: never a second booking
  const stale = staleConfirmation(step.name, ctx, ev);
  if (stale) return stale;
  const rem = parseReminderChoice(choice);
  if (rem) {
    return {
      outcome: 'g:rem',
      patch: { mode: rem.action, targetId: rem.appointmentId, target: undefined, appointments: [], opKey: `${ctx.contact.id}:${ev.messageId}`, draft: emptyDraft(ctx.contact) },
    };
  }
  const nudge = nudgeOutcome(ctx, choice);
  if (nudge) return nudge;
  const survey = surveyOutcome(ctx, choice);
  if (survey) return survey;
  const lang = languageAsked(ctx, ev, choice);
  if (lang) return switchLanguage(ctx, lang);
  if (choice === CHOICE.menu.language || hasIntent(text, 'language', whole)) {
    return { outcome: 'g:language', patch: { choices: LANGUAGE_CHOICES.map((ch) => ({ id: ch.id })) }, emits: [reply(ctx, msg(k('language.prompt'), undefined, LANGUAGE_CHOICES))] };
  }
  if (choice === CHOICE.cmd.menu || hasIntent(text, 'menu', whole)) return { outcome: 'g:menu' };
  if ((choice === CHOICE.cmd.back || hasIntent(text, 'back', whole)) && !step.ownBack?.(ctx)) return { outcome: 'g:back' };
  if (choice === CHOICE.cmd.stop || hasIntent(text, 'stop', whole) || (step.cancelMeansStop && hasIntent(text, 'cancel', true))) {
    return { outcome: 'g:stop', emits: [reply(ctx, msg(k('common.stopped')))] };
  }
  // "clinic info" names the help word "info": where the menu is read, it asks for the clinic's details
  if (choice === CHOICE.cmd.help || (hasIntent(text, 'help', whole) && !(MENU_STEPS.has(step.name) && asksInfo(text)))) {
    // on SMS the help never names a word Twilio treats as an opt-out ("stop")
    const help = ctx.contact.channel === 'sms' ? k('helpSms.text') : k('help.text');
    return { outcome: 'g:help', emits: [reply(ctx, msg(help)), ...repeatPrompt(ctx)] };
  }
  if (choice === CHOICE.menu.staff || (step.staffByWord !== false && hasIntent(text, 'staff', whole))) return { outcome: 'g:staff', patch: { handoffReason: step.staffReason ?? 'patient_request' } };
  return undefined;
}

/** Steps that read a message as a menu answer (./starting.ts). */
const MENU_STEPS = new Set<string>(['idle', 'menu', 'handoff']);

/** Commands a tap may carry at any step; any other tapped payload names an option of some prompt. */
const COMMAND_PAYLOAD = /^(menu|cmd|lang|rem|nudge|survey):/;

/** What a patient message means at this step: a global command (those the step honours), the step's own answer, or a miss. */
export function classify(name: StepName, ctx: ConversationContext, ev: FlowEvent): Outcome {
  if (ev.type !== 'user.message') return { outcome: 'miss' };
  // a free first message in Filipino or Bahasa, no language chosen: the conversation goes on in it
  const spoken = name === 'idle' ? firstMessageLocale(ctx, ev) : undefined;
  if (spoken) {
    const inIt: ConversationContext = { ...ctx, locale: spoken, contact: { ...ctx.contact, locale: spoken } };
    const o = classify(name, inIt, ev);
    return { ...o, patch: { locale: spoken, contact: inIt.contact, ...o.patch }, emits: [{ type: 'contact.patch', patch: { locale: spoken } }, ...(o.emits ?? [])] };
  }
  const step: AnyStep = STEPS[name];
  const choice = resolveChoice(ctx, ev);
  const command = globalOutcome(step, ctx, ev, choice);
  const o = command && (!step.globals || step.globals.includes(command.outcome)) ? command : step.classify(ctx, ev, choice);
  // a "hello" that is no answer here (a second one at the menu, or mid-booking): greeted back, and the question again
  if (o.outcome === 'miss' && !ev.choiceId && hasIntent(withoutFillers(ev.text), 'greeting', true)) {
    return { outcome: 'miss', emits: [reply(ctx, msg(k('greeting.hello'), { facility: ctx.facility.name })), ...repeatPrompt(ctx)] };
  }
  // a tapped option this step does not know (an old button, a forged or garbled payload): say so, never "system down"
  if (o.outcome === 'miss' && ev.choiceId && !COMMAND_PAYLOAD.test(ev.choiceId)) return missOutcome(ctx, k('common.optionGone'));
  return o;
}
