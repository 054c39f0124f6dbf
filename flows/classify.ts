import type { LocaleCode } from '../src/core/index.js';
import { missOutcome, repeatPrompt } from './answers.js';
import { emptyDraft, type ConversationContext } from './context.js';
import { firstIntent, hasIntent, normalize } from './intents.js';
import { k } from './messages.js';
import { LANGUAGE_CHOICES, msg, reply } from './prompts.js';
import { CHOICE, parseReminderChoice, type FlowEvent } from './protocol.js';
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

function languageAsked(ev: UserMessage, choice: string | undefined): LocaleCode | undefined {
  if (choice && LANG_BY_CHOICE[choice]) return LANG_BY_CHOICE[choice];
  const lang = firstIntent(ev.text, ['langId', 'langFil', 'langEn'], true);
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
  const rem = parseReminderChoice(choice);
  if (rem) {
    return {
      outcome: 'g:rem',
      patch: { mode: rem.action, targetId: rem.appointmentId, target: undefined, appointments: [], opKey: `${ctx.contact.id}:${ev.messageId}`, draft: emptyDraft(ctx.contact) },
    };
  }
  const lang = languageAsked(ev, choice);
  if (lang) return switchLanguage(ctx, lang);
  if (choice === CHOICE.menu.language || hasIntent(text, 'language', whole)) {
    return { outcome: 'g:language', patch: { choices: LANGUAGE_CHOICES.map((ch) => ({ id: ch.id })) }, emits: [reply(ctx, msg(k('language.prompt'), undefined, LANGUAGE_CHOICES))] };
  }
  if (choice === CHOICE.cmd.menu || hasIntent(text, 'menu', whole)) return { outcome: 'g:menu' };
  if (choice === CHOICE.cmd.back || hasIntent(text, 'back', whole)) return { outcome: 'g:back' };
  if (choice === CHOICE.cmd.stop || hasIntent(text, 'stop', whole) || (step.cancelMeansStop && hasIntent(text, 'cancel', true))) {
    return { outcome: 'g:stop', emits: [reply(ctx, msg(k('common.stopped')))] };
  }
  if (choice === CHOICE.cmd.help || hasIntent(text, 'help', whole)) {
    // on SMS the help never names a word Twilio treats as an opt-out ("stop")
    const help = ctx.contact.channel === 'sms' ? k('helpSms.text') : k('help.text');
    return { outcome: 'g:help', emits: [reply(ctx, msg(help)), ...repeatPrompt(ctx)] };
  }
  if (choice === CHOICE.menu.staff || (step.staffByWord !== false && hasIntent(text, 'staff', whole))) return { outcome: 'g:staff', patch: { handoffReason: step.staffReason ?? 'patient_request' } };
  return undefined;
}

/** Commands a tap may carry at any step; any other tapped payload names an option of some prompt. */
const COMMAND_PAYLOAD = /^(menu|cmd|lang|rem):/;

/** What a patient message means at this step: a global command (those the step honours), the step's own answer, or a miss. */
export function classify(name: StepName, ctx: ConversationContext, ev: FlowEvent): Outcome {
  if (ev.type !== 'user.message') return { outcome: 'miss' };
  const step: AnyStep = STEPS[name];
  const choice = resolveChoice(ctx, ev);
  const command = globalOutcome(step, ctx, ev, choice);
  const o = command && (!step.globals || step.globals.includes(command.outcome)) ? command : step.classify(ctx, ev, choice);
  // a tapped option this step does not know (an old button, a forged or garbled payload): say so, never "system down"
  if (o.outcome === 'miss' && ev.choiceId && !COMMAND_PAYLOAD.test(ev.choiceId)) return missOutcome(ctx, k('common.optionGone'));
  return o;
}
