/**
 * GSM 03.38 (GSM-7) and segment arithmetic.
 * Twilio: https://www.twilio.com/docs/glossary/what-sms-character-limit (160 / 153 GSM-7, 70 / 67 UCS-2),
 * https://www.twilio.com/docs/glossary/what-is-gsm-7-character-encoding and
 * https://www.twilio.com/docs/glossary/what-is-ucs-2-character-encoding.
 */

/** The basic character set (ESC left out: it is not text). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: each costs two septets (ESC + char). */
const EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(Array.from(BASIC));
const extension = new Set(Array.from(EXTENSION));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export const SEGMENT_LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

/** True when every character is in GSM-7's basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

/** Typographic characters that have a plain GSM-7 equivalent. */
const REPLACEMENTS: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201A\u201B\u2032\u02BC]/g, "'"],
  [/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00A0\u2002-\u200A\u202F\u205F\u3000\t]/g, ' '],
  [/\u200B|\u200C|\u200D|\u2060|\uFEFF/g, ''],
  [/[\u2022\u2023\u2043\u25E6]/g, '-'],
  [/\u00B7/g, '.'],
];

/** Replaces smart quotes, dashes, ellipses, odd spaces and bullets with GSM-7 equivalents; anything else stays. */
export function toGsmFriendly(text: string): string {
  return REPLACEMENTS.reduce((s, [re, to]) => s.replace(re, to), text);
}

export interface SegmentCount {
  encoding: SmsEncoding;
  /** septets (GSM-7, extension chars count 2) or UTF-16 code units (UCS-2) */
  units: number;
  segments: number;
}

/** Units each character takes, in the encoding the whole text needs. */
function unitsOf(text: string, encoding: SmsEncoding): number[] {
  if (encoding === 'GSM-7') return Array.from(text, (ch) => (extension.has(ch) ? 2 : 1));
  // UCS-2 as carriers apply it is UTF-16: a character outside the BMP (emoji) takes two units, never split
  return Array.from(text, (ch) => ch.length);
}

/**
 * How many SMS segments a text costs. A multi-segment message packs 153 septets (67 UCS-2 units) per
 * segment, and never splits an escape pair or a surrogate pair across segments.
 */
export function segmentsOf(text: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const units = unitsOf(text, encoding);
  const total = units.reduce((a, b) => a + b, 0);
  const { single, multi } = SEGMENT_LIMITS[encoding];
  if (total === 0) return { encoding, units: 0, segments: 0 };
  if (total <= single) return { encoding, units: total, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > multi) {
      segments += 1;
      used = 0;
    }
    used += u;
  }
  return { encoding, units: total, segments };
}
