import { describe, expect, it } from 'vitest';
import { isGsm7, segmentsOf, toGsmFriendly } from '../../../channels/sms/gsm.js';
import { assertNoOptOutInstruction, findOptOutInstructions } from '../../../channels/sms/keywords.js';
import { renderSmsReply, smsText } from '../../../channels/sms/render.js';

describe('GSM-7', () => {
  it('knows the basic and extension tables', () => {
    expect(isGsm7('Hello @ £1 ñ Ñ é ü ß Δ')).toBe(true);
    expect(isGsm7('Magandang umaga, Señor Niño')).toBe(true); // Filipino ñ is GSM-7
    expect(isGsm7('{[~]}|^€\\')).toBe(true);
    expect(isGsm7('😀')).toBe(false);
    expect(isGsm7('ç á í ó ú')).toBe(false);
    expect(isGsm7('“smart”')).toBe(false);
  });

  it('replaces smart quotes, dashes and ellipses with GSM equivalents', () => {
    const s = toGsmFriendly('“Hi” it’s 9–10 am — ok…\u00A0•');
    expect(s).toBe('"Hi" it\'s 9-10 am - ok... -');
    expect(isGsm7(s)).toBe(true);
  });
});

describe('segmentsOf', () => {
  it('GSM-7: 160 in one segment, 161 in two, 153 per segment after', () => {
    expect(segmentsOf('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentsOf('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(segmentsOf('a'.repeat(306)).segments).toBe(2);
    expect(segmentsOf('a'.repeat(307)).segments).toBe(3);
    expect(segmentsOf('').segments).toBe(0);
  });

  it('extension characters count two septets and are never split across segments', () => {
    expect(segmentsOf('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentsOf(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    // 152 septets then a 2-septet char: it moves whole into the next segment
    expect(segmentsOf(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('UCS-2: 70 in one segment, 71 in two, 67 per segment after; emoji take two units', () => {
    expect(segmentsOf('ç'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(segmentsOf('ç'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(segmentsOf('ç'.repeat(134)).segments).toBe(2);
    expect(segmentsOf('ç'.repeat(135)).segments).toBe(3);
    expect(segmentsOf('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(segmentsOf(`ç${'a'.repeat(65)}😀${'a'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 }); // the pair is not split across segments
  });
});

describe('renderSmsReply', () => {
  it('numbered choices and card lines, GSM-7 kept', () => {
    const reply = {
      text: 'Please confirm your appointment.',
      card: { title: 'St. Luke’s Clinic', rows: [{ label: 'Date', value: 'Mon 3 Mar, 9:00' }, { label: 'Doctor', value: 'Dr. Santos' }] },
      choices: [{ id: 'c:yes', label: 'Confirm' }, { id: 'c:resched', label: 'Reschedule' }, { id: 'c:cancel', label: 'Cancel appointment' }],
    };
    expect(smsText(reply)).toBe(
      "Please confirm your appointment.\n\nSt. Luke's Clinic\nDate: Mon 3 Mar, 9:00\nDoctor: Dr. Santos\n\n1) Confirm\n2) Reschedule\n3) Cancel appointment",
    );
    const r = renderSmsReply(reply);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]?.encoding).toBe('GSM-7');
    expect(r.truncated).toBe(false);
  });

  it('a long reply splits into messages at line/word boundaries, each within 3 segments', () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`);
    const r = renderSmsReply({ text: words.join(' '), choices: [{ id: 'a', label: 'Yes please' }] });
    expect(r.parts.length).toBeGreaterThan(1);
    for (const p of r.parts) {
      expect(p.segments).toBeLessThanOrEqual(3);
      expect(segmentsOf(p.body).segments).toBe(p.segments);
    }
    const rejoined = r.parts.map((p) => p.body).join(' ').split(/\s+/);
    expect(rejoined.slice(0, words.length)).toEqual(words); // no word cut in half
    expect(r.parts.at(-1)?.body.endsWith('1) Yes please')).toBe(true);
  });

  it('UCS-2 text (an emoji) is split by UCS-2 limits', () => {
    const text = `Salamat 😀 ${'salita '.repeat(60)}`.trim();
    const r = renderSmsReply({ text });
    expect(r.parts.every((p) => p.encoding === 'UCS-2' || isGsm7(p.body))).toBe(true);
    for (const p of r.parts) expect(segmentsOf(p.body).segments).toBeLessThanOrEqual(3);
  });

  it('caps a reply at 6 segments and says it was truncated', () => {
    const r = renderSmsReply({ text: 'word '.repeat(1000) });
    expect(r.truncated).toBe(true);
    expect(r.segments).toBeLessThanOrEqual(6);
    expect(r.parts.reduce((n, p) => n + p.segments, 0)).toBe(r.segments);
  });

  it('a short Filipino reply with ñ stays one GSM-7 segment', () => {
    const r = renderSmsReply({ text: 'Magandang araw, G. Niño! Kumpirmado na ang iyong appointment.' });
    expect(r.parts).toEqual([{ body: 'Magandang araw, G. Niño! Kumpirmado na ang iyong appointment.', encoding: 'GSM-7', segments: 1 }]);
  });
});

describe('assertNoOptOutInstruction', () => {
  it.each([
    'Reply CANCEL to cancel your appointment.',
    'Text STOP to stop reminders',
    'reply stop to unsubscribe',
    'Reply with the word END',
    'Send "quit" to leave',
    'I-text ang STOP para huminto',
    'Mag-reply ng cancel para kanselahin',
    'Balas BERHENTI atau ketik STOP',
    'Ketik kata cancel untuk membatalkan',
    'Type ‘Cancel’ to cancel',
    '1) Book\n2) Cancel\n3) Help',
  ])('flags %j', (text) => {
    expect(findOptOutInstructions(text).length).toBeGreaterThan(0);
    expect(() => assertNoOptOutInstruction(text)).toThrow(/opt-out/);
  });

  it.each([
    'Reply 2 to cancel your appointment.',
    'To cancel, reply 3.',
    '1) Book\n2) Cancel appointment\n3) Reschedule',
    'Your appointment ends at 10:00. We will stop sending reminders after it.',
    'Sumagot ng 1 para kumpirmahin.',
    'Balas 1 untuk konfirmasi.',
  ])('lets %j through', (text) => {
    expect(findOptOutInstructions(text)).toEqual([]);
    expect(() => assertNoOptOutInstruction(text)).not.toThrow();
  });
});
