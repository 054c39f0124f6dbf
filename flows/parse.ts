import * as chrono from 'chrono-node';
import { getExampleNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { DateTime } from 'luxon';
import type { LocaleCode } from '../src/core/index.js';
import { normalize } from './intents.js';

export type Parsed<T, E extends string> = { ok: true; value: T } | { ok: false; reason: E };

const DOB_FORMATS = [
  'd/M/yyyy', 'd-M-yyyy', 'd.M.yyyy', 'yyyy-M-d', 'yyyy/M/d',
  'LLL d yyyy', 'LLLL d yyyy', 'd LLL yyyy', 'd LLLL yyyy', 'LLL d, yyyy', 'LLLL d, yyyy', 'd LLLL, yyyy',
];
const MONTH_FIRST = ['M/d/yyyy', 'M-d-yyyy'];
const DATE_LOCALES = ['en', 'fil', 'id'];

/**
 * A date of birth as typed (15/05/1990, May 15 1990, 15 May 1990, 1990-05-15, 15 Mei 1990, Mayo 15 1990)
 * → YYYY-MM-DD. Day-first wins over month-first for numeric dates; month-first is tried only when day-first
 * is impossible (05/15/1990). Future dates and ages over 130 are refused.
 */
export function parseDob(text: string, now: string, timezone: string): Parsed<string, 'invalid' | 'future'> {
  const cleaned = text.trim().replace(/\s+/g, ' ').replace(/(\d)(st|nd|rd|th)\b/gi, '$1');
  let found: DateTime | undefined;
  for (const loc of DATE_LOCALES) {
    for (const f of [...DOB_FORMATS, ...MONTH_FIRST]) {
      const dt = DateTime.fromFormat(cleaned, f, { locale: loc, zone: timezone });
      if (dt.isValid) { found = dt; break; }
    }
    if (found) break;
  }
  if (!found) return { ok: false, reason: 'invalid' };
  const today = DateTime.fromISO(now, { zone: timezone }).startOf('day');
  if (found.startOf('day') > today) return { ok: false, reason: 'future' };
  if (today.diff(found, 'years').years > 130) return { ok: false, reason: 'invalid' };
  return { ok: true, value: found.toISODate()! };
}

/**
 * The two readings of a numeric date of birth whose day and month could be either (03/04/1985: 3 April or
 * 4 March), day-first first, when both are real past dates; undefined when there is only one reading
 * (15/05/1990, 05/05/1990, 1985-04-03, 3 April 1985).
 */
export function ambiguousDob(text: string, now: string, timezone: string): [string, string] | undefined {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim().replace(/\s+/g, ''));
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === b || a > 12 || b > 12) return undefined;
  const dayFirst = parseDob(`${a}/${b}/${m[3]}`, now, timezone);
  const monthFirst = parseDob(`${b}/${a}/${m[3]}`, now, timezone);
  return dayFirst.ok && monthFirst.ok ? [dayFirst.value, monthFirst.value] : undefined;
}

/** Mobile numbers as people here write them (the bot's own examples); other countries get libphonenumber's. */
const PHONE_EXAMPLES: Record<string, string> = { PH: '0917 123 4567', ID: '0812 3456 7890' };

/** An example mobile number of the facility's country, written as a local would (the phone step reads it with that country). */
export function phoneExample(country: string): string {
  const code = country.toUpperCase();
  return PHONE_EXAMPLES[code] ?? getExampleNumber(code as CountryCode, mobileExamples)?.formatNational() ?? PHONE_EXAMPLES.PH!;
}

/** A mobile number, with the facility's country as default → E.164 (one with its country code, +62…, from anywhere). */
export function parsePhone(text: string, country: string): Parsed<string, 'invalid'> {
  const pn = parsePhoneNumberFromString(text.trim(), { defaultCountry: country.toUpperCase() as CountryCode });
  if (!pn || !pn.isValid()) return { ok: false, reason: 'invalid' };
  return { ok: true, value: pn.number };
}

/** A full name: letters (any script), spaces, dots, apostrophes and dashes; 2–100 characters. */
export function parseName(text: string): Parsed<string, 'invalid'> {
  const name = text.trim().replace(/\s+/g, ' ');
  if (name.length < 2 || name.length > 100 || !/^[\p{L}][\p{L}\p{M} .'’-]*$/u.test(name)) return { ok: false, reason: 'invalid' };
  return { ok: true, value: name };
}

/** A national id: letters and digits (separators dropped), 4–30 characters. */
export function parseNationalId(text: string): Parsed<string, 'invalid'> {
  const raw = text.trim();
  if (!/^[A-Za-z0-9 ./-]+$/.test(raw)) return { ok: false, reason: 'invalid' };
  const id = raw.replace(/[\s./-]/g, '').toUpperCase();
  if (id.length < 4 || id.length > 30 || !/\d/.test(id)) return { ok: false, reason: 'invalid' };
  return { ok: true, value: id };
}

const WEEKDAYS: Record<'fil' | 'id', Record<string, number>> = {
  fil: { lunes: 1, martes: 2, miyerkules: 3, miyerkoles: 3, huwebes: 4, biyernes: 5, sabado: 6, linggo: 7 },
  id: { senin: 1, selasa: 2, rabu: 3, kamis: 4, jumat: 5, sabtu: 6, minggu: 7, ahad: 7 },
};
const RELATIVE: Record<'fil' | 'id', Record<string, number>> = {
  fil: { ngayon: 0, 'ngayong araw': 0, bukas: 1, makalawa: 2, 'sa makalawa': 2, kahapon: -1, kamakalawa: -2 },
  id: { 'hari ini': 0, sekarang: 0, besok: 1, lusa: 2, kemarin: -1 },
};
/** "next week" in each language ("linggo" and "minggu" are also Sunday: these phrases mean the week) */
const NEXT_WEEK: Record<'en' | 'fil' | 'id', RegExp> = {
  en: /\bnext week\b/,
  fil: /\bsusunod na (linggo|semana)\b|\blinggo sa susunod\b/,
  id: /(?<!hari )\b(minggu|pekan) (depan|berikutnya|selanjutnya)\b/,
};
const NEXT_WORDS: Record<'fil' | 'id', string[]> = { fil: ['susunod na', 'sa susunod na'], id: ['depan', 'minggu depan'] };
const MONTHS: Record<string, number> = {
  // Filipino
  enero: 1, pebrero: 2, marso: 3, abril: 4, mayo: 5, hunyo: 6, hulyo: 7, agosto: 8, setyembre: 9, oktubre: 10, nobyembre: 11, disyembre: 12,
  ene: 1, peb: 2, mar: 3, abr: 4, may: 5, hun: 6, hul: 7, ago: 8, set: 9, okt: 10, nob: 11, dis: 12,
  // Bahasa Indonesia
  januari: 1, februari: 2, maret: 3, april: 4, mei: 5, juni: 6, juli: 7, agustus: 8, september: 9, oktober: 10, november: 11, desember: 12,
  jan: 1, feb: 2, apr: 4, jun: 6, jul: 7, agu: 8, agt: 8, sep: 9, des: 12,
};

function nextWeekday(today: DateTime, weekday: number, skipThisWeek: boolean): DateTime {
  let days = (weekday - today.weekday + 7) % 7;
  if (days === 0) days = 7;
  if (skipThisWeek && days < 7 && today.plus({ days }).weekNumber === today.weekNumber) days += 7;
  return today.plus({ days });
}

/** The text asks for "next week" (in any of the three languages: patients mix them), not a day of it. */
export const asksNextWeek = (text: string): boolean => {
  const norm = normalize(text);
  return Object.values(NEXT_WEEK).some((re) => re.test(norm));
};

/** The Monday of the week after today's (weeks start on Monday). */
const nextWeekMonday = (today: DateTime): DateTime => today.startOf('week').plus({ weeks: 1 });

function parseLocalDate(norm: string, locale: 'fil' | 'id', today: DateTime): DateTime | undefined {
  if (NEXT_WEEK[locale].test(norm)) return nextWeekMonday(today);
  for (const [word, offset] of Object.entries(RELATIVE[locale])) {
    if (norm === word || norm.split(' ').includes(word) || norm.includes(word)) return today.plus({ days: offset });
  }
  const tokens = norm.split(' ');
  for (const [word, wd] of Object.entries(WEEKDAYS[locale])) {
    if (tokens.includes(word)) return nextWeekday(today, wd, NEXT_WORDS[locale].some((n) => norm.includes(n)));
  }
  // "3 Disyembre", "Disyembre 3", "3 Des 2026"
  const m = /(?:(\d{1,2})\s+([a-z]+)|([a-z]+)\s+(\d{1,2}))(?:\s+(\d{4}))?/.exec(norm);
  if (m) {
    const day = Number(m[1] ?? m[4]);
    const month = MONTHS[m[2] ?? m[3] ?? ''];
    if (month) {
      let dt = DateTime.fromObject({ year: m[5] ? Number(m[5]) : today.year, month, day }, { zone: today.zone });
      if (dt.isValid && !m[5] && dt < today) dt = dt.plus({ years: 1 });
      if (dt.isValid) return dt;
    }
  }
  return undefined;
}

/**
 * An appointment date typed in free text → YYYY-MM-DD in the facility's zone. English goes through
 * chrono-node ("tomorrow", "next Monday", "Dec 3"); Filipino and Bahasa Indonesia through small keyword
 * tables (bukas, Lunes, besok, Senin…), then chrono as a fallback since patients mix languages.
 * Numeric dates are day-first (3/12 is 3 December). "Next week" (next week, susunod na linggo, minggu depan)
 * is the Monday of the week after this one; yesterday (kahapon, kemarin) reads as a date, one that has passed.
 */
export function parseAppointmentDate(text: string, locale: LocaleCode, now: string, timezone: string): Parsed<string, 'invalid' | 'past'> {
  const today = DateTime.fromISO(now, { zone: timezone }).startOf('day');
  const norm = normalize(text);
  let found: DateTime | undefined;
  const numeric = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$/.exec(text.replace(/\s/g, ''));
  if (numeric) {
    const year = numeric[3] ? Number(numeric[3].length === 2 ? `20${numeric[3]}` : numeric[3]) : today.year;
    let dt = DateTime.fromObject({ year, month: Number(numeric[2]), day: Number(numeric[1]) }, { zone: timezone });
    if (dt.isValid && !numeric[3] && dt < today) dt = dt.plus({ years: 1 });
    if (dt.isValid) found = dt;
  }
  if (!found && NEXT_WEEK.en.test(norm)) found = nextWeekMonday(today);
  if (!found && locale !== 'en') found = parseLocalDate(norm, locale, today);
  if (!found) {
    const ref = { instant: new Date(now), timezone: today.offset };
    const res = chrono.en.parse(text, ref, { forwardDate: true })[0];
    if (res) {
      const dt = DateTime.fromObject({ year: res.start.get('year')!, month: res.start.get('month')!, day: res.start.get('day')! }, { zone: timezone });
      if (dt.isValid) found = dt;
    }
  }
  if (!found && locale === 'en') found = parseLocalDate(norm, 'fil', today) ?? parseLocalDate(norm, 'id', today);
  if (!found) return { ok: false, reason: 'invalid' };
  if (found < today) return { ok: false, reason: 'past' };
  return { ok: true, value: found.toISODate()! };
}

/** A time of day: "9", "9:30", "9am", "2 pm", "14:00", "9.30" → minutes after midnight (ambiguous 1–6 read as pm). */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|n\.u\.|n\.h\.)?$/i.exec(text.trim());
  if (!m) return undefined;
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const mer = m[3]?.toLowerCase().replace(/\./g, '');
  if (h > 23 || min > 59) return undefined;
  if (mer === 'pm' || mer === 'nh') { if (h < 12) h += 12; }
  else if (mer === 'am' || mer === 'nu') { if (h === 12) h = 0; }
  else if (h >= 1 && h <= 6) h += 12;
  return h * 60 + min;
}
