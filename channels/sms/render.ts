import type { Reply } from '../../src/core/messages.js';
import type { PreviewPart } from '../../src/core/channel.js';
import { segmentsOf, toGsmFriendly, type SmsEncoding } from './gsm.js';

/**
 * Limits for one reply. Twilio accepts up to 1,600 characters per message and concatenates segments, but
 * recommends staying within 320 characters for deliverability; long replies are split into several
 * messages at line or word boundaries, each within `maxSegmentsPerMessage`, and the whole reply within
 * `maxSegmentsPerReply` (the rest is dropped and `truncated` says so).
 */
export interface SmsRenderLimits {
  maxSegmentsPerMessage: number;
  maxSegmentsPerReply: number;
}
export const DEFAULT_SMS_LIMITS: SmsRenderLimits = { maxSegmentsPerMessage: 3, maxSegmentsPerReply: 6 };

export interface SmsPart {
  body: string;
  encoding: SmsEncoding;
  segments: number;
}

export interface SmsRendering {
  parts: SmsPart[];
  segments: number;
  /** true when the reply needed more than maxSegmentsPerReply and its end was dropped */
  truncated: boolean;
}

/** `1) Book an appointment`: numbered from 1 in the order given; the flow maps a typed number back to the choice. */
export const numberedChoice = (n: number, label: string): string => `${n}) ${label}`;

/** The reply as plain lines: text, then the card (title, `label: value` rows), then numbered choices. */
export function smsText(reply: Reply): string {
  const blocks: string[] = [reply.text.trim()];
  if (reply.card) blocks.push([reply.card.title, ...reply.card.rows.map((r) => `${r.label}: ${r.value}`)].join('\n'));
  // a 0–10 scale is answered with the number its text asks for, not numbered 1–11
  if (reply.choices?.length && !reply.scale) blocks.push(reply.choices.map((c, i) => numberedChoice(i + 1, c.label)).join('\n'));
  return toGsmFriendly(blocks.filter((b) => b.length > 0).join('\n\n'));
}

const fits = (text: string, maxSegments: number) => segmentsOf(text).segments <= maxSegments;

/** Splits `text` (a line or a word too long on its own) into pieces that each fit. */
function splitToFit(text: string, maxSegments: number, separator: RegExp): string[] {
  const joiner = separator.source === '\\n' ? '\n' : ' ';
  // blank lines are kept (they separate text, card and choices); empty words are not
  const pieces = text.split(separator).filter((p) => joiner === '\n' || p.length > 0);
  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const candidate = current ? `${current}${joiner}${piece}` : piece;
    if (fits(candidate, maxSegments)) {
      current = candidate;
      continue;
    }
    if (current) out.push(current);
    if (fits(piece, maxSegments)) current = piece;
    else if (joiner === '\n') {
      const words = splitToFit(piece, maxSegments, / +/);
      current = words.pop() ?? '';
      out.push(...words);
    } else {
      // a single "word" longer than a message (a URL, say): cut by characters
      let rest = piece;
      while (!fits(rest, maxSegments)) {
        let n = rest.length;
        while (n > 1 && !fits(rest.slice(0, n), maxSegments)) n -= 1;
        if (n > 1 && /[\uD800-\uDBFF]/.test(rest[n - 1] ?? '')) n -= 1; // keep surrogate pairs whole
        out.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      current = rest;
    }
  }
  if (current) out.push(current);
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Renders a Reply as SMS bodies within the segment limits, GSM-7 whenever the characters allow it. */
export function renderSmsReply(reply: Reply, limits: SmsRenderLimits = DEFAULT_SMS_LIMITS): SmsRendering {
  const text = smsText(reply);
  const bodies = text ? splitToFit(text, limits.maxSegmentsPerMessage, /\n/) : [];
  const parts: SmsPart[] = [];
  let segments = 0;
  let truncated = false;
  for (const body of bodies) {
    const count = segmentsOf(body);
    if (segments + count.segments > limits.maxSegmentsPerReply) {
      truncated = true;
      break;
    }
    parts.push({ body, encoding: count.encoding, segments: count.segments });
    segments += count.segments;
  }
  return { parts, segments, truncated };
}

/** The reply as staff would see it by SMS: each message's body, its segments and encoding, and where the cap cut it. */
export function previewSmsReply(reply: Reply, limits: SmsRenderLimits = DEFAULT_SMS_LIMITS): PreviewPart[] {
  const r = renderSmsReply(reply, limits);
  return r.parts.map((p, i) => ({ text: p.body, segments: p.segments, encoding: p.encoding, ...(r.truncated && i === r.parts.length - 1 ? { truncated: true } : {}) }));
}
