import type { Choice, Reply } from '../../src/core/messages.js';
import type { PreviewPart } from '../../src/core/channel.js';
import { composeBody, splitText as splitAt, truncate } from '../../src/core/text.js';
import type { ListRow, ReplyButton, WhatsAppMessage } from './types.js';

/**
 * Meta's documented limits for the Messages API (lengths in UTF-16 units, never fewer than the characters Meta
 * counts, so staying under them is safe).
 */
export const WHATSAPP_LIMITS = {
  /** `text.body` */
  text: 4096,
  /** `interactive.body.text` (buttons and lists) */
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  /** rows over all sections of a list */
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  /** `action.button`: the label that opens a list */
  listButton: 20,
  /** a template body parameter can never be longer than the whole body (1024) */
  templateParameter: 1024,
} as const;

/** Splits text at most `max` (default: a text message's limit), at a line break or else a space. */
export const splitText = (text: string, max: number = WHATSAPP_LIMITS.text): string[] => splitAt(text, max);
export { composeBody, truncate };

const numberedList = (choices: readonly Choice[]) => choices.map((c, i) => `${i + 1}. ${c.label.trim()}`).join('\n');
/** a button or row id: non-empty, within `max`, no leading or trailing spaces (Meta refuses those) */
const idFits = (id: string, max: number) => id.length > 0 && id.length <= max && id === id.trim();
const hasLabel = (c: Choice) => c.label.trim().length > 0;
const texts = (parts: string[]): WhatsAppMessage[] => parts.map((body) => ({ type: 'text', text: { body } }));

/**
 * Text for an interactive message: the last part (≤ 1024) becomes its body, anything before it goes first as
 * text messages (≤ 4096 each). An empty body (choices without a prompt) becomes "…": Meta requires one.
 */
function interactiveParts(text: string): { before: string[]; body: string } {
  const before = splitText(text, WHATSAPP_LIMITS.text);
  let body = before.pop() ?? '';
  if (body.length > WHATSAPP_LIMITS.interactiveBody) {
    const pieces = splitText(body, WHATSAPP_LIMITS.interactiveBody);
    const tail = pieces[pieces.length - 1] ?? '';
    before.push(body.slice(0, body.lastIndexOf(tail)).trimEnd());
    body = tail;
  }
  return { before, body: body || '…' };
}

export interface RenderOptions {
  /** the label of the button that opens a list ("Choose"), in the message's language; cut to 20 */
  listButton: string;
}

/**
 * A reply as WhatsApp messages, in sending order (pure):
 * - 1–3 choices → reply buttons on an interactive message (titles are the labels when every label fits 20
 *   characters and they differ; otherwise the body lists the full labels by number and each button carries
 *   its number and the label cut to 20);
 * - 4–10 choices (or 1–3 whose ids are too long for buttons) → a list: one section, row titles cut to 24 with
 *   the full label (cut to 72) as the row's description;
 * - more than 10, or ids no list can carry → numbered text (`1. …`); the patient answers with the number (the
 *   flow reads typed numbers; see `matchNumberedChoice`);
 * - text over 4096 characters is split at line breaks or spaces, and an interactive body over 1024 sends what
 *   does not fit first as text; a card becomes text lines above the text.
 */
export function renderReply(reply: Reply, opts: RenderOptions): WhatsAppMessage[] {
  const body = composeBody(reply);
  const choices = reply.choices ?? [];
  // a 0–10 scale has 11 choices (a list holds 10): the text asks for the number, which is read as the score
  if (choices.length === 0 || reply.scale) return texts(splitText(body));
  // a tap names its button or row by id alone: two alike could not be told apart
  const distinctIds = new Set(choices.map((c) => c.id)).size === choices.length;

  if (distinctIds && choices.length <= WHATSAPP_LIMITS.buttons && choices.every((c) => hasLabel(c) && idFits(c.id, WHATSAPP_LIMITS.buttonId))) {
    const labels = choices.map((c) => c.label.trim());
    const plain = labels.every((l) => l.length <= WHATSAPP_LIMITS.buttonTitle) && new Set(labels).size === labels.length;
    if (plain) {
      const buttons: ReplyButton[] = choices.map((c, i) => ({ type: 'reply', reply: { id: c.id, title: labels[i]! } }));
      const { before, body: text } = interactiveParts(body);
      return [...texts(before), { type: 'interactive', interactive: { type: 'button', body: { text }, action: { buttons } } }];
    }
    const list = numberedList(choices);
    if (list.length <= WHATSAPP_LIMITS.interactiveBody) {
      // numbered titles are always distinct, and the body keeps every full label
      const buttons: ReplyButton[] = choices.map((c, i) => ({ type: 'reply', reply: { id: c.id, title: truncate(`${i + 1}. ${labels[i]!}`, WHATSAPP_LIMITS.buttonTitle) } }));
      const together = body ? `${body}\n\n${list}` : list;
      const [before, text] = together.length <= WHATSAPP_LIMITS.interactiveBody ? [[], together] : [splitText(body), list];
      return [...texts(before), { type: 'interactive', interactive: { type: 'button', body: { text }, action: { buttons } } }];
    }
  }

  if (distinctIds && choices.length <= WHATSAPP_LIMITS.listRows && choices.every((c) => hasLabel(c) && idFits(c.id, WHATSAPP_LIMITS.rowId))) {
    const rows: ListRow[] = choices.map((c) => {
      const label = c.label.trim();
      return label.length <= WHATSAPP_LIMITS.rowTitle
        ? { id: c.id, title: label }
        : { id: c.id, title: truncate(label, WHATSAPP_LIMITS.rowTitle), description: truncate(label, WHATSAPP_LIMITS.rowDescription) };
    });
    const { before, body: text } = interactiveParts(body);
    const button = truncate(opts.listButton.trim() || '…', WHATSAPP_LIMITS.listButton);
    return [...texts(before), { type: 'interactive', interactive: { type: 'list', body: { text }, action: { button, sections: [{ rows }] } } }];
  }

  const list = numberedList(choices);
  return texts(splitText(body ? `${body}\n\n${list}` : list));
}

/**
 * The one body parameter of a utility template: the reply as one line. Template parameters may not hold new
 * lines, tabs or more than 4 consecutive spaces, and may not be empty; choices are dropped (a template's buttons
 * are fixed when it is approved).
 */
export function templateText(reply: Reply): string {
  const line = composeBody(reply).replace(/\s+/g, ' ').trim();
  return truncate(line || '…', WHATSAPP_LIMITS.templateParameter);
}

/** A utility template carrying the reply as its `{{1}}`. */
export function renderTemplate(reply: Reply, template: { name: string; language: string }): WhatsAppMessage {
  return {
    type: 'template',
    template: { name: template.name, language: { code: template.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: templateText(reply) }] }] },
  };
}

/** The choice a patient meant by typing its number (`2`, `2.`, ` 2) `) after a numbered list; undefined otherwise. */
export function matchNumberedChoice(text: string | undefined, choices: readonly Choice[]): Choice | undefined {
  const m = text ? /^\s*(\d{1,3})\s*[.)]?\s*$/.exec(text) : null;
  return m?.[1] ? choices[Number(m[1]) - 1] : undefined;
}

/**
 * The reply as staff would see it on WhatsApp in the customer-service window: each message's text, and its reply
 * buttons or list rows (a list's opening label is not shown).
 */
export function previewReply(reply: Reply): PreviewPart[] {
  return renderReply(reply, { listButton: '…' }).map((m): PreviewPart => {
    if (m.type === 'text') return { text: m.text.body };
    if (m.type === 'template') return { text: m.template.components?.[0]?.parameters[0]?.text ?? '' };
    const i = m.interactive;
    const buttons = i.type === 'button' ? i.action.buttons.map((b) => b.reply.title) : i.action.sections.flatMap((s) => s.rows.map((r) => r.title));
    return { text: i.body.text, buttons };
  });
}
