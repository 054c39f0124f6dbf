import { describe, expect, it } from 'vitest';
import { ambiguousDob, parseAppointmentDate, parseDob, parsePhone, phoneExample } from '../../flows/parse.js';

/** Monday 30 Nov 2026, 09:00 Manila (late Sunday 29 Nov in UTC: the facility's day counts) */
const MONDAY = '2026-11-30T09:00:00+08:00';
const MONDAY_EARLY = '2026-11-29T17:30:00Z';
/** Wednesday 2 Dec 2026 */
const WEDNESDAY = '2026-12-02T09:00:00+08:00';
const TZ = 'Asia/Manila';

const date = (text: string, locale: 'en' | 'fil' | 'id', now = MONDAY) => parseAppointmentDate(text, locale, now, TZ);

describe('parseAppointmentDate: the bot\'s own examples and their neighbours', () => {
  it.each([
    ['next Monday', 'en', '2026-12-07'],
    ['next week', 'en', '2026-12-07'],
    ['tomorrow', 'en', '2026-12-01'],
    ['Dec 3', 'en', '2026-12-03'],
    ['bukas', 'fil', '2026-12-01'],
    ['sa Lunes', 'fil', '2026-12-07'],
    ['susunod na Lunes', 'fil', '2026-12-07'],
    ['susunod na linggo', 'fil', '2026-12-07'],
    ['sa susunod na linggo', 'fil', '2026-12-07'],
    ['sa Linggo', 'fil', '2026-12-06'],
    ['Dis 3', 'fil', '2026-12-03'],
    ['besok', 'id', '2026-12-01'],
    ['Senin depan', 'id', '2026-12-07'],
    ['minggu depan', 'id', '2026-12-07'],
    ['pekan depan', 'id', '2026-12-07'],
    ['hari Minggu', 'id', '2026-12-06'],
    ['hari Minggu depan', 'id', '2026-12-13'],
    ['3 Des', 'id', '2026-12-03'],
  ] as const)('%s (%s) is %s', (text, locale, expected) => {
    expect(date(text, locale)).toEqual({ ok: true, value: expected });
  });

  it('"next week" on a Wednesday is the Monday after, in every language', () => {
    for (const [text, locale] of [['next week', 'en'], ['susunod na linggo', 'fil'], ['minggu depan', 'id']] as const) {
      expect(date(text, locale, WEDNESDAY), text).toEqual({ ok: true, value: '2026-12-07' });
    }
  });

  it('yesterday has passed, in every language (not "couldn\'t read that")', () => {
    for (const [text, locale] of [['yesterday', 'en'], ['kahapon', 'fil'], ['kemarin', 'id']] as const) {
      expect(date(text, locale), text).toEqual({ ok: false, reason: 'past' });
    }
  });

  it('counts days in the facility\'s zone', () => {
    // 01:30 Monday in Manila is still Sunday in UTC: tomorrow is Tuesday
    expect(date('tomorrow', 'en', MONDAY_EARLY)).toEqual({ ok: true, value: '2026-12-01' });
    expect(date('bukas', 'fil', MONDAY_EARLY)).toEqual({ ok: true, value: '2026-12-01' });
    expect(date('besok', 'id', MONDAY_EARLY)).toEqual({ ok: true, value: '2026-12-01' });
  });

  it('reads no date in "later dates" or "susunod"', () => {
    expect(date('later dates', 'en')).toEqual({ ok: false, reason: 'invalid' });
    expect(date('susunod', 'fil')).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('ambiguousDob', () => {
  it('gives both readings, day first, when day and month could be either', () => {
    expect(ambiguousDob('03/04/1985', MONDAY, TZ)).toEqual(['1985-04-03', '1985-03-04']);
    expect(ambiguousDob('3-4-1985', MONDAY, TZ)).toEqual(['1985-04-03', '1985-03-04']);
  });

  it('gives nothing when only one reading is possible or both are the same', () => {
    for (const text of ['15/05/1990', '05/15/1990', '05/05/1990', '1985-04-03', '3 April 1985', 'April 3 1985']) expect(ambiguousDob(text, MONDAY, TZ), text).toBeUndefined();
  });

  it('gives nothing when one reading is in the future (only the other can be a birth date)', () => {
    // 11/12/2026: 11 December has not come yet, 12 November has
    expect(ambiguousDob('11/12/2026', MONDAY, TZ)).toBeUndefined();
    expect(parseDob('11/12/2026', MONDAY, TZ)).toEqual({ ok: false, reason: 'future' });
  });
});

describe('phone numbers and their examples', () => {
  it('gives an example of the facility\'s country', () => {
    expect(phoneExample('PH')).toBe('0917 123 4567');
    expect(phoneExample('ph')).toBe('0917 123 4567');
    expect(phoneExample('ID')).toBe('0812 3456 7890');
    expect(parsePhone(phoneExample('SG'), 'SG').ok).toBe(true);
  });

  it('each example reads as a valid number of its country', () => {
    expect(parsePhone(phoneExample('PH'), 'PH')).toEqual({ ok: true, value: '+639171234567' });
    expect(parsePhone(phoneExample('ID'), 'ID')).toEqual({ ok: true, value: '+6281234567890' });
  });

  it('accepts a number with its country code at a facility of another country', () => {
    expect(parsePhone('+62 812 3456 7890', 'PH')).toEqual({ ok: true, value: '+6281234567890' });
    expect(parsePhone('+63 917 123 4567', 'ID')).toEqual({ ok: true, value: '+639171234567' });
    // an Indonesian number without its code is no Philippine number
    expect(parsePhone('0812 3456 7890', 'PH')).toEqual({ ok: false, reason: 'invalid' });
  });
});
