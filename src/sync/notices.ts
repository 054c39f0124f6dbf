import type { Appointment, ChannelName, Contact, LocaleCode } from '../core/domain.js';
import type { OutboundMessage, Reply, SendPurpose } from '../core/messages.js';
import type { FacilityConfig } from '../config/schema.js';

/** What the i18n layer renders: a key, its params, choices by key. Same shape the flows emit. */
export interface NoticeDescriptor {
  key: string;
  params?: Record<string, unknown>;
  choices?: { id: string; key: string; params?: Record<string, unknown> }[];
  /** a first line naming whom it is about ("For Ana:") */
  lead?: { key: string; params?: Record<string, unknown> };
}

export type NoticeKind = 'created' | 'rescheduled' | 'canceled' | 'confirmed' | 'checkedIn' | 'noShow' | 'reminder';

/** Choice ids the conversation flows understand (reminder answers and "book again"). */
export const CHOICE = {
  confirm: (id: string) => `rem:confirm:${id}`,
  reschedule: (id: string) => `rem:reschedule:${id}`,
  cancel: (id: string) => `rem:cancel:${id}`,
  book: 'menu:book',
} as const;

export function describeNotice(kind: NoticeKind, appt: Appointment, calendarName: string | undefined, clinic: string, person?: string): NoticeDescriptor {
  const d = describe(kind, appt, calendarName, clinic);
  return person ? { ...d, lead: { key: 'person.about', params: { person } } } : d;
}

function describe(kind: NoticeKind, appt: Appointment, calendarName: string | undefined, clinic: string): NoticeDescriptor {
  const params = { clinic, startAt: appt.start, doctor: calendarName ?? '', reference: appt.appointmentId, queueNumber: appt.queueNumber ?? '' };
  switch (kind) {
    case 'reminder':
      return {
        key: 'notice.reminder',
        params,
        choices: [
          { id: CHOICE.confirm(appt.appointmentId), key: 'notice.choice.confirm' },
          { id: CHOICE.reschedule(appt.appointmentId), key: 'notice.choice.reschedule' },
          { id: CHOICE.cancel(appt.appointmentId), key: 'notice.choice.cancel' },
        ],
      };
    case 'canceled':
    case 'noShow':
      return { key: `notice.${kind}`, params, choices: [{ id: CHOICE.book, key: 'notice.choice.bookAgain' }] };
    case 'checkedIn':
      return { key: appt.queueNumber ? 'notice.checkedInQueue' : 'notice.checkedIn', params };
    default:
      return { key: `notice.${kind}`, params };
  }
}

const ORDER: ChannelName[] = ['messenger', 'viber', 'sms', 'dev'];

/** The address a push goes to: the channel the patient last used, else any address the contact has. */
export function pickAddress(contact: Contact): { channel: ChannelName; userId: string } | undefined {
  const addressOf = (ch: ChannelName): string | undefined => {
    switch (ch) {
      case 'messenger':
        return contact.messenger?.psid;
      case 'viber':
        return contact.viber?.userId;
      case 'sms':
        // a typed phone is where this contact asked to be reached about its own bookings
        return contact.sms?.phone ?? contact.phone;
      case 'dev':
        return contact.dev?.userId;
    }
  };
  for (const ch of contact.lastChannel ? [contact.lastChannel, ...ORDER] : ORDER) {
    const userId = addressOf(ch);
    if (userId) return { channel: ch, userId };
  }
  return undefined;
}

export type RenderReply = (d: NoticeDescriptor, locale: LocaleCode, timezone: string) => Reply;

/** Builds the outbox message for a notice; undefined when the contact has no address at all. */
export function noticeMessage(opts: {
  id: string;
  facility: FacilityConfig;
  contact: Contact;
  purpose: SendPurpose;
  descriptor: NoticeDescriptor;
  appointmentId: string;
  render: RenderReply;
}): OutboundMessage | undefined {
  const to = pickAddress(opts.contact);
  if (!to) return undefined;
  const locale = opts.contact.locale ?? (opts.facility.locale as LocaleCode);
  return {
    id: opts.id,
    facilityId: opts.facility.id,
    channel: to.channel,
    channelUserId: to.userId,
    purpose: opts.purpose,
    locale,
    reply: opts.render(opts.descriptor, locale, opts.facility.timezone),
    contactId: opts.contact.id,
    appointmentId: opts.appointmentId,
  };
}
