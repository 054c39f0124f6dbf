import Bottleneck from 'bottleneck';
import type { ChannelModule } from '../../src/core/channel.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { createMessengerInbound } from './inbound.js';
import { learnMessenger } from './learn.js';
import { previewReply } from './render.js';
import { createMessengerSender } from './send.js';
import { messengerSetupPlan } from './setup.js';
import { handshake } from './verify.js';

/** Graph batches up to 1,000 entries; 1 MiB holds them with room to spare. */
export const MESSENGER_BODY_LIMIT = 1024 * 1024;
export const MESSENGER_PATH = '/webhooks/messenger';

export const messenger: ChannelModule<FacilityConfig> = {
  name: 'messenger',
  apiKey: 'messenger',
  routePaths: [MESSENGER_PATH],
  reachRank: 10,
  replyStyle: 'tap',
  keepsSentIds: true,
  configured: (f) => !!f.channels.messenger,
  learn: learnMessenger,
  preview: (reply) => previewReply(reply),
  setup: (f, publicUrl, apiBase) => ({ calls: messengerSetupPlan(f, publicUrl, apiBase) }),
  create(ctx) {
    const sender = createMessengerSender({ apiBase: ctx.apiBase, facilities: ctx.facilities, limiter: new Bottleneck({ minTime: Math.ceil(1000 / ctx.perSecond), maxConcurrent: 8 }) });
    return {
      sender,
      routes: [
        { method: 'GET', path: MESSENGER_PATH, handshake: (q) => handshake(q, ctx.facilities) },
        { method: 'POST', path: MESSENGER_PATH, inbound: createMessengerInbound(ctx.facilities), maxBytes: MESSENGER_BODY_LIMIT, ack: { type: 'text/plain', body: 'EVENT_RECEIVED' } },
      ],
      onTurnStart: (facilityId, psid) => sender.typingWhileSlow(facilityId, psid),
    };
  },
};



