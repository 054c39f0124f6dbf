import type { ChannelConformance } from '../conformance-fixture.js';
import { signViberBody } from '../../../channels/viber/verify.js';
import { fakeViber } from './fake-viber.js';
import { facility, fixture, TOKEN, viberRequest } from './helpers.js';

/** the user of Viber's callback examples (fixtures/message-text.json) */
const USER = '01234567890A=';
const now = new Date('2025-03-03T10:00:00Z');

export const conformance: ChannelConformance = {
  name: 'viber',
  // the fake REST API, and the set_webhook plan
  extraFiles: ['fake-viber.ts', 'setup.test.ts'],
  facility: facility('st-lukes'),
  inboundPath: '/webhooks/viber/:facilityId',
  routeFacilityId: 'st-lukes',
  signatureHeader: 'x-viber-content-signature',
  signedRequest: () => viberRequest(fixture('message-text')),
  tamperedRequest: () => {
    const raw = fixture('message-text');
    return viberRequest(Buffer.from(raw.toString('utf8').replace('a message to the service', 'a message to the servicE')), signViberBody(raw, TOKEN));
  },
  sign: (raw) => viberRequest(raw),
  malformedBody: Buffer.from('{"event":"message","timestamp":'),
  expectedMessages: [{ id: '4912661846655238145', facilityId: 'st-lukes', channel: 'viber', channelUserId: USER, kind: 'message', text: 'a message to the service' }],
  // message_token is a 64-bit integer literal in Viber's JSON
  startFake: () => fakeViber((_r, n) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"status":0,"status_message":"ok","message_token":${5741311803571721000 + n}}` })),
  now,
  contactInWindow: {
    id: 'c1',
    facilityId: 'st-lukes',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    channels: { viber: { userId: USER, subscribed: true, lastInboundAt: new Date(now.getTime() - 3600_000).toISOString() } },
  },
  optOut: {
    reason: 'not_subscribed',
    stillAllowed: { response: 'viberPermission answers a user who wrote within the session even when not subscribed (the flag may lag the write); Viber itself refuses it with status 6 if the user really left' },
  },
};
