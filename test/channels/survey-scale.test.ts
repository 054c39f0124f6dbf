/**
 * A post-visit survey's 0–10 scale on each channel (Reply.scale): SMS and WhatsApp ask for the number and
 * list no choices (typed "8" is the score 8, not the eighth line); Messenger carries eleven quick replies;
 * Viber a compact keyboard. A typed answer to a pushed scale is read by its label first, and not after the
 * push's `until`.
 */
import { describe, expect, it } from 'vitest';
import { renderReply as renderMessenger } from '../../channels/messenger/index.js';
import { smsText } from '../../channels/sms/index.js';
import { renderReply as renderWhatsApp } from '../../channels/whatsapp/index.js';
import { renderViberReply } from '../../channels/viber/index.js';
import type { Reply } from '../../src/core/messages.js';
import { answerToPush } from '../../src/engine/push-choices.js';
import { PushedChoiceStore } from '../../src/store/pushed-choices.js';
import { createMemoryBackend } from '../support/memory-backend.js';

const scale: Reply = {
  text: 'How likely are you to recommend us, from 0 to 10? Reply with a number.',
  choices: Array.from({ length: 11 }, (_, n) => ({ id: `survey:${n}:6:A-1`, label: String(n) })),
  scale: true,
};

describe('a 0–10 scale', () => {
  it('SMS: the text alone, no numbered lines', () => {
    expect(smsText(scale)).toBe(scale.text);
    // the same choices without the flag would be numbered 1–11, which is what a typed "8" must not mean
    expect(smsText({ ...scale, scale: false })).toMatch(/^9\) 8$/m);
  });

  it('WhatsApp: a text message, no list', () => {
    const out = renderWhatsApp(scale, { listButton: 'Choose' });
    expect(out).toHaveLength(1);
    expect(JSON.stringify(out[0])).not.toContain('interactive');
    expect(JSON.stringify(out[0])).toContain('Reply with a number');
  });

  it('Messenger: eleven quick replies titled 0–10', () => {
    const out = renderMessenger(scale);
    const qr = (out.at(-1) as { quick_replies?: { title: string }[] }).quick_replies!;
    expect(qr.map((q) => q.title)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('Viber: six numbers to a row', () => {
    const kb = renderViberReply(scale, { name: 'Clinic' }).at(-1)!.keyboard!;
    expect(kb.Buttons).toHaveLength(11);
    expect(kb.Buttons.every((b) => b.Columns === 1)).toBe(true);
  });

  it('a typed "8" picks the choice labelled 8; after `until` nothing; other pushes still answer by position', async () => {
    const pushes = new PushedChoiceStore(createMemoryBackend().kv);
    await pushes.remember('f', 'c', scale.choices!, '2027-01-04T12:00:00.000Z', '2027-01-06T12:00:00.000Z');
    expect(await answerToPush(pushes, 'f', 'c', '8', undefined, '2027-01-05T12:00:00.000Z')).toBe('survey:8:6:A-1');
    expect(await answerToPush(pushes, 'f', 'c', '8', undefined, '2027-01-06T12:00:01.000Z')).toBeUndefined();
    await pushes.remember('f', 'c', [{ id: 'rem:confirm:A', label: "Yes, I'll come" }, { id: 'rem:cancel:A', label: 'Cancel appointment' }], '2027-01-07T12:00:00.000Z');
    expect(await answerToPush(pushes, 'f', 'c', '2', undefined, '2027-01-07T12:01:00.000Z')).toBe('rem:cancel:A');
    expect(await answerToPush(pushes, 'f', 'c', 'cancel appointment', undefined, '2027-01-07T12:01:00.000Z')).toBe('rem:cancel:A');
  });
});
