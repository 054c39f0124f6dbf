import { describe, expect, it } from 'vitest';
import type { FlowContact } from '../../flows/protocol.js';
import type { Calendar } from '../../src/core/index.js';
import { isPersonName, renderReply } from '../../src/i18n/index.js';
import type { Chat } from '../support/transcript.js';
import { CALENDARS, setup } from './fixtures.js';

/**
 * Issue 14, "understanding people": what a new user typed, in the language it was found in, and what the
 * bot should have understood. Clock: Monday 30 Nov 2026 09:00 Manila (test/flows/fixtures.ts).
 */

const known = { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1', phoneVerified: true };

/** A known patient at the date question of the Laboratory (one appointment type: straight to the dates). */
function atDates(locale: 'en' | 'fil' | 'id', startAt?: string) {
  const { chat } = setup({ locale, contact: known, ...(startAt ? { startAt } : {}) });
  return toLaboratoryDates(chat);
}

/** a new patient asks to book, agrees, and gives their name (each question asked): at the date-of-birth question */
const toDateOfBirth = (chat: Chat, said: { book: string; agree: string; name: string }, asked: { name: RegExp; dob: RegExp }) =>
  chat.send(said.book).skip().send(said.agree).expectEventually(asked.name).send(said.name).expect(asked.dob);

/** from the menu: book, the Laboratory, at its date question */
const toLaboratoryDates = (chat: Chat) => chat.send({ choiceId: 'menu:book' }).skip().send('Laboratory').skip();

describe('dates typed as the bot suggests them', () => {
  it('"next Monday" (its own example) is next Monday, not the Saturday after', async () => {
    await atDates('en').send('next Monday').expect(/open on Mon, Dec 7, 2026/);
  });

  it('"next week" starts from next week\'s Monday', async () => {
    await atDates('en').send('next week').expect(/open on Mon, Dec 7, 2026/);
  });

  it('"next week" typed on a Wednesday is still the Monday after', async () => {
    await atDates('en', '2026-12-02T09:00:00+08:00').send('next week').expect(/open on Mon, Dec 7, 2026/);
  });

  it('Filipino: "kahapon" has passed, "sa Lunes" and "susunod na Lunes" are next Monday', async () => {
    await atDates('fil')
      .send('kahapon')
      .expect(/Lumipas na po ang petsang iyon/)
      .skip()
      .send('susunod na Lunes')
      .expect(/Lun, Dis 7, 2026/)
      .send({ choiceId: 'cmd:back' })
      .skip()
      .send('sa Lunes')
      .expect(/Lun, Dis 7, 2026/);
  });

  it('Filipino: "susunod na linggo" (next week) is next week\'s Monday', async () => {
    await atDates('fil').send('susunod na linggo').expect(/Lun, Dis 7, 2026/);
  });

  it('Bahasa Indonesia: "kemarin" has passed, "Senin depan" and "minggu depan" are next Monday, "besok" tomorrow', async () => {
    await atDates('id')
      .send('kemarin')
      .expect(/sudah lewat/)
      .skip()
      .send('minggu depan')
      .expect(/Sen, 7 Des 2026/)
      .send({ choiceId: 'cmd:back' })
      .skip()
      .send('Senin depan')
      .expect(/Sen, 7 Des 2026/)
      .send({ choiceId: 'cmd:back' })
      .skip()
      .send('besok')
      .expect(/Sel, 1 Des 2026/);
  });

  it('English: "yesterday" has passed', async () => {
    await atDates('en').send('yesterday').expect(/already passed/);
  });
});

describe('phone numbers follow the facility', () => {
  it('Bahasa at a Philippine facility: the example is a Philippine number, and an Indonesian +62 number is accepted', async () => {
    const { chat } = setup({ locale: 'id' });
    await toDateOfBirth(chat, { book: 'buat janji', agree: 'setuju', name: 'Siti Rahayu' }, { name: /nama lengkap/, dob: /tanggal lahir/ })
      .send('15 Mei 1990')
      .expect((r) => {
        expect(r.text).toMatch(/nomor ponsel/);
        expect(r.text).toContain('0917 123 4567');
        expect(r.text).not.toContain('0812');
      })
      .send('+62 812 3456 7890')
      .expect(/jenis kelamin/);
  });
});

describe('an ambiguous date of birth is asked about', () => {
  it('03/04/1985 asks "3 April 1985 or 4 March 1985", and the summary shows the date of birth and gender', async () => {
    const { chat, provider } = setup();
    await toDateOfBirth(chat, { book: 'book', agree: 'yes', name: 'Maria Cruz' }, { name: /full name/, dob: /date of birth/ })
      .send('03/04/1985')
      .expect((r) => {
        expect(r.choices?.map((c) => c.label)).toEqual(['3 April 1985', '4 March 1985']);
      })
      .choose('4 March 1985')
      .expect(/mobile number/)
      .send('0917 123 4567')
      .expect(/gender/)
      .send('female')
      .expectEventually(/Which doctor/)
      .send('Laboratory')
      .skip()
      .send('1')
      .skip()
      .send('1')
      .expect((r) => {
        const rows = Object.fromEntries((r.card?.rows ?? []).map((x) => [x.label, x.value]));
        expect(rows['Date of birth']).toBe('4 March 1985');
        expect(rows['Gender']).toBe('Female');
      });
    await chat;
    expect(provider.calls.length).toBeGreaterThan(0);
  });

  it('Filipino: the choice is in Filipino; an unambiguous 15/05/1990 is not asked about', async () => {
    const { chat } = setup({ locale: 'fil' });
    await toDateOfBirth(chat, { book: 'magpa-book po', agree: 'oo', name: 'Maria Cruz' }, { name: /buong pangalan/, dob: /kapanganakan/ })
      .send('03/04/1985')
      .expect((r) => {
        expect(r.choices?.map((c) => c.label)).toEqual(['3 Abril 1985', '4 Marso 1985']);
      })
      .send('back')
      .skip()
      .send('Maria Cruz')
      .skip()
      .send('15/05/1990')
      .expect(/mobile number/);
  });
});

describe('labels and words in the patient\'s language', () => {
  for (const [language, locale, said, label] of [
    ['Filipino', 'fil', 'Filipino', 'Pangunahing menu'],
    ['Bahasa Indonesia', 'id', 'Bahasa', 'Menu utama'],
  ] as const) {
    it(`${language}: the "Main menu" option is in ${said}`, async () => {
      await atDates(locale)
        .send('1')
        .skip()
        .send('1')
        .expect((r) => {
          expect(r.choices?.map((c) => c.label)).toContain(label);
        });
    });
  }

  it('Filipino: a service is "sa Laboratory", a doctor "kay Dr. Ana Cruz"', async () => {
    const calendars: Calendar[] = [CALENDARS[0]!, { ...CALENDARS[1]!, appointmentTypes: [{ id: 'blood', name: 'Blood test' }, { id: 'urine', name: 'Urinalysis' }] }];
    const { chat } = setup({ locale: 'fil', contact: known, calendars });
    await chat
      .send({ choiceId: 'menu:book' })
      .skip()
      .send('Laboratory')
      .expect(/kailangan ninyo sa Laboratory\?/)
      .send('back')
      .skip()
      .send('Dr. Ana Cruz')
      .expect(/kailangan ninyo kay Dr\. Ana Cruz\?/);
  });
});

describe('"kay" for a person, "sa" for a service', () => {
  it('knows a doctor by the title in the calendar\'s name', () => {
    for (const n of ['Dr. Ana Cruz', 'Dra. Reyes', 'Dr.Cruz', 'dr ana', 'Doctor Santos']) expect(isPersonName(n), n).toBe(true);
    for (const n of ['Laboratory', 'X-ray', 'Dental clinic', 'Drug testing', 'Dermatology']) expect(isPersonName(n), n).toBe(false);
  });

  it('Filipino notices and replies say "sa" before a service', () => {
    const text = (doctor: string) => renderReply({ key: 'manage.canceled', params: { doctor, startAt: '2026-12-01T01:30:00Z' } }, 'fil', 'Asia/Manila').text;
    expect(text('Laboratory')).toContain('appointment sa Laboratory sa');
    expect(text('Dr. Ana Cruz')).toContain('appointment kay Dr. Ana Cruz sa');
    expect(renderReply({ key: 'manage.canceled', params: { doctor: 'Laboratory', startAt: '2026-12-01T01:30:00Z' } }, 'en', 'Asia/Manila').text).toContain('with Laboratory');
  });
});

describe('choosing a language in a few words', () => {
  for (const [text, expected] of [
    ['Tagalog po', /magpapatuloy ako sa Filipino/],
    ['Filipino po', /magpapatuloy ako sa Filipino/],
    ['Bahasa', /Bahasa Indonesia/],
    ['Bahasa Indonesia', /Bahasa Indonesia/],
  ] as const) {
    it(`English: "${text}" switches the language`, async () => {
      const { chat } = setup();
      await chat.send('hi').skip().send(text).expect(expected);
    });
  }

  it('Filipino: "English please" switches to English', async () => {
    const { chat } = setup({ locale: 'fil' });
    await chat.send('magandang araw').skip().send('English please').expect(/continue in English/);
  });
});

describe('a second hello', () => {
  it('English: greets again and shows the menu, not "didn\'t catch that"', async () => {
    const { chat } = setup();
    await chat
      .send('hello')
      .expect(/Welcome/)
      .expect(/What would you like to do/)
      .send('hello')
      .expect(/Hello! Welcome to St\. Luke's Clinic\./)
      .expect((r) => {
        expect(r.choices?.length).toBeGreaterThan(3);
      })
      .expectSilence();
  });

  it('at the name step, "Good morning" is greeted back and the name asked again, not taken as a name', async () => {
    const { chat } = setup();
    await chat
      .start()
      .skip()
      .skip()
      .send('book')
      .expect(/data privacy/)
      .send('yes')
      .expect(/full name/)
      .send('Good morning')
      .expect(/^Hello! Welcome to St\. Luke's Clinic\./)
      .expect(/full name/)
      .send('Maria Santos')
      .expect(/date of birth/);
    expect(chat.emitted.some((e) => e.type === 'contact.patch' && e.patch.name === 'Good morning')).toBe(false);
  });
});

describe('the hint suits the channel', () => {
  for (const { name, contact, says, never } of [
    { name: 'Messenger (tap): no "reply with its number"', contact: { replyStyle: 'tap' }, says: /Tap an option/, never: /number/ },
    { name: 'SMS (number): no "tap"', contact: { channel: 'sms', phone: '+639171234567', replyStyle: 'number' }, says: /Reply with the number/, never: /[Tt]ap/ },
    { name: 'a channel with both (or unknown) keeps both', contact: { channel: 'viber' }, says: /Tap an option or reply with its number/ },
  ] satisfies { name: string; contact: Partial<FlowContact>; says: RegExp; never?: RegExp }[]) {
    it(name, async () => {
      const { chat } = setup({ contact });
      await chat.send('hi').skip().check((c) => {
        const menu = c.replies.find((r) => r.key === 'menu.prompt')!;
        expect(menu.text).toMatch(says);
        if (never) expect(menu.text).not.toMatch(never);
      });
    });
  }
});

describe('"next week" when its Monday is closed', () => {
  it('English: the first open date of next week', async () => {
    const { chat, provider } = setup({ contact: known });
    // the Laboratory is closed on Monday 7 December
    for (const h of ['09', '10', '11', '14']) provider.takeSlot('cal-lab', 'blood', `2026-12-07T${h}:00:00+08:00`);
    await toLaboratoryDates(chat).send('next week').expect(/open on Tue, Dec 8, 2026/);
  });
});
