import Bottleneck from 'bottleneck';
import type { ChannelModule } from '../../src/core/channel.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { createWhatsAppInbound } from './inbound.js';
import { learnWhatsApp, whatsappOptedOut } from './learn.js';
import { previewReply } from './render.js';
import { createWhatsAppSender } from './send.js';
import { WEBHOOK_PATH, whatsappSetupPlan } from './setup.js';
import { handshake } from './verify.js';

export const WHATSAPP_PATH = WEBHOOK_PATH;

/**
 * The most a webhook delivery may be, read before anything else: Meta's WhatsApp webhooks documentation says
 * "Webhooks payloads can be up to 3MB" (a batch of messages and statuses). A larger body is refused (413) unread.
 */
export const WHATSAPP_BODY_LIMIT = 3 * 1024 * 1024;

/**
 * The WhatsApp Cloud API channel: one callback URL for every business number (`metadata.phone_number_id` names
 * the facility), a 24-hour customer service window with utility templates behind it, and `+<wa_id>` addresses
 * (the same E.164 string the SMS channel and a verified phone use).
 */
export const whatsapp: ChannelModule<FacilityConfig> = {
  name: 'whatsapp',
  apiKey: 'whatsapp',
  routePaths: [WHATSAPP_PATH],
  addressIsPhone: true,
  reachRank: 15,
  replyStyle: 'tap',
  configured: (f) => !!f.channels.whatsapp,
  learn: learnWhatsApp,
  optedOut: whatsappOptedOut,
  preview: (reply) => previewReply(reply),
  setup(f, publicUrl, apiBase) {
    const plan = whatsappSetupPlan(f, publicUrl, apiBase);
    return { calls: plan?.requests ?? [], manual: plan?.manual ?? [] };
  },
  create(ctx) {
    const tokens = ctx.facilities.flatMap((f) => (f.channels.whatsapp ? [f.channels.whatsapp.verifyToken] : []));
    const limiter = new Bottleneck({ minTime: Math.ceil(1000 / ctx.perSecond), maxConcurrent: 8 });
    return {
      sender: createWhatsAppSender({ apiBase: ctx.apiBase, facilities: ctx.facilities, limiter }),
      routes: [
        { method: 'GET', path: WHATSAPP_PATH, handshake: (q) => handshake(q, tokens) },
        { method: 'POST', path: WHATSAPP_PATH, inbound: createWhatsAppInbound(ctx.facilities), maxBytes: WHATSAPP_BODY_LIMIT },
      ],
    };
  },
};
