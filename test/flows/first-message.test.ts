import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/core/index.js';
import { setup } from './fixtures.js';

/** Issue 14: what a first, free message already says (its language, the doctor, the date and the time). */

const known = { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1' };

const DOCTORS: Calendar[] = [
  { id: 'cal-cruz', name: 'Dr. Ana Cruz', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'cal-reyes', name: 'Dr. José Reyes', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'cal-lab', name: 'Laboratory', appointmentTypes: [{ id: 'blood', name: 'Blood test' }] },
];

describe('a free first message in Filipino or Bahasa', () => {
  it('"gusto ko pong magpa-schedule kay Dr. Cruz" is answered in Filipino, consent first, and Dr. Cruz is kept', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: { channel: 'sms', phone: '+639171234567' } });
    await chat
      .send('gusto ko pong magpa-schedule kay Dr. Cruz')
      .expect(/Maligayang pagdating/)
      .expectKey('consent.prompt')
      .check((c) => expect(c.lastReply()!.locale).toBe('fil'))
      .send('oo')
      .expect(/buong pangalan/)
      .send('Maria Santos')
      .expectEventually(/kapanganakan/)
      .send('15/05/1990')
      .expectEventually(/kasarian/)
      .send('babae')
      .expect(/Anong petsa/);
    expect(chat.context().draft.calendarId).toBe('cal-cruz');
    expect(chat.context().locale).toBe('fil');
    expect(chat.emitted).toContainEqual({ type: 'contact.patch', patch: { locale: 'fil' } });
  });

  it('"mau booking dengan dokter Reyes besok" is answered in Bahasa, the doctor kept', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: known });
    await chat.send('mau booking dengan dokter Reyes besok').expect(/Selamat datang/).expect(/tersedia pada Sel, 1 Des 2026/);
    expect(chat.context().draft.calendarId).toBe('cal-reyes');
  });

  it('"magpakonsulta po" and "buat janji" book; an English message stays English; a chosen language is kept', async () => {
    await setup({ contact: known }).chat.send('magpakonsulta po').expect(/Maligayang pagdating/).expect(/Aling doktor/);
    await setup({ contact: known }).chat.send('saya mau buat janji').expect(/Selamat datang/).expect(/Dokter atau layanan/);
    await setup({ contact: known }).chat.send('I would like to book please').expect(/Welcome/).expect(/Which doctor/);
    await setup({ contact: { ...known, locale: 'en' } }).chat.send('gusto ko pong magpa-book').expect(/Welcome/).expect(/Which doctor/);
    await setup({ contact: known }).chat.send('English po').expect(/Welcome/).expect((r) => expect(r.locale).toBe('en'));
  });
});

describe('a free first message in English at a Filipino or Bahasa facility', () => {
  it('a clear English sentence is answered in English; a single word or Taglish stays in the facility\u2019s language', async () => {
    await setup({ locale: 'fil', contact: known }).chat.send('I would like to book an appointment please').expect(/Welcome/).expect(/Which doctor/);
    await setup({ locale: 'id', facility: { country: 'ID', timezone: 'Asia/Jakarta' }, contact: known }).chat.send('I want to see the doctor tomorrow').expect(/Welcome/);
    await setup({ locale: 'fil', contact: known }).chat.send('book').expect(/Maligayang pagdating/);
    await setup({ locale: 'fil', contact: known }).chat.send('gusto ko po mag-book ng appointment for tomorrow').expect(/Maligayang pagdating/);
  });
});

describe('a booking request naming the doctor, the date and the time', () => {
  it('"book Dr. Reyes tomorrow at 10" goes straight to the summary', async () => {
    const { chat, provider } = setup({ calendars: DOCTORS, contact: known });
    await chat
      .send('book Dr. Reyes tomorrow at 10')
      .expect(/Welcome/)
      .expect((r) => {
        expect(r.card?.rows.find((row) => row.label === 'Doctor / service')?.value).toBe('Dr. José Reyes');
        expect(r.card?.rows.find((row) => row.label === 'Date and time')?.value).toMatch(/Tue, Dec 1, 2026, 10:00/);
      })
      .choose(/Yes, book it/)
      .expect(/You're booked! Dr. José Reyes on Tue, Dec 1, 2026, 10:00/);
    expect([...provider.appointments.values()][0]!.calendarId).toBe('cal-reyes');
  });

  it('consent and details are still asked first', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: { channel: 'sms', phone: '+639171234567' } });
    await chat
      .send('book Dr. Reyes tomorrow at 10')
      .expect(/Welcome/)
      .expectKey('consent.prompt')
      .send('yes')
      .expect(/full name/)
      .send('Maria Santos')
      .expectEventually(/date of birth/)
      .send('15/05/1990')
      .expectEventually(/gender/)
      .send('female')
      .expect((r) => expect(r.card?.rows.find((row) => row.label === 'Date and time')?.value).toMatch(/Tue, Dec 1, 2026, 10:00/));
  });

  it('a time that is not open is said so, with the open times of that date', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: known });
    await chat
      .send('book Dr. Reyes tomorrow at 8am')
      .expect(/Welcome/)
      .expect(/8:00 AM isn't open on Tue, Dec 1, 2026/)
      .expect((r) => {
        expect(r.text).toMatch(/open on Tue, Dec 1, 2026/);
        expect(r.choices?.map((c) => c.label)).toContain('10:00 AM');
      });
  });

  it('a date without a doctor: the doctor is asked, then that date\'s times', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: known });
    await chat.send('I want to book on Dec 3').expect(/Welcome/).expect(/Which doctor/).choose('Laboratory').expect(/open on Thu, Dec 3, 2026/);
  });

  it('a time without a date is taken on the date picked', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: known });
    await chat
      .send('book Dr. Reyes at 2pm')
      .expect(/Welcome/)
      .expect(/Which date/)
      .send('Dec 3')
      .expect((r) => expect(r.card?.rows.find((row) => row.label === 'Date and time')?.value).toMatch(/Thu, Dec 3, 2026, 2:00/));
  });

  it('a date with no open times is said so, with the open dates', async () => {
    const { chat } = setup({ calendars: DOCTORS, contact: known });
    await chat.send('book Laboratory on Saturday at 9').expect(/Welcome/).expect(/no open times on Sat, Dec 5, 2026/).expect(/Which date/);
  });

  it('Filipino: "magpa-book kay Dr. Cruz bukas ng alas 10"', async () => {
    const { chat } = setup({ locale: 'fil', calendars: DOCTORS, contact: known });
    await chat.send('magpa-book kay Dr. Cruz bukas ng alas 10').expect(/Maligayang pagdating/).expect((r) => expect(r.card?.rows.find((row) => /doktor/i.test(row.label))?.value).toBe('Dr. Ana Cruz'));
    expect(Date.parse(chat.context().draft.start!)).toBe(Date.parse('2026-12-01T10:00:00+08:00'));
  });
});

describe('an old "Yes, book it" tapped again', () => {
  it('on Messenger (the tap carries its label) the booking is not made again: "already made: Ref."', async () => {
    const { chat, provider } = setup({ calendars: DOCTORS, contact: known });
    await chat.send('book Laboratory tomorrow at 9').skip();
    const tap = { choiceId: chat.lastReply()!.choices![0]!.id, text: 'Yes, book it' };
    await chat
      .send(tap)
      .expect(/You're booked!/)
      .skip()
      .send(tap)
      .expect(/That booking is already made: Laboratory on Tue, Dec 1, 2026, 9:00 AM\. Your reference number is A1/)
      .skip()
      // a summary's button from before this change (a bare ans:yes) is that booking's too
      .send({ choiceId: 'ans:yes', text: 'Yes, book it' } as { choiceId: string })
      .expect(/That booking is already made/);
    expect(provider.appointments.size).toBe(1);
  });

  it('on Viber (the tap is the payload only), in Filipino', async () => {
    const { chat, provider } = setup({ locale: 'fil', calendars: DOCTORS, contact: { ...known, channel: 'viber' } });
    await chat.send('magpa-book po ng Laboratory bukas alas 9').skip();
    const yes = chat.lastReply()!.choices![0]!.id;
    await chat.send({ choiceId: yes }).expect(/Naka-book na po kayo/).skip().send({ choiceId: yes }).expect(/Naka-book na po ang appointment na iyon: Laboratory/).expect(/Ano po ang gusto|May iba pa/);
    expect(provider.appointments.size).toBe(1);
  });

  it('after the conversation was reset (idle), the booking is looked up and answered; an unconfirmed summary says nothing was booked', async () => {
    const { chat, provider } = setup({ locale: 'id', calendars: DOCTORS, contact: known });
    await chat.send('buat janji Laboratory besok jam 9').skip();
    const yes = chat.lastReply()!.choices![0]!.id;
    await chat.send({ choiceId: yes }).expect(/Janji temu Anda sudah dibuat/).skip();
    chat.snapshot = undefined;
    await chat.send({ choiceId: yes }).expect(/Janji temu itu sudah dibuat: Laboratory/);
    expect(provider.appointments.size).toBe(1);

    const other = setup({ calendars: DOCTORS, contact: known });
    await other.chat.send('book Laboratory tomorrow at 9').skip();
    const unconfirmed = other.chat.lastReply()!.choices![0]!.id;
    other.chat.snapshot = undefined;
    await other.chat.send({ choiceId: unconfirmed }).expect(/nothing was booked from it/);
    expect(other.provider.appointments.size).toBe(0);
  });
});
