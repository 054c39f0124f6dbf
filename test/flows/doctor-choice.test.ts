import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/core/index.js';
import type { FlowKnowledge } from '../../flows/protocol.js';
import { setup } from './fixtures.js';

/** Issue 14: a facility with many doctors, and doctors typed by name. */

const known = { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1' };

const SURNAMES = ['Abad', 'Bautista', 'Castro', 'Dizon', 'Estrada', 'Flores', 'Garcia', 'Hernandez', 'Ignacio', 'Jimenez', 'Lopez', 'Mendoza'];
/** 12 pediatricians, 2 cardiologists, 2 dermatologists and a laboratory: 17 calendars */
const MANY: Calendar[] = [
  ...SURNAMES.map((s, i) => ({ id: `ped-${i}`, name: `Dr. Pia ${s}`, appointmentTypes: [{ id: 'consult', name: 'Consultation' }] })),
  { id: 'card-cruz', name: 'Dr. Ana Cruz', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'card-reyes', name: 'Dr. José Reyes', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'derm-cruz', name: 'Dra. Bea Cruz', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'derm-tan', name: 'Dr. Leo Tan', appointmentTypes: [{ id: 'consult', name: 'Consultation' }] },
  { id: 'lab', name: 'Laboratory', appointmentTypes: [{ id: 'blood', name: 'Blood test' }] },
];
const knowledge: FlowKnowledge = {
  calendars: {
    ...Object.fromEntries(SURNAMES.map((_, i) => [`ped-${i}`, { specialty: 'Pediatrics' }])),
    'card-cruz': { specialty: 'Cardiology' },
    'card-reyes': { specialty: 'Cardiology' },
    'derm-cruz': { specialty: 'Dermatology' },
    'derm-tan': { specialty: 'Dermatology' },
  },
};

const many = (locale: 'en' | 'fil' | 'id' = 'en') => setup({ locale, calendars: MANY, facility: { knowledge }, contact: known });
const labels = (r: { choices?: { label: string }[] }) => r.choices?.map((c) => c.label) ?? [];

describe('a facility with many doctors', () => {
  it('asks the specialty first, then pages its doctors with More and Back', async () => {
    const { chat } = many();
    await chat
      .send('book')
      .expect(/Welcome/)
      .expect((r) => {
        expect(r.text).toMatch(/Which specialty/);
        expect(labels(r)).toEqual(['Cardiology', 'Dermatology', 'Pediatrics', 'Other doctors and services']);
      })
      .choose('Pediatrics')
      .expect((r) => {
        expect(r.text).toMatch(/Which doctor in Pediatrics/);
        expect(labels(r)).toEqual([...SURNAMES.slice(0, 8).map((s) => `Dr. Pia ${s}`), 'More', 'Back to specialties']);
      })
      .choose('More')
      .expect((r) => expect(labels(r)).toEqual([...SURNAMES.slice(8).map((s) => `Dr. Pia ${s}`), 'More', 'Back to specialties']))
      .choose('Dr. Pia Lopez')
      .expect(/Which date/);
    expect(chat.context().draft.calendarId).toBe('ped-10');
  });

  it('"more" typed pages too', async () => {
    const { chat } = many();
    await chat
      .send('book')
      .skip()
      .send('Pediatrics')
      .expect(/Which doctor in Pediatrics/)
      .send('more')
      .expect((r) => expect(labels(r)[0]).toBe('Dr. Pia Ignacio'));
  });

  it('goes back to the specialties, and the others hold the calendars without one', async () => {
    const { chat } = many();
    await chat
      .send('book')
      .skip()
      .choose('Cardiology')
      .expect((r) => expect(labels(r)).toEqual(['Dr. Ana Cruz', 'Dr. José Reyes', 'Back to specialties']))
      .choose('Back to specialties')
      .expect(/Which specialty/)
      .choose('Other doctors and services')
      .expect((r) => expect(labels(r)).toEqual(['Laboratory', 'Back to specialties']))
      .send('1')
      .expect(/Which date/);
  });

  it('"back" (or "bumalik") typed in a specialty\u2019s doctors goes back to the specialties, not out of the booking', async () => {
    const { chat } = many();
    await chat
      .send('book')
      .skip()
      .choose('Dermatology')
      .expect(/Which doctor in Dermatology/)
      .send('back')
      .expect(/Which specialty/)
      .choose('Cardiology')
      .expect(/Which doctor in Cardiology/)
      .send('bumalik')
      .expect(/Which specialty/);
    expect(chat.context().draft.doctorPick?.specialty).toBeUndefined();
  });

  it('a doctor typed at the specialty question is picked, a specialty may be typed too', async () => {
    const { chat } = many();
    await chat.send('book').skip().send('Dr. Mendoza').expect(/Which date/);
    expect(chat.context().draft.calendarId).toBe('ped-11');
    const other = many().chat;
    await other.send('book').skip().send('derma').expect(/Which doctor in Dermatology/);
  });

  it('in Filipino and Bahasa too', async () => {
    await many('fil').chat.send('magpa-book po').expect(/Maligayang/).expect(/espesyalidad/).choose('Pediatrics').expect(/Aling doktor po sa Pediatrics/);
    await many('id').chat.send('buat janji').expect(/Selamat datang/).expect(/Spesialisasi/).choose('Cardiology').expect(/Dokter Cardiology mana/);
  });

  it('a small facility keeps one list', async () => {
    const { chat } = setup({ contact: known });
    await chat.send('book').expect(/Welcome/).expect((r) => expect(labels(r)).toEqual(['Dr. Ana Cruz', 'Laboratory']));
  });
});

describe('a doctor typed by name', () => {
  it('"Dr. Cruz" at the doctor step picks Dr. Ana Cruz', async () => {
    const { chat } = setup({ contact: known });
    await chat.send('book').skip().send('Dr. Cruz').expect(/What kind of appointment do you need with Dr. Ana Cruz/);
  });

  it('with or without a title, any case and accents, a surname, a unique prefix', async () => {
    for (const typed of ['Doc Reyes', 'dr. jose reyes', 'REYES', 'Dr Rey', 'Dr. José', 'Reyez']) {
      const { chat } = many();
      await chat.send('book').skip().send(typed).expect(/Which date/);
      expect(chat.context().draft.calendarId, typed).toBe('card-reyes');
    }
  });

  it('a name two doctors share is asked among them', async () => {
    const { chat } = many();
    await chat
      .send('book')
      .skip()
      .send('Dra. Cruz')
      .expect((r) => {
        expect(r.text).toMatch(/More than one doctor matches “Dra. Cruz”/);
        expect(labels(r)).toEqual(['Dr. Ana Cruz', 'Dra. Bea Cruz']);
      })
      .send('2')
      .expect(/Which date/);
    expect(chat.context().draft.calendarId).toBe('derm-cruz');
  });

  it('a name not found says so (Filipino)', async () => {
    const { chat } = setup({ locale: 'fil', contact: known });
    await chat.send('magpa-book po').skip().send('Dr. Villanueva').expect(/Wala po akong makitang doktor/).expect(/Aling doktor/);
  });

  it('Bahasa: "dokter Cruz"', async () => {
    const { chat } = setup({ locale: 'id', contact: known });
    await chat.send('buat janji').skip().send('dokter cruz').expect(/Dr. Ana Cruz/);
  });
});
