import type { Calendar } from '../src/core/index.js';
import type { ConversationContext } from './context.js';
import { normalize, wordMatches } from './intents.js';

/** Doctors (calendars) by name and by specialty: what a patient types for them, and how a long list is paged. */

/** More calendars than this are not one list: the specialty first, then the doctor, a page at a time. */
export const ONE_SCREEN = 9;
/** Doctors (or specialties) per page of a long list ("More" and "Back" come on top). */
export const CALENDARS_PER_PAGE = 8;

/** Choice ids of the doctor step besides `cal:<calendarId>`. */
export const DOCTOR_CHOICE = { more: 'calpage:more', back: 'spec:back', specialty: 'spec:' } as const;

/** Words before or in a doctor's name that are no part of it ("Dr.", "Doc", "Dra.", "Dok"). */
const TITLES = new Set(['dr', 'dra', 'doc', 'doctor', 'doktor', 'dok', 'dokter', 'doktora', 'md']);
/** Words that introduce a doctor in a request ("kay Dr. Cruz", "with Reyes", "dengan dr. Budi"). */
const LEADERS = new Set([...TITLES, 'kay', 'ni', 'with', 'dengan', 'sama', 'si']);

const tokensOf = (text: string): string[] => normalize(text).split(' ').filter(Boolean);
const nameTokens = (text: string): string[] => tokensOf(text).filter((t) => !TITLES.has(t));

/**
 * The calendars a typed name means: the full name, some of its words ("Cruz", "Ana Cruz"), with or without a
 * title, any case or accents; else words that begin its words ("Cru"), else words one typo away. Several: ask.
 */
export function matchCalendars(calendars: Calendar[], text: string): Calendar[] {
  const q = nameTokens(text);
  if (!q.length) return [];
  const named = calendars.map((c) => ({ c, words: nameTokens(c.name) }));
  const tiers = [
    (words: string[]) => words.join(' ') === q.join(' '),
    (words: string[]) => q.every((t) => words.includes(t)),
    (words: string[]) => q.every((t) => t.length >= 3 && words.some((w) => w.startsWith(t))),
    (words: string[]) => q.every((t) => words.some((w) => wordMatches(t, w))),
  ];
  for (const tier of tiers) {
    const found = named.filter((n) => n.words.length && tier(n.words)).map((n) => n.c);
    if (found.length) return found;
  }
  return [];
}

/**
 * The doctor a free request names, if any: "kay Dr. Cruz", "book Dr. Reyes tomorrow", "with Reyes", or a
 * calendar's whole name ("Laboratory"). Several that match: all of them (the doctor step asks among them).
 */
export function mentionedCalendars(calendars: Calendar[], text: string): Calendar[] {
  const tokens = tokensOf(text);
  for (let i = 0; i < tokens.length; i++) {
    if (!LEADERS.has(tokens[i]!)) continue;
    let j = i + 1;
    while (j < tokens.length && TITLES.has(tokens[j]!)) j++;
    for (let n = Math.min(3, tokens.length - j); n >= 1; n--) {
      const found = matchCalendars(calendars, tokens.slice(j, j + n).join(' '));
      if (found.length) return found;
    }
  }
  const whole = calendars.filter((c) => {
    const words = nameTokens(c.name);
    return words.length > 0 && words.every((w) => tokens.includes(w));
  });
  if (whole.length) return whole;
  // a surname alone, of a doctor (a name with a title): "book Reyes tomorrow"
  return calendars.filter((c) => TITLES.has(tokensOf(c.name)[0] ?? '') && tokens.some((t) => t.length >= 4 && t === nameTokens(c.name).at(-1)));
}

/** The specialty a calendar is listed under ('' when none is configured). */
export const specialtyOf = (ctx: ConversationContext, calendarId: string): string => ctx.facility.knowledge?.calendars?.[calendarId]?.specialty?.trim() ?? '';

/** The specialties of the facility's calendars, alphabetically, '' (the others) last; one group when none is configured. */
export function specialties(ctx: ConversationContext): string[] {
  const all = [...new Set(ctx.calendars.map((c) => specialtyOf(ctx, c.id)))];
  return all.filter(Boolean).sort((a, b) => a.localeCompare(b)).concat(all.includes('') ? [''] : []);
}

/** The specialty a typed text names ("cardio", "Pediatrics"), when exactly one. */
export function matchSpecialty(ctx: ConversationContext, text: string): string | undefined {
  const q = normalize(text);
  if (q.length < 3) return undefined;
  const named = specialties(ctx).filter(Boolean);
  const exact = named.filter((s) => normalize(s) === q);
  if (exact.length === 1) return exact[0];
  const prefix = named.filter((s) => normalize(s).split(' ').some((w) => w.startsWith(q)) || normalize(s).startsWith(q));
  return prefix.length === 1 ? prefix[0] : undefined;
}

/** The calendars the doctor step lists now: the ones a typed name matched, else those of the chosen specialty, else all. */
export function listedCalendars(ctx: ConversationContext): Calendar[] {
  const pick = ctx.draft.doctorPick;
  if (pick?.ids?.length) return ctx.calendars.filter((c) => pick.ids!.includes(c.id));
  if (pick?.specialty === undefined) return ctx.calendars;
  return ctx.calendars.filter((c) => specialtyOf(ctx, c.id) === pick.specialty);
}

/** The doctor step asks the specialty first: many calendars, more than one specialty, none chosen yet. */
export const asksSpecialty = (ctx: ConversationContext): boolean =>
  ctx.calendars.length > ONE_SCREEN && !ctx.draft.doctorPick?.ids?.length && ctx.draft.doctorPick?.specialty === undefined && specialties(ctx).length > 1;

/** One page of a list and whether there are more. */
export function pageOf<T>(items: T[], page: number): { items: T[]; more: boolean } {
  const pages = Math.max(1, Math.ceil(items.length / CALENDARS_PER_PAGE));
  const p = ((page % pages) + pages) % pages;
  return { items: items.slice(p * CALENDARS_PER_PAGE, (p + 1) * CALENDARS_PER_PAGE), more: pages > 1 };
}

/** The page after `page` (back to the first after the last). */
export const nextPage = (count: number, page: number): number => (page + 1) % Math.max(1, Math.ceil(count / CALENDARS_PER_PAGE));
