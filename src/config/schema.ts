import { Temporal } from './temporal.js';
import { z } from 'zod';

const isoDuration = z.string().refine((s) => Temporal.isDuration(s), { message: 'must be an ISO 8601 duration such as P1D or PT2H' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');
const timezone = z.string().refine((tz) => Temporal.isZone(tz), { message: 'must be an IANA time zone such as Asia/Manila' });
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +639171234567');

export const messengerConfig = z.object({
  pageId: z.string().min(1),
  pageAccessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  utilityTemplates: z
    .object({ reminder: z.string().min(1).optional(), update: z.string().min(1).optional(), language: z.string().optional() })
    .optional(),
});

export const viberConfig = z.object({
  authToken: z.string().min(1),
  name: z.string().min(1).max(28, 'Viber sender names are at most 28 characters'),
  avatar: z.string().url().optional(),
});

export const smsConfig = z.object({
  accountSid: z.string().min(1),
  authToken: z.string().min(1),
  from: e164,
});

export const providerConfig = z.object({
  /** the provider's base URL, or "sandbox" for the sandbox provider mounted in this server */
  baseUrl: z.union([z.literal('sandbox'), z.string().url()]),
  userId: z.string().min(1),
  apiKey: z.string().min(1),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>'),
  timeoutMs: z.number().int().positive().default(8000),
  /** appointment type used for a calendar the provider lists without any */
  defaultAppointmentType: z.object({ id: z.string(), name: z.string(), durationMinutes: z.number().int().positive().optional() }).optional(),
});

export const facilityConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1),
  timezone,
  locale: z.enum(['en', 'fil', 'id']).default('en'),
  /** ISO 3166 country for phone numbers typed without a country code */
  country: z.string().length(2).default('PH'),
  rescheduleCutoffHours: z.number().nonnegative().default(24),
  reminders: z.array(isoDuration).default(['P1D', 'PT2H']),
  quietHours: z.object({ from: hhmm, to: hhmm }).optional(),
  /** minutes of silence after which a conversation starts over */
  idleResetMinutes: z.number().int().positive().default(60),
  askNationalId: z.boolean().default(false),
  staffContact: z.string().optional(),
  privacyNoticeUrl: z.string().url().optional(),
  calendarSyncMinutes: z.number().int().positive().default(60),
  provider: providerConfig,
  channels: z
    .object({ messenger: messengerConfig.optional(), viber: viberConfig.optional(), sms: smsConfig.optional() })
    .default({}),
});

export const configSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(3000),
    host: z.string().default('0.0.0.0'),
    publicUrl: z.string().url().optional(),
    store: z
      .string()
      .regex(/^(sqlite:|redis:\/\/|rediss:\/\/|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite:, redis:// or postgres://')
      .default('sqlite:./data/frontdesk.sqlite'),
    redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    staffTokens: z.array(z.string().min(16, 'staff tokens must be at least 16 characters')).default([]),
    dev: z.boolean().default(false),
    sandbox: z.boolean().default(false),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    platformApis: z
      .object({
        messenger: z.string().url().default('https://graph.facebook.com/v25.0'),
        viber: z.string().url().default('https://chatapi.viber.com/pa'),
        twilio: z.string().url().default('https://api.twilio.com'),
      })
      .default({ messenger: 'https://graph.facebook.com/v25.0', viber: 'https://chatapi.viber.com/pa', twilio: 'https://api.twilio.com' }),
    /** outbound messages per second per channel (Twilio long codes allow about 1 MPS; raise it for short codes or Messaging Services) */
    rateLimits: z
      .object({ messenger: z.number().positive().default(40), viber: z.number().positive().default(40), sms: z.number().positive().default(10) })
      .default({ messenger: 40, viber: 40, sms: 10 }),
    facilities: z.array(facilityConfig).min(1, 'at least one facility is required'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.facilities.forEach((f, i) => {
      if (seen.has(f.id)) ctx.addIssue({ code: 'custom', path: ['facilities', i, 'id'], message: `duplicate facility id "${f.id}"` });
      seen.add(f.id);
    });
    const pages = new Set<string>();
    const numbers = new Set<string>();
    cfg.facilities.forEach((f, i) => {
      const page = f.channels.messenger?.pageId;
      if (page && pages.has(page)) ctx.addIssue({ code: 'custom', path: ['facilities', i, 'channels', 'messenger', 'pageId'], message: 'page served by two facilities' });
      if (page) pages.add(page);
      const from = f.channels.sms?.from;
      if (from && numbers.has(from)) ctx.addIssue({ code: 'custom', path: ['facilities', i, 'channels', 'sms', 'from'], message: 'number served by two facilities' });
      if (from) numbers.add(from);
    });
    cfg.facilities.forEach((f, i) => {
      if (f.provider.baseUrl === 'sandbox' && !cfg.sandbox) {
        ctx.addIssue({ code: 'custom', path: ['facilities', i, 'provider', 'baseUrl'], message: '"sandbox" needs "sandbox": true (the sandbox provider mounted in this server)' });
      }
    });
    const usesSms = cfg.facilities.some((f) => f.channels.sms);
    if (usesSms && !cfg.publicUrl) ctx.addIssue({ code: 'custom', path: ['publicUrl'], message: 'required when SMS is configured (Twilio signs publicUrl + path)' });
  });

export type Config = z.infer<typeof configSchema>;
export type FacilityConfig = z.infer<typeof facilityConfig>;
export type ConfigInput = z.input<typeof configSchema>;
