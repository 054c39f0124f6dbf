import type { Choice, Reply } from '../../src/core/messages.js';
import type { PreviewPart } from '../../src/core/channel.js';
import type { ViberKeyboard, ViberKeyboardButton, ViberSender, ViberTextMessage } from './types.js';

/** Text messages hold at most 7,000 characters (send_message reference). */
export const VIBER_MAX_TEXT = 7000;
/** Sender names are at most 28 characters. */
export const VIBER_MAX_SENDER_NAME = 28;
/**
 * Buttons per keyboard we render: two per row (Columns 3) over at most 12 rows — Viber's FAQ allows a
 * keyboard up to 12 rows in portrait (https://developers.viber.com/docs/faq/). Choices beyond this are
 * listed as numbered lines in the text instead.
 */
export const VIBER_MAX_BUTTONS = 24;
/** Up to this many choices each get a full-width row; more go two per row. */
const FULL_WIDTH_UP_TO = 6;
/** Everything we render is API level 1 (Type, DefaultHeight, Columns, Rows, ActionType reply, ActionBody, Text). */
export const VIBER_MIN_API_VERSION = 1;

/**
 * A keyboard tap with `ActionType: reply` comes back as a text message whose text is the button's
 * ActionBody. The prefix marks it as ours, so a typed "c:book" is never mistaken for a tap.
 */
export const CHOICE_PREFIX = 'fd:';
export const choiceActionBody = (choiceId: string): string => `${CHOICE_PREFIX}${choiceId}`;
export function choiceIdFromActionBody(text: string): string | undefined {
  return text.startsWith(CHOICE_PREFIX) && text.length > CHOICE_PREFIX.length ? text.slice(CHOICE_PREFIX.length) : undefined;
}

/** Splits text into pieces of at most `max` characters, at the last whitespace before the limit when there is one. */
export function splitAtWords(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    let cut = -1;
    for (let i = max; i > 0; i -= 1) {
      if (/\s/.test(rest[i] ?? '')) {
        cut = i;
        break;
      }
    }
    if (cut <= 0) {
      cut = max;
      // never cut a surrogate pair in half
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

export function viberSender(cfg: { name: string; avatar?: string }): ViberSender {
  const sender: ViberSender = { name: Array.from(cfg.name).slice(0, VIBER_MAX_SENDER_NAME).join('') };
  if (cfg.avatar) sender.avatar = cfg.avatar;
  return sender;
}

/** `scale`: a 0–10 scale, six numbers to a row */
function keyboardFor(choices: Choice[], scale = false): ViberKeyboard {
  const columns = scale ? 1 : choices.length <= FULL_WIDTH_UP_TO ? 6 : 3;
  const Buttons: ViberKeyboardButton[] = choices.map((c) => ({
    Columns: columns,
    Rows: 1,
    ActionType: 'reply',
    ActionBody: choiceActionBody(c.id),
    Text: c.label,
    TextSize: 'regular',
  }));
  return { Type: 'keyboard', DefaultHeight: false, Buttons };
}

function bodyText(reply: Reply, overflow: Choice[], firstOverflowNumber: number): string {
  const blocks: string[] = [reply.text];
  if (reply.card) blocks.push([reply.card.title, ...reply.card.rows.map((r) => `${r.label}: ${r.value}`)].join('\n'));
  if (overflow.length > 0) blocks.push(overflow.map((c, i) => `${firstOverflowNumber + i}. ${c.label}`).join('\n'));
  return blocks.filter((b) => b.trim().length > 0).join('\n\n');
}

/**
 * A Reply as Viber text messages (without `receiver`): the text (and card lines) split at word boundaries
 * within 7,000 characters; the choices as a reply keyboard on the last message.
 */
export function renderViberReply(reply: Reply, sender: { name: string; avatar?: string }): ViberTextMessage[] {
  const choices = reply.choices ?? [];
  const onKeyboard = choices.slice(0, VIBER_MAX_BUTTONS);
  const overflow = choices.slice(VIBER_MAX_BUTTONS);
  const texts = splitAtWords(bodyText(reply, overflow, VIBER_MAX_BUTTONS + 1), VIBER_MAX_TEXT);
  const from = viberSender(sender);
  return texts.map((text, i) => {
    const msg: ViberTextMessage = { type: 'text', text, sender: from, min_api_version: VIBER_MIN_API_VERSION };
    if (i === texts.length - 1 && onKeyboard.length > 0) msg.keyboard = keyboardFor(onKeyboard, reply.scale);
    return msg;
  });
}

/** The reply as staff would see it on Viber: each message's text, and the keyboard under the last. */
export function previewViberReply(reply: Reply, sender: { name: string; avatar?: string }): PreviewPart[] {
  return renderViberReply(reply, sender).map((m): PreviewPart => (m.keyboard ? { text: m.text, buttons: m.keyboard.Buttons.map((b) => b.Text) } : { text: m.text }));
}
