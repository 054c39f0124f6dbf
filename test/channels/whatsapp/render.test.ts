import { describe, expect, it } from 'vitest';
import { WHATSAPP_LIMITS, matchNumberedChoice, renderReply, renderTemplate, splitText, templateText, truncate } from '../../../channels/whatsapp/render.js';
import type { InteractiveContent, WhatsAppMessage } from '../../../channels/whatsapp/types.js';
import type { Choice } from '../../../src/core/messages.js';

const choices = (n: number, label = (i: number) => `Option ${i}`): Choice[] => Array.from({ length: n }, (_, i) => ({ id: `c${i + 1}`, label: label(i + 1) }));
const opts = { listButton: 'Choose' };
const interactive = (m: WhatsAppMessage | undefined): InteractiveContent => {
  if (m?.type !== 'interactive') throw new Error(`not interactive: ${JSON.stringify(m)}`);
  return m.interactive;
};
const textOf = (m: WhatsAppMessage) => (m.type === 'text' ? m.text.body : m.type === 'interactive' ? m.interactive.body.text : '');

describe('renderReply: text', () => {
  it('renders plain text as one text message', () => {
    expect(renderReply({ text: 'Hello' }, opts)).toEqual([{ type: 'text', text: { body: 'Hello' } }]);
  });

  it('sends 4096 characters as one message and 4097 as two, split at a space', () => {
    const exactly = `${'a'.repeat(2047)} ${'b'.repeat(2048)}`;
    expect(exactly.length).toBe(WHATSAPP_LIMITS.text);
    expect(renderReply({ text: exactly }, opts)).toEqual([{ type: 'text', text: { body: exactly } }]);
    const over = `${'a'.repeat(2048)} ${'b'.repeat(2048)}`;
    expect(renderReply({ text: over }, opts)).toEqual([
      { type: 'text', text: { body: 'a'.repeat(2048) } },
      { type: 'text', text: { body: 'b'.repeat(2048) } },
    ]);
  });

  it('splits long text on word boundaries, loses no word, and keeps every part within 4096', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const parts = renderReply({ text }, opts).map(textOf);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= WHATSAPP_LIMITS.text)).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });

  it('renders a card as text lines above the text', () => {
    const out = renderReply({ text: 'Shall I book it?', card: { title: 'Appointment', rows: [{ label: 'Doctor', value: 'Dr. Cruz' }, { label: 'When', value: 'Mon 6 Jan, 9:00' }] } }, opts);
    expect(out).toEqual([{ type: 'text', text: { body: 'Appointment\nDoctor: Dr. Cruz\nWhen: Mon 6 Jan, 9:00\n\nShall I book it?' } }]);
  });
});

describe('renderReply: choices', () => {
  it('renders 3 choices as reply buttons carrying our ids', () => {
    const out = renderReply({ text: 'Confirm your appointment?', choices: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }, { id: 'menu', label: 'Main menu' }] }, opts);
    expect(out).toEqual([
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Confirm your appointment?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
              { type: 'reply', reply: { id: 'no', title: 'No' } },
              { type: 'reply', reply: { id: 'menu', title: 'Main menu' } },
            ],
          },
        },
      },
    ]);
  });

  it('keeps a 20-character label whole on a button', () => {
    const label = 'x'.repeat(WHATSAPP_LIMITS.buttonTitle);
    const i = interactive(renderReply({ text: 'Pick', choices: [{ id: 'a', label }] }, opts)[0]);
    expect(i.type === 'button' && i.action.buttons[0]!.reply.title).toBe(label);
  });

  it('numbers buttons whose labels are too long, cuts their titles to 20, and lists the full labels in the body', () => {
    const cs: Choice[] = [
      { id: 'dr-santos', label: 'Dr. Maria Santos (Cardiology)' },
      { id: 'dr-cruz', label: 'Dr. Cruz' },
    ];
    const out = renderReply({ text: 'Which doctor?', choices: cs }, opts);
    expect(out).toEqual([
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Which doctor?\n\n1. Dr. Maria Santos (Cardiology)\n2. Dr. Cruz' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'dr-santos', title: '1. Dr. Maria Santos…' } },
              { type: 'reply', reply: { id: 'dr-cruz', title: '2. Dr. Cruz' } },
            ],
          },
        },
      },
    ]);
    const i = interactive(out[0]);
    expect(i.type === 'button' && i.action.buttons.every((b) => b.reply.title.length <= WHATSAPP_LIMITS.buttonTitle)).toBe(true);
  });

  it('numbers buttons whose labels are alike, so every title is distinct', () => {
    const i = interactive(renderReply({ text: 'Which one?', choices: [{ id: 'a', label: 'Cancel' }, { id: 'b', label: 'Cancel' }] }, opts)[0]);
    expect(i.type === 'button' && i.action.buttons.map((b) => b.reply.title)).toEqual(['1. Cancel', '2. Cancel']);
  });

  it('renders 4 to 10 choices as a list of that many rows', () => {
    for (const n of [4, 10]) {
      const out = renderReply({ text: 'Pick a time', choices: choices(n) }, opts);
      expect(out).toHaveLength(1);
      const i = interactive(out[0]);
      expect(i).toEqual({
        type: 'list',
        body: { text: 'Pick a time' },
        action: { button: 'Choose', sections: [{ rows: choices(n).map((c) => ({ id: c.id, title: c.label })) }] },
      });
    }
  });

  it('cuts a row title to 24 and shows the full label (up to 72) as its description', () => {
    const long = 'Dr. Maria Santos, Cardiology, 3rd floor east wing';
    const i = interactive(renderReply({ text: 'Pick', choices: [...choices(3), { id: 'c4', label: long }, { id: 'c5', label: 'y'.repeat(100) }] }, opts)[0]);
    if (i.type !== 'list') throw new Error('not a list');
    const rows = i.action.sections[0]!.rows;
    expect(rows[3]).toEqual({ id: 'c4', title: 'Dr. Maria Santos, Cardi…', description: long });
    expect(rows[4]!.description).toBe(`${'y'.repeat(71)}…`);
    expect(rows.every((r) => r.title.length <= WHATSAPP_LIMITS.rowTitle && (r.description ?? '').length <= WHATSAPP_LIMITS.rowDescription)).toBe(true);
  });

  it('cuts the list button label to 20', () => {
    const i = interactive(renderReply({ text: 'Pick', choices: choices(5) }, { listButton: 'Choose one of the options below' })[0]);
    expect(i.type === 'list' && i.action.button).toBe('Choose one of the o…');
  });

  it('falls back to numbered text for 11 choices (the patient types the number)', () => {
    const out = renderReply({ text: 'Pick a time', choices: choices(11) }, opts);
    expect(out).toEqual([{ type: 'text', text: { body: ['Pick a time', '', ...choices(11).map((c, i) => `${i + 1}. ${c.label}`)].join('\n') } }]);
    expect(matchNumberedChoice('11', choices(11))).toEqual(choices(11)[10]);
  });

  it('uses a list for 1–3 choices whose ids are too long for buttons but fit a row, and numbered text past that', () => {
    const rowSized = 'r'.repeat(WHATSAPP_LIMITS.rowId);
    expect(interactive(renderReply({ text: 'Pick', choices: [{ id: rowSized, label: 'A' }] }, opts)[0]).type).toBe('button'); // 200 ≤ 256
    const buttonOnly = 'b'.repeat(WHATSAPP_LIMITS.buttonId + 1);
    expect(renderReply({ text: 'Pick', choices: [{ id: buttonOnly, label: 'A' }] }, opts)).toEqual([{ type: 'text', text: { body: 'Pick\n\n1. A' } }]);
    const tooLongForRows = [...choices(4), { id: 'x'.repeat(WHATSAPP_LIMITS.rowId + 1), label: 'E' }];
    expect(renderReply({ text: 'Pick', choices: tooLongForRows }, opts)[0]!.type).toBe('text');
  });

  it('never puts an id with surrounding spaces, an empty id or a repeated id on a button or row', () => {
    expect(renderReply({ text: 'Pick', choices: [{ id: ' yes', label: 'Yes' }] }, opts)[0]!.type).toBe('text');
    expect(renderReply({ text: 'Pick', choices: [{ id: '', label: 'Yes' }] }, opts)[0]!.type).toBe('text');
    expect(renderReply({ text: 'Pick', choices: [{ id: 'a', label: 'One' }, { id: 'a', label: 'Two' }] }, opts)[0]!.type).toBe('text');
  });

  it('sends a prompt too long for an interactive body first, as text, keeping the body within 1024', () => {
    const prompt = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    expect(prompt.length).toBeGreaterThan(WHATSAPP_LIMITS.interactiveBody);
    const out = renderReply({ text: prompt, choices: choices(2) }, opts);
    expect(out.length).toBe(2);
    expect(out[0]!.type).toBe('text');
    const i = interactive(out[1]);
    expect(i.body.text.length).toBeLessThanOrEqual(WHATSAPP_LIMITS.interactiveBody);
    expect(`${textOf(out[0]!)} ${i.body.text}`).toBe(prompt);
  });

  it('gives a prompt-less interactive message a body (Meta requires one)', () => {
    expect(interactive(renderReply({ text: '', choices: choices(2) }, opts)[0]).body.text).toBe('…');
  });
});

describe('templates', () => {
  it('collapses new lines, tabs and runs of spaces into one line (template parameters may hold none)', () => {
    expect(templateText({ text: 'Reminder:\n\nDr. Cruz\tMon 6 Jan      9:00 ' })).toBe('Reminder: Dr. Cruz Mon 6 Jan 9:00');
    expect(templateText({ text: 'See you', card: { title: 'Appointment', rows: [{ label: 'When', value: 'Mon 9:00' }] } })).toBe('Appointment When: Mon 9:00 See you');
  });

  it('never sends an empty parameter, nor one longer than a template body', () => {
    expect(templateText({ text: ' \n ' })).toBe('…');
    expect(templateText({ text: 'z'.repeat(5000) }).length).toBe(WHATSAPP_LIMITS.templateParameter);
  });

  it('puts the text in the one body parameter of the named template', () => {
    expect(renderTemplate({ text: 'Tomorrow 9:00\nDr. Cruz', choices: [{ id: 'x', label: 'X' }] }, { name: 'appointment_reminder', language: 'en_US' })).toEqual({
      type: 'template',
      template: { name: 'appointment_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tomorrow 9:00 Dr. Cruz' }] }] },
    });
  });
});

describe('helpers', () => {
  it('splitText prefers a line break to a space, and never cuts inside a surrogate pair', () => {
    expect(splitText(`${'a'.repeat(3000)}\n${'b '.repeat(800)}`)[0]).toBe('a'.repeat(3000));
    expect(splitText(`${'a'.repeat(4095)}😀${'b'.repeat(10)}`)).toEqual(['a'.repeat(4095), `😀${'b'.repeat(10)}`]);
  });

  it('truncate keeps short strings and ends cut ones with an ellipsis within the limit', () => {
    expect(truncate('Yes', 20)).toBe('Yes');
    expect(truncate('Dr. Maria Santos (Cardiology)', 20)).toBe('Dr. Maria Santos (C…');
    expect(truncate('😀😀😀😀', 4)).toBe('😀…');
  });

  it('matchNumberedChoice maps a typed number to its choice and nothing else', () => {
    const cs = choices(12);
    expect(matchNumberedChoice('2', cs)).toEqual(cs[1]);
    expect(matchNumberedChoice(' 12. ', cs)).toEqual(cs[11]);
    expect(matchNumberedChoice('3)', cs)).toEqual(cs[2]);
    expect(matchNumberedChoice('13', cs)).toBeUndefined();
    expect(matchNumberedChoice('0', cs)).toBeUndefined();
    expect(matchNumberedChoice('2 please', cs)).toBeUndefined();
    expect(matchNumberedChoice(undefined, cs)).toBeUndefined();
  });
});
