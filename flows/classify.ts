import { DateTime } from 'luxon';
import type { LocaleCode } from '../src/core/index.js';
import type { ConversationContext, DetailField } from './context.js';
import { DATES_PER_PAGE, MONTHS_AHEAD, TIMES_PER_PAGE, draftForPerson, draftForSomeoneElse, emptyDraft, firstName, monthOf, openDates, slotsOn } from './context.js';
import type { Relationship } from '../src/core/index.js';
import { firstIntent, hasIntent, normalize } from './intents.js';
import { k, type MessageKey } from './messages.js';
import { parseAppointmentDate, parseDob, parseName, parseNationalId, parsePhone, parseTimeOfDay } from './parse.js';
import { CHOICE, parseReminderChoice, type FlowEmitted, type FlowEvent, type MessageDescriptor } from './protocol.js';
import { LANGUAGE_CHOICES, STUCK_CHOICES, msg, nextMonth, promptFor, type Step } from './prompts.js';

type UserMessage = Extract<FlowEvent, { type: 'user.message' }>;

export interface Outcome {
  /** which transition of the step fires: 'g:*' global commands, 'miss', or a step-specific name */
  outcome: string;
  patch?: Partial<ConversationContext>;
  /** replies and other emitted events, in order; computed against the patched context */
  emits?: FlowEmitted[];
}

/** Steps where the patient types free text: global commands must be the whole message there. */
const FREE_TEXT: ReadonlySet<Step> = new Set(['name', 'nationalId', 'code']);
/** Steps inside a booking where a bare "cancel" means "stop this", not "cancel an appointment". */
const CANCEL_MEANS_STOP: ReadonlySet<Step> = new Set(['consent', 'name', 'dob', 'phone', 'gender', 'nationalId', 'calendar', 'type', 'date', 'time', 'review', 'forWhom', 'relationship', 'code']);

export const reply = (ctx: ConversationContext, message: MessageDescriptor): FlowEmitted => ({ type: 'reply', message, locale: ctx.locale });

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

function languageAsked(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): LocaleCode | undefined {
  if (choice && LANG_BY_CHOICE[choice]) return LANG_BY_CHOICE[choice];
  const lang = firstIntent(ev.text, ['langId', 'langFil', 'langEn'], true);
  return lang === 'langEn' ? 'en' : lang === 'langFil' ? 'fil' : lang === 'langId' ? 'id' : undefined;
}

/** A re-prompt of the current step (its stored prompt, with its choices restored). */
function repeatPrompt(ctx: ConversationContext): { emits: FlowEmitted[]; patch: Partial<ConversationContext> } {
  return ctx.prompt ? { emits: [reply(ctx, ctx.prompt)], patch: {} } : { emits: [], patch: {} };
}

function globalOutcome(step: Step, ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome | undefined {
  const whole = FREE_TEXT.has(step);
  const text = ev.text;
  const rem = parseReminderChoice(choice);
  if (rem) {
    return {
      outcome: 'g:rem',
      patch: { mode: rem.action, targetId: rem.appointmentId, target: undefined, appointments: [], opKey: `${ctx.contact.id}:${ev.messageId}`, draft: emptyDraft(ctx.contact) },
    };
  }
  const lang = languageAsked(ctx, ev, choice);
  if (lang) {
    const next: ConversationContext = { ...ctx, locale: lang, contact: { ...ctx.contact, locale: lang } };
    const restored = ctx.prompt?.choices?.map((ch) => ({ id: ch.id })) ?? ctx.choices;
    return {
      outcome: 'g:lang',
      patch: { locale: lang, contact: next.contact, choices: ctx.prompt ? restoreChoices(ctx, restored) : ctx.choices },
      emits: [{ type: 'contact.patch', patch: { locale: lang } }, reply(next, msg(k('language.changed'))), ...(ctx.prompt ? [reply(next, ctx.prompt)] : [])],
    };
  }
  if (choice === CHOICE.menu.language || hasIntent(text, 'language', whole)) {
    return { outcome: 'g:language', patch: { choices: LANGUAGE_CHOICES.map((ch) => ({ id: ch.id })) }, emits: [reply(ctx, msg(k('language.prompt'), undefined, LANGUAGE_CHOICES))] };
  }
  if (choice === CHOICE.cmd.menu || hasIntent(text, 'menu', whole)) return { outcome: 'g:menu' };
  if (choice === CHOICE.cmd.back || hasIntent(text, 'back', whole)) return { outcome: 'g:back' };
  if (choice === CHOICE.cmd.stop || hasIntent(text, 'stop', whole) || (CANCEL_MEANS_STOP.has(step) && hasIntent(text, 'cancel', true))) {
    return { outcome: 'g:stop', emits: [reply(ctx, msg(k('common.stopped')))] };
  }
  if (choice === CHOICE.cmd.help || hasIntent(text, 'help', whole)) {
    const again = repeatPrompt(ctx);
    // on SMS the help never names a word Twilio treats as an opt-out ("stop")
    const help = ctx.contact.channel === 'sms' ? k('helpSms.text') : k('help.text');
    return { outcome: 'g:help', emits: [reply(ctx, msg(help)), ...again.emits] };
  }
  if (choice === CHOICE.menu.staff || (step !== 'handoff' && hasIntent(text, 'staff', whole))) return { outcome: 'g:staff', patch: { handoffReason: step === 'tooClose' ? 'too_close' : step === 'unsettled' ? 'provider_error' : 'patient_request' } };
  return undefined;
}

function restoreChoices(ctx: ConversationContext, ids: { id: string }[]): ConversationContext['choices'] {
  return ids.map((r) => ctx.choices.find((c) => c.id === r.id) ?? r);
}

/** A miss: hint (or "didn't catch that") and the prompt again; the third miss offers menu or staff. */
export function missOutcome(ctx: ConversationContext, hint?: MessageKey): Outcome {
  const misses = ctx.misses + 1;
  if (misses >= 3) {
    return {
      outcome: 'miss',
      patch: { misses: 0, choices: STUCK_CHOICES.map((ch) => ({ id: ch.id })) },
      emits: [reply(ctx, msg(k('common.stuck'), undefined, STUCK_CHOICES))],
    };
  }
  return { outcome: 'miss', patch: { misses }, emits: [reply(ctx, msg(hint ?? k('common.notUnderstood'))), ...repeatPrompt(ctx).emits] };
}

const menuIntent = (ctx: ConversationContext, ev: UserMessage, choice: string | undefined): string | undefined => {
  if (choice?.startsWith('menu:')) return choice.slice(5);
  return firstIntent(ev.text, ['deleteData', 'reschedule', 'cancel', 'mine', 'book', 'verify'] as const);
};

function startMode(ctx: ConversationContext, intent: string, ev?: UserMessage): Outcome | undefined {
  switch (intent) {
    case 'book':
      // "book for my son": a booking for someone else from the first message
      return { outcome: 'book', patch: { mode: 'book', draft: ev && hasIntent(ev.text, 'someoneElse') ? draftForSomeoneElse(ctx.contact) : emptyDraft(ctx.contact) } };
    case 'deleteData':
      return { outcome: 'erase' };
    case 'verify':
      if (!ctx.facility.canVerifyPhone) {
        const contact = ctx.facility.staffContact;
        return { outcome: 'menu', emits: [reply(ctx, contact ? msg(k('verify.unavailable'), { contact }) : msg(k('verify.noPhone')))] };
      }
      if (!ctx.contact.phone) return { outcome: 'menu', emits: [reply(ctx, msg(k('verify.noPhone')))] };
      if (ctx.contact.phoneVerified) return { outcome: 'menu', emits: [reply(ctx, msg(k('verify.done')))] };
      return { outcome: 'verify', patch: { draft: { ...emptyDraft(ctx.contact), verify: undefined } } };
    case 'mine':
      return { outcome: 'mine' };
    case 'reschedule':
    case 'cancel':
      return { outcome: 'manage', patch: { mode: intent, targetId: undefined, target: undefined, appointments: [], draft: emptyDraft(ctx.contact) } };
    default:
      return undefined;
  }
}

const yesNo = (ev: UserMessage, choice: string | undefined): 'yes' | 'no' | undefined => {
  if (choice === CHOICE.yes) return 'yes';
  if (choice === CHOICE.no) return 'no';
  return firstIntent(ev.text, ['no', 'yes'] as const);
};

const collect = (ctx: ConversationContext, field: DetailField, value: unknown): Outcome => ({
  outcome: 'ok',
  patch: { draft: { ...ctx.draft, [field]: value, collected: [...ctx.draft.collected, field] } },
});

function stepOutcome(step: Step, ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome {
  const text = ev.text?.trim() ?? '';
  const d = ctx.draft;
  const tz = ctx.facility.timezone;
  switch (step) {
    case 'idle':
    case 'menu':
    case 'handoff': {
      const intent = menuIntent(ctx, ev, choice);
      const started = intent ? startMode(ctx, intent, ev) : undefined;
      if (started) return started;
      if (step === 'idle') return { outcome: 'menu' };
      if (step === 'handoff') return { outcome: 'ignore' };
      return missOutcome(ctx);
    }
    case 'consent': {
      const yn = yesNo(ev, choice);
      if (yn === 'yes') return collect(ctx, 'consent', true);
      if (yn === 'no') return { outcome: 'declined' };
      return missOutcome(ctx);
    }
    case 'consentDeclined':
      return yesNo(ev, choice) === 'yes' ? collect(ctx, 'consent', true) : missOutcome(ctx);
    case 'name': {
      const r = parseName(text);
      return r.ok ? collect(ctx, 'name', r.value) : missOutcome(ctx, k('details.nameInvalid'));
    }
    case 'dob': {
      const r = parseDob(text, ev.at, tz);
      if (r.ok) return collect(ctx, 'dob', r.value);
      return missOutcome(ctx, r.reason === 'future' ? k('details.dobFuture') : k('details.dobInvalid'));
    }
    case 'phone': {
      const r = parsePhone(ev.phone ?? text, ctx.facility.country);
      return r.ok ? collect(ctx, 'phone', r.value) : missOutcome(ctx, k('details.phoneInvalid'));
    }
    case 'gender': {
      const said = firstIntent(ev.text, ['female', 'male', 'otherGender'] as const);
      const g = choice?.startsWith('gender:') ? choice.slice(7) : said === 'otherGender' ? 'other' : said;
      return g === 'male' || g === 'female' || g === 'other' ? collect(ctx, 'gender', g) : missOutcome(ctx);
    }
    case 'nationalId': {
      const r = parseNationalId(text);
      return r.ok ? collect(ctx, 'nationalId', r.value) : missOutcome(ctx, k('details.nationalIdInvalid'));
    }
    case 'calendar': {
      const id = choice?.startsWith('cal:') ? choice.slice(4) : undefined;
      if (id && ctx.calendars.some((c) => c.id === id)) return { outcome: 'ok', patch: { draft: { ...d, calendarId: id, appointmentTypeId: undefined, date: undefined, start: undefined } } };
      return missOutcome(ctx);
    }
    case 'type': {
      const id = choice?.startsWith('type:') ? choice.slice(5) : undefined;
      const cal = ctx.calendars.find((c) => c.id === d.calendarId);
      if (id && cal?.appointmentTypes.some((t) => t.id === id)) {
        return { outcome: 'ok', patch: { draft: { ...d, appointmentTypeId: id, month: monthOf(ev.at, tz), slots: [], date: undefined, datePage: 0, start: undefined } } };
      }
      return missOutcome(ctx);
    }
    case 'date':
      return dateOutcome(ctx, ev, choice);
    case 'time': {
      const slots = slotsOn(ctx, d.date);
      if (choice === CHOICE.moreTimes || (!choice && hasIntent(ev.text, 'more'))) {
        const pages = Math.ceil(slots.length / TIMES_PER_PAGE);
        return { outcome: 'page', patch: { draft: { ...d, timePage: (d.timePage + 1) % Math.max(1, pages) } } };
      }
      if (choice === CHOICE.otherDate || (!choice && hasIntent(ev.text, 'otherDate'))) return { outcome: 'otherDate', patch: { draft: { ...d, date: undefined, datePage: 0 } } };
      let start = choice?.startsWith('slot:') ? slots.find((s) => `slot:${s.start}` === choice)?.start : undefined;
      if (!start && !choice) {
        const minutes = parseTimeOfDay(text);
        if (minutes !== undefined) {
          start = slots.find((s) => {
            const local = DateTime.fromISO(s.start, { setZone: true }).setZone(tz);
            return local.hour * 60 + local.minute === minutes;
          })?.start;
        }
      }
      return start ? { outcome: 'slot', patch: { draft: { ...d, start } } } : missOutcome(ctx, k('slots.timeUnknown'));
    }
    case 'review':
    case 'reviewReschedule': {
      if (choice === CHOICE.changeTime) return { outcome: 'change' };
      const yn = yesNo(ev, choice);
      if (yn === 'yes') return { outcome: 'yes', patch: { opKey: `${ctx.contact.id}:${ev.messageId}` } };
      if (yn === 'no') return step === 'review' ? { outcome: 'change' } : { outcome: 'no', emits: [reply(ctx, msg(k('manage.kept')))] };
      return missOutcome(ctx);
    }
    case 'confirmCancel': {
      const yn = yesNo(ev, choice);
      if (yn === 'yes') return { outcome: 'yes', patch: { opKey: `${ctx.contact.id}:${ev.messageId}` } };
      if (yn === 'no') return { outcome: 'no', emits: [reply(ctx, msg(k('manage.kept')))] };
      return missOutcome(ctx);
    }
    case 'retry':
      if (choice === CHOICE.cmd.retry || (!choice && (hasIntent(ev.text, 'retry') || hasIntent(ev.text, 'yes')))) return { outcome: 'retry' };
      return missOutcome(ctx);
    case 'unsettled':
      return { outcome: 'retry' }; // classify answers this step itself (unsettledOutcome)
    case 'pick': {
      const id = choice?.startsWith('appt:') ? choice.slice(5) : undefined;
      const target = ctx.appointments.find((a) => a.appointmentId === id);
      return target ? { outcome: 'picked', patch: { target } } : missOutcome(ctx);
    }
    case 'bookAgain': {
      if (choice === CHOICE.menu.book || yesNo(ev, choice) === 'yes' || hasIntent(ev.text, 'book')) return startMode(ctx, 'book')!;
      if (yesNo(ev, choice) === 'no') return { outcome: 'menu' };
      return missOutcome(ctx);
    }
    case 'forWhom':
      return forWhomOutcome(ctx, ev, choice);
    case 'eraseConfirm': {
      const yn = yesNo(ev, choice);
      if (yn === 'yes') return { outcome: 'yes', emits: [{ type: 'contact.erase' }, reply(ctx, msg(k('erase.done')))] };
      if (yn === 'no') return { outcome: 'no', emits: [reply(ctx, msg(k('erase.kept')))] };
      return missOutcome(ctx);
    }
    case 'relationship': {
      const said = firstIntent(ev.text, ['relChild', 'relParent', 'relSpouse'] as const);
      const rel: Relationship | undefined = choice?.startsWith('rel:') ? (choice.slice(4) as Relationship) : said ? (said.slice(3).toLowerCase() as Relationship) : undefined;
      if (!rel || !['child', 'parent', 'spouse', 'other'].includes(rel)) return missOutcome(ctx);
      return { outcome: 'ok', patch: { draft: { ...d, subject: { ...d.subject, relationship: rel } } } };
    }
    case 'code': {
      if (choice === CHOICE.verify.skip || (!choice && hasIntent(ev.text, 'skip'))) {
        return { outcome: 'skip', patch: { draft: { ...d, verify: 'skipped' } }, emits: [reply(ctx, msg(k('verify.skipped')))] };
      }
      if (choice === CHOICE.verify.resend || (!choice && hasIntent(ev.text, 'resend'))) return { outcome: 'resend' };
      const code = text.replace(/[\s-]/g, '');
      return /^\d{6}$/.test(code) ? { outcome: 'code', patch: { pendingCode: code } } : missOutcome(ctx);
    }
    case 'tooClose':
    case 'noCalendars':
      return missOutcome(ctx);
  }
}

/** "Me", a saved person by tap or first name, or someone new. */
function forWhomOutcome(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome {
  const people = (ctx.contact.people ?? []).filter((p) => p.relationship !== 'self');
  if (choice === CHOICE.who.self || (!choice && hasIntent(ev.text, 'me', true))) return { outcome: 'ok', patch: { draft: { ...emptyDraft(ctx.contact), subject: { relationship: 'self', ...(ctx.contact.selfRef ? { ref: ctx.contact.selfRef } : {}) } } } };
  if (choice === CHOICE.who.someoneElse || (!choice && hasIntent(ev.text, 'someoneElse'))) return { outcome: 'ok', patch: { draft: draftForSomeoneElse(ctx.contact) } };
  const typed = normalize(ev.text ?? '');
  const person = choice?.startsWith('who:') ? people.find((p) => `who:${p.ref}` === choice) : people.find((p) => typed !== '' && normalize(firstName(p.name)) === typed.split(' ')[0]);
  return person ? { outcome: 'ok', patch: { draft: draftForPerson(ctx.contact, person) } } : missOutcome(ctx);
}

function dateOutcome(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome {
  const d = ctx.draft;
  const tz = ctx.facility.timezone;
  const dates = openDates(ctx);
  if (choice === CHOICE.moreDates || (!choice && hasIntent(ev.text, 'more'))) {
    if ((d.datePage + 1) * DATES_PER_PAGE < dates.length) return { outcome: 'page', patch: { draft: { ...d, datePage: d.datePage + 1 } } };
    const month = nextMonth(d.month ?? monthOf(ev.at, tz));
    if (month > DateTime.fromISO(ev.at, { zone: tz }).plus({ months: MONTHS_AHEAD }).toFormat('yyyy-MM')) {
      return { outcome: 'tooFar', patch: { handoffReason: 'no_availability' }, emits: [reply(ctx, msg(k('slots.tooFar')))] };
    }
    return { outcome: 'load', patch: { draft: { ...d, month, slots: [], date: undefined, datePage: 0 } } };
  }
  let date: string | undefined;
  if (choice?.startsWith('date:')) date = choice.slice(5);
  else if (!choice && ev.text) {
    const r = parseAppointmentDate(ev.text, ctx.locale, ev.at, tz);
    if (!r.ok) return missOutcome(ctx, r.reason === 'past' ? k('slots.datePast') : k('slots.dateUnknown'));
    date = r.value;
  }
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return missOutcome(ctx);
  if (choice && !reachableDate(date, ev.at, tz)) return missOutcome(ctx); // a tapped date:2026-13-45 or a day long gone: no longer offered
  if (date.slice(0, 7) !== d.month) return { outcome: 'load', patch: { draft: { ...d, month: date.slice(0, 7), slots: [], date, datePage: 0 } } };
  if (slotsOn(ctx, date).length) return { outcome: 'date', patch: { draft: { ...d, date, timePage: 0 } } };
  // an open date whose slots the snapshot does not hold (it keeps one date's): fetch them
  if (openDates(ctx).includes(date)) return { outcome: 'load', patch: { draft: { ...d, date, slots: [], timePage: 0 } } };
  if (choice) return missOutcome(ctx);
  return { outcome: 'empty', patch: { notice: msg(k('slots.dateEmpty'), { slotDate: date }) } };
}

/** A real calendar day, not before today and not past the months "later dates" may reach. */
function reachableDate(date: string, at: string, tz: string): boolean {
  const day = DateTime.fromISO(date, { zone: tz });
  const today = DateTime.fromISO(at, { zone: tz }).startOf('day');
  return day.isValid && day >= today && date.slice(0, 7) <= today.plus({ months: MONTHS_AHEAD }).toFormat('yyyy-MM');
}

/** Commands a tap may carry at any step; any other tapped payload names an option of some prompt. */
const COMMAND_PAYLOAD = /^(menu|cmd|lang|rem):/;

/** What a patient message means at this step: a global command, a step answer, or a miss. */
export function classify(step: Step, ctx: ConversationContext, ev: FlowEvent): Outcome {
  if (ev.type !== 'user.message') return { outcome: 'miss' };
  const choice = resolveChoice(ctx, ev);
  if (step === 'unsettled') return unsettledOutcome(step, ctx, ev, choice);
  const o = globalOutcome(step, ctx, ev, choice) ?? stepOutcome(step, ctx, ev, choice);
  // a tapped option this step does not know (an old button, a forged or garbled payload): say so, never "system down"
  if (o.outcome === 'miss' && ev.choiceId && !COMMAND_PAYLOAD.test(ev.choiceId)) return missOutcome(ctx, k('common.optionGone'));
  return o;
}

/**
 * A write whose answer was lost is being checked: staff, help and language work as anywhere; any other
 * message checks again (with the same key) before anything else, so nothing is booked twice and nothing
 * is said to be unchanged while it may have changed.
 */
function unsettledOutcome(step: Step, ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome {
  const g = globalOutcome(step, ctx, ev, choice);
  if (g && (g.outcome === 'g:staff' || g.outcome === 'g:help' || g.outcome === 'g:language' || g.outcome === 'g:lang')) return g;
  return { outcome: 'retry' };
}

export { promptFor };
