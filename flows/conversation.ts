import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { Appointment, ProviderAppointment, ProviderErrorKind } from '../src/core/index.js';
import { err, isClosed } from '../src/core/index.js';
import { classify } from './classify.js';
import { emptyDraft, firstName, hoursUntil, isSelf, monthOf, nextMonth, phoneProved, slotsOn, slotView, openDates, subjectOf, doctorName, type ConversationContext, type DetailField } from './context.js';
import { bookedDetails } from './knowledge.js';
import { firstMessageLocale } from './language.js';
import { alreadyBooked, slotKey } from './replay.js';
import { startingDate, wishedCalendar, wishedSlot, wishedTime } from './wish.js';
import { wishedType } from './nudge.js';
import { k } from './messages.js';
import { msg, reply } from './prompts.js';
import { BUSY_TAG, type ActorInputs, type ActorOutputs, type ConversationInput, type FlowEmitted, type FlowEvent, type ListedAppointment } from './protocol.js';
import type { Outcome } from './step.js';
import { STEPS as S, promptFor, type StepName } from './steps/index.js';
import { HANDOFF, MENU, greetFirst, waiting, type Back, type BackGuard } from './waiting.js';

const notProvided = <T>() =>
  fromPromise<T, unknown>(async () => err({ kind: 'unavailable', message: 'actor not provided' }) as T);

// Guards evaluate `classify` several times per event; it is pure, so one result per (context, event, step) is kept.
const memo = new WeakMap<object, WeakMap<object, Map<StepName, Outcome>>>();
function outcomeOf(step: StepName, context: ConversationContext, event: FlowEvent): Outcome {
  let byEvent = memo.get(context);
  if (!byEvent) memo.set(context, (byEvent = new WeakMap()));
  let bySteps = byEvent.get(event);
  if (!bySteps) byEvent.set(event, (bySteps = new Map()));
  let o = bySteps.get(step);
  if (!o) bySteps.set(step, (o = classify(step, context, event)));
  return o;
}

type DoneOutput<T> = { output: T };
const failedKind = (r: { ok: boolean; error?: { kind: ProviderErrorKind } }): ProviderErrorKind | undefined => (r.ok ? undefined : r.error?.kind);
/** A write's answer was lost, not refused (timeout, 5xx, a 2xx we could not read): it may have happened. */
const uncertain = (r: { ok: boolean; error?: { kind: ProviderErrorKind; status?: number } }): boolean =>
  !r.ok && (r.error?.kind === 'unavailable' || (r.error?.kind === 'invalid' && (r.error.status ?? 0) >= 200 && (r.error.status ?? 0) < 300));
/** The first lost answer of this write: ask again at once, with the same key (the provider replays, books nothing new). */
const firstLoss = (context: { opKey?: string; checkingKey?: string }, output: { ok: boolean; error?: { kind: ProviderErrorKind; status?: number } }): boolean =>
  uncertain(output) && context.checkingKey !== context.opKey;

const DETAIL_ORDER: DetailField[] = ['consent', 'name', 'dob', 'phone', 'gender', 'nationalId'];

const upcoming = (ctx: ConversationContext, list: Appointment[]): Appointment[] =>
  list.filter((a) => !isClosed(a.status) && Date.parse(a.start) > Date.parse(ctx.now)).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));

const ref = (a: ProviderAppointment): string => a.queueNumber ?? a.appointmentId;

/** Back from a booking question: re-ask the last detail given in this conversation, else the menu. */
const DETAIL_BACK: Back[] = [{ guard: 'hasCollected', target: '#conversation.book.route', actions: 'popField' }, { target: MENU }];

export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    input: {} as ConversationInput,
    events: {} as FlowEvent,
    emitted: {} as FlowEmitted,
  },
  actors: {
    findPatient: notProvided<ActorOutputs['findPatient']>() as ReturnType<typeof fromPromise<ActorOutputs['findPatient'], ActorInputs['findPatient']>>,
    availability: notProvided<ActorOutputs['availability']>() as ReturnType<typeof fromPromise<ActorOutputs['availability'], ActorInputs['availability']>>,
    createAppointment: notProvided<ActorOutputs['createAppointment']>() as ReturnType<typeof fromPromise<ActorOutputs['createAppointment'], ActorInputs['createAppointment']>>,
    reschedule: notProvided<ActorOutputs['reschedule']>() as ReturnType<typeof fromPromise<ActorOutputs['reschedule'], ActorInputs['reschedule']>>,
    cancel: notProvided<ActorOutputs['cancel']>() as ReturnType<typeof fromPromise<ActorOutputs['cancel'], ActorInputs['cancel']>>,
    confirm: notProvided<ActorOutputs['confirm']>() as ReturnType<typeof fromPromise<ActorOutputs['confirm'], ActorInputs['confirm']>>,
    myAppointments: notProvided<ActorOutputs['myAppointments']>() as ReturnType<typeof fromPromise<ActorOutputs['myAppointments'], ActorInputs['myAppointments']>>,
    sendCode: fromPromise<ActorOutputs['sendCode'], ActorInputs['sendCode']>(async () => ({ ok: false, reason: 'unavailable' })),
    checkCode: fromPromise<ActorOutputs['checkCode'], ActorInputs['checkCode']>(async () => ({ status: 'unavailable' })),
  },
  guards: {
    is: ({ context, event }, params: { step: StepName; outcome: string }) => outcomeOf(params.step, context, event).outcome === params.outcome,
    backWhen: ({ context, event }, params: { step: StepName; when: BackGuard }) => {
      if (outcomeOf(params.step, context, event).outcome !== 'g:back') return false;
      switch (params.when) {
        case 'hasCollected':
          return context.draft.collected.length > 0;
        case 'manyCalendars':
          return context.calendars.length > 1;
        case 'manyTypes':
          return (context.calendars.find((c) => c.id === context.draft.calendarId)?.appointmentTypes.length ?? 0) > 1;
        case 'manyAppointments':
          return context.appointments.length > 1;
        case 'isReschedule':
          return context.mode === 'reschedule';
      }
    },
    outputOk: ({ event }) => (event as unknown as DoneOutput<{ ok: boolean }>).output.ok,
    dateHasSlots: ({ context }) => slotsOn(context, context.draft.date).length > 0,
    dateChosen: ({ context }) => !!context.draft.date,
    wishedSlotOpen: ({ context }) => !!wishedSlot(context),
    currentMonthEmpty: ({ context }) => openDates(context).length === 0 && context.draft.month === monthOf(context.now, context.facility.timezone),
    needsWhom: ({ context }) => !context.draft.subject && (context.contact.people ?? []).length > 0,
    needsRelationship: ({ context }) => !!context.draft.subject && !context.draft.subject.relationship,
    needsVerify: ({ context }) => !!context.facility.canVerifyPhone && !!context.draft.phone && !phoneProved(context) && !context.draft.verify,
    phoneProved: ({ context }) => phoneProved(context),
    codeIs: ({ event }, params: { status: ActorOutputs['checkCode']['status'] }) => (event as unknown as DoneOutput<ActorOutputs['checkCode']>).output.status === params.status,
    needs: ({ context }, params: { field: DetailField }) => {
      const d = context.draft;
      if (params.field === 'consent') return d.consent !== true;
      if (params.field === 'nationalId') return context.facility.askNationalId && !d.nationalId;
      return !d[params.field];
    },
  },
  actions: {
    apply: enqueueActions(({ context, event, enqueue }, params: { step: StepName }) => {
      const o = outcomeOf(params.step, context, event);
      enqueue.assign({ ...(o.patch ?? {}), ...(event.type === 'user.message' ? { now: event.at, messageId: event.messageId } : {}) });
      for (const e of o.emits ?? []) enqueue.emit(e);
    }),
    ask: enqueueActions(({ context, enqueue }, params: { step: StepName }) => {
      const p = promptFor(params.step, context);
      if (context.notice) enqueue.emit(reply(context, context.notice));
      enqueue.assign({ prompt: p.message, choices: p.choices, misses: 0, notice: undefined, menuShown: context.menuShown || params.step === 'menu' });
      if (p.message) enqueue.emit(reply(context, p.message));
    }),
    popField: assign(({ context }) => {
      const collected = [...context.draft.collected];
      const last = collected.pop();
      return { draft: { ...context.draft, collected, ...(last ? { [last]: undefined } : {}) } };
    }),
    greet: enqueueActions(({ context, event, enqueue }) => {
      if (context.greeted) return;
      const c = context.contact;
      const first = event.type === 'user.start' || (!c.consent && !c.selfRef && !c.people?.length && !c.name);
      enqueue.assign({ greeted: true });
      // a first message in Filipino or Bahasa is greeted in it (the step's answer switches the conversation: ./classify.ts)
      const locale = firstMessageLocale(context, event) ?? context.locale;
      enqueue.emit(reply({ ...context, locale }, msg(first ? k('greeting.helloAutomated') : k('greeting.hello'), { facility: context.facility.name })));
    }),
    savePatient: enqueueActions(({ context, enqueue }) => {
      const d = context.draft;
      // someone else's details belong to their booking, not to this contact
      if (!isSelf(d)) return;
      const patch: Partial<ConversationContext['contact']> = {};
      for (const f of ['name', 'dob', 'phone', 'gender', 'nationalId'] as const) if (d[f] && d[f] !== context.contact[f]) patch[f] = d[f];
      if (d.consent && !context.contact.consent) patch.consent = true;
      if (!Object.keys(patch).length) return;
      enqueue.assign({ contact: { ...context.contact, ...patch } });
      enqueue.emit({ type: 'contact.patch', patch });
    }),
    slotTaken: assign(({ context }) => ({ notice: msg(k('book.slotTaken')), draft: { ...context.draft, start: undefined, slots: [] } })),
    storeSlots: assign(({ context, event }) => {
      const out = (event as unknown as DoneOutput<ActorOutputs['availability']>).output;
      const exclude = context.mode === 'reschedule' ? context.target?.start : undefined;
      // only what the next prompts need: the month's open dates and the chosen date's slots (a month may hold 300k slots)
      const view = slotView(out.ok ? out.value : [], { now: context.now, tz: context.facility.timezone, ...(context.draft.date ? { date: context.draft.date } : {}), ...(exclude ? { exclude } : {}) });
      return { draft: { ...context.draft, dates: view.dates, slots: view.slots } };
    }),
    nextMonth: assign(({ context }) => ({ draft: { ...context.draft, month: nextMonth(context.draft.month!), datePage: 0 } })),
    firstTimePage: assign(({ context }) => ({ draft: { ...context.draft, timePage: 0 } })),
    takeWishedSlot: assign(({ context }) => ({ draft: { ...context.draft, start: wishedSlot(context), wish: undefined } })),
    wishedTimeTaken: assign(({ context }) => {
      const start = wishedTime(context);
      return { draft: { ...context.draft, wish: undefined }, ...(start ? { notice: msg(k('slots.wishedTimeTaken'), { slotTime: start, slotDate: context.draft.date }) } : {}) };
    }),
    forgetWish: assign(({ context }) => ({ draft: { ...context.draft, wish: undefined } })),
    dateEmpty: assign(({ context }) => ({ notice: context.notice ?? msg(k('slots.dateEmpty'), { slotDate: context.draft.date }), draft: { ...context.draft, date: undefined } })),
    providerError: assign({ notice: () => msg(k('common.providerError')), handoffReason: 'provider_error' as const }),
    codeSent: assign(({ context, event }) => {
      const out = (event as unknown as DoneOutput<ActorOutputs['sendCode']>).output;
      return { draft: { ...context.draft, verify: 'sent' as const, masked: out.ok ? out.masked : '' } };
    }),
    codeNotSent: assign(({ context, event }) => {
      const out = (event as unknown as DoneOutput<ActorOutputs['sendCode']>).output;
      return { notice: msg(!out.ok && out.reason === 'rate_limited' ? k('verify.rateLimited') : k('verify.cantSend')), draft: { ...context.draft, verify: 'skipped' as const } };
    }),
    codeVerified: enqueueActions(({ context, event, enqueue }) => {
      const out = (event as unknown as DoneOutput<ActorOutputs['checkCode']>).output;
      if (out.status !== 'verified') return;
      const contact = { ...context.contact, phone: out.phone, phoneVerified: true, people: out.people, selfRef: out.selfRef, patientId: out.patientId };
      const self = isSelf(context.draft);
      // the details typed so far were the contact's own: this booking stays theirs, no "who is it for?"
      const subject = context.draft.subject ?? (self ? { relationship: 'self' as const, ...(out.selfRef ? { ref: out.selfRef } : {}) } : undefined);
      enqueue.assign({ contact, pendingCode: undefined, draft: { ...context.draft, verify: 'done' as const, ...(subject ? { subject } : {}), ...(self && out.patientId ? { patientId: out.patientId } : {}) } });
      enqueue.emit(reply(context, msg(k('verify.done'))));
    }),
    codeWrong: assign(({ event }) => {
      const out = (event as unknown as DoneOutput<ActorOutputs['checkCode']>).output;
      return { pendingCode: undefined, notice: msg(k('verify.wrong'), { tries: out.status === 'wrong' ? out.triesLeft : 0 }) };
    }),
    codeLocked: assign(({ context }) => ({ pendingCode: undefined, notice: msg(k('verify.locked')), draft: { ...context.draft, verify: 'skipped' as const } })),
    codeExpired: assign({ pendingCode: undefined, notice: () => msg(k('verify.expired')) }),
    noteEvent: assign(({ event }) => (event.type === 'user.message' || event.type === 'user.start' ? { now: event.at, messageId: event.messageId } : {})),
  },
}).createMachine({
  id: 'conversation',
  initial: 'idle',
  context: ({ input }) => ({
    facility: input.facility,
    contact: input.contact,
    calendars: input.calendars,
    locale: input.contact.locale ?? input.facility.locale,
    now: new Date(0).toISOString(),
    messageId: '',
    greeted: false,
    menuShown: false,
    misses: 0,
    choices: [],
    mode: 'book',
    draft: emptyDraft(input.contact),
    appointments: [],
  }),
  on: {
    'user.start': { target: '.menu', reenter: true, actions: ['noteEvent', assign({ greeted: false }), 'greet'] },
  },
  states: {
    idle: greetFirst(waiting(S.idle, { book: { target: '#conversation.book' }, mine: { target: '#conversation.mine' }, manage: { target: '#conversation.manage' }, verify: { target: '#conversation.verifyPhone' }, erase: { target: '#conversation.eraseConfirm' }, menu: { target: MENU }, info: { target: MENU } })),
    // `menu` at the menu: nothing to start, said why (a phone that cannot be proved here)
    menu: waiting(S.menu, { book: { target: '#conversation.book' }, mine: { target: '#conversation.mine' }, manage: { target: '#conversation.manage' }, verify: { target: '#conversation.verifyPhone' }, erase: { target: '#conversation.eraseConfirm' }, menu: {}, info: { target: MENU, reenter: true } }),
    eraseConfirm: waiting(S.eraseConfirm, { yes: { target: '#conversation.erased' }, no: { target: MENU } }),
    // nothing more to say: the engine deletes the conversation with the rest
    erased: { type: 'final' as const },
    verifyPhone: verifyPhone(MENU, '#conversation.verifyPhone'),
    handoff: {
      entry: [
        enqueueActions(({ context, enqueue }) => {
          if (context.notice) enqueue.emit(reply(context, context.notice));
          enqueue.emit({ type: 'handoff', reason: context.handoffReason ?? 'patient_request' });
          const contact = context.facility.staffContact;
          enqueue.emit(reply(context, contact ? msg(k('handoff.doneWithContact'), { contact }) : msg(k('handoff.done'))));
          enqueue.assign({ notice: undefined, handoffReason: undefined });
        }),
      ],
      // with staff: booking, the list or a change start again; `verify` and `erase` are not started from here (the menu
      // first), `menu` is a refused verify (said why), `ignore` is for staff to read
      ...(({ on }) => ({ on }))(
        waiting(S.handoff, { book: { target: '#conversation.book' }, mine: { target: '#conversation.mine' }, manage: { target: '#conversation.manage' }, verify: {}, erase: {}, menu: {}, info: {}, ignore: {} }),
      ),
    },
    bookAgain: waiting(S.bookAgain, { book: { target: '#conversation.book' }, menu: { target: MENU } }),
    // after a survey score: its comment, or none
    surveyComment: waiting(S.surveyComment, {
      comment: { target: '#conversation.idle' },
      skip: { target: '#conversation.idle' },
      book: { target: '#conversation.book' },
      mine: { target: '#conversation.mine' },
      manage: { target: '#conversation.manage' },
      verify: { target: '#conversation.verifyPhone' },
      erase: { target: '#conversation.eraseConfirm' },
      menu: { target: MENU },
      info: { target: MENU },
    }),
    // an old "Yes, book it" this conversation does not know (it was reset since): the booking it made, if any
    replayed: {
      tags: [BUSY_TAG],
      invoke: {
        id: 'myAppointments',
        src: 'myAppointments',
        input: ({ context }) => ({ contact: context.contact }),
        onDone: {
          target: MENU,
          actions: enqueueActions(({ context, event, enqueue }) => {
            const found = event.output.ok ? upcoming(context, event.output.value).find((a) => slotKey(a.calendarId, a.start) === context.replayKey) : undefined;
            const said = found ? alreadyBooked(context, { calendarId: found.calendarId, start: found.start, reference: ref(found) }) : event.output.ok ? msg(k('book.summaryGone')) : msg(k('common.providerError'));
            enqueue.emit(reply(context, said));
            enqueue.assign({ replayKey: undefined, greeted: true, ...(found ? { lastBooked: { key: context.replayKey!, calendarId: found.calendarId, start: found.start, reference: ref(found) } } : {}) });
          }),
        },
      },
    },

    book: {
      initial: 'route',
      states: {
        route: {
          always: [
            { guard: 'needsWhom', target: 'forWhom' },
            // the code goes out as soon as the phone is known, so it arrives while the rest is asked
            ...DETAIL_ORDER.flatMap((field) => [
              { guard: { type: 'needs' as const, params: { field } }, target: field },
              ...(field === 'phone' ? [{ guard: 'needsVerify' as const, target: 'verify' }] : []),
            ]),
            { guard: 'needsRelationship', target: 'relationship' },
            { guard: ({ context }) => !!context.draft.patientId, target: 'calendarCheck', actions: 'savePatient' },
            // a look-up by name, date of birth and phone only behind a phone the contact proved
            { guard: 'phoneProved', target: 'finding', actions: 'savePatient' },
            { target: 'calendarCheck', actions: 'savePatient' },
          ],
        },
        forWhom: waiting(S.forWhom, { ok: { target: 'route' } }),
        relationship: waiting(S.relationship, { ok: { target: 'route' } }, DETAIL_BACK),
        verify: verifyPhone('#conversation.book.route', '#conversation.book.verify'),
        consent: waiting(S.consent, { ok: { target: 'route' }, declined: { target: 'consentDeclined' } }),
        consentDeclined: waiting(S.consentDeclined, { ok: { target: 'route' } }),
        name: waiting(S.name, { ok: { target: 'route' } }, DETAIL_BACK),
        dob: waiting(S.dob, { ok: { target: 'route' } }, DETAIL_BACK),
        phone: waiting(S.phone, { ok: { target: 'route' } }, DETAIL_BACK),
        gender: waiting(S.gender, { ok: { target: 'route' } }, DETAIL_BACK),
        nationalId: waiting(S.nationalId, { ok: { target: 'route' } }, DETAIL_BACK),
        finding: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'findPatient',
            src: 'findPatient',
            input: ({ context }) => {
              const d = context.draft;
              return { name: d.name ?? '', dob: d.dob ?? '', phone: d.phone ?? '', ...(context.contact.email ? { email: context.contact.email } : {}), ...(d.nationalId ? { nationalId: d.nationalId } : {}) };
            },
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: 'calendarCheck',
                actions: enqueueActions(({ context, event, enqueue }) => {
                  const found = event.output.ok ? event.output.value : null;
                  if (!found) return;
                  enqueue.assign({ draft: { ...context.draft, patientId: found.patientId } });
                }),
              },
              { guard: ({ event }) => failedKind(event.output) === 'unavailable', target: 'findFailed' },
              { target: HANDOFF, actions: 'providerError' },
            ],
          },
        },
        findFailed: waiting(S.retry, { retry: { target: 'finding' } }),
        calendarCheck: {
          always: [
            { guard: ({ context }) => context.calendars.length === 0, target: 'noCalendars' },
            { guard: ({ context }) => context.calendars.length === 1, target: 'typeCheck', actions: assign(({ context }) => ({ draft: { ...context.draft, calendarId: context.calendars[0]!.id } })) },
            // the doctor the request named ("book Dr. Reyes"): no question; several that matched: asked among them
            { guard: ({ context }) => !!wishedCalendar(context), target: 'typeCheck', actions: assign(({ context }) => ({ draft: { ...context.draft, calendarId: wishedCalendar(context) } })) },
            {
              target: 'calendar',
              actions: assign(({ context }) => {
                const ids = context.draft.wish?.calendarIds?.filter((id) => context.calendars.some((c) => c.id === id)) ?? [];
                return { draft: { ...context.draft, doctorPick: ids.length > 1 ? { page: 0, ids } : undefined } };
              }),
            },
          ],
        },
        noCalendars: waiting(S.noCalendars, {}),
        calendar: waiting(S.calendar, { ok: { target: 'typeCheck' }, page: { target: '#conversation.book.calendar', reenter: true } }, DETAIL_BACK),
        typeCheck: {
          always: [
            // the type a rebook nudge's slot was offered for (./nudge.ts): no question
            {
              guard: ({ context }) => !!wishedType(context),
              target: 'slots',
              actions: assign(({ context }) => ({ draft: { ...context.draft, appointmentTypeId: wishedType(context), slots: [], datePage: 0, ...startingDate(context, context.draft) } })),
            },
            {
              guard: ({ context }) => (context.calendars.find((c) => c.id === context.draft.calendarId)?.appointmentTypes.length ?? 0) <= 1,
              target: 'slots',
              actions: assign(({ context }) => ({
                draft: { ...context.draft, appointmentTypeId: context.calendars.find((c) => c.id === context.draft.calendarId)?.appointmentTypes[0]?.id, slots: [], datePage: 0, ...startingDate(context, context.draft) },
              })),
            },
            { target: 'type' },
          ],
        },
        type: waiting(S.type, { ok: { target: 'slots' } }, [{ guard: 'manyCalendars', target: '#conversation.book.calendar' }, { target: MENU }]),
        slots: slotPicker('#conversation.book.review', [
          { guard: 'manyTypes', target: '#conversation.book.type' },
          { guard: 'manyCalendars', target: '#conversation.book.calendar' },
          { target: MENU },
        ], '#conversation.book.slots'),
        review: waiting(S.review, { yes: { target: 'creating' }, change: { target: '#conversation.book.slots.time' } }, [{ target: '#conversation.book.slots.time' }]),
        creating: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'createAppointment',
            src: 'createAppointment',
            input: ({ context }) => {
              const d = context.draft;
              return {
                idempotencyKey: context.opKey!,
                input: {
                  calendarId: d.calendarId!,
                  appointmentTypeId: d.appointmentTypeId!,
                  start: d.start!,
                  ...(d.patientId ? { patientId: d.patientId } : {}),
                  patient: {
                    name: d.name ?? '',
                    dob: d.dob,
                    phone: d.phone ?? '',
                    ...(context.contact.email ? { email: context.contact.email } : {}),
                    ...(d.gender ? { gender: d.gender } : {}),
                    ...(d.nationalId ? { nationalId: d.nationalId } : {}),
                  },
                },
              };
            },
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: MENU,
                actions: enqueueActions(({ context, event, enqueue }) => {
                  if (!event.output.ok) return;
                  const a = event.output.value;
                  enqueue.emit({ type: 'appointment.changed', action: 'created', appointment: a, subject: subjectOf(context) });
                  const params = { doctor: doctorName(context, a.calendarId), startAt: a.start, reference: ref(a), details: bookedDetails(context, a) };
                  enqueue.emit(reply(context, isSelf(context.draft) ? msg(k('book.done'), params) : msg(k('book.doneFor'), { ...params, person: firstName(context.draft.name) })));
                  enqueue.assign({ opKey: undefined, lastBooked: { key: slotKey(context.draft.calendarId!, context.draft.start!), calendarId: a.calendarId, start: a.start, reference: ref(a) } });
                }),
              },
              { guard: ({ event }) => failedKind(event.output) === 'slot_unavailable', target: '#conversation.book.slots.loading', actions: 'slotTaken' },
              {
                guard: ({ context, event }) => firstLoss(context, event.output),
                target: 'creating',
                reenter: true,
                actions: enqueueActions(({ context, enqueue }) => {
                  enqueue.assign({ checkingKey: context.opKey });
                  enqueue.emit(reply(context, msg(k('book.checking'))));
                }),
              },
              { guard: ({ event }) => uncertain(event.output), target: 'createFailed' },
              { target: HANDOFF, actions: 'providerError' },
            ],
          },
        },
        // still unconfirmed: any message checks again with the same key (./steps/unsettled.ts)
        createFailed: waiting(S.unsettled, { retry: { target: 'creating' } }),
      },
    },

    mine: {
      initial: 'loading',
      states: {
        loading: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'myAppointments',
            src: 'myAppointments',
            input: ({ context }) => ({ contact: context.contact }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: MENU,
                actions: enqueueActions(({ context, event, enqueue }) => {
                  const list = (upcoming(context, event.output.ok ? event.output.value : []) as ListedAppointment[]).sort((a, b) => (a.person ?? '').localeCompare(b.person ?? ''));
                  const hint = unprovedHint(context);
                  if (!list.length) {
                    enqueue.emit(reply(context, msg(k('manage.none'))));
                    if (hint) enqueue.emit(reply(context, hint));
                    return;
                  }
                  enqueue.emit(reply(context, msg(k('mine.header'))));
                  let person: string | undefined;
                  for (const a of list) {
                    if (a.person && a.person !== person) enqueue.emit(reply(context, msg(k('person.header'), { person: a.person })));
                    person = a.person;
                    enqueue.emit(
                      reply(
                        context,
                        msg(k('mine.item'), {
                          startAt: a.start,
                          doctor: doctorName(context, a.calendarId),
                          type: context.calendars.find((c) => c.id === a.calendarId)?.appointmentTypes.find((t) => t.id === a.appointmentTypeId)?.name ?? '',
                          status: { key: `status.${a.status.replace(' ', '_')}` },
                          reference: ref(a),
                        }),
                      ),
                    );
                  }
                  if (hint) enqueue.emit(reply(context, hint));
                }),
              },
              { target: 'failed' },
            ],
          },
        },
        failed: waiting(S.retry, { retry: { target: 'loading' } }),
      },
    },

    manage: {
      initial: 'loading',
      states: {
        loading: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'myAppointments',
            src: 'myAppointments',
            input: ({ context }) => ({ contact: context.contact }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: 'route',
                actions: assign(({ context, event }) => {
                  const all = event.output.ok ? event.output.value : [];
                  const wanted = context.targetId;
                  const target = wanted ? all.find((a) => a.appointmentId === wanted || a.previousIds?.includes(wanted)) : undefined;
                  return { appointments: upcoming(context, all), target };
                }),
              },
              { target: 'failed' },
            ],
          },
        },
        failed: waiting(S.retry, { retry: { target: 'loading' } }),
        route: {
          always: [
            { guard: ({ context }) => !!context.target, target: 'check' },
            { guard: ({ context }) => !!context.targetId, target: MENU, actions: assign({ notice: () => msg(k('manage.notFound')) }) },
            { guard: ({ context }) => context.appointments.length === 0, target: '#conversation.bookAgain', actions: assign({ notice: () => msg(k('manage.none')) }) },
            { guard: ({ context }) => context.appointments.length === 1, target: 'check', actions: assign({ target: ({ context }) => context.appointments[0] }) },
            { target: 'pick' },
          ],
        },
        pick: waiting(S.pick, { picked: { target: 'check' } }),
        check: {
          always: [
            { guard: ({ context }) => !!context.target && (isClosed(context.target.status) || Date.parse(context.target.start) <= Date.parse(context.now)), target: MENU, actions: assign({ notice: () => msg(k('manage.inactive')) }) },
            { guard: ({ context }) => context.mode === 'confirm', target: 'confirming' },
            { guard: ({ context }) => hoursUntil(context.target!.start, context.now) < context.facility.cutoffHours, target: 'tooClose', actions: assign({ handoffReason: 'too_close' as const, tooCloseBy: undefined }) },
            {
              guard: ({ context }) => context.mode === 'reschedule',
              target: 'slots',
              actions: assign(({ context }) => ({
                draft: { ...context.draft, calendarId: context.target!.calendarId, appointmentTypeId: context.target!.appointmentTypeId, month: monthOf(context.now, context.facility.timezone), slots: [], date: undefined, datePage: 0, start: undefined },
              })),
            },
            { target: 'confirmCancel' },
          ],
        },
        tooClose: waiting(S.tooClose, {}),
        slots: slotPicker('#conversation.manage.reviewReschedule', [{ guard: 'manyAppointments', target: '#conversation.manage.pick' }, { target: MENU }], '#conversation.manage.slots'),
        reviewReschedule: waiting(S.reviewReschedule, { yes: { target: 'rescheduling' }, change: { target: '#conversation.manage.slots.time' }, no: { target: MENU } }, [{ target: '#conversation.manage.slots.time' }]),
        rescheduling: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'reschedule',
            src: 'reschedule',
            input: ({ context }) => ({ appointmentId: context.target!.appointmentId, start: context.draft.start!, idempotencyKey: context.opKey! }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: MENU,
                actions: enqueueActions(({ context, event, enqueue }) => {
                  if (!event.output.ok) return;
                  const a = event.output.value;
                  enqueue.emit({ type: 'appointment.changed', action: 'rescheduled', appointment: a });
                  enqueue.emit(reply(context, msg(k('manage.rescheduled'), { doctor: doctorName(context, a.calendarId), startAt: a.start, reference: ref(a), details: bookedDetails(context, a) })));
                  enqueue.assign({ opKey: undefined });
                }),
              },
              { guard: ({ event }) => failedKind(event.output) === 'slot_unavailable', target: '#conversation.manage.slots.loading', actions: 'slotTaken' },
              { guard: ({ event }) => failedKind(event.output) === 'too_close', target: 'tooClose', actions: assign({ handoffReason: 'too_close' as const, tooCloseBy: 'hospital' as const }) },
              {
                guard: ({ context, event }) => firstLoss(context, event.output),
                target: 'rescheduling',
                reenter: true,
                actions: enqueueActions(({ context, enqueue }) => {
                  enqueue.assign({ checkingKey: context.opKey });
                  enqueue.emit(reply(context, msg(k('manage.rescheduleChecking'))));
                }),
              },
              { guard: ({ event }) => uncertain(event.output), target: 'rescheduleFailed' },
              { target: HANDOFF, actions: 'providerError' },
            ],
          },
        },
        rescheduleFailed: waiting(S.unsettled, { retry: { target: 'rescheduling' } }),
        confirmCancel: waiting(S.confirmCancel, { yes: { target: 'canceling' }, no: { target: MENU } }, [{ guard: 'manyAppointments', target: '#conversation.manage.pick' }, { target: MENU }]),
        canceling: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'cancel',
            src: 'cancel',
            input: ({ context }) => ({ appointmentId: context.target!.appointmentId, idempotencyKey: context.opKey! }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: '#conversation.bookAgain',
                actions: enqueueActions(({ context, event, enqueue }) => {
                  if (!event.output.ok) return;
                  const a = event.output.value;
                  enqueue.emit({ type: 'appointment.changed', action: 'canceled', appointment: a });
                  enqueue.emit(reply(context, msg(k('manage.canceled'), { doctor: doctorName(context, a.calendarId), startAt: a.start })));
                  enqueue.assign({ opKey: undefined });
                }),
              },
              { guard: ({ event }) => failedKind(event.output) === 'too_close', target: 'tooClose', actions: assign({ handoffReason: 'too_close' as const, tooCloseBy: 'hospital' as const }) },
              {
                guard: ({ context, event }) => firstLoss(context, event.output),
                target: 'canceling',
                reenter: true,
                actions: enqueueActions(({ context, enqueue }) => {
                  enqueue.assign({ checkingKey: context.opKey });
                  enqueue.emit(reply(context, msg(k('manage.cancelChecking'))));
                }),
              },
              { guard: ({ event }) => uncertain(event.output), target: 'cancelFailed' },
              { target: HANDOFF, actions: 'providerError' },
            ],
          },
        },
        cancelFailed: waiting(S.unsettled, { retry: { target: 'canceling' } }),
        confirming: {
          tags: [BUSY_TAG],
          invoke: {
            id: 'confirm',
            src: 'confirm',
            input: ({ context }) => ({ appointmentId: context.target!.appointmentId, idempotencyKey: context.opKey! }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok || failedKind(event.output) === 'unsupported',
                target: '#conversation.idle',
                actions: enqueueActions(({ context, event, enqueue }) => {
                  const target = context.target!;
                  // a provider without a confirm endpoint: we keep the confirmation ourselves and thank the patient all the same
                  const local = !event.output.ok;
                  const a: ProviderAppointment = event.output.ok ? event.output.value : { ...target, status: 'CONFIRMED' };
                  enqueue.emit({ type: 'appointment.changed', action: 'confirmed', appointment: a, ...(local ? { confirmedLocally: true } : {}) });
                  enqueue.emit(reply(context, msg(k('manage.confirmed'), { doctor: doctorName(context, a.calendarId), startAt: a.start })));
                  enqueue.assign({ opKey: undefined });
                }),
              },
              { guard: ({ event }) => failedKind(event.output) === 'unavailable', target: 'confirmFailed' },
              { target: HANDOFF, actions: 'providerError' },
            ],
          },
        },
        confirmFailed: waiting(S.retry, { retry: { target: 'confirming' } }),
      },
    },
  },
});

/** Under "my appointments": why bookings made at the clinic are not listed, when that may be so. */
function unprovedHint(ctx: ConversationContext) {
  if (ctx.contact.phoneVerified) return undefined;
  if (ctx.facility.canVerifyPhone && ctx.contact.phone) return msg(k('mine.verifyHint'));
  return ctx.facility.staffContact ? msg(k('mine.callForOlder'), { contact: ctx.facility.staffContact }) : undefined;
}

/**
 * Proving a phone: a code goes by SMS to it, the patient types it back (or skips, and books a new
 * appointment all the same). `next` is where it goes on from, `self` this state's own id.
 */
function verifyPhone(next: string, self: string) {
  return {
    initial: 'sending' as const,
    states: {
      sending: {
        tags: [BUSY_TAG],
        invoke: {
          id: 'sendCode',
          src: 'sendCode' as const,
          input: ({ context }: { context: ConversationContext }) => ({ phone: context.draft.phone ?? context.contact.phone ?? '' }),
          onDone: [
            { guard: 'outputOk' as const, target: `${self}.code`, actions: 'codeSent' as const },
            { target: next, actions: 'codeNotSent' as const },
          ],
        },
      },
      code: waiting(S.code, { code: { target: `${self}.checking` }, skip: { target: next }, resend: { target: `${self}.sending` } }, [{ target: next }]),
      checking: {
        tags: [BUSY_TAG],
        invoke: {
          id: 'checkCode',
          src: 'checkCode' as const,
          input: ({ context }: { context: ConversationContext }) => ({
            code: context.pendingCode ?? '',
            ...(isSelf(context.draft) ? { self: { name: context.draft.name, dob: context.draft.dob } } : {}),
          }),
          onDone: [
            { guard: { type: 'codeIs' as const, params: { status: 'verified' as const } }, target: next, actions: 'codeVerified' as const },
            { guard: { type: 'codeIs' as const, params: { status: 'wrong' as const } }, target: `${self}.code`, reenter: true, actions: 'codeWrong' as const },
            { guard: { type: 'codeIs' as const, params: { status: 'locked' as const } }, target: next, actions: 'codeLocked' as const },
            { target: `${self}.code`, reenter: true, actions: 'codeExpired' as const },
          ],
        },
      },
    },
  };
}

/** Date and time picking over one calendar and type (booking and rescheduling share it). */
function slotPicker(next: string, dateBack: Back[], self: string) {
  return {
    initial: 'loading' as const,
    states: {
      loading: {
        tags: [BUSY_TAG],
        invoke: {
          id: 'availability',
          src: 'availability' as const,
          input: ({ context }: { context: ConversationContext }) => ({ month: context.draft.month!, calendarId: context.draft.calendarId!, appointmentTypeId: context.draft.appointmentTypeId! }),
          onDone: [
            { guard: 'outputOk' as const, target: `${self}.route`, actions: 'storeSlots' as const },
            { target: `${self}.failed` },
          ],
        },
      },
      failed: waiting(S.retry, { retry: { target: `${self}.loading` } }),
      route: {
        always: [
          // the time the request named ("tomorrow at 10"): taken when open, else said so over that date's open times
          { guard: 'wishedSlotOpen' as const, target: next, actions: 'takeWishedSlot' as const },
          { guard: 'dateHasSlots' as const, target: `${self}.time`, actions: ['wishedTimeTaken' as const, 'firstTimePage' as const] },
          { guard: 'dateChosen' as const, target: `${self}.date`, actions: ['forgetWish' as const, 'dateEmpty' as const] },
          // the current month often has nothing left: look at the next one before asking
          { guard: 'currentMonthEmpty' as const, target: `${self}.loading`, actions: 'nextMonth' as const },
          { target: `${self}.date` },
        ],
      },
      // through route: a time the request named is taken on the date picked
      date: waiting(S.date, { date: { target: `${self}.route` }, page: { target: `${self}.date`, reenter: true }, empty: { target: `${self}.date`, reenter: true }, load: { target: `${self}.loading` }, tooFar: { target: HANDOFF } }, dateBack),
      time: waiting(S.time, { slot: { target: next }, page: { target: `${self}.time`, reenter: true }, otherDate: { target: `${self}.date` } }, [{ target: `${self}.date` }]),
    },
  };
}

export type ConversationMachine = typeof conversationMachine;
