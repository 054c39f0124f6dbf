/**
 * A small conversation machine speaking the flow protocol (flows/protocol.ts), for engine tests:
 * menu → "book" → name → slots (provider) → pick → booking (provider) → confirmed → menu.
 * Every reply carries `n`, the number of patient messages the conversation has seen.
 */
import { assign, emit, fromPromise, setup } from 'xstate';
import type { ProviderAppointment, Slot } from '../../../src/core/domain.js';
import type { CreateAppointmentInput, ProviderResult } from '../../../src/core/provider.js';
import type { ConversationInput, FlowEmitted, FlowEvent } from '../../../src/engine/flow.js';

interface Ctx {
  n: number;
  name?: string;
  slots: Slot[];
  booked?: ProviderAppointment;
}

const notProvided = <T, I>() =>
  fromPromise<ProviderResult<T>, I>(async () => {
    throw new Error('actor not provided');
  });

export const stubMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as ConversationInput,
    events: {} as FlowEvent,
    emitted: {} as FlowEmitted,
  },
  actors: {
    availability: notProvided<Slot[], { month: string; calendarId: string; appointmentTypeId: string }>(),
    createAppointment: notProvided<ProviderAppointment, { input: CreateAppointmentInput; idempotencyKey: string }>(),
  },
  actions: {
    count: assign({ n: ({ context }) => context.n + 1 }),
    reply: emit(({ context }, params: { key: string }) => ({ type: 'reply' as const, message: { key: params.key, params: { n: context.n } } })),
    offerSlots: emit(({ context }) => ({
      type: 'reply' as const,
      message: { key: 'pick.slot', params: { n: context.n }, choices: context.slots.map((s, i) => ({ id: `slot:${i}`, key: 'slot', params: { start: s.start } })) },
    })),
    announceBooking: emit(({ context }) => ({ type: 'appointment.changed' as const, action: 'created' as const, appointment: context.booked! })),
  },
}).createMachine({
  id: 'stub',
  context: () => ({ n: 0, slots: [] }),
  initial: 'menu',
  states: {
    menu: {
      on: {
        'user.message': [
          { guard: ({ event }) => event.choiceId === 'book', target: 'askName', actions: 'count' },
          { actions: ['count', { type: 'reply', params: { key: 'menu' } }] },
        ],
        'user.start': { actions: ['count', { type: 'reply', params: { key: 'welcome' } }] },
      },
    },
    askName: {
      entry: { type: 'reply', params: { key: 'ask.name' } },
      on: { 'user.message': { target: 'loadingSlots', actions: ['count', assign({ name: ({ event }) => event.text })] } },
    },
    loadingSlots: {
      tags: ['busy'],
      invoke: {
        src: 'availability',
        input: { month: '2031-03', calendarId: 'cal-1', appointmentTypeId: 'type-1' },
        onDone: [
          { guard: ({ event }) => event.output.ok, target: 'pickSlot', actions: assign({ slots: ({ event }) => (event.output.ok ? event.output.value : []) }) },
          { target: 'menu', actions: { type: 'reply', params: { key: 'error.unavailable' } } },
        ],
      },
    },
    pickSlot: {
      entry: 'offerSlots',
      on: {
        'user.message': {
          target: 'booking',
          actions: ['count', assign({ slots: ({ context, event }) => context.slots.filter((_, i) => event.choiceId === `slot:${i}`) })],
        },
      },
    },
    booking: {
      tags: ['busy'],
      invoke: {
        src: 'createAppointment',
        input: ({ context, event }) => ({
          input: {
            calendarId: 'cal-1',
            appointmentTypeId: 'type-1',
            start: context.slots[0]?.start ?? '',
            patient: { name: context.name ?? '', phone: '+639171234567', dob: '1990-01-01' },
          },
          idempotencyKey: `stub-${(event as { messageId?: string }).messageId ?? ''}`,
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.ok,
            target: 'menu',
            actions: [
              assign({ booked: ({ event }) => (event.output.ok ? event.output.value : undefined) }),
              'announceBooking',
              { type: 'reply', params: { key: 'booking.confirmed' } },
            ],
          },
          { target: 'menu', actions: { type: 'reply', params: { key: 'booking.failed' } } },
        ],
      },
    },
  },
});
