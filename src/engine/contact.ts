import type { Contact } from '../core/domain.js';
import type { InboundMessage } from '../core/messages.js';
import type { Store } from '../store/types.js';
import type { FlowContact, FlowEmitted } from './flow.js';

type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/** the contact of an inbound message's sender, created on first contact */
export function ensureSender(store: Store, msg: InboundMessage): Promise<Contact> {
  return store.contacts.ensureForChannelUser(msg.facilityId, msg.channel, msg.channelUserId, msg.channel === 'sms' ? { phone: msg.channelUserId } : {});
}

/** records that the sender wrote in: when, on which channel, at which address, and what the channel tells us */
export function touchSender(store: Store, contactId: string, msg: InboundMessage, at: string): Promise<Contact> {
  return store.contacts.update(msg.facilityId, contactId, (c) => {
    const next: Contact = { ...c, lastChannel: msg.channel };
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
        next.phone = c.phone ?? msg.channelUserId;
        break;
      case 'dev':
        next.dev = { ...c.dev, userId: msg.channelUserId, lastInboundAt: at };
        break;
    }
    return next;
  });
}

/** what the flow knows of a contact */
export function toFlowContact(c: Contact, channel: FlowContact['channel']): FlowContact {
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
    patientId: c.patientId,
    temporaryPatientId: c.temporaryPatientIds?.at(-1),
    locale: c.locale,
  };
}

/** folds a flow's contact.patch into the stored contact (temporary ids accumulate; consent becomes a time) */
export function applyContactPatch(c: Contact, patch: ContactPatch, at: string): Contact {
  const { temporaryPatientId, consent, ...fields } = patch;
  const next: Contact = { ...c };
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  if (temporaryPatientId && !(c.temporaryPatientIds ?? []).includes(temporaryPatientId)) {
    next.temporaryPatientIds = [...(c.temporaryPatientIds ?? []), temporaryPatientId];
  }
  if (consent === true && !c.consentAt) next.consentAt = at;
  if (consent === false) delete next.consentAt;
  return next;
}
