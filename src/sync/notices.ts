import { PHONE_CHANNEL, type Appointment, type ChannelName, type Contact, type LocaleCode } from '../core/domain.js';
import type { OutboundMessage, Reply, SendPurpose } from '../core/messages.js';
import type { FacilityConfig } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { VisitKnowledge } from '../core/knowledge.js';
import { reminderDetails } from './knowledge.js';

/** What the i18n layer renders: a key, its params, choices by key. Same shape the flows emit. */
export interface NoticeDescriptor {
  key: string;
  params?: Record<string, unknown>;
  choices?: { id: string; key: string; params?: Record<string, unknown> }[];
  /** a first line naming whom it is about ("For Ana:") */
  lead?: { key: string; params?: Record<string, unknown> };
  /** the choices are a 0–10 scale (./workflows/survey.ts) */
  scale?: boolean;
}

export type NoticeKind = 'created' | 'rescheduled' | 'canceled' | 'confirmed' | 'checkedIn' | 'noShow' | 'reminder';

/** Choice ids the conversation flows understand (reminder answers and "book again"). */
export const CHOICE = {
  confirm: (id: string) => `rem:confirm:${id}`,
  reschedule: (id: string) => `rem:reschedule:${id}`,
  cancel: (id: string) => `rem:cancel:${id}`,
  book: 'menu:book',
} as const;

/** `knowledge`: the facility's config, for a reminder's lines about the visit (./knowledge.ts) */
export function describeNotice(kind: NoticeKind, appt: Appointment, calendarName: string | undefined, clinic: string, person?: string, knowledge?: VisitKnowledge): NoticeDescriptor {
  const d = describe(kind, appt, calendarName, clinic, knowledge);
  return person ? { ...d, lead: { key: 'person.about', params: { person } } } : d;
}

function describe(kind: NoticeKind, appt: Appointment, calendarName: string | undefined, clinic: string, knowledge: VisitKnowledge | undefined): NoticeDescriptor {
  const params = { clinic, startAt: appt.start, doctor: calendarName ?? '', reference: appt.appointmentId, queueNumber: appt.queueNumber ?? '' };
  switch (kind) {
    case 'reminder':
      return {
        key: 'notice.reminder',
        params: { ...params, details: reminderDetails(knowledge, appt) },
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

/**
 * The address a push goes to: the channel the patient last used, else the first channel (in the registry's
 * reach order) where the contact has an address; on the phone channel a typed phone is where this contact
 * asked to be reached about its own bookings.
 */
export function pickAddress(contact: Contact, reachOrder: readonly ChannelName[] = []): { channel: ChannelName; userId: string } | undefined {
  const known = Object.keys(contact.channels ?? {}) as ChannelName[];
  const candidates = new Set<ChannelName>([...(contact.lastChannel ? [contact.lastChannel] : []), ...reachOrder, ...known, PHONE_CHANNEL]);
  for (const ch of candidates) {
    const userId = contact.channels?.[ch]?.userId ?? (ch === PHONE_CHANNEL ? contact.phone : undefined);
    if (userId) return { channel: ch, userId };
  }
  return undefined;
}

export type RenderReply = (d: NoticeDescriptor, locale: LocaleCode, timezone: string, overrides?: FacilityConfig['messages']) => Reply;

/** Builds the outbox message for a notice; undefined when the contact has no address at all. */
export function noticeMessage(opts: {
  id: string;
  facility: FacilityConfig;
  contact: Contact;
  purpose: SendPurpose;
  descriptor: NoticeDescriptor;
  appointmentId: string;
  render: RenderReply;
  reachOrder?: readonly ChannelName[];
}): OutboundMessage | undefined {
  const to = pickAddress(opts.contact, opts.reachOrder);
  if (!to) return undefined;
  const locale = opts.contact.locale ?? (opts.facility.locale as LocaleCode);
  return {
    id: opts.id,
    facilityId: opts.facility.id,
    channel: to.channel,
    channelUserId: to.userId,
    purpose: opts.purpose,
    locale,
    reply: opts.render(opts.descriptor, locale, opts.facility.timezone, opts.facility.messages),
    contactId: opts.contact.id,
    appointmentId: opts.appointmentId,
  };
}

/**
 * A push to a patient: the choices it offers are remembered for the conversation (an SMS answer "1" picks
 * the first), then the outbox takes it. Sync's one way out; it never calls the engine.
 */
/** `until`: its choices are answerable until then (a survey's expiry) */
export async function pushNotice(deps: { store: Pick<Store, 'pushedChoices'>; now(): number; send(msg: OutboundMessage): Promise<unknown> }, msg: OutboundMessage, until?: string): Promise<unknown> {
  if (msg.contactId && msg.reply.choices?.length) await deps.store.pushedChoices.remember(msg.facilityId, msg.contactId, msg.reply.choices, new Date(deps.now()).toISOString(), until);
  return deps.send(msg);
}
