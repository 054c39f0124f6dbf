import { localeFromHint, type Contact, type Patient } from '../core/domain.js';
import type { InboundMessage } from '../core/messages.js';
import type { Store } from '../store/types.js';
import type { FlowContact, FlowEmitted, FlowPerson } from './flow.js';

type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/** the contact of an inbound message's sender, created on first contact */
export function ensureSender(store: Store, msg: InboundMessage): Promise<Contact> {
  return store.contacts.ensureForChannelUser(msg.facilityId, msg.channel, msg.channelUserId, msg.channel === 'sms' ? { phone: msg.channelUserId } : {});
}

/** records that the sender wrote in: when, on which channel, at which address, and what the channel tells us */
export function touchSender(store: Store, contactId: string, msg: InboundMessage, at: string): Promise<Contact> {
  return store.contacts.update(msg.facilityId, contactId, (c) => {
    const next: Contact = { ...c, lastChannel: msg.channel };
    // the language the patient's app runs in (Viber tells it) answers them until they choose one
    const hinted = c.locale ? undefined : localeFromHint(msg.localeHint);
    if (hinted) next.locale = hinted;
    switch (msg.channel) {
      case 'messenger':
        next.messenger = { ...c.messenger, psid: msg.channelUserId, lastInboundAt: at };
        break;
      case 'viber':
        // a Viber user who writes to the bot is subscribed to it; an explicit unsubscribe arrives as its own event
        // writing to the bot subscribes a Viber user; conversation_started does not, and neither
        // it nor an unsubscribe opens a session for bot messages
        next.viber = {
          ...c.viber,
          userId: msg.channelUserId,
          subscribed: msg.kind === 'unsubscribed' ? false : msg.kind === 'start' ? (c.viber?.subscribed ?? false) : true,
          ...(msg.kind === 'unsubscribed' || msg.kind === 'start' ? {} : { lastInboundAt: at }),
        };
        break;
      case 'sms':
        next.sms = {
          ...c.sms,
          phone: msg.channelUserId,
          optedOut: msg.kind === 'opt_out' ? true : msg.kind === 'opt_in' ? false : (c.sms?.optedOut ?? false),
          lastInboundAt: at,
        };
        // a text from the number proves it
        if (!c.phoneVerifiedAt || c.phone === msg.channelUserId) {
          next.phone = msg.channelUserId;
          next.phoneVerifiedAt = c.phoneVerifiedAt ?? at;
          next.phoneVerifiedBy = c.phoneVerifiedBy ?? 'sms';
        }
        break;
      case 'dev':
        next.dev = { ...c.dev, userId: msg.channelUserId, lastInboundAt: at };
        break;
    }
    return next;
  });
}

/** what the flow knows of a contact: its own details, and the people it may book for */
export function toFlowContact(c: Contact, channel: FlowContact['channel'], patients: Patient[] = []): FlowContact {
  const linkOf = (p: Patient) => p.links.find((l) => l.contactId === c.id)!;
  const self = patients.find((p) => linkOf(p).relationship === 'self');
  const selfVerified = self && linkOf(self).verified;
  return {
    id: c.id,
    channel,
    name: c.name,
    dob: c.dob,
    phone: c.phone,
    gender: c.gender,
    nationalId: c.nationalId,
    email: c.email,
    consent: c.consentAt ? true : undefined,
    phoneVerified: !!c.phoneVerifiedAt,
    ...(self ? { selfRef: self.id } : {}),
    ...(selfVerified && self.patientId ? { patientId: self.patientId } : {}),
    people: patients.map((p) => toFlowPerson(p, linkOf(p))),
    locale: c.locale,
  };
}

/** a claimed link shows only the name; a verified one the details the hospital holds */
function toFlowPerson(p: Patient, link: Patient['links'][number]): FlowPerson {
  return {
    ref: p.id,
    name: p.name ?? '',
    relationship: link.relationship,
    verified: link.verified,
    ...(link.consentAt ? { consent: true } : {}),
    ...(link.verified ? { ...(p.patientId ? { patientId: p.patientId } : {}), ...(p.temporaryPatientIds?.length ? { temporaryPatientIds: p.temporaryPatientIds } : {}), ...(p.dob ? { dob: p.dob } : {}), ...(p.gender ? { gender: p.gender } : {}) } : {}),
  };
}

/** folds a flow's contact.patch into the stored contact (consent becomes a time; a new phone is unproved) */
export function applyContactPatch(c: Contact, patch: ContactPatch, at: string): Contact {
  const { consent, phoneVerified: _ignored, people: _people, selfRef: _self, patientId: _pid, ...fields } = patch;
  const next: Contact = { ...c };
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  if (fields.phone && fields.phone !== c.phone) {
    delete next.phoneVerifiedAt;
    delete next.phoneVerifiedBy;
  }
  if (consent === true && !c.consentAt) next.consentAt = at;
  if (consent === false) delete next.consentAt;
  return next;
}
