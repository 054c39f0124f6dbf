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
  // Filipino names a person with "kay" and a place or service with "sa": `{{doctor, kay}}`
  inst.services.formatter?.add('kay', (value: unknown) => `${isPersonName(String(value)) ? 'kay' : 'sa'} ${String(value)}`);
  return inst;
}

/**
 * A calendar named for a person (a doctor: "Dr. Ana Cruz", "Dra. Reyes") rather than a service ("Laboratory",
 * "X-ray"). The provider's calendars carry only a name (../shared/provider-contract.md has no kind), so the title says it.
 */
export const isPersonName = (name: string): boolean => /^(dr|dra|doc|doctor|doktor|doktora|prof|atty)(\.\s*|\s+)\S/i.test(name.trim());

/** A facility's own wording: language → dotted locale key → text (config `messages`, checked at load). */
export type MessageOverrides = Partial<Record<LocaleCode, Record<string, string>>>;

let shared: i18n | undefined;
let files: Record<LocaleCode, LocaleResources> | undefined;
// one instance per facility's overrides object (config objects live as long as the process)
const withOverrides = new WeakMap<MessageOverrides, i18n>();

function instance(overrides?: MessageOverrides): i18n {
  if (!overrides || !Object.values(overrides).some((m) => m && Object.keys(m).length > 0)) return (shared ??= createI18n());
  let inst = withOverrides.get(overrides);
  if (!inst) withOverrides.set(overrides, (inst = createI18n(applyOverrides((files ??= loadLocaleFiles()), overrides))));
  return inst;
}

/** The locale resources with a facility's overrides written over them (copies; the files stay as read). */
export function applyOverrides(resources: Record<LocaleCode, LocaleResources>, overrides: MessageOverrides): Record<LocaleCode, LocaleResources> {
  const out = structuredClone(resources);
  for (const l of LOCALES) {
    for (const [key, text] of Object.entries(overrides[l] ?? {})) {
      const parts = key.split('.');
      let node = out[l] as Record<string, unknown>;
      for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
      node[parts.at(-1)!] = text;
    }
  }
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const DATETIME_FMT = { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' } as const;
const DATE_FMT = { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' } as const;
const TIME_FMT = { hour: 'numeric', minute: '2-digit' } as const;
/** a date-time without the year, short enough for a button (Messenger titles: 20 characters) */
const SHORT_FMT = { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' } as const;

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
/** A date of birth, day first and without a weekday, in the conversation's language: 3 April 1985, 3 Abril 1985. */
export const formatBirthDate = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso, timezone, locale)?.toFormat('d MMMM yyyy') ?? iso;
export const formatMonth = (iso: string, locale: LocaleCode, timezone: string): string =>
  toDateTime(iso.length === 7 ? `${iso}-01` : iso, timezone, locale)?.toFormat('LLLL yyyy') ?? iso;

const isMessage = (v: unknown): v is { key: string; params?: Record<string, unknown> } =>
  !!v && typeof v === 'object' && 'key' in v && typeof (v as { key: unknown }).key === 'string';

/**
 * Formats params for display: `{ key }` objects are translated; a list of them renders as lines, each after a
 * line break (an empty list as nothing), for optional lines under a message; string values are dates by name —
 * `…At` date-time, `…Short` date-time without the year (a button's label), `…Date` date (`birthDate` a date of birth), `…Time` time, `…Month` month — or by shape (an ISO date-time is a date-time,
 * an ISO date is a date), in the facility's zone and the conversation's locale.
 */
export function formatParams(params: Record<string, unknown> | undefined, locale: LocaleCode, timezone: string, overrides?: MessageOverrides): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const one = (v: { key: string; params?: Record<string, unknown> }) => t(locale, v.key, formatParams(v.params, locale, timezone, overrides), overrides);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (isMessage(value)) out[name] = one(value);
    else if (Array.isArray(value) && value.every(isMessage)) out[name] = value.map((v) => `\n${one(v)}`).join('');
    else if (typeof value === 'string' && (ISO_DATE.test(value) || ISO_DATETIME.test(value) || /^\d{4}-\d{2}$/.test(value))) {
      if (name === 'birthDate') out[name] = formatBirthDate(value, locale, timezone);
      else if (name.endsWith('Month')) out[name] = formatMonth(value, locale, timezone);
      else if (name.endsWith('Time')) out[name] = formatTime(value, locale, timezone);
      else if (name.endsWith('Short')) out[name] = toDateTime(value, timezone, locale)?.toLocaleString(SHORT_FMT) ?? value;
      else if (name.endsWith('Date') || ISO_DATE.test(value)) out[name] = formatDate(value, locale, timezone);
      else out[name] = formatDateTime(value, locale, timezone);
    } else out[name] = value;
  }
  return out;
}

/** Translates one key; a missing key falls back to English (a test keeps all three complete). */
export function t(locale: LocaleCode, key: string, params?: Record<string, unknown>, overrides?: MessageOverrides): string {
  return instance(overrides).t(key, { ...(params ?? {}), lng: locale });
}

export function hasKey(locale: LocaleCode, key: string): boolean {
  return instance().exists(key, { lng: locale, fallbackLng: false });
}

function cardValue(value: CardValue, locale: LocaleCode, timezone: string): string {
  if (typeof value === 'string') return value;
  if ('datetime' in value) return formatDateTime(value.datetime, locale, timezone);
  if ('birthDate' in value) return formatBirthDate(value.birthDate, locale, timezone);
  if ('key' in value) return t(locale, value.key);
  return formatDate(value.date, locale, timezone);
}

/** A flow's message → the channel-neutral Reply, in the given language and the facility's zone and wording. */
export function renderReply(message: MessageDescriptor, locale: LocaleCode, timezone: string, overrides?: MessageOverrides): Reply {
  const tr = (key: string, params?: Record<string, unknown>) => t(locale, key, formatParams(params, locale, timezone, overrides), overrides);
  const body = tr(message.key, message.params);
  const reply: Reply = { text: message.lead ? `${tr(message.lead.key, message.lead.params)}\n${body}` : body };
  if (message.choices?.length) {
    reply.choices = message.choices.map((c) => ({ id: c.id, label: tr(c.key, c.params) }));
    if (message.scale) reply.scale = true;
  }
  if (message.card) {
    reply.card = {
      title: tr(message.card.titleKey),
      rows: message.card.rows.map((r) => ({ label: tr(r.labelKey), value: cardValue(r.value, locale, timezone) })),
    };
  }
  return reply;
}
