import { fromPromise } from 'xstate';
import type { Appointment, ProviderClient, ProviderResult } from '../src/core/index.js';
import type { ActorInputs, ActorOutputs, FlowContact } from './protocol.js';

/** The injected actors, built over a ProviderClient and a lister of the contact's upcoming appointments. */
export function makeConversationActors(deps: {
  provider: Pick<ProviderClient, 'findPatient' | 'availability' | 'createAppointment' | 'reschedule' | 'cancel' | 'confirm'>;
  myAppointments: (contact: FlowContact) => Promise<ProviderResult<Appointment[]>>;
}) {
  const p = deps.provider;
  return {
    findPatient: fromPromise<ActorOutputs['findPatient'], ActorInputs['findPatient']>(({ input }) => p.findPatient(input)),
    availability: fromPromise<ActorOutputs['availability'], ActorInputs['availability']>(({ input }) => p.availability(input)),
    createAppointment: fromPromise<ActorOutputs['createAppointment'], ActorInputs['createAppointment']>(({ input }) => p.createAppointment(input.input, input.idempotencyKey)),
    reschedule: fromPromise<ActorOutputs['reschedule'], ActorInputs['reschedule']>(({ input }) => p.reschedule(input.appointmentId, input.start, input.idempotencyKey)),
    cancel: fromPromise<ActorOutputs['cancel'], ActorInputs['cancel']>(({ input }) => p.cancel(input.appointmentId, input.reason, input.idempotencyKey)),
    confirm: fromPromise<ActorOutputs['confirm'], ActorInputs['confirm']>(({ input }) => p.confirm(input.appointmentId, input.idempotencyKey)),
    myAppointments: fromPromise<ActorOutputs['myAppointments'], ActorInputs['myAppointments']>(({ input }) => deps.myAppointments(input.contact)),
  };
}
export type ConversationActors = ReturnType<typeof makeConversationActors>;
