import { Temporal } from './temporal.js';
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isLoopbackHost } from './checks/urls.js';
import { decodeWebhookSecret, MIN_WEBHOOK_SECRET_BYTES } from './secrets.js';

const isoDuration = z.string().refine((s) => Temporal.isDuration(s), { message: 'must be an ISO 8601 duration such as P1D or PT2H' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');
/** the end of a daily range: HH:mm, or 24:00 for the end of the day */
const hhmmEnd = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:mm (or 24:00)');
const timezone = z.string().refine((tz) => Temporal.isZone(tz), { message: 'must be an IANA time zone such as Asia/Manila' });
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +639171234567');

export const messengerConfig = z.strictObject({
  pageId: z.string().min(1),
  pageAccessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  utilityTemplates: z
    .strictObject({ reminder: z.string().min(1).optional(), update: z.string().min(1).optional(), language: z.string().optional() })
    .optional(),
});

export const viberConfig = z.strictObject({
  authToken: z.string().min(1),
  name: z.string().min(1).max(28, 'Viber sender names are at most 28 characters'),
  avatar: z.string().url().optional(),
});

/** WhatsApp Cloud API: the business phone number, its system-user token, the Meta app's secret and webhook verify token */
export const whatsappConfig = z.strictObject({
  phoneNumberId: z.string().regex(/^\d{5,20}$/, 'must be the numeric phone number id from WhatsApp Manager'),
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  /** approved utility templates, sent outside the 24-hour customer-service window (one body parameter: the message) */
  templates: z
    .strictObject({ reminder: z.string().min(1).optional(), update: z.string().min(1).optional(), language: z.string().min(2).default('en') })
    .optional(),
});

export const smsConfig = z.strictObject({
  accountSid: z.string().min(1),
  authToken: z.string().min(1),
  from: e164,
});

export const providerConfig = z.strictObject({
  /** the provider's base URL, or "sandbox" for the sandbox provider mounted in this server */
  baseUrl: z.union([z.literal('sandbox'), z.string().url()]),
  userId: z.string().min(1),
  apiKey: z.string().min(1),
  webhookSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, { message: 'must look like whsec_<base64>', abort: true })
    .refine((s) => decodeWebhookSecret(s) !== undefined, 'the part after whsec_ is not valid base64'),
  timeoutMs: z.number().int().positive().default(8000),
  /** a provider response body past this many bytes is dropped unread (the call fails as unreadable); default 2 MiB */
  maxResponseBytes: z.number().int().positive().default(2 * 1024 * 1024),
  /** appointment type used for a calendar the provider lists without any */
  defaultAppointmentType: z.strictObject({ id: z.string(), name: z.string(), durationMinutes: z.number().int().positive().optional() }).optional(),
});

/** a number libphonenumber-js calls valid, written in E.164 (+ and digits only) */
const validE164 = z.string().refine(
  (s) => {
    const p = parsePhoneNumberFromString(s);
    return !!p?.isValid() && p.number === s;
  },
  { message: 'must be a valid phone number in E.164 form, such as +639171234567' },
);
const httpsOrLoopback = (s: string): boolean => {
  const url = URL.canParse(s) ? new URL(s) : undefined;
  return url?.protocol === 'https:' || (url?.protocol === 'http:' && isLoopbackHost(url.hostname));
};

/** Staff alerts for a new ticket, outside the console (src/sync/ticket-alerts.ts; README "Configuration"). */
export const staffAlertsConfig = z.strictObject({
  /** staff phones texted on the facility's SMS channel (no patient data in the text) */
  sms: z
    .array(validE164)
    .min(1)
    .max(10)
    .refine((l) => new Set(l).size === l.length, 'the same number is listed twice')
    .optional(),
  /** a POST of `ticket.created` (ids only), signed with Standard Webhooks */
  webhook: z
    .strictObject({
      url: z.string().url().refine(httpsOrLoopback, 'must be an https:// URL (plain http:// only to this machine: 127.0.0.0/8, localhost, [::1])'),
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/=]+$/, { message: 'must look like whsec_<base64>', abort: true })
        .refine((s) => decodeWebhookSecret(s) !== undefined, { message: 'the part after whsec_ is not valid base64', abort: true })
        .refine((s) => (decodeWebhookSecret(s)?.length ?? 0) >= MIN_WEBHOOK_SECRET_BYTES, `too weak: the key after whsec_ must be at least ${MIN_WEBHOOK_SECRET_BYTES} bytes once base64-decoded`),
    })
    .optional(),
  /** a ticket opened outside staffHours: `hold` the alerts until the next opening (default), or `send` at once */
  outsideHours: z.enum(['hold', 'send']).default('hold'),
}).refine((a) => a.sms !== undefined || a.webhook !== undefined, 'alerts need sms numbers, a webhook, or both');

/**
 * SMS alerts go out on the facility's own SMS channel: without one there is nothing to send them with. Runs even
 * when other fields have problems (one pass lists everything), so it reads the values defensively.
 */
function staffAlertsNeedSms(f: { staffAlerts?: { sms?: string[] }; channels?: { sms?: unknown } }, ctx: z.RefinementCtx): void {
  if (Array.isArray(f.staffAlerts?.sms) && f.staffAlerts.sms.length > 0 && !f.channels?.sms) {
    ctx.addIssue({ code: 'custom', path: ['staffAlerts', 'sms'], message: "SMS staff alerts need the facility's sms channel (channels.sms): configure it, or use staffAlerts.webhook" });
  }
}

const text = (max: number) => z.string().trim().min(1).max(max);

/** what the clinic tells patients about itself: summary, confirmation, reminders, "Clinic info" (README "Clinic knowledge and wording") */
export const facilityInfoConfig = z.strictObject({
  address: text(300).optional(),
  mapUrl: z.string().url().optional(),
  /** opening hours as patients should read them, e.g. "Mon–Sat 8:00–17:00" */
  hours: text(200).optional(),
  hotline: text(40).optional(),
  parking: text(300).optional(),
});

/** per provider calendar (a doctor or a service), by calendarId */
export const calendarInfoConfig = z.strictObject({
  specialty: text(80).optional(),
  room: text(80).optional(),
  /** e.g. "Mon, Wed, Fri" */
  clinicDays: text(120).optional(),
});

/** one workflow's switch and timing; `false` turns it off */
const workflowAfter = z.union([z.literal(false), z.strictObject({ after: isoDuration })]);

/** Care workflows (README "Care workflows"). Per facility, each overridable per appointment type. */
export const workflowsConfig = z.strictObject({
  /** asked once, this long before the start; never once the appointment is confirmed */
  attendance: z.union([z.literal(false), z.strictObject({ before: isoDuration })]).optional(),
  /** after a confirmation: address, map, room, what to bring */
  seeYou: z.boolean().optional(),
  /** the reminders of an appointment already confirmed (false: a later reminder only while the earlier one is unanswered) */
  confirmedReminders: z.boolean().optional(),
  /** this long after SHOW */
  followUp: workflowAfter.optional(),
  /** this long after a cancellation or a no-show: the next three open times with the same doctor */
  rebookNudge: workflowAfter.optional(),
  /** this long after SHOW: one 0–10 question and an optional comment */
  survey: z
    .union([
      z.literal(false),
      z.strictObject({
        after: isoDuration,
        /** an answer later than this after the question is not read as a survey answer */
        expiresAfter: isoDuration.default('P2D'),
        /** scores at or below this open a staff ticket */
        lowScore: z.number().int().min(0).max(10).default(6),
      }),
    ])
    .optional(),
});

/** per appointment type, by appointmentTypeId */
export const appointmentTypeInfoConfig = z.strictObject({
  preparation: text(500).optional(),
  bring: text(500).optional(),
  /** minutes before the start the patient should arrive */
  arriveEarlyMinutes: z.number().int().min(0).max(240).optional(),
  workflows: workflowsConfig.optional(),
});

/** message overrides: language → locale key → text; checked against the locale files at load (src/config/checks/messages.ts; README "Clinic knowledge and wording") */
export const messageOverridesConfig = z.partialRecord(z.enum(['en', 'fil', 'id']), z.record(z.string().min(1), z.string().min(1).max(2000)));

export const facilityConfig = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1),
  timezone,
  locale: z.enum(['en', 'fil', 'id']).default('en'),
  /** ISO 3166 country for phone numbers typed without a country code */
  country: z.string().length(2).default('PH'),
  rescheduleCutoffHours: z.number().nonnegative().default(24),
  reminders: z.array(isoDuration).default(['P1D', 'PT2H']),
  quietHours: z.strictObject({ from: hhmm, to: hhmm }).optional(),
  /** minutes of silence after which a conversation starts over */
  idleResetMinutes: z.number().int().positive().default(60),
  askNationalId: z.boolean().default(false),
  staffContact: z.string().optional(),
  /**
   * what a patient who writes an emergency phrase is told to call (README "Red flags"): the facility's own
   * emergency line, and the national numbers (default from `country`: PH 911, ID 112 and 119, SG 995)
   */
  emergency: z
    .strictObject({
      phone: z.string().trim().min(1).max(40).optional(),
      national: z.array(z.string().regex(/^\+?\d[\d -]{0,19}$/, 'must be a phone number such as 911')).min(1).optional(),
    })
    .optional(),
  /** when staff answer handed-off chats (facility time); outside them the handoff says when someone will answer */
  staffHours: z
    .strictObject({ days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5, 6]), from: hhmm.default('08:00'), to: hhmmEnd.default('17:00') })
    .default({ days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '17:00' }),
  /** a handed-off chat nobody from staff took within this many minutes (in staff hours) gets an honest message */
  staffReplyMinutes: z.number().int().positive().default(30),
  /** a new ticket also alerts staff by SMS and/or a signed webhook, within staffHours unless `outsideHours: "send"` */
  staffAlerts: staffAlertsConfig.optional(),
  privacyNoticeUrl: z.string().url().optional(),
  calendarSyncMinutes: z.number().int().positive().default(60),
  info: facilityInfoConfig.optional(),
  calendars: z.record(z.string().min(1), calendarInfoConfig).optional(),
  appointmentTypes: z.record(z.string().min(1), appointmentTypeInfoConfig).optional(),
  workflows: workflowsConfig.optional(),
  messages: messageOverridesConfig.optional(),
  provider: providerConfig,
  channels: z
    .strictObject({ messenger: messengerConfig.optional(), viber: viberConfig.optional(), sms: smsConfig.optional(), whatsapp: whatsappConfig.optional() })
    .default({}),
}).superRefine(staffAlertsNeedSms, { when: (p) => typeof p.value === 'object' && p.value !== null });

export const staffConfig = z.strictObject({
  /** who acts, as the audit log names them */
  name: z.string().trim().min(1).max(100),
  token: z.string().min(1),
  facilities: z.union([z.literal('*'), z.array(z.string().min(1)).min(1, 'a staff token needs at least one facility, or "*"')]),
});

function uniqueStaff(list: { name: string; token: string }[], ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  const tokens = new Set<string>();
  list.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate staff name "${s.name}"` });
    if (tokens.has(s.token)) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: 'the same token is given to two staff entries' });
    names.add(s.name);
    tokens.add(s.token);
  });
}

/** days; the same defaults as DEFAULT_RETENTION in src/store/keys.ts (a test holds them equal) */
const RETENTION_DEFAULTS = {
  conversationsDays: 30,
  turnRecordsDays: 7,
  inboxDays: 7,
  sendRecordsDays: 90,
  finishedJobsDays: 7,
  inactiveContactsDays: 730,
  appointmentsDays: 365,
  auditDays: 730,
  deadLettersDays: 14,
  sweepMinutes: 60,
};
const days = (d: number) => z.number().positive().default(d);
export const retentionConfig = z.strictObject({
  conversationsDays: days(RETENTION_DEFAULTS.conversationsDays),
  turnRecordsDays: days(RETENTION_DEFAULTS.turnRecordsDays),
  inboxDays: days(RETENTION_DEFAULTS.inboxDays),
  sendRecordsDays: days(RETENTION_DEFAULTS.sendRecordsDays),
  finishedJobsDays: days(RETENTION_DEFAULTS.finishedJobsDays),
  inactiveContactsDays: days(RETENTION_DEFAULTS.inactiveContactsDays),
  appointmentsDays: days(RETENTION_DEFAULTS.appointmentsDays),
  auditDays: days(RETENTION_DEFAULTS.auditDays),
  deadLettersDays: days(RETENTION_DEFAULTS.deadLettersDays),
  sweepMinutes: z.number().int().positive().default(RETENTION_DEFAULTS.sweepMinutes),
});

/** The conversation, send and provider-event queues (src/jobs/serial.ts); README "Queues". */
export const QUEUE_DEFAULTS = { concurrency: 4, sendConcurrency: 8, leaseSeconds: 15, attempts: 5, retrySeconds: 1, sendRetrySeconds: 1, maxBacklogSeconds: 120, dedupeDays: 7, ackFirst: true };
export const queueConfig = z.strictObject({
  /** conversation turns run at once by one instance */
  concurrency: z.number().int().positive().default(QUEUE_DEFAULTS.concurrency),
  /** recipients sent to at once by one instance */
  sendConcurrency: z.number().int().positive().default(QUEUE_DEFAULTS.sendConcurrency),
  /** how long a worker holds a conversation without renewing: a dead instance's work resumes elsewhere after it */
  leaseSeconds: z.number().positive().default(QUEUE_DEFAULTS.leaseSeconds),
  /** runs of a turn (or provider event) before it is dead-lettered */
  attempts: z.number().int().positive().default(QUEUE_DEFAULTS.attempts),
  /** first retry delay of a failed turn or provider event, doubling */
  retrySeconds: z.number().positive().default(QUEUE_DEFAULTS.retrySeconds),
  /** first retry delay of a failed send, doubling (the sender already retried at HTTP level) */
  sendRetrySeconds: z.number().positive().default(QUEUE_DEFAULTS.sendRetrySeconds),
  /** /readyz answers 503 while the oldest waiting item of any queue is older than this */
  maxBacklogSeconds: z.number().positive().default(QUEUE_DEFAULTS.maxBacklogSeconds),
  /** while webhooks pile up (4 or more waiting for their answer), the workers take one item at a time and give way */
  ackFirst: z.boolean().default(QUEUE_DEFAULTS.ackFirst),
  /** how long an accepted platform message id / webhook-id is remembered: a redelivery within it is a duplicate */
  dedupeDays: z.number().positive().default(QUEUE_DEFAULTS.dedupeDays),
});

/**
 * The shape of a config file: every object is strict (an unknown key, e.g. a misspelt `quiethours`, is a
 * problem, not silently ignored). Rules across fields (the sandbox, dev, secrets, URLs) are in ./checks.ts:
 * they run on the same input even when this shape fails, so one pass lists every problem.
 */
export const configSchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(3000),
    host: z.string().default('0.0.0.0'),
    publicUrl: z.string().url().optional(),
    trustProxy: z.boolean().default(false),
    store: z
      .string()
      .regex(/^(sqlite:|redis:\/\/|rediss:\/\/|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite:, redis:// or postgres://')
      .default('sqlite:./data/frontdesk.sqlite'),
    redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /** at least 16 characters each: checked with the other secrets in ./checks.ts */
    staffTokens: z.array(z.string().min(1)).default([]),
    /** named staff tokens, each reaching its facilities only ("*": all); `staffTokens` are all-facility tokens named staff-1, staff-2… */
    staff: z.array(staffConfig).default([]).superRefine(uniqueStaff),
    /** how long a staff console sign-in lasts (then the token is asked for again) */
    staffSessionHours: z.number().positive().max(24 * 7).default(8),
    /** a client refused this many staff sign-ins (console or bearer) within the window is refused (429) until it ends */
    staffAuthLimit: z
      .strictObject({ attempts: z.number().int().positive().default(10), windowMinutes: z.number().positive().default(15) })
      .default({ attempts: 10, windowMinutes: 15 }),
    /** when set, GET /metrics needs `Authorization: Bearer <metricsToken>` */
    metricsToken: z.string().min(16, 'the metrics token must be at least 16 characters').optional(),
    /** how long data is kept, in days (README "What is stored"); the sweeper runs every sweepMinutes */
    retention: retentionConfig.default(RETENTION_DEFAULTS),
    queue: queueConfig.default(QUEUE_DEFAULTS),
    dev: z.boolean().default(false),
    sandbox: z.boolean().default(false),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    platformApis: z
      .strictObject({
        messenger: z.string().url().default('https://graph.facebook.com/v25.0'),
        viber: z.string().url().default('https://chatapi.viber.com/pa'),
        twilio: z.string().url().default('https://api.twilio.com'),
        whatsapp: z.string().url().default('https://graph.facebook.com/v25.0'),
      })
      .default({ messenger: 'https://graph.facebook.com/v25.0', viber: 'https://chatapi.viber.com/pa', twilio: 'https://api.twilio.com', whatsapp: 'https://graph.facebook.com/v25.0' }),
    /** outbound messages per second per channel (Twilio long codes allow about 1 MPS; raise it for short codes or Messaging Services) */
    rateLimits: z
      .strictObject({ messenger: z.number().positive().default(40), viber: z.number().positive().default(40), sms: z.number().positive().default(10), whatsapp: z.number().positive().default(80) })
      .default({ messenger: 40, viber: 40, sms: 10, whatsapp: 80 }),
    facilities: z.array(facilityConfig).min(1, 'at least one facility is required'),
  });

export type Config = z.infer<typeof configSchema>;
export type FacilityConfig = z.infer<typeof facilityConfig>;
export type WhatsAppConfig = z.infer<typeof whatsappConfig>;
export type ConfigInput = z.input<typeof configSchema>;
