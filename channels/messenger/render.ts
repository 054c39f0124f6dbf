import type { Choice, Reply } from '../../src/core/messages.js';
import type { PreviewPart } from '../../src/core/channel.js';
import { composeBody, splitText as splitAt, truncate } from '../../src/core/text.js';
import type { MessengerMessage, PostbackButton, QuickReply } from './types.js';

/**
 * Meta's documented limits (lengths are counted in UTF-16 units, which is never fewer than the
 * characters Meta counts, so staying under them is safe).
 */
export const MESSENGER_LIMITS = {
  /** Send API `message.text` */
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  /** quick reply and postback payloads */
  payload: 1000,
  buttons: 3,
  buttonTitle: 20,
  /** button template `text` */
  buttonTemplateText: 640,
} as const;

/** Splits text at most `max` (default: a message's limit), at a line break or else a space. */
export const splitText = (text: string, max: number = MESSENGER_LIMITS.text): string[] => splitAt(text, max);
export { composeBody, truncate };

const numberedList = (choices: readonly Choice[]) => choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
const payloadFits = (c: Choice) => c.id.length > 0 && c.id.length <= MESSENGER_LIMITS.payload;

const fitsQuickReplies = (choices: readonly Choice[]) =>
  choices.length <= MESSENGER_LIMITS.quickReplies &&
  choices.every((c) => payloadFits(c) && c.label.trim().length > 0 && c.label.length <= MESSENGER_LIMITS.quickReplyTitle);

const texts = (parts: string[]): MessengerMessage[] => parts.map((text) => ({ text }));

/**
 * A reply as Messenger messages, in sending order (pure).
 * - choices → quick replies on the last text (≤13, titles ≤20);
 * - a label too long (or a payload too long for quick replies) with ≤3 choices → a button template whose
 *   text lists the full labels by number and whose buttons carry the number and the label cut to 20;
 * - otherwise → numbered text (`1. …`); the patient answers with the number (see `matchNumberedChoice`);
 * - text over 2000 characters is split at line breaks or spaces; a card becomes text lines above the text.
 */
export function renderReply(reply: Reply): MessengerMessage[] {
  const body = composeBody(reply);
  const choices = reply.choices ?? [];
  if (choices.length === 0) return texts(splitText(body));

  if (fitsQuickReplies(choices)) {
    const parts = splitText(body);
    const last = parts.pop() ?? '…';
    const quick_replies: QuickReply[] = choices.map((c) => ({ content_type: 'text', title: c.label, payload: c.id }));
    return [...texts(parts), { text: last, quick_replies }];
  }

  const list = numberedList(choices);
  if (choices.length <= MESSENGER_LIMITS.buttons && choices.every(payloadFits) && list.length <= MESSENGER_LIMITS.buttonTemplateText) {
    const buttons: PostbackButton[] = choices.map((c, i) => ({ type: 'postback', title: truncate(`${i + 1}. ${c.label}`, MESSENGER_LIMITS.buttonTitle), payload: c.id }));
    const together = body ? `${body}\n\n${list}` : list;
    const [before, text] = together.length <= MESSENGER_LIMITS.buttonTemplateText ? [[], together] : [splitText(body), list];
    return [...texts(before), { attachment: { type: 'template', payload: { template_type: 'button', text, buttons } } }];
  }

  return texts(splitText(body ? `${body}\n\n${list}` : list));
}

/** The choice a patient meant by typing its number (`2`, `2.`, ` 2) `) after a numbered list; undefined otherwise. */
export function matchNumberedChoice(text: string | undefined, choices: readonly Choice[]): Choice | undefined {
  const m = text ? /^\s*(\d{1,3})\s*[.)]?\s*$/.exec(text) : null;
  return m?.[1] ? choices[Number(m[1]) - 1] : undefined;
}

/** The reply as staff would see it on Messenger: each message's text, and its quick replies or buttons. */
export function previewReply(reply: Reply): PreviewPart[] {
  return renderReply(reply).map((m): PreviewPart => {
    if ('attachment' in m) return { text: m.attachment.payload.text, buttons: m.attachment.payload.buttons.map((b) => b.title) };
    return m.quick_replies?.length ? { text: m.text, buttons: m.quick_replies.map((q) => ('title' in q ? q.title : q.content_type)) } : { text: m.text };
  });
}
