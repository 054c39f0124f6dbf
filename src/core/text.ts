import type { Reply } from './messages.js';

/* Text shaping every channel needs within its platform's limits (lengths in UTF-16 units). */

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Splits text into pieces of at most `max`, at a line break (in the second half) or else a space; a word longer than `max` is cut. */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) {
      cut = -1;
      for (let i = max; i > 0; i--) {
        if (/\s/.test(rest[i] ?? '')) {
          cut = i;
          break;
        }
      }
    }
    if (cut <= 0) cut = isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

/** Cuts to at most `max` UTF-16 units, ending with an ellipsis, never inside a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}

/** A card as text lines (title, then `label: value`), above the reply's text. */
export function composeBody(reply: Reply): string {
  const card = reply.card ? [reply.card.title, ...reply.card.rows.map((r) => `${r.label}: ${r.value}`)].join('\n') : '';
  return [card, reply.text].filter((s) => s.trim().length > 0).join('\n\n');
}
