import type {
  Appointment,
  Calendar,
  ChannelName,
  CreateAppointmentInput,
  LocaleCode,
  PatientQuery,
  ProviderAppointment,
  ProviderPatient,
  ProviderResult,
  Slot,
} from '../src/core/index.js';

/** The contract between the engine and the conversation machine. Keep these shapes stable. */

export interface FlowFacility {
  id: string;
  name: string;
  timezone: string;
  locale: LocaleCode;
  /** ISO 3166 alpha-2, e.g. PH: the default country for phone numbers typed without a code */
  country: string;
  cutoffHours: number;
  askNationalId: boolean;
  staffContact?: string;
  /** optional link shown with the data-privacy consent question */
  privacyNoticeUrl?: string;
}

export interface FlowContact {
  id: string;
  channel: ChannelName;
  name?: string;
  dob?: string;
  phone?: string;
  gender?: string;
  nationalId?: string;
  email?: string;
  consent?: boolean;
  patientId?: string;
  temporaryPatientId?: string;
  locale?: LocaleCode;
}

export interface ConversationInput {
  facility: FlowFacility;
  contact: FlowContact;
  calendars: Calendar[];
}

export type FlowEvent =
  | { type: 'user.message'; text?: string; choiceId?: string; phone?: string; at: string; messageId: string }
  /** get-started / conversation_started / first contact */
  | { type: 'user.start'; at: string; messageId: string };

export type CardValue = string | { datetime: string } | { date: string };

export interface MessageDescriptor {
  key: string;
  params?: Record<string, unknown>;
  choices?: { id: string; key: string; params?: Record<string, unknown> }[];
  card?: { titleKey: string; rows: { labelKey: string; value: CardValue }[] };
}

export type FlowEmitted =
  /** `locale` (an addition to the contract, optional): the language this reply is meant in; equals contact.locale after any patch emitted before it */
  | { type: 'reply'; message: MessageDescriptor; locale?: LocaleCode }
  | { type: 'contact.patch'; patch: Partial<Omit<FlowContact, 'id' | 'channel'>> }
  | {
      type: 'appointment.changed';
      action: 'created' | 'rescheduled' | 'canceled' | 'confirmed';
      appointment: ProviderAppointment;
      confirmedLocally?: boolean;
    }
  | { type: 'handoff'; reason: HandoffReason };

export type HandoffReason =
  | 'patient_request'
  | 'too_close'
  | 'stuck'
  | 'consent_declined'
  | 'provider_error'
  | 'no_calendars'
  | 'no_availability';

/** Every state that waits on an actor carries this tag; the engine waits until no state has it. */
export const BUSY_TAG = 'busy';

/** Inputs of the injected actors (names and shapes fixed). */
export interface AvailabilityInput {
  month: string; // YYYY-MM
  calendarId: string;
  appointmentTypeId: string;
}
export interface CreateAppointmentActorInput {
  input: CreateAppointmentInput;
  idempotencyKey: string;
}
export interface RescheduleInput {
  appointmentId: string;
  start: string;
  idempotencyKey: string;
}
export interface CancelInput {
  appointmentId: string;
  reason?: string;
  idempotencyKey: string;
}
export interface ConfirmInput {
  appointmentId: string;
  idempotencyKey: string;
}
export interface MyAppointmentsInput {
  contact: FlowContact;
}

/** What each injected actor resolves to. Errors are values: the promises never reject. */
export interface ActorOutputs {
  findPatient: ProviderResult<ProviderPatient | null>;
  availability: ProviderResult<Slot[]>;
  createAppointment: ProviderResult<ProviderAppointment>;
  reschedule: ProviderResult<ProviderAppointment>;
  cancel: ProviderResult<ProviderAppointment>;
  confirm: ProviderResult<ProviderAppointment>;
  myAppointments: ProviderResult<Appointment[]>;
}
export interface ActorInputs {
  findPatient: PatientQuery;
  availability: AvailabilityInput;
  createAppointment: CreateAppointmentActorInput;
  reschedule: RescheduleInput;
  cancel: CancelInput;
  confirm: ConfirmInput;
  myAppointments: MyAppointmentsInput;
}
export type ActorName = keyof ActorOutputs;
export const ACTOR_NAMES: readonly ActorName[] = ['findPatient', 'availability', 'createAppointment', 'reschedule', 'cancel', 'confirm', 'myAppointments'];

/**
 * Choice ids (stable; platforms echo them back):
 *   menu:book | menu:mine | menu:reschedule | menu:cancel | menu:staff | menu:language
 *   cmd:menu | cmd:back | cmd:stop | cmd:help | cmd:retry
 *   lang:en | lang:fil | lang:id
 *   ans:yes | ans:no                      (consent, review, confirm-cancel, book-again)
 *   gender:male | gender:female | gender:other
 *   cal:<calendarId>  type:<appointmentTypeId>  appt:<appointmentId>
 *   date:<YYYY-MM-DD> | date:more          slot:<ISO start> | slot:more | slot:otherDate | slot:change
 *   rem:confirm:<appointmentId> | rem:reschedule:<appointmentId> | rem:cancel:<appointmentId>  (reminders; accepted in any state)
 */
export const CHOICE = {
  menu: { book: 'menu:book', mine: 'menu:mine', reschedule: 'menu:reschedule', cancel: 'menu:cancel', staff: 'menu:staff', language: 'menu:language' },
  cmd: { menu: 'cmd:menu', back: 'cmd:back', stop: 'cmd:stop', help: 'cmd:help', retry: 'cmd:retry' },
  yes: 'ans:yes',
  no: 'ans:no',
  moreDates: 'date:more',
  moreTimes: 'slot:more',
  otherDate: 'slot:otherDate',
  changeTime: 'slot:change',
} as const;

export type ReminderAction = 'confirm' | 'reschedule' | 'cancel';
export const reminderChoiceId = (action: ReminderAction, appointmentId: string): string => `rem:${action}:${appointmentId}`;
export function parseReminderChoice(choiceId: string | undefined): { action: ReminderAction; appointmentId: string } | undefined {
  const m = /^rem:(confirm|reschedule|cancel):(.+)$/.exec(choiceId ?? '');
  return m ? { action: m[1] as ReminderAction, appointmentId: m[2]! } : undefined;
}
