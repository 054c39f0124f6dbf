import type { LocaleCode } from '../src/core/index.js';
import { LOCALE_DATA, type IntentName } from './messages.js';

/** Lower-case, strip accents and punctuation (keeping letters, digits, ':' and '-'), collapse spaces. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}\s:-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Optimal-string-alignment Damerau–Levenshtein distance (adjacent transpositions count as one edit). */
export function damerauLevenshtein(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A word matches a keyword word exactly, or within one edit when the keyword word has at least 5 letters. */
export function wordMatches(word: string, keyword: string): boolean {
  if (word === keyword) return true;
  return keyword.length >= 5 && Math.abs(word.length - keyword.length) <= 1 && damerauLevenshtein(word, keyword) <= 1;
}

function phraseIn(tokens: string[], phrase: string[]): boolean {
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phrase.every((p, j) => wordMatches(tokens[i + j]!, p))) return true;
  }
  return false;
}

const keywordCache = new Map<IntentName, string[][]>();
/** Keywords of one intent in all three languages (patients mix languages), as token lists. */
export function intentKeywords(intent: IntentName): string[][] {
  let cached = keywordCache.get(intent);
  if (!cached) {
    const all = (Object.keys(LOCALE_DATA) as LocaleCode[]).flatMap((l) => LOCALE_DATA[l].intents[intent] as readonly string[]);
    cached = [...new Set(all.map(normalize))].map((kw) => kw.split(' '));
    keywordCache.set(intent, cached);
  }
  return cached;
}

/**
 * Does the text express this intent? `whole`: the whole message must be the keyword (used where the
 * patient types free text such as a name, so "Carcel" never reads as "cancel").
 */
export function hasIntent(text: string | undefined, intent: IntentName, whole = false): boolean {
  if (!text) return false;
  const norm = normalize(text);
  if (!norm) return false;
  const tokens = norm.split(' ');
  return intentKeywords(intent).some((kw) => {
    if (whole) return kw.length === tokens.length && kw.every((w, i) => (w === tokens[i]) || (kw.length === 1 && wordMatches(tokens[i]!, w)));
    return phraseIn(tokens, kw);
  });
}

/** The first intent of `candidates` (in priority order) the text expresses. */
export function firstIntent<I extends IntentName>(text: string | undefined, candidates: readonly I[], whole = false): I | undefined {
  return candidates.find((c) => hasIntent(text, c, whole));
}
