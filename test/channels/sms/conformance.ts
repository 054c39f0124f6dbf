import type { ChannelConformance } from '../conformance-fixture.js';
import { SMS_INBOUND_PATH } from '../../../channels/sms/inbound.js';
import { fakeTwilio } from './fake-twilio.js';
import { facility, json, params, PUBLIC_BASE, twilioRequest } from './helpers.js';

/** the sender of fixtures/incoming-sms.json (Twilio's incoming-message webhook parameters) */
const PHONE = '+639171234567';
const SMS_URL = `${PUBLIC_BASE}${SMS_INBOUND_PATH}`;
const now = new Date('2025-03-03T10:00:00Z');
const form = (raw: Buffer): Record<string, string> => Object.fromEntries(new URLSearchParams(raw.toString('utf8')));

/** a signed form with our number (To) but no message in it: Twilio's signature covers the form, so only a body naming one of our numbers can be authenticated at all */
const { MessageSid: _m, SmsSid: _s, SmsMessageSid: _sm, From: _f, Body: _b, ...noMessage } = params('incoming-sms');

export const conformance: ChannelConformance = {
  name: 'sms',
  // the fake Twilio API
  extraFiles: ['fake-twilio.ts'],
  facility: facility('st-lukes'),
  inboundPath: SMS_INBOUND_PATH,
  signatureHeader: 'x-twilio-signature',
  signedRequest: () => twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL }),
  tamperedRequest: () => {
    const signed = twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL });
    return { ...signed, rawBody: Buffer.from(new URLSearchParams(params('incoming-sms', { Body: 'Hello!' })).toString()) };
  },
  sign: (raw) => ({ ...twilioRequest(form(raw), { publicUrl: SMS_URL }), rawBody: raw }),
  malformedBody: Buffer.from(new URLSearchParams(noMessage).toString()),
  expectedMessages: [{ id: 'SM1f0e8ae6ade43cb3c0ce4525424e404f', facilityId: 'st-lukes', channel: 'sms', channelUserId: PHONE, phone: PHONE, kind: 'message', text: 'Hello' }],
  startFake: () => fakeTwilio((_r, n) => ({ status: 201, body: { ...(json('message-created') as object), sid: `SM${String(n).padStart(32, '0')}` } })),
  now,
  contactInWindow: {
    id: 'c1',
    facilityId: 'st-lukes',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    channels: { sms: { userId: PHONE, optedOut: false, lastInboundAt: new Date(now.getTime() - 3600_000).toISOString() } },
  },
  optOut: { reason: 'opted_out' },
};
