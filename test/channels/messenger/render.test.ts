import { describe, expect, it } from 'vitest';
import { MESSENGER_LIMITS, matchNumberedChoice, renderReply, splitText } from '../../../channels/messenger/render.js';
import type { Choice } from '../../../src/core/messages.js';

const choices = (n: number, label = (i: number) => `Option ${i}`): Choice[] => Array.from({ length: n }, (_, i) => ({ id: `c${i + 1}`, label: label(i + 1) }));

describe('renderReply', () => {
  it('renders plain text as one text message', () => {
    expect(renderReply({ text: 'Hello' })).toEqual([{ text: 'Hello' }]);
  });

  it('renders 13 choices with 20-character labels as quick replies', () => {
    const cs = choices(13, (i) => `${String(i).padStart(2, '0')} ${'x'.repeat(17)}`);
    expect(cs.every((c) => c.label.length === 20)).toBe(true);
    const out = renderReply({ text: 'Pick a time', choices: cs });
    expect(out).toEqual([{ text: 'Pick a time', quick_replies: cs.map((c) => ({ content_type: 'text', title: c.label, payload: c.id })) }]);
  });

  it('uses a button template when a label is 21 characters and there are at most 3 choices', () => {
    const cs: Choice[] = [
      { id: 'dr-santos', label: 'Dr. Maria Santos, MD.' },
      { id: 'dr-cruz', label: 'Dr. Cruz' },
    ];
    expect(cs[0]!.label.length).toBe(21);
    const out = renderReply({ text: 'Which doctor?', choices: cs });
    expect(out).toEqual([
      {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'Which doctor?\n\n1. Dr. Maria Santos, MD.\n2. Dr. Cruz',
            buttons: [
              { type: 'postback', title: '1. Dr. Maria Santos…', payload: 'dr-santos' },
              { type: 'postback', title: '2. Dr. Cruz', payload: 'dr-cruz' },
            ],
          },
        },
      },
    ]);
    const buttons = (out[0] as { attachment: { payload: { buttons: { title: string }[] } } }).attachment.payload.buttons;
    expect(buttons.every((b) => b.title.length <= MESSENGER_LIMITS.buttonTitle)).toBe(true);
  });

  it('keeps the button template text within 640 characters, sending a long prompt before it', () => {
    const prompt = 'word '.repeat(140).trim(); // 699 characters
    const cs = choices(3, (i) => `A rather long label number ${i}`);
    const out = renderReply({ text: prompt, choices: cs });
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ text: prompt });
    const tpl = (out[1] as { attachment: { payload: { text: string; buttons: unknown[] } } }).attachment.payload;
    expect(tpl.text).toBe(cs.map((c, i) => `${i + 1}. ${c.label}`).join('\n'));
    expect(tpl.text.length).toBeLessThanOrEqual(MESSENGER_LIMITS.buttonTemplateText);
    expect(tpl.buttons).toHaveLength(3);
  });

  it('falls back to numbered text for 14 choices', () => {
    const out = renderReply({ text: 'Pick one', choices: choices(14) });
    expect(out).toEqual([{ text: ['Pick one', '', ...choices(14).map((c, i) => `${i + 1}. ${c.label}`)].join('\n') }]);
  });

  it('falls back to numbered text for 4 choices when one label is too long', () => {
    const cs = [...choices(3), { id: 'c4', label: 'A label that is far too long' }];
    const out = renderReply({ text: 'Pick', choices: cs });
    expect(out).toEqual([{ text: 'Pick\n\n1. Option 1\n2. Option 2\n3. Option 3\n4. A label that is far too long' }]);
  });

  it('does not put a payload over 1000 characters in a quick reply', () => {
    const out = renderReply({ text: 'Pick', choices: [{ id: 'x'.repeat(1001), label: 'Yes' }] });
    expect(out).toEqual([{ text: 'Pick\n\n1. Yes' }]);
  });

  it('renders a card as text lines above the text', () => {
    const out = renderReply({ text: 'Shall I book it?', card: { title: 'Appointment', rows: [{ label: 'Doctor', value: 'Dr. Cruz' }, { label: 'When', value: 'Mon 6 Jan, 9:00' }] }, choices: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] });
    expect(out).toEqual([
      {
        text: 'Appointment\nDoctor: Dr. Cruz\nWhen: Mon 6 Jan, 9:00\n\nShall I book it?',
        quick_replies: [
          { content_type: 'text', title: 'Yes', payload: 'yes' },
          { content_type: 'text', title: 'No', payload: 'no' },
        ],
      },
    ]);
  });

  it('sends 2000 characters as one message and 2001 as two, split at a space', () => {
    const exactly = `${'a'.repeat(999)} ${'b'.repeat(1000)}`;
    expect(exactly.length).toBe(2000);
    expect(renderReply({ text: exactly })).toEqual([{ text: exactly }]);
    const over = `${'a'.repeat(1000)} ${'b'.repeat(1000)}`;
    expect(renderReply({ text: over })).toEqual([{ text: 'a'.repeat(1000) }, { text: 'b'.repeat(1000) }]);
  });

  it('puts quick replies on the last part of a long text', () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ') + ' ' + 'tail '.repeat(300);
    const out = renderReply({ text: long, choices: [{ id: 'ok', label: 'OK' }] });
    expect(out.length).toBeGreaterThan(1);
    out.forEach((m) => expect('text' in m && m.text.length).toBeLessThanOrEqual(2000));
    expect(out.slice(0, -1).every((m) => !('quick_replies' in m))).toBe(true);
    expect(out.at(-1)).toMatchObject({ quick_replies: [{ payload: 'ok' }] });
  });
});

describe('splitText', () => {
  it('keeps every word whole and loses no text', () => {
    const text = Array.from({ length: 1200 }, (_, i) => `w${i}`).join(' ');
    const parts = splitText(text, 2000);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });

  it('prefers a line break to a space', () => {
    const text = `${'a'.repeat(1500)}\n${'b '.repeat(400)}`;
    const parts = splitText(text, 2000);
    expect(parts[0]).toBe('a'.repeat(1500));
  });

  it('cuts a word longer than the limit, never inside a surrogate pair', () => {
    const text = `${'a'.repeat(1999)}😀${'b'.repeat(10)}`;
    const parts = splitText(text, 2000);
    expect(parts).toEqual(['a'.repeat(1999), `😀${'b'.repeat(10)}`]);
  });
});

describe('matchNumberedChoice', () => {
  const cs = choices(14);
  it('maps a typed number to the choice', () => {
    expect(matchNumberedChoice('2', cs)).toEqual(cs[1]);
    expect(matchNumberedChoice(' 14. ', cs)).toEqual(cs[13]);
    expect(matchNumberedChoice('3)', cs)).toEqual(cs[2]);
  });
  it('ignores anything else', () => {
    expect(matchNumberedChoice('15', cs)).toBeUndefined();
    expect(matchNumberedChoice('0', cs)).toBeUndefined();
    expect(matchNumberedChoice('2 please', cs)).toBeUndefined();
    expect(matchNumberedChoice(undefined, cs)).toBeUndefined();
  });
});
