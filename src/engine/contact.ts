import { learnAddress, type ChannelCatalog } from '../core/channel.js';
import { localeFromHint, PHONE_CHANNEL, type Contact, type Patient } from '../core/domain.js';
import type { InboundMessage } from '../core/messages.js';
import type { Store } from '../store/types.js';
import type { FlowContact, FlowEmitted, FlowPerson } from './flow.js';

type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/** the contact of an inbound message's sender, created on first contact */
export function ensureSender(store: Store, msg: InboundMessage): Promise<Contact> {
  return store.contacts.ensureForChannelUser(msg.facilityId, msg.channel, msg.channelUserId, msg.channel === PHONE_CHANNEL ? { phone: msg.channelUserId } : {});
}

/** records that the sender wrote in: when, on which channel, and what the channel learns from it (window, subscription, opt-out) */
export function touchSender(store: Store, contactId: string, msg: InboundMessage, at: string, channels: ChannelCatalog): Promise<Contact> {
  const learn = channels.get(msg.channel)?.learn ?? learnAddress;
  return store.contacts.update(msg.facilityId, contactId, (c) => {
    const next: Contact = { ...c, lastChannel: msg.channel, channels: { ...c.channels, [msg.channel]: learn(c.channels?.[msg.channel], { kind: 'inbound', message: msg, at }) } };
    // the language the patient's app runs in (Viber tells it) answers them until they choose one
    const hinted = c.locale ? undefined : localeFromHint(msg.localeHint);
    if (hinted) next.locale = hinted;
    // a text from the number proves it
    if (msg.channel === PHONE_CHANNEL && (!c.phoneVerifiedAt || c.phone === msg.channelUserId)) {
      next.phone = msg.channelUserId;
      next.phoneVerifiedAt = c.phoneVerifiedAt ?? at;
      next.phoneVerifiedBy = c.phoneVerifiedBy ?? PHONE_CHANNEL;
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
