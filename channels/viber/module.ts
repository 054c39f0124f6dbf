import Bottleneck from 'bottleneck';
import type { ChannelModule } from '../../src/core/channel.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { createViberInbound } from './inbound.js';
import { learnViber } from './learn.js';
import { previewViberReply } from './render.js';
import { isBotInitiated } from './rules.js';
import { createViberSender } from './send.js';
import { viberSetupPlan } from './setup.js';
import { VIBER_STATUS } from './types.js';

export const VIBER_BODY_LIMIT = 256 * 1024;
export const VIBER_PATH = '/webhooks/viber/:facilityId';

export const viber: ChannelModule<FacilityConfig> = {
  name: 'viber',
  apiKey: 'viber',
  routePaths: [VIBER_PATH],
  reachRank: 20,
  replyStyle: 'tap',
  configured: (f) => !!f.channels.viber,
  greetsInWebhook: true,
  learn: learnViber,
  optedOut: (outcome) => outcome.status === 'failed' && outcome.code === String(VIBER_STATUS.receiverNotSubscribed),
  botInitiated: isBotInitiated,
  // the sender name is the facility's Viber name, as every send shows it
  preview: (reply, f) => previewViberReply(reply, f.channels.viber ?? { name: f.name }),
  setup(f, publicUrl, apiBase) {
    const plan = viberSetupPlan(f, publicUrl, apiBase);
    return { calls: plan ? [{ description: 'Viber set_webhook', ...plan }] : [] };
  },
  create(ctx) {
    const limiter = new Bottleneck({ minTime: Math.ceil(1000 / ctx.perSecond), maxConcurrent: 8 });
    const inbound = createViberInbound(ctx.facilities, { welcomeText: (id, hint) => ctx.text(id, 'welcome.viber', hint) });
    return {
      sender: createViberSender({ apiBase: ctx.apiBase, facilities: ctx.facilities, limiter, logger: ctx.logger }),
      routes: [{ method: 'POST', path: VIBER_PATH, inbound, maxBytes: VIBER_BODY_LIMIT }],
    };
  },
};
