import { readFileSync } from 'node:fs';
import i18next, { type i18n, type Resource } from 'i18next';
import { DateTime } from 'luxon';
import type { LocaleCode, Reply } from '../core/index.js';
import { LOCALES } from '../core/index.js';
import type { CardValue, MessageDescriptor } from '../../flows/protocol.js';

/** Intl locale used for dates and times per conversation language. */
export const INTL_LOCALE: Record<LocaleCode, string> = { en: 'en-PH', fil: 'fil-PH', id: 'id-ID' };

export type LocaleResources = Record<string, unknown>;

/** Reads locales/<code>.json for every supported language. */
export function loadLocaleFiles(dir: URL = new URL('../../locales/', import.meta.url)): Record<LocaleCode, LocaleResources> {
  const out = {} as Record<LocaleCode, LocaleResources>;
  for (const l of LOCALES) out[l] = JSON.parse(readFileSync(new URL(`${l}.json`, dir), 'utf8')) as LocaleResources;
  return out;
}

/** A dedicated i18next instance over the locale files (synchronous: resources are in memory). */
export function createI18n(resources: Record<LocaleCode, LocaleResources> = loadLocaleFiles()): i18n {
  const inst = i18next.createInstance();
  const res: Resource = {};
  for (const l of LOCALES) res[l] = { translation: resources[l] as Record<string, string> };
  void inst.init({
    resources: res,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    showSupportNotice: false,
  });
  return inst;
}

let shared: i18n | undefined;
const instance = (): i18n => (shared ??= createI18n());

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const DATETIME_FMT = { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' } as const;
const DATE_FMT = { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' } as const;
const TIME_FMT = { hour: 'numeric', minute: '2-digit' } as const;

function toDateTime(value: string, timezone: string, locale: LocaleCode): DateTime | undefined {
  const dt = ISO_DATE.test(value) ? DateTime.fromISO(value, { zone: timezone }) : DateTime.fromISO(value, { setZone: true }).setZone(timezone);
  return dt.isValid ? dt.setLocale(INTL_LOCALE[locale]) : undefined;
}

export const formatDateTime = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso, timezone, locale)?.toLocaleString(DATETIME_FMT) ?? iso;
export const formatDate = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso, timezone, locale)?.toLocaleString(DATE_FMT) ?? iso;
export const formatTime = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso, timezone, locale)?.toLocaleString(TIME_FMT) ?? iso;
export const formatMonth = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso.length === 7 ? `${iso}-01` : iso, timezone, locale)?.toFormat('LLLL yyyy') ?? iso;

/**
 * Formats params for display: `{ key }` objects are translated; string values are dates by name —
 * `…At` date-time, `…Date` date, `…Time` time, `…Month` month — or by shape (an ISO date-time is a date-time,
 * an ISO date is a date), in the facility's zone and the conversation's locale.
 */
export function formatParams(params: Record<string, unknown> | undefined, locale: LocaleCode, timezone: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value && typeof value === 'object' && 'key' in value && typeof (value as { key: unknown }).key === 'string') {
      const v = value as { key: string; params?: Record<string, unknown> };
      out[name] = t(locale, v.key, formatParams(v.params, locale, timezone));
    } else if (typeof value === 'string' && (ISO_DATE.test(value) || ISO_DATETIME.test(value) || /^\d{4}-\d{2}$/.test(value))) {
      if (name.endsWith('Month')) out[name] = formatMonth(value, locale, timezone);
      else if (name.endsWith('Time')) out[name] = formatTime(value, locale, timezone);
      else if (name.endsWith('Date') || ISO_DATE.test(value)) out[name] = formatDate(value, locale, timezone);
      else out[name] = formatDateTime(value, locale, timezone);
    } else out[name] = value;
  }
  return out;
}

/** Translates one key; a missing key falls back to English (a test keeps all three complete). */
export function t(locale: LocaleCode, key: string, params?: Record<string, unknown>): string {
  return instance().t(key, { ...(params ?? {}), lng: locale });
}

export function hasKey(locale: LocaleCode, key: string): boolean {
  return instance().exists(key, { lng: locale, fallbackLng: false });
}

function cardValue(value: CardValue, locale: LocaleCode, timezone: string): string {
  if (typeof value === 'string') return value;
  if ('datetime' in value) return formatDateTime(value.datetime, locale, timezone);
  return formatDate(value.date, locale, timezone);
}

/** A flow's message → the channel-neutral Reply, in the given language and the facility's zone. */
export function renderReply(message: MessageDescriptor, locale: LocaleCode, timezone: string): Reply {
  const body = t(locale, message.key, formatParams(message.params, locale, timezone));
  const reply: Reply = { text: message.lead ? `${t(locale, message.lead.key, formatParams(message.lead.params, locale, timezone))}\n${body}` : body };
  if (message.choices?.length) {
    reply.choices = message.choices.map((c) => ({ id: c.id, label: t(locale, c.key, formatParams(c.params, locale, timezone)) }));
  }
  if (message.card) {
    reply.card = {
      title: t(locale, message.card.titleKey),
      rows: message.card.rows.map((r) => ({ label: t(locale, r.labelKey), value: cardValue(r.value, locale, timezone) })),
    };
  }
  return reply;
}
