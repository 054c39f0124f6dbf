import Bottleneck from 'bottleneck';
import type { ChannelModule } from '../../src/core/channel.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { createSmsInbound, createSmsStatusInbound, SMS_INBOUND_PATH, SMS_STATUS_PATH } from './inbound.js';
import { learnSms } from './learn.js';
import { previewSmsReply } from './render.js';
import { createSmsSender } from './send.js';
import { TWILIO_UNSUBSCRIBED_RECIPIENT } from './types.js';

/** Twilio's form posts are small (a 1,600-character body at most) */
export const SMS_BODY_LIMIT = 64 * 1024;
/** Twilio reads any 200; an empty TwiML response says "no auto-reply" */
const TWIML = { type: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' };

export const sms: ChannelModule<FacilityConfig> = {
  name: 'sms',
  apiKey: 'twilio',
  routePaths: [SMS_INBOUND_PATH, SMS_STATUS_PATH],
  reachRank: 30,
  replyStyle: 'number',
  fallbackRank: 1,
  addressIsPhone: true,
  configured: (f) => !!f.channels.sms,
  learn: learnSms,
  preview: (reply) => previewSmsReply(reply),
  optedOut: (outcome) => outcome.status === 'failed' && outcome.code === String(TWILIO_UNSUBSCRIBED_RECIPIENT),
  create(ctx) {
    const limiter = new Bottleneck({ minTime: Math.ceil(1000 / ctx.perSecond), maxConcurrent: 8 });
    const publicUrl = ctx.publicUrl?.replace(/\/+$/, '');
    const sender = createSmsSender({
      apiBase: ctx.apiBase,
      facilities: ctx.facilities,
      limiter,
      ...(publicUrl ? { statusCallbackUrl: `${publicUrl}${SMS_STATUS_PATH}` } : {}),
      logger: ctx.logger,
    });
    return {
      sender,
      routes: [
        { method: 'POST', path: SMS_INBOUND_PATH, inbound: createSmsInbound(ctx.facilities, ctx.now ? { now: ctx.now } : {}), maxBytes: SMS_BODY_LIMIT, ack: TWIML },
        { method: 'POST', path: SMS_STATUS_PATH, label: 'sms-status', inbound: createSmsStatusInbound(ctx.facilities, ctx.now ? { now: ctx.now } : {}), maxBytes: SMS_BODY_LIMIT, ack: TWIML },
      ],
    };
  },
};
