import type { ChannelConformance } from '../conformance-fixture.js';
import { signBody } from '../../../channels/whatsapp/verify.js';
import { fakeWhatsApp } from './fake-whatsapp.js';
import { FACILITIES, NOW, SECRET_1, USER, contact, fixture, hoursAgo, request, signed } from './helpers.js';

export const conformance: ChannelConformance = {
  name: 'whatsapp',
  // the fake Cloud API, and the setup plan (subscribed_apps, webhook)
  extraFiles: ['fake-whatsapp.ts', 'setup.test.ts'],
  facility: FACILITIES[0]!,
  inboundPath: '/webhooks/whatsapp',
  signatureHeader: 'x-hub-signature-256',
  signedRequest: () => signed('text.json'),
  tamperedRequest: () => {
    const raw = fixture('text.json');
    return request(Buffer.from(raw.toString('utf8').replace('another color', 'another colour')), signBody(raw, SECRET_1));
  },
  sign: (raw) => request(raw, signBody(raw, SECRET_1)),
  malformedBody: Buffer.from('{"object":"whatsapp_business_account","entry":['),
  expectedMessages: [
    { id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', facilityId: 'st-lukes', channel: 'whatsapp', channelUserId: USER, kind: 'message', text: 'Does it come in another color?' },
  ],
  startFake: async () => {
    const api = await fakeWhatsApp();
    return {
      url: api.url,
      get requests() {
        return api.hits.map((h) => ({ method: h.method, path: h.path, body: h.body === undefined ? '' : JSON.stringify(h.body) }));
      },
      close: api.close,
    };
  },
  now: NOW,
  contactInWindow: contact({ lastInboundAt: hoursAgo(1) }),
  optOut: { reason: 'opted_out' },
};
