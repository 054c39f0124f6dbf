import { describe, expect, it } from 'vitest';
import { damerauLevenshtein, hasIntent } from '../../flows/intents.js';
import { parseAppointmentDate, parseDob, parseNationalId, parsePhone, parseTimeOfDay } from '../../flows/parse.js';

const NOW = '2026-11-30T09:00:00+08:00'; // a Monday
const TZ = 'Asia/Manila';

describe('date of birth', () => {
  it.each(['15/05/1990', 'May 15 1990', '15 May 1990', '1990-05-15', 'May 15, 1990', '15 Mei 1990', 'Mayo 15 1990', '05/15/1990'])('reads %s', (s) => {
    expect(parseDob(s, NOW, TZ)).toEqual({ ok: true, value: '1990-05-15' });
  });
  it('refuses impossible and future dates', () => {
    expect(parseDob('31/02/1990', NOW, TZ)).toEqual({ ok: false, reason: 'invalid' });
    expect(parseDob('15/05/2030', NOW, TZ)).toEqual({ ok: false, reason: 'future' });
    expect(parseDob('hello', NOW, TZ)).toEqual({ ok: false, reason: 'invalid' });
    expect(parseDob('01/01/1850', NOW, TZ)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('appointment dates', () => {
  it.each([
    ['en', 'tomorrow', '2026-12-01'], ['en', 'next Monday', '2026-12-07'], ['en', 'Dec 3', '2026-12-03'], ['en', '3/12', '2026-12-03'],
    ['fil', 'bukas', '2026-12-01'], ['fil', 'sa Lunes', '2026-12-07'], ['fil', 'Biyernes', '2026-12-04'], ['fil', '3 Disyembre', '2026-12-03'], ['fil', 'tomorrow', '2026-12-01'],
    ['id', 'besok', '2026-12-01'], ['id', 'lusa', '2026-12-02'], ['id', 'Senin depan', '2026-12-07'], ['id', 'Kamis', '2026-12-03'], ['id', '3 Des', '2026-12-03'],
  ] as const)('%s: %s', (locale, text, want) => {
    expect(parseAppointmentDate(text, locale, NOW, TZ)).toEqual({ ok: true, value: want });
  });
  it('refuses past and unreadable dates', () => {
    expect(parseAppointmentDate('1/1/2020', 'en', NOW, TZ)).toEqual({ ok: false, reason: 'past' });
    expect(parseAppointmentDate('whenever', 'en', NOW, TZ)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('phone, id, time', () => {
  it('normalizes phones to E.164 with the facility country', () => {
    expect(parsePhone('0917 123 4567', 'PH')).toEqual({ ok: true, value: '+639171234567' });
    expect(parsePhone('+63 917 123 4567', 'ID')).toEqual({ ok: true, value: '+639171234567' });
    expect(parsePhone('0812-3456-7890', 'ID')).toEqual({ ok: true, value: '+6281234567890' });
    expect(parsePhone('12345', 'PH').ok).toBe(false);
  });
  it('reads national ids and times of day', () => {
    expect(parseNationalId('1234-5678-9012')).toEqual({ ok: true, value: '123456789012' });
    expect(parseNationalId('abc').ok).toBe(false);
    expect([parseTimeOfDay('9'), parseTimeOfDay('9:30'), parseTimeOfDay('2pm'), parseTimeOfDay('14:00'), parseTimeOfDay('12am'), parseTimeOfDay('x')]).toEqual([540, 570, 840, 840, 0, undefined]);
  });
});

describe('intents', () => {
  it('matches keywords in all three languages and close misspellings of long words', () => {
    expect(damerauLevenshtein('cancel', 'cnacel')).toBe(1);
    expect(hasIntent('I want to reschedlue', 'reschedule')).toBe(true);
    expect(hasIntent('kanselahin po', 'cancel')).toBe(true);
    expect(hasIntent('batalkan', 'cancel')).toBe(true);
    expect(hasIntent('bok', 'book')).toBe(false); // short words must be exact
    expect(hasIntent('Maria Carcel', 'cancel', true)).toBe(false); // free text: whole message only
    expect(hasIntent('cancle', 'cancel', true)).toBe(true);
  });
});
