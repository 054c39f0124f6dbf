/**
 * Twilio's default keyword handling on long codes and toll-free numbers
 * (https://help.twilio.com/articles/223134027-Twilio-support-for-opt-out-keywords-SMS-STOP-filtering):
 * only a message that is exactly one of these words (any case, surrounding spaces ignored) counts.
 */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

const byWord = new Map<string, KeywordKind>([
  ...OPT_OUT_KEYWORDS.map((w) => [w, 'opt_out'] as const),
  ...OPT_IN_KEYWORDS.map((w) => [w, 'opt_in'] as const),
  ...HELP_KEYWORDS.map((w) => [w, 'help'] as const),
]);

/** The keyword class of an inbound body, or undefined for ordinary text ("STOP PLEASE" and "2" are ordinary). */
export function classifyKeyword(body: string): KeywordKind | undefined {
  const word = body.trim();
  if (!word || /\s/.test(word)) return undefined;
  return byWord.get(word.toUpperCase());
}

const KW = OPT_OUT_KEYWORDS.join('|');
/** Verbs that tell someone to send something, in English, Filipino and Indonesian. */
const VERBS = [
  'reply', 'text', 'txt', 'send', 'type', 'respond', 'answer', 'sms', 'message', 'enter', 'write',
  'i-?text', 'mag-?text', 'i-?reply', 'mag-?reply', 'sumagot', 'sagutin', 'i-?type', 'mag-?type', 'ipadala', 'magpadala', 'i-?send', 'mag-?send',
  'balas', 'balaslah', 'ketik', 'ketikkan', 'kirim', 'kirimkan', 'jawab', 'tulis',
].join('|');
/** Little words allowed between the verb and the keyword ("reply with the word STOP", "i-text ang STOP", "ketik kata BATAL"). */
const FILLERS = '(?:with|the|word|only|just|ng|ang|salitang|lang|lamang|dengan|kata|saja)';
const QUOTE_OPEN = `["'\u201C\u2018\u00AB]`;
const QUOTE_CLOSE = `["'\u201D\u2019\u00BB]`;

const PATTERNS: Array<{ why: string; re: RegExp }> = [
  { why: 'instruction to send an opt-out word', re: new RegExp(`(?<![\\p{L}\\p{N}-])(?:${VERBS})\\s+(?:${FILLERS}\\s+){0,3}${QUOTE_OPEN}?(?:${KW})(?![\\p{L}\\p{N}])`, 'giu') },
  { why: 'quoted opt-out word', re: new RegExp(`${QUOTE_OPEN}(?:${KW})${QUOTE_CLOSE}`, 'giu') },
  { why: 'opt-out word in capitals', re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${KW})(?![\\p{L}\\p{N}])`, 'gu') },
  { why: 'menu entry that is only an opt-out word', re: new RegExp(`^\\s*\\d+\\s*[).:-]?\\s*(?:${KW})\\s*[.!]?\\s*$`, 'gimu') },
];

/**
 * Where a text invites the patient to send one of Twilio's opt-out words (which would silently block every
 * later message to them). Empty when the text is safe. Heuristic: it errs towards flagging.
 */
export function findOptOutInstructions(text: string): Array<{ why: string; match: string }> {
  const found: Array<{ why: string; match: string }> = [];
  for (const { why, re } of PATTERNS) for (const m of text.matchAll(re)) found.push({ why, match: m[0].trim() });
  return found;
}

/** Throws when `text` asks the patient to type an opt-out word (used in tests over every rendered SMS). */
export function assertNoOptOutInstruction(text: string): void {
  const found = findOptOutInstructions(text);
  if (found.length > 0) throw new Error(`SMS invites an opt-out keyword: ${found.map((f) => `${f.why} ("${f.match}")`).join(', ')}`);
}
