import { afterEach, describe, expect, it } from 'vitest';
import type { LocaleCode } from '../../src/core/index.js';
import type { FlowKnowledge } from '../../flows/protocol.js';
import { JUAN, startSandboxWorld, type SandboxWorld } from '../support/sandbox-actors.js';

/**
 * The clinic's knowledge (facility info, calendars, appointment types) in whole conversations against the
 * sandbox over HTTP, in English, Filipino and Bahasa Indonesia: the booking summary and confirmation, the
 * "Clinic info" menu entry (tapped and typed), and the hospital's 422 refusal of a change.
 */

const KNOWLEDGE: FlowKnowledge = {
  info: { address: '123 Rizal Ave, Manila', mapUrl: 'https://maps.example.org/clinic', hours: 'Mon–Sat 8:00–17:00', hotline: '+63 2 8123 4567', parking: 'Basement, free for patients' },
  calendars: { '201': { room: 'Room 12, 2nd floor', clinicDays: 'Mon–Sat' } },
  appointmentTypes: { '2001': { preparation: 'Fast for 8 hours', bring: 'your ID and referral', arriveEarlyMinutes: 30 } },
};

const juan = { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone, gender: JUAN.gender, consent: true, patientId: JUAN.patientId };

interface Words {
  book: string;
  yes: string;
  reschedule: string;
  summaryPrompt: RegExp;
  room: string;
  clinicDays: string;
  booked: RegExp;
  confirmation: string[];
  infoChoice: string;
  info: string[];
  typed: string[];
  /** near misses that must not read as a question about the clinic */
  notInfo: string[];
  anythingElse: RegExp;
  refused: string;
  newTime: string;
}

const WORDS: Record<LocaleCode, Words> = {
  en: {
    book: 'book an appointment',
    yes: 'yes',
    reschedule: 'reschedule',
    summaryPrompt: /^Shall I book this for you\?$/,
    room: 'Room',
    clinicDays: 'Clinic days',
    booked: /^You're booked! Laboratory on /,
    confirmation: ['Address: 123 Rizal Ave, Manila', 'Map: https://maps.example.org/clinic', 'Room: Room 12, 2nd floor', 'Before your visit: Fast for 8 hours', 'Please bring: your ID and referral', 'Please arrive 30 minutes early.'],
    infoChoice: 'Clinic info',
    info: ['Opening hours: Mon–Sat 8:00–17:00', 'Address: 123 Rizal Ave, Manila', 'Map: https://maps.example.org/clinic', 'Hotline: +63 2 8123 4567', 'Parking: Basement, free for patients'],
    typed: ['opening hours', 'What is your address?', 'clinic info'],
    notInfo: ['Are you there?', 'thanks'],
    anythingElse: /anything else/,
    refused: "The hospital's system does not allow changing your appointment on Tue, Dec 1, 2026, 9:30 AM at this point, so I can't do it here. Please call the clinic at +63 2 8123 4567, or talk to our staff.",
    newTime: 'New time',
  },
  fil: {
    book: 'magpa-book po',
    yes: 'oo',
    reschedule: 'ilipat',
    summaryPrompt: /^I-book ko na po ba ito\?$/,
    room: 'Kuwarto',
    clinicDays: 'Araw ng klinika',
    booked: /^Naka-book na po kayo! Laboratory sa /,
    confirmation: ['Address: 123 Rizal Ave, Manila', 'Mapa: https://maps.example.org/clinic', 'Kuwarto: Room 12, 2nd floor', 'Bago ang inyong pagbisita: Fast for 8 hours', 'Pakidala po: your ID and referral', 'Pakidating po 30 minuto bago ang oras.'],
    infoChoice: 'Info ng klinika',
    info: ['Oras ng bukas: Mon–Sat 8:00–17:00', 'Address: 123 Rizal Ave, Manila', 'Mapa: https://maps.example.org/clinic', 'Hotline: +63 2 8123 4567', 'Paradahan: Basement, free for patients'],
    typed: ['anong oras po kayo bukas?', 'saan po kayo?', 'alamat'],
    notInfo: ['salamat po', 'Salamat!'],
    anythingElse: /May iba pa po ba/,
    refused: 'Hindi po pinapayagan ng sistema ng ospital na baguhin ngayon ang inyong appointment sa Mar, Dis 1, 2026, 9:30 AM, kaya hindi ko ito magagawa dito. Pakitawagan po ang klinika sa +63 2 8123 4567, o makipag-usap sa aming staff.',
    newTime: 'Bagong oras',
  },
  id: {
    book: 'buat janji',
    yes: 'ya',
    reschedule: 'ubah jadwal',
    summaryPrompt: /^Apakah saya buatkan janji temu ini\?$/,
    room: 'Ruang',
    clinicDays: 'Hari praktik',
    booked: /^Janji temu Anda sudah dibuat! Laboratory pada /,
    confirmation: ['Alamat: 123 Rizal Ave, Manila', 'Peta: https://maps.example.org/clinic', 'Ruang: Room 12, 2nd floor', 'Sebelum kunjungan: Fast for 8 hours', 'Mohon bawa: your ID and referral', 'Mohon datang 30 menit lebih awal.'],
    infoChoice: 'Info klinik',
    info: ['Jam buka: Mon–Sat 8:00–17:00', 'Alamat: 123 Rizal Ave, Manila', 'Peta: https://maps.example.org/clinic', 'Hotline: +63 2 8123 4567', 'Parkir: Basement, free for patients'],
    typed: ['jam buka', 'alamat klinik di mana?', 'info klinik'],
    notInfo: ['terima kasih', 'halo'],
    anythingElse: /Ada lagi yang bisa saya bantu/,
    refused: 'Sistem rumah sakit tidak mengizinkan perubahan janji temu Anda pada Sel, 1 Des 2026, 9.30 saat ini, jadi saya tidak dapat mengubahnya di sini. Silakan hubungi klinik di +63 2 8123 4567, atau bicara dengan staf kami.',
    newTime: 'Waktu baru',
  },
};

let worlds: SandboxWorld[] = [];
async function world(): Promise<SandboxWorld> {
  const w = await startSandboxWorld();
  worlds.push(w);
  return w;
}
/** Carlo's laboratory test at `start` in the sandbox, and the contact that verifiably is him (his temporary patient id) */
async function carloBooked(w: SandboxWorld, start: string, key: string) {
  const r = await w.client.createAppointment({ calendarId: '201', appointmentTypeId: '2001', start, patient: { name: 'Carlo Mendoza', dob: '1992-02-02', phone: '+639175550177' } }, key);
  if (!r.ok) throw new Error(r.error.kind);
  return { name: 'Carlo Mendoza', dob: '1992-02-02', phone: '+639175550177', consent: true, people: [{ ref: 'p-1', name: 'Carlo Mendoza', relationship: 'self' as const, verified: true, temporaryPatientIds: [r.value.temporaryPatientId!] }] };
}
afterEach(async () => {
  await Promise.all(worlds.map((w) => w.close()));
  worlds = [];
});

describe.each(['en', 'fil', 'id'] as const)('clinic knowledge in %s, against the sandbox', (locale) => {
  const say = WORDS[locale];

  it('the summary shows the room and clinic days; the confirmation says where to go, what to bring and when to arrive', async () => {
    const w = await world();
    const lab = w.calendars.filter((c) => c.id === '201');
    const chat = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE }, calendars: lab });
    await chat
      .send(say.book)
      .expectEventually((r) => (r.choices?.length ?? 0) > 1 && r.key === 'slots.date')
      .send('1')
      .expectEventually((r) => r.key === 'slots.time')
      .send('1')
      .expect((r) => say.summaryPrompt.test(r.text) && r.card!.rows.some((row) => row.label === say.room && row.value === 'Room 12, 2nd floor') && r.card!.rows.some((row) => row.label === say.clinicDays && row.value === 'Mon–Sat'))
      .send(say.yes)
      .expect((r) => {
        expect(r.text).toMatch(say.booked);
        expect(r.text.split('\n').slice(1)).toEqual(say.confirmation);
      })
      .skip();
    expect((await w.staffAppointments({ calendarId: '201' })).some((a) => a.patientId === JUAN.patientId && a.status === 'SCHEDULED')).toBe(true);
  });

  it('without knowledge: no room rows, and the confirmation keeps the usual arrival line only', async () => {
    const w = await world();
    const chat = w.chat({ contact: { ...juan }, locale, calendars: w.calendars.filter((c) => c.id === '201') });
    await chat
      .send(say.book)
      .expectEventually((r) => r.key === 'slots.date')
      .send('1')
      .expectEventually((r) => r.key === 'slots.time')
      .send('1')
      .expect((r) => !!r.card && !r.card.rows.some((row) => row.label === say.room || row.label === say.clinicDays))
      .send(say.yes)
      .expect((r) => {
        expect(r.text).toMatch(say.booked);
        expect(r.text.split('\n')).toHaveLength(2);
        expect(r.text).toMatch(/15/);
      })
      .skip();
  });

  it('the "Clinic info" menu entry answers hours, location, contact and parking, then the menu again', async () => {
    const w = await world();
    const chat = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE } });
    await chat
      .send('menu')
      .expectEventually((r) => r.choices?.some((c) => c.id === 'menu:info') === true)
      .check((c) => expect(c.lastReply()!.choices!.at(-1)!.label).toBe(say.infoChoice))
      .choose(say.infoChoice)
      .expect((r) => {
        expect(r.key).toBe('info.text');
        expect(r.text.split('\n')).toEqual(['Sandbox Clinic', ...say.info]);
      })
      .expect((r) => say.anythingElse.test(r.text) && r.choices?.some((c) => c.id === 'menu:info') === true);
  });

  it('typed questions reach it, at the start and at the menu', async () => {
    const w = await world();
    for (const text of say.typed) {
      const chat = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE } });
      // then the menu (its first showing: "what would you like to do?")
      await chat.send(text).expectEventually((r) => r.key === 'info.text' && r.text.includes(say.info[0]!)).expect((r) => r.choices?.some((c) => c.id === 'menu:info') === true);
    }
    const chat = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE } });
    await chat.send('menu').skip().send(say.typed[0]!).expectEventually((r) => r.key === 'info.text');
    for (const text of say.notInfo) {
      const other = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE } });
      await other.send(text).send(text).check((c) => expect(c.replies.map((r) => r.key)).not.toContain('info.text'));
    }
  });

  it('with staff: the tapped entry answers, a typed question is left for staff', async () => {
    const w = await world();
    const chat = w.chat({ contact: { ...juan }, locale, facility: { knowledge: KNOWLEDGE } });
    await chat
      .send('staff')
      .expectEventually((r) => r.key.startsWith('handoff.'))
      .skip()
      .send(say.typed[0]!)
      .expectSilence()
      .send({ choiceId: 'menu:info' })
      .expect((r) => r.key === 'info.text');
  });

  it('with nothing configured, says whom to call instead of making anything up', async () => {
    const w = await world();
    const chat = w.chat({ contact: { ...juan }, locale, facility: { staffContact: '0917 000 1111' } });
    await chat.send('menu').skip().send({ choiceId: 'menu:info' }).expect((r) => r.key === 'info.noneWithContact' && r.text.includes('0917 000 1111') && r.text.includes('Sandbox Clinic'));
  });

  it('a reschedule done says where to go, what to bring and when to arrive, like the booking', async () => {
    const w = await world();
    const chat = w.chat({
      contact: await carloBooked(w, '2026-12-03T09:30:00+08:00', `kr-${locale}`),
      locale,
      facility: { knowledge: KNOWLEDGE },
    });
    await chat
      .send(say.reschedule)
      .expectEventually((x) => x.key === 'slots.date')
      .send('2')
      .expectEventually((x) => x.key === 'slots.time')
      .send('1')
      .expect((x) => x.card?.rows.some((row) => row.label === say.newTime) === true)
      .send(say.yes)
      .expect((x) => {
        expect(x.key).toBe('manage.rescheduled');
        for (const line of say.confirmation) expect(x.text).toContain(line);
      });
  });

  it("422: the hospital refuses a change our own cutoff allowed; the bot says so, not an hour count, and gives the clinic's number", async () => {
    const w = await world();
    // tomorrow 9:30 is 24.5 hours away when the patient starts; the sandbox's own 24-hour rule refuses it 45 minutes later
    const chat = w.chat({
      contact: await carloBooked(w, '2026-12-01T09:30:00+08:00', `k-${locale}`),
      locale,
      facility: { knowledge: KNOWLEDGE, staffContact: 'the front desk' },
    });
    await chat
      .send(say.reschedule)
      .expectEventually((x) => x.key === 'slots.date')
      .check(() => w.setNow('2026-11-30T09:45:00+08:00'))
      .setClock('2026-11-30T09:45:00+08:00')
      .send('2')
      .expectEventually((x) => x.key === 'slots.time')
      .send('1')
      .expect((x) => x.card?.rows.some((row) => row.label === say.newTime) === true)
      .send(say.yes)
      .expect((x) => {
        expect(x.key).toBe('manage.refusedByHospital');
        expect(x.text).toBe(say.refused);
        expect(x.choices?.map((c) => c.id)).toEqual(['menu:staff', 'cmd:menu']);
      });
  });
});

describe('our own cutoff keeps its hour count', () => {
  it('refuses inside the cutoff with the real hours, in each language', async () => {
    const w = await world();
    const contact = await carloBooked(w, '2026-12-01T08:00:00+08:00', 'own-cutoff');
    const expected: Record<LocaleCode, RegExp> = { en: /less than 24 hours away/, fil: /wala nang 24 oras/, id: /kurang dari 24 jam lagi/ };
    for (const locale of ['en', 'fil', 'id'] as const) {
      await w.chat({ contact, locale, facility: { knowledge: KNOWLEDGE } }).send(WORDS[locale].reschedule).expectEventually((x) => x.key === 'manage.tooClose' && expected[locale].test(x.text));
    }
  });
});
