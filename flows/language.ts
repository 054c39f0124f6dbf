import type { LocaleCode } from '../src/core/index.js';
import type { ConversationContext } from './context.js';
import { firstIntent, normalize } from './intents.js';
import { LOCALE_DATA } from './messages.js';
import type { FlowEvent } from './protocol.js';

/** The language of a free first message, from words only Filipino, only Bahasa Indonesia or only English use. */

const CUES: Record<'fil' | 'id', string[]> = {
  fil: ['po', 'pong', 'opo', 'ko', 'ako', 'gusto', 'nais', 'kay', 'ni', 'ng', 'mga', 'ang', 'naman', 'salamat', 'pwede', 'puwede', 'paano', 'kailan', 'bukas', 'ngayon', 'sana', 'lang', 'yung', 'ba', 'nga', 'kayo', 'ninyo', 'namin', 'kami', 'ako', 'magandang', 'kumusta', 'kamusta', 'doktor', 'alas'],
  id: ['saya', 'mau', 'ingin', 'mohon', 'tolong', 'bisa', 'dengan', 'untuk', 'besok', 'hari', 'ini', 'terima', 'kasih', 'selamat', 'apa', 'dokter', 'janji', 'jam', 'pukul', 'tidak', 'bagaimana', 'kapan', 'aku', 'halo', 'permisi', 'dong', 'nya', 'periksa'],
};

/**
 * English function words (and booking words), for a facility whose language is Filipino or Bahasa: only a
 * clear English sentence switches (three cues, twice the other languages'), never a word Taglish borrows.
 */
const ENGLISH = new Set(['i', 'want', 'would', 'like', 'please', 'my', 'an', 'the', 'to', 'for', 'with', 'can', 'could', 'need', 'make', 'schedule', 'appointment', 'tomorrow', 'next', 'week', 'you', 'me', 'is', 'am', 'are', 'do', 'have', 'of', 'book', 'see', 'doctor']);
const ENGLISH_MIN = 3;

const cueSets = Object.fromEntries(
  (Object.keys(CUES) as ('fil' | 'id')[]).map((l) => {
    const intents = LOCALE_DATA[l].intents as Record<string, readonly string[]>;
    const own = [...(intents.book ?? []), ...(intents.greeting ?? [])].map(normalize).filter((w) => !w.includes(' '));
    return [l, new Set([...CUES[l], ...own])];
  }),
) as Record<'fil' | 'id', Set<string>>;

/** Filipino or Bahasa Indonesia when the text says so clearly (two cue words, or one in a message of one or two words); English only from a clear sentence. */
export function detectLanguage(text: string | undefined): LocaleCode | undefined {
  const tokens = normalize(text ?? '').split(' ').filter(Boolean);
  if (!tokens.length) return undefined;
  const score = (l: 'fil' | 'id') => tokens.filter((t) => cueSets[l].has(t) || (l === 'fil' && /^(magpa|nagpa|pa)-/.test(t))).length;
  const fil = score('fil');
  const id = score('id');
  const en = tokens.filter((t) => ENGLISH.has(t)).length;
  if (en >= ENGLISH_MIN && en >= 2 * Math.max(fil, id)) return 'en';
  const [best, top, other] = fil >= id ? (['fil', fil, id] as const) : (['id', id, fil] as const);
  if (top === other) return undefined;
  return top >= 2 || (top === 1 && tokens.length <= 2) ? best : undefined;
}

/**
 * The language the conversation switches to at a free message between operations (the first one of a
 * conversation): the one it is written in, when the contact has not chosen one (once switched, it has).
 */
export function firstMessageLocale(ctx: ConversationContext, ev: FlowEvent): LocaleCode | undefined {
  if (ctx.contact.locale || ev.type !== 'user.message' || ev.choiceId) return undefined;
  // a language named ("English po", "Tagalog please") is a choice, read as one (./classify.ts)
  if (firstIntent(ev.text, ['langEn', 'langFil', 'langId'])) return undefined;
  const lang = detectLanguage(ev.text);
  return lang && lang !== ctx.locale ? lang : undefined;
}
