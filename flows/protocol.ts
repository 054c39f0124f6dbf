import type {
  Appointment,
  Calendar,
  ChannelName,
  CreateAppointmentInput,
  LocaleCode,
  PatientQuery,
  Relationship,
  ProviderAppointment,
  ProviderPatient,
  ProviderResult,
  ReplyStyle,
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
  /** the facility sends SMS, so a phone can be proved with a one-time code */
  canVerifyPhone?: boolean;
  /** what the clinic tells patients about itself (./knowledge.ts) */
  knowledge?: FlowKnowledge;
}

/** The clinic's own facts, as configured (every part optional: a line not configured is not said). */
export interface FlowKnowledge {
  info?: { address?: string; mapUrl?: string; hours?: string; hotline?: string; parking?: string };
  /** by calendarId */
  calendars?: Record<string, { specialty?: string; room?: string; clinicDays?: string }>;
  /** by appointmentTypeId */
  appointmentTypes?: Record<string, { preparation?: string; bring?: string; arriveEarlyMinutes?: number }>;
}

/** Someone the contact may book for. Details beyond the name only when the link is verified. */
export interface FlowPerson {
  /** our patient record id */
  ref: string;
  name: string;
  relationship: Relationship;
  verified: boolean;
  patientId?: string;
  temporaryPatientIds?: string[];
  dob?: string;
  gender?: string;
  consent?: boolean;
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
  /** `phone` was proved by this contact (an SMS from it, or a code typed back) */
  phoneVerified?: boolean;
  /** the patient record of the contact itself, when it has one */
  selfRef?: string;
  /** the provider's permanent id of the contact itself, only when that link is verified */
  patientId?: string;
  /** the people this contact books for besides itself */
  people?: FlowPerson[];
  locale?: LocaleCode;
  /** how choices are answered where this message came from (tap, number, or both; the engine sets it from the channel) */
  replyStyle?: ReplyStyle;
}

/** Whom a booking is for: the contact itself (no ref), a saved person, or someone new. */
export interface BookingSubject {
  ref?: string;
  relationship: Relationship;
  name: string;
  consent: boolean;
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

/** a card row's value: text as is, a date-time or date, a date of birth (3 April 1985), or a message key's text (a gender) */
export type CardValue = string | { datetime: string } | { date: string } | { birthDate: string } | { key: string };

export interface MessageDescriptor {
  key: string;
  params?: Record<string, unknown>;
  choices?: { id: string; key: string; params?: Record<string, unknown> }[];
  card?: { titleKey: string; rows: { labelKey: string; value: CardValue }[] };
  /** a first line naming whom the message is about ("For Ana:") */
  lead?: { key: string; params?: Record<string, unknown> };
  /** the choices are a 0–10 scale (a survey): their labels are the numbers */
  scale?: boolean;
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
      /** for a created appointment: whom it is for */
      subject?: BookingSubject;
    }
  | { type: 'handoff'; reason: HandoffReason }
  /** a post-visit survey's score, or the comment after it (the engine keeps the first of each for the contact's open survey) */
  | { type: 'survey.answer'; appointmentId: string; score?: number; comment?: string }
  /** the patient asked, and confirmed, to delete what we hold about them (done after this turn's replies) */
  | { type: 'contact.erase' };

export type HandoffReason =
  | 'patient_request'
  | 'too_close'
  | 'stuck'
  | 'consent_declined'
  | 'provider_error'
  | 'no_calendars'
  | 'no_availability'
  | 'low_survey_score';

/** What sending a one-time code and checking a typed one answer (errors as values). */
export type SendCodeOutput = { ok: true; masked: string } | { ok: false; reason: 'rate_limited' | 'unavailable' };
export type CheckCodeOutput =
  | { status: 'verified'; phone: string; people: FlowPerson[]; selfRef?: string; patientId?: string }
  | { status: 'wrong'; triesLeft: number }
  | { status: 'expired' | 'locked' | 'none' | 'unavailable' };

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
export interface SendCodeInput {
  phone: string;
}
export interface CheckCodeInput {
  code: string;
  /** the details the contact gave for itself in this booking: a record behind the phone that matches them is its own */
  self?: { name?: string; dob?: string };
}
/** an appointment as "my appointments" lists it: `person` names whom it is for when that is not the contact itself */
export type ListedAppointment = Appointment & { person?: string };

/** What each injected actor resolves to. Errors are values: the promises never reject. */
export interface ActorOutputs {
  findPatient: ProviderResult<ProviderPatient | null>;
  availability: ProviderResult<Slot[]>;
  createAppointment: ProviderResult<ProviderAppointment>;
  reschedule: ProviderResult<ProviderAppointment>;
  cancel: ProviderResult<ProviderAppointment>;
  confirm: ProviderResult<ProviderAppointment>;
  myAppointments: ProviderResult<ListedAppointment[]>;
  sendCode: SendCodeOutput;
  checkCode: CheckCodeOutput;
}
export interface ActorInputs {
  findPatient: PatientQuery;
  availability: AvailabilityInput;
  createAppointment: CreateAppointmentActorInput;
  reschedule: RescheduleInput;
  cancel: CancelInput;
  confirm: ConfirmInput;
  myAppointments: MyAppointmentsInput;
  sendCode: SendCodeInput;
  checkCode: CheckCodeInput;
}
export type ActorName = keyof ActorOutputs;
export const ACTOR_NAMES: readonly ActorName[] = ['findPatient', 'availability', 'createAppointment', 'reschedule', 'cancel', 'confirm', 'myAppointments', 'sendCode', 'checkCode'];

/**
 * Choice ids (stable; platforms echo them back):
 *   menu:book | menu:mine | menu:reschedule | menu:cancel | menu:staff | menu:language | menu:info
 *   cmd:menu | cmd:back | cmd:stop | cmd:help | cmd:retry
 *   lang:en | lang:fil | lang:id
 *   ans:yes | ans:no                      (consent, review, confirm-cancel, book-again)
 *   ans:book:<key>                        (the review's "Yes, book it": key names the slot it confirms, ../flows/replay.ts)
 *   gender:male | gender:female | gender:other
 *   dob:<YYYY-MM-DD>                      (one reading of an ambiguous date of birth: 03/04/1985)
 *   cal:<calendarId>  type:<appointmentTypeId>  appt:<appointmentId>
 *   date:<YYYY-MM-DD> | date:more          slot:<ISO start> | slot:more | slot:otherDate | slot:change
 *   rem:confirm:<appointmentId> | rem:reschedule:<appointmentId> | rem:cancel:<appointmentId>  (reminders; accepted in any state)
 *   nudge:<calendarId>:<appointmentTypeId>:<ISO start> | nudge:<calendarId>:<appointmentTypeId>: | nudge:no  (rebook nudge: that slot, another time, no thanks; accepted in any state)
 *   survey:<score 0–10>:<low score>:<appointmentId> | survey:skip | survey:closed  (post-visit survey: a score, accepted in any state;
 *                                          no comment; `closed`: the engine found no open survey for that tap)
 *   who:self | who:new | who:<patient ref>   rel:child | rel:parent | rel:spouse | rel:other
 *   verify:skip | verify:resend | menu:verify
 */
export const CHOICE = {
  menu: { book: 'menu:book', mine: 'menu:mine', reschedule: 'menu:reschedule', cancel: 'menu:cancel', staff: 'menu:staff', language: 'menu:language', info: 'menu:info' },
  cmd: { menu: 'cmd:menu', back: 'cmd:back', stop: 'cmd:stop', help: 'cmd:help', retry: 'cmd:retry' },
  yes: 'ans:yes',
  no: 'ans:no',
  moreDates: 'date:more',
  moreTimes: 'slot:more',
  otherDate: 'slot:otherDate',
  changeTime: 'slot:change',
  who: { self: 'who:self', someoneElse: 'who:new' },
  verify: { skip: 'verify:skip', resend: 'verify:resend', start: 'menu:verify' },
} as const;

export type ReminderAction = 'confirm' | 'reschedule' | 'cancel';
export const reminderChoiceId = (action: ReminderAction, appointmentId: string): string => `rem:${action}:${appointmentId}`;
export function parseReminderChoice(choiceId: string | undefined): { action: ReminderAction; appointmentId: string } | undefined {
  const m = /^rem:(confirm|reschedule|cancel):(.+)$/.exec(choiceId ?? '');
  return m ? { action: m[1] as ReminderAction, appointmentId: m[2]! } : undefined;
}

/** A rebook nudge's slot (README "Care workflows"); no start: another time with that doctor and type. */
export interface NudgeChoice {
  calendarId: string;
  appointmentTypeId: string;
  start?: string;
}
export const NUDGE_NO = 'nudge:no';
export const nudgeChoiceId = (calendarId: string, appointmentTypeId: string, start?: string): string => `nudge:${calendarId}:${appointmentTypeId}:${start ?? ''}`;
export function parseNudgeChoice(choiceId: string | undefined): NudgeChoice | 'no' | undefined {
  if (choiceId === NUDGE_NO) return 'no';
  const m = /^nudge:([^:]+):([^:]+):(.*)$/.exec(choiceId ?? '');
  if (!m) return undefined;
  const start = m[3] && !Number.isNaN(Date.parse(m[3])) ? m[3] : undefined;
  return { calendarId: m[1]!, appointmentTypeId: m[2]!, ...(start ? { start } : {}) };
}

/** A post-visit survey's choices (README "Care workflows"): src/core, as sync builds the question that carries them. */
export { parseSurveyChoice, surveyChoiceId, SURVEY_CLOSED, SURVEY_SCORES, SURVEY_SKIP, type SurveyChoice } from '../src/core/survey-choice.js';
