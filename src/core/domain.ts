import type { AppointmentStatus } from './status.js';

export type ChannelName = 'messenger' | 'viber' | 'sms' | 'whatsapp' | 'dev';
/**
 * The channel whose address is the phone itself: a text from a number proves it, and a phone we know
 * (a verified one, or one the hospital wrote on a booking) is reached there. One line, so the identity
 * and store rooms need not name a platform.
 */
export const PHONE_CHANNEL = 'sms' satisfies ChannelName;
export type LocaleCode = 'en' | 'fil' | 'id';
export const LOCALES: readonly LocaleCode[] = ['en', 'fil', 'id'];

/** a platform's language tag (Viber sends e.g. "en", "tl", "fil", "id", "in-ID") as one of ours, if it is one */
export function localeFromHint(hint: string | undefined): LocaleCode | undefined {
  const h = hint?.trim().toLowerCase() ?? '';
  if (/^(id|in)\b/.test(h)) return 'id';
  if (/^(fil|tl)\b/.test(h)) return 'fil';
  if (/^en\b/.test(h)) return 'en';
  return undefined;
}

export type Gender = 'male' | 'female' | 'other';

/** What a patient tells us about themselves (and what the provider echoes inside an appointment). */
export interface PatientDetails {
  name: string;
  dob?: string; // YYYY-MM-DD
  phone: string; // E.164
  email?: string;
  gender?: Gender | string;
  nationalId?: string;
}

export interface AppointmentType {
  id: string;
  name: string;
  durationMinutes?: number;
}

export interface Calendar {
  id: string;
  name: string;
  timezone?: string;
  appointmentTypes: AppointmentType[];
}

export interface Slot {
  start: string; // ISO with offset
  end?: string;
}

/** The provider's patient record (`GET /patient`). */
export interface ProviderPatient {
  patientId: string;
  name?: string;
  email?: string;
  phone?: string;
  dob?: string;
  nationalId?: string;
}

/** The provider's appointment object, normalized (canonical status, string ids). */
export interface ProviderAppointment {
  appointmentId: string;
  status: AppointmentStatus;
  start: string;
  end?: string;
  calendarId: string;
  appointmentTypeId: string;
  patientId?: string;
  temporaryPatientId?: string;
  patient: PatientDetails;
  queueNumber?: string;
  updatedAt?: string;
}

export type AppointmentSource = 'bot' | 'staff' | 'walk-in';

/** Our mirror of an appointment, per facility: enough to list, remind and broadcast without the provider. */
export interface Appointment extends ProviderAppointment {
  facilityId: string;
  contactId?: string;
  source?: AppointmentSource;
  /** ids this appointment had before a reschedule answered with a new id */
  previousIds?: string[];
  /** occurredAt of the last provider event applied (out-of-order guard) */
  lastEventAt?: string;
  /** CONFIRMED kept on our side because the provider has no confirm endpoint */
  confirmedLocally?: boolean;
  /** the patient was already told about this appointment's creation */
  creationNoticeSent?: boolean;
  /** our patient record this appointment belongs to */
  patientRef?: string;
  /** the contact that made it in chat: it may see and change it whatever it has verified */
  bookedBy?: string;
  /** ids of the reminder jobs planned for the current start */
  reminderJobIds?: string[];
}

/** Who a patient is to a contact that acts for them. */
export type Relationship = 'self' | 'child' | 'parent' | 'spouse' | 'other';
export const RELATIONSHIPS: readonly Relationship[] = ['self', 'child', 'parent', 'spouse', 'other'];

/**
 * How a contact came to act for a patient. Only a `verified` link reveals or changes the patient's
 * records beyond what the contact itself booked in chat: it rests on a phone the contact proved (an
 * SMS from it, a one-time code sent to it) or on staff. A claimed link (`verified: false`) records
 * what a chat user said, and covers only the appointments that contact made.
 */
export interface PatientLink {
  contactId: string;
  relationship: Relationship;
  verified: boolean;
  how: 'booked_in_chat' | 'verified_phone' | 'staff' | 'migration' | 'desk';
  since: string;
  /** when this contact consented to the processing of this patient's data (per patient) */
  consentAt?: string;
}

/** A person the hospital knows (or will: a temporary id), per facility. Never a chat identity. */
export interface Patient {
  /** ours (uuid); the provider's ids are `patientId` / `temporaryPatientIds` */
  id: string;
  facilityId: string;
  patientId?: string;
  temporaryPatientIds?: string[];
  name?: string;
  dob?: string;
  gender?: string;
  nationalId?: string;
  email?: string;
  /** phones written on this patient's bookings (E.164): whom to tell, never who the patient is */
  phones?: string[];
  links: PatientLink[];
  createdAt: string;
  updatedAt: string;
}

export interface ChannelAddress {
  channel: Exclude<ChannelName, 'dev'> | 'dev';
  userId: string; // PSID, Viber user id, E.164 phone, dev id
}

/**
 * The state a channel keeps on a contact (`contact.channels[name]`): the address there, when the contact last
 * wrote, and the platform's own word on whether we may write. Only the channel's module writes it (`learn`).
 */
export interface ChannelState {
  /** PSID, Viber user id, E.164 phone, WhatsApp id (wa_id) */
  userId: string;
  lastInboundAt?: string;
  /** Viber: the user subscribed to the bot (a message or a `subscribed` event); unset where the platform has no such rule */
  subscribed?: boolean;
  /** SMS STOP, or a platform's "this user blocked you": nothing but an opt-in may go there */
  optedOut?: boolean;
}

/** A person we talk to, per facility. One contact may be reachable on several channels. */
export interface Contact {
  id: string;
  facilityId: string;
  createdAt: string;
  updatedAt: string;
  name?: string;
  dob?: string;
  phone?: string; // E.164
  gender?: string;
  nationalId?: string;
  email?: string;
  consentAt?: string;
  locale?: LocaleCode;
  /**
   * `phone` proved by this contact: an SMS from it, or a one-time code sent to it and typed back.
   * Unset, `phone` is only what the contact typed (a claim).
   */
  phoneVerifiedAt?: string;
  phoneVerifiedBy?: typeof PHONE_CHANNEL | 'code' | 'staff';
  /** per channel: its address there and its rules' state, written only by that channel's module */
  channels?: Partial<Record<ChannelName, ChannelState>>;
  lastChannel?: ChannelName;
}
