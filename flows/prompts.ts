import { DateTime } from 'luxon';
import type { ChoiceRef, ConversationContext } from './context.js';
import { DATES_PER_PAGE, TIMES_PER_PAGE, doctorName, isSelf, openDates, slotsOn, typeName } from './context.js';
import { k, type MessageKey } from './messages.js';
import { CHOICE, type MessageDescriptor } from './protocol.js';

/** A step that waits for the patient. Each has one prompt; re-prompts repeat it. */
export type Step =
  | 'idle' | 'menu' | 'consent' | 'consentDeclined' | 'name' | 'dob' | 'phone' | 'gender' | 'nationalId'
  | 'calendar' | 'type' | 'date' | 'time' | 'review' | 'retry' | 'pick' | 'tooClose' | 'reviewReschedule'
  | 'unsettled'
  | 'confirmCancel' | 'bookAgain' | 'noCalendars' | 'handoff' | 'forWhom' | 'relationship' | 'code' | 'eraseConfirm';

type ChoiceDesc = NonNullable<MessageDescriptor['choices']>[number];
export interface Prompt {
  message?: MessageDescriptor;
  choices: ChoiceRef[];
}

const c = (id: string, key: MessageKey, params?: Record<string, unknown>): ChoiceDesc => (params ? { id, key, params } : { id, key });

export const MENU_CHOICES: ChoiceDesc[] = [
  c(CHOICE.menu.book, k('choice.book')),
  c(CHOICE.menu.mine, k('choice.mine')),
  c(CHOICE.menu.reschedule, k('choice.reschedule')),
  c(CHOICE.menu.cancel, k('choice.cancel')),
  c(CHOICE.menu.staff, k('choice.staff')),
  c(CHOICE.menu.language, k('choice.language')),
];
export const LANGUAGE_CHOICES: ChoiceDesc[] = [c('lang:en', k('choice.langEn')), c('lang:fil', k('choice.langFil')), c('lang:id', k('choice.langId'))];
export const STUCK_CHOICES: ChoiceDesc[] = [c(CHOICE.cmd.menu, k('choice.menu')), c(CHOICE.menu.staff, k('choice.staff'))];

export const msg = (key: MessageKey, params?: Record<string, unknown>, choices?: ChoiceDesc[]): MessageDescriptor => ({
  key,
  ...(params ? { params } : {}),
  ...(choices?.length ? { choices } : {}),
});

const refs = (choices: ChoiceDesc[], words?: (ch: ChoiceDesc) => string[] | undefined): ChoiceRef[] =>
  choices.map((ch) => {
    const w = words?.(ch);
    return w ? { id: ch.id, words: w } : { id: ch.id };
  });

const prompt = (key: MessageKey, params?: Record<string, unknown>, choices: ChoiceDesc[] = [], words?: (ch: ChoiceDesc) => string[] | undefined): Prompt => ({
  message: msg(key, params, choices),
  choices: refs(choices, words),
});

const nameWords = (ch: ChoiceDesc): string[] | undefined => (typeof ch.params?.name === 'string' ? [ch.params.name] : undefined);

export function datePrompt(ctx: ConversationContext): Prompt {
  const dates = openDates(ctx);
  const page = dates.slice(ctx.draft.datePage * DATES_PER_PAGE, (ctx.draft.datePage + 1) * DATES_PER_PAGE);
  if (!page.length) {
    return prompt(k('slots.monthEmpty'), { slotMonth: ctx.draft.month }, [c(CHOICE.moreDates, k('choice.moreDates')), c(CHOICE.menu.staff, k('choice.staff'))]);
  }
  const choices = [...page.map((d) => c(`date:${d}`, k('choice.date'), { slotDate: d })), c(CHOICE.moreDates, k('choice.moreDates'))];
  return prompt(k('slots.date'), undefined, choices);
}

export function timePrompt(ctx: ConversationContext): Prompt {
  const slots = slotsOn(ctx, ctx.draft.date);
  const page = slots.slice(ctx.draft.timePage * TIMES_PER_PAGE, (ctx.draft.timePage + 1) * TIMES_PER_PAGE);
  const choices = page.map((s) => c(`slot:${s.start}`, k('choice.time'), { slotTime: s.start }));
  if (slots.length > TIMES_PER_PAGE) choices.push(c(CHOICE.moreTimes, k('choice.moreTimes')));
  choices.push(c(CHOICE.otherDate, k('choice.otherDate')));
  return prompt(k('slots.time'), { slotDate: ctx.draft.date }, choices);
}

/** A write whose answer was lost is still unconfirmed: what it was, and "check again" (never "nothing changed"). */
function unsettledPrompt(ctx: ConversationContext): Prompt {
  const choices = [c(CHOICE.cmd.retry, k('choice.checkAgain')), c(CHOICE.menu.staff, k('choice.staff'))];
  const t = ctx.target;
  if (ctx.mode === 'cancel') return prompt(k('manage.cancelUnsettled'), { doctor: doctorName(ctx, t?.calendarId), startAt: t?.start }, choices);
  if (ctx.mode === 'reschedule') return prompt(k('manage.rescheduleUnsettled'), { doctor: doctorName(ctx, t?.calendarId), startAt: ctx.draft.start }, choices);
  return prompt(k('book.unsettled'), { doctor: doctorName(ctx, ctx.draft.calendarId), startAt: ctx.draft.start }, choices);
}

/** The prompt of a step, built from the context at the moment the step is entered. */
export function promptFor(step: Step, ctx: ConversationContext): Prompt {
  const d = ctx.draft;
  switch (step) {
    case 'idle':
      return { choices: refs(MENU_CHOICES) };
    case 'menu':
      return prompt(ctx.menuShown ? k('menu.anythingElse') : k('menu.prompt'), undefined, MENU_CHOICES);
    case 'consent':
      if (!isSelf(d)) return prompt(k('consent.promptOther'), { facility: ctx.facility.name }, [c(CHOICE.yes, k('choice.agree')), c(CHOICE.no, k('choice.disagree'))]);
      return ctx.facility.privacyNoticeUrl
        ? prompt(k('consent.promptWithUrl'), { facility: ctx.facility.name, url: ctx.facility.privacyNoticeUrl }, [c(CHOICE.yes, k('choice.agree')), c(CHOICE.no, k('choice.disagree'))])
        : prompt(k('consent.prompt'), { facility: ctx.facility.name }, [c(CHOICE.yes, k('choice.agree')), c(CHOICE.no, k('choice.disagree'))]);
    case 'consentDeclined':
      return prompt(k('consent.declined'), undefined, [c(CHOICE.yes, k('choice.agree')), c(CHOICE.menu.staff, k('choice.staff')), c(CHOICE.cmd.menu, k('choice.menu'))]);
    case 'name':
      return prompt(isSelf(d) ? k('details.name') : k('details.nameOther'));
    case 'dob':
      return prompt(isSelf(d) ? k('details.dob') : k('details.dobOther'));
    case 'forWhom':
      return prompt(
        k('book.forWhom'),
        undefined,
        [
          c(CHOICE.who.self, k('choice.me')),
          ...(ctx.contact.people ?? []).filter((p) => p.relationship !== 'self').map((p) => c(`who:${p.ref}`, k('choice.person'), { name: p.name })),
          c(CHOICE.who.someoneElse, k('choice.someoneElse')),
        ],
        nameWords,
      );
    case 'relationship':
      return prompt(k('book.relationship'), { name: d.name ?? '' }, [
        c('rel:child', k('choice.relChild')),
        c('rel:parent', k('choice.relParent')),
        c('rel:spouse', k('choice.relSpouse')),
        c('rel:other', k('choice.relOther')),
      ]);
    case 'eraseConfirm':
      return prompt(k('erase.confirm'), undefined, [c(CHOICE.yes, k('choice.eraseYes')), c(CHOICE.no, k('choice.eraseNo'))]);
    case 'code':
      return prompt(k('verify.prompt'), { masked: d.masked ?? '' }, [c(CHOICE.verify.skip, k('choice.skip')), c(CHOICE.verify.resend, k('choice.resend'))]);
    case 'phone':
      return prompt(k('details.phone'));
    case 'gender':
      return prompt(k('details.gender'), undefined, [c('gender:male', k('choice.male')), c('gender:female', k('choice.female')), c('gender:other', k('choice.otherGender'))]);
    case 'nationalId':
      return prompt(k('details.nationalId'));
    case 'calendar':
      return prompt(k('book.calendar'), undefined, ctx.calendars.map((cal) => c(`cal:${cal.id}`, k('choice.named'), { name: cal.name })), nameWords);
    case 'type': {
      const cal = ctx.calendars.find((x) => x.id === d.calendarId);
      const types = cal?.appointmentTypes ?? [];
      return prompt(k('book.type'), { doctor: cal?.name ?? '' }, types.map((t) => c(`type:${t.id}`, k('choice.named'), { name: t.name })), nameWords);
    }
    case 'date':
      return datePrompt(ctx);
    case 'time':
      return timePrompt(ctx);
    case 'review':
      return {
        message: {
          key: k('book.summaryPrompt'),
          card: {
            titleKey: k('book.summaryTitle'),
            rows: [
              { labelKey: k('card.doctor'), value: doctorName(ctx, d.calendarId) },
              { labelKey: k('card.type'), value: typeName(ctx, d.calendarId, d.appointmentTypeId) },
              { labelKey: k('card.when'), value: { datetime: d.start ?? '' } },
              { labelKey: k('card.name'), value: d.name ?? '' },
              { labelKey: k('card.phone'), value: d.phone ?? '' },
            ],
          },
          choices: [c(CHOICE.yes, k('choice.confirmBooking')), c(CHOICE.changeTime, k('choice.changeTime')), c(CHOICE.cmd.menu, k('choice.menu'))],
        },
        choices: [{ id: CHOICE.yes }, { id: CHOICE.changeTime }, { id: CHOICE.cmd.menu }],
      };
    case 'retry':
      return prompt(k('common.providerDown'), undefined, [c(CHOICE.cmd.retry, k('choice.retry')), c(CHOICE.cmd.menu, k('choice.menu'))]);
    case 'unsettled':
      return unsettledPrompt(ctx);
    case 'pick':
      return prompt(
        ctx.mode === 'cancel' ? k('manage.pickCancel') : k('manage.pickReschedule'),
        undefined,
        ctx.appointments.map((a) => c(`appt:${a.appointmentId}`, k('choice.appointment'), { startAt: a.start, doctor: doctorName(ctx, a.calendarId) })),
      );
    case 'tooClose':
      return prompt(k('manage.tooClose'), { startAt: ctx.target?.start, hours: ctx.facility.cutoffHours }, [c(CHOICE.menu.staff, k('choice.staff')), c(CHOICE.cmd.menu, k('choice.menu'))]);
    case 'reviewReschedule': {
      const tgt = ctx.target;
      return {
        message: {
          key: k('manage.reschedulePrompt'),
          card: {
            titleKey: k('manage.rescheduleTitle'),
            rows: [
              { labelKey: k('card.doctor'), value: doctorName(ctx, tgt?.calendarId) },
              { labelKey: k('card.currentTime'), value: { datetime: tgt?.start ?? '' } },
              { labelKey: k('card.newTime'), value: { datetime: d.start ?? '' } },
            ],
          },
          choices: [c(CHOICE.yes, k('choice.confirmReschedule')), c(CHOICE.changeTime, k('choice.changeTime')), c(CHOICE.no, k('choice.keep'))],
        },
        choices: [{ id: CHOICE.yes }, { id: CHOICE.changeTime }, { id: CHOICE.no }],
      };
    }
    case 'confirmCancel': {
      const tgt = ctx.target;
      return {
        message: {
          key: k('manage.cancelPrompt'),
          card: {
            titleKey: k('manage.cancelTitle'),
            rows: [
              { labelKey: k('card.doctor'), value: doctorName(ctx, tgt?.calendarId) },
              { labelKey: k('card.when'), value: { datetime: tgt?.start ?? '' } },
              { labelKey: k('card.reference'), value: tgt?.appointmentId ?? '' },
            ],
          },
          choices: [c(CHOICE.yes, k('choice.confirmCancel')), c(CHOICE.no, k('choice.keep'))],
        },
        choices: [{ id: CHOICE.yes }, { id: CHOICE.no }],
      };
    }
    case 'bookAgain':
      return prompt(k('manage.bookAgain'), undefined, [c(CHOICE.menu.book, k('choice.bookAgain')), c(CHOICE.no, k('choice.noThanks'))]);
    case 'noCalendars':
      return prompt(k('book.noCalendars'), undefined, [c(CHOICE.menu.staff, k('choice.staff')), c(CHOICE.cmd.menu, k('choice.menu'))]);
    case 'handoff':
      return { choices: refs([c(CHOICE.cmd.menu, k('choice.menu'))]) };
  }
}

/** Month after `month` (YYYY-MM). */
export const nextMonth = (month: string): string => DateTime.fromFormat(month, 'yyyy-MM').plus({ months: 1 }).toFormat('yyyy-MM');
