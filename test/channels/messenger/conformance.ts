import type { ChannelConformance } from '../conformance-fixture.js';
import { fakePlatform } from '../../support/fake-platform.js';
import { FACILITIES, fixture, request, SECRET_1, signed } from './helpers.js';
import { signBody } from '../../../channels/messenger/verify.js';

/** the PSID of fixtures/text.json (Meta's `messages` webhook example) */
const PSID = '1254459154682919';
const now = new Date('2025-01-06T10:00:00.000Z');

export const conformance: ChannelConformance = {
  name: 'messenger',
  // Meta's GET hub.challenge handshake, and the page setup plan (subscribed_apps, messenger_profile)
  extraFiles: ['handshake.test.ts', 'setup.test.ts'],
  facility: FACILITIES[0]!,
  inboundPath: '/webhooks/messenger',
  signatureHeader: 'x-hub-signature-256',
  signedRequest: () => signed('text.json'),
  tamperedRequest: () => {
    const raw = fixture('text.json');
    return request(Buffer.from(raw.toString('utf8').replace('hello, world!', 'hello, World!')), signBody(raw, SECRET_1));
  },
  sign: (raw) => request(raw, signBody(raw, SECRET_1)),
  malformedBody: Buffer.from('{"object":"page","entry":['),
  expectedMessages: [{ id: 'm_1457764197618:41d102a3e1ae206a38', facilityId: 'st-lukes', channel: 'messenger', channelUserId: PSID, kind: 'message', text: 'hello, world!' }],
  startFake: () => fakePlatform((_r, n) => ({ status: 200, body: { recipient_id: PSID, message_id: `m_OUT_${n}` } }), '/v25.0'),
  now,
  contactInWindow: {
    id: 'c1',
    facilityId: 'st-lukes',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    channels: { messenger: { userId: PSID, lastInboundAt: new Date(now.getTime() - 3600_000).toISOString() } },
  },
  optOut: { none: 'the Send API reports no opt-out (a blocked page is 551 user_unavailable, a failure, not a lesson): the module reads no outcome as one' },
};
