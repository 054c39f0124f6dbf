import { describe, expect, it } from 'vitest';
import { renderViberReply, splitAtWords, VIBER_MAX_BUTTONS, VIBER_MAX_TEXT } from '../../../channels/viber/render.js';

const sender = { name: "St Luke's" };

describe('renderViberReply', () => {
  it('text up to 7,000 characters is one message', () => {
    const text = 'a'.repeat(VIBER_MAX_TEXT);
    expect(renderViberReply({ text }, sender)).toHaveLength(1);
  });

  it('longer text splits at word boundaries, every part within 7,000', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const msgs = renderViberReply({ text }, sender);
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) expect(m.text.length).toBeLessThanOrEqual(VIBER_MAX_TEXT);
    expect(msgs.map((m) => m.text).join(' ').split(' ')).toEqual(words);
  });

  it('a single word longer than the limit is cut, never a surrogate pair', () => {
    const parts = splitAtWords('😀'.repeat(4000), VIBER_MAX_TEXT);
    expect(parts.join('')).toBe('😀'.repeat(4000));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(VIBER_MAX_TEXT);
  });

  it('choices become a reply keyboard on the last message, full width up to 6', () => {
    const msgs = renderViberReply({ text: 'Pick one', choices: [{ id: 'c:book', label: 'Book an appointment' }, { id: 'c:cancel', label: 'Cancel' }] }, sender);
    expect(msgs).toEqual([
      {
        type: 'text',
        text: 'Pick one',
        sender,
        min_api_version: 1,
        keyboard: {
          Type: 'keyboard',
          DefaultHeight: false,
          Buttons: [
            { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:book', Text: 'Book an appointment', TextSize: 'regular' },
            { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:cancel', Text: 'Cancel', TextSize: 'regular' },
          ],
        },
      },
    ]);
  });

  it('7 to 24 choices go two per row; beyond 24 they are listed as numbered text', () => {
    const choices = Array.from({ length: 30 }, (_, i) => ({ id: `s:${i}`, label: `Slot ${i + 1}` }));
    const [m] = renderViberReply({ text: 'Slots', choices }, sender);
    expect(m?.keyboard?.Buttons).toHaveLength(VIBER_MAX_BUTTONS);
    expect(m?.keyboard?.Buttons.every((b) => b.Columns === 3 && b.Rows === 1)).toBe(true);
    expect(m?.text).toContain('25. Slot 25');
    expect(m?.text).toContain('30. Slot 30');
    const [seven] = renderViberReply({ text: 'x', choices: choices.slice(0, 7) }, sender);
    expect(seven?.keyboard?.Buttons[0]?.Columns).toBe(3);
  });

  it('a card is rendered as lines under the text', () => {
    const [m] = renderViberReply({ text: 'Please confirm', card: { title: 'Appointment', rows: [{ label: 'Date', value: 'Mon 3 Mar' }] } }, sender);
    expect(m?.text).toBe('Please confirm\n\nAppointment\nDate: Mon 3 Mar');
  });

  it('sender name is at most 28 characters, avatar passed when configured', () => {
    const [m] = renderViberReply({ text: 'x' }, { name: 'N'.repeat(40), avatar: 'https://x.org/a.png' });
    expect(m?.sender).toEqual({ name: 'N'.repeat(28), avatar: 'https://x.org/a.png' });
  });
});
