import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderAppointment } from '../../src/core/index.js';
import { JUAN, startSandboxWorld, type SandboxWorld, type SandboxWorldOptions } from '../support/sandbox-actors.js';

/**
 * Whole conversations in English, Filipino and Bahasa Indonesia against the sandbox provider over real HTTP
 * (send → expect reply, botbuilder TestAdapter style), each followed by what the hospital's system now holds.
 *
 * Clock: Monday 30 Nov 2026 09:00 Manila, for the sandbox and the chat alike. The sandbox is seeded (seed 1):
 * Juan Dela Cruz (P-100001) has a consultation with Dr. Maria Santos on Thu, Dec 3, 2026, 8:00 AM; the times
 * named below are ones that seed leaves open.
 */

const juan = { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone, gender: JUAN.gender, consent: true, patientId: JUAN.patientId };

let worlds: SandboxWorld[] = [];
async function world(opts?: SandboxWorldOptions): Promise<SandboxWorld> {
  const w = await startSandboxWorld(opts);
  worlds.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(worlds.map((w) => w.close()));
  worlds = [];
});

async function appointmentsOf(w: SandboxWorld, q: { patientId?: string; temporaryPatientId?: string }): Promise<ProviderAppointment[]> {
  const r = await w.client.listAppointments(q);
  if (!r.ok) throw new Error(`list: ${r.error.kind}`);
  return r.value;
}
const juansConsultation = async (w: SandboxWorld) => (await appointmentsOf(w, { patientId: JUAN.patientId })).find((a) => a.calendarId === '101')!;

/** Another person books through the sandbox's patient API (as another chat, app or website would). */
async function someoneElseBooks(w: SandboxWorld, calendarId: string, appointmentTypeId: string, start: string, name = 'Bea Aquino'): Promise<ProviderAppointment> {
  const r = await w.client.createAppointment({ calendarId, appointmentTypeId, start, patient: { name, dob: '1992-02-02', phone: '+639175550177' } }, `other-${start}`);
  if (!r.ok) throw new Error(`other booking: ${r.error.kind} ${r.error.message}`);
  return r.value;
}

describe('English, against the sandbox', () => {
  it('a new patient books the laboratory (temporary id), sees it, cancels it and is offered to book again', async () => {
    const w = await world();
    const chat = w.chat({ contact: { channel: 'messenger' } });
    await chat
      .send('Hi, I want to book an appointment')
      .expect(/I'm an automated assistant/)
      .expect(/data privacy notice\. Do you agree\?/)
      .send('yes')
      .expect(/Please type your full name/)
      .send('Liza Navarro')
      .expect(/What is your date of birth\?/)
      .send('May 15 1990')
      .expect(/What is your mobile number\?/)
      .send('0917 555 0199')
      .expect(/What is your gender\?/)
      .send('female')
      .expect(/Which doctor or service would you like to book\?/)
      .send('Laboratory')
      .expect(/Which date works for you\?/)
      .send('Dec 2')
      .expect(/These times are open on Wed, Dec 2, 2026/)
      .choose('9:00 AM')
      .expect((r) => r.text === 'Shall I book this for you?' && r.card?.rows.some((row) => row.label === 'Date and time' && row.value === 'Wed, Dec 2, 2026, 9:00 AM'))
      .send('yes')
      .expect(/^You're booked! Laboratory on Wed, Dec 2, 2026, 9:00 AM\. Your reference number is \d+\./)
      .expect(/What would you like to do\?/);

    // the sandbox holds one appointment for her, under a temporary patient id the contact now carries
    const held = (await w.staffAppointments({ calendarId: '201', date: '2026-12-02' })).filter((a) => a.patient.name === 'Liza Navarro');
    expect(held).toHaveLength(1);
    const [booked] = held as [ProviderAppointment];
    expect(booked).toMatchObject({ start: '2026-12-02T09:00:00+08:00', status: 'SCHEDULED', appointmentTypeId: '2001', temporaryPatientId: 'TMP-000002', patient: { dob: '1990-05-15', phone: '+639175550199', gender: 'female' } });
    expect(booked.patientId).toBeUndefined();
    // whom it is for travels with the booking (the engine keeps the ids on a patient record, not on the contact)
    expect(chat.emitted).toContainEqual(expect.objectContaining({ type: 'appointment.changed', action: 'created', subject: { relationship: 'self', name: 'Liza Navarro', consent: true } }));

    await chat
      .send('my appointments')
      .expect('Your upcoming appointments:')
      .expect(`Wed, Dec 2, 2026, 9:00 AM · Laboratory (Laboratory test) · booked · Ref. ${booked.appointmentId}`)
      .expect(/anything else/)
      .send('cancel')
      .expect((r) => r.text === 'Are you sure you want to cancel this appointment?' && r.card?.rows.some((row) => row.value === 'Wed, Dec 2, 2026, 9:00 AM') === true)
      .send('yes')
      .expect('Your appointment with Laboratory on Wed, Dec 2, 2026, 9:00 AM has been cancelled.')
      .expect('Would you like to book a new appointment?');
    expect((await appointmentsOf(w, { temporaryPatientId: 'TMP-000002' })).map((a) => a.status)).toEqual(['CANCELED']);
    await chat.send('yes').expect(/Which doctor or service/);
  });

  it('a registered patient is found by his details and his patientId is used for the booking', async () => {
    const w = await world();
    const chat = w.chat({ contact: { channel: 'viber' } });
    await chat
      .send('book')
      .expect(/Welcome to Sandbox Clinic/)
      .expect(/Do you agree\?/)
      .choose('I agree')
      .expect(/full name/)
      .send('juan dela cruz')
      .expect(/date of birth/)
      .send('14/03/1985')
      .expect(/mobile number/)
      .send('0917 123 4567')
      .expect(/gender/)
      .send('male')
      .expect(/Which doctor/)
      .choose(/Dr\. Maria Santos/)
      .expect('What kind of appointment do you need with Dr. Maria Santos — Internal Medicine?')
      .send('Follow-up')
      .expect(/Which date/)
      .send('Dec 4')
      .expect(/open on Fri, Dec 4, 2026/)
      .choose('9:45 AM')
      .expect((r) => r.card?.title === 'Your appointment' && r.card.rows.some((row) => row.value === 'Follow-up'))
      .send('yes')
      .expect(/^You're booked! Dr\. Maria Santos — Internal Medicine on Fri, Dec 4, 2026, 9:45 AM\./)
      .skip();
    // his phone is only typed here: no look-up by his details (the sandbox itself matches him at create)
    expect(chat.emitted.some((e) => e.type === 'contact.patch' && 'patientId' in e.patch)).toBe(false);
    const mine = await appointmentsOf(w, { patientId: 'P-100001' });
    const created = mine.filter((a) => a.start === '2026-12-04T09:45:00+08:00');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ calendarId: '101', appointmentTypeId: '1002', status: 'SCHEDULED', patientId: 'P-100001' });
    expect(created[0]!.temporaryPatientId).toBeUndefined();
    // no second identity was made up for him
    expect((await w.staffAppointments()).filter((a) => a.patient.name.toLowerCase() === 'juan dela cruz' && a.temporaryPatientId)).toHaveLength(0);

    await chat
      .send('my appointments')
      .expect('Your upcoming appointments:')
      // his phone is only typed: his booking made elsewhere (Thu, Dec 3) is not shown, only this chat's
      .expect(/^Fri, Dec 4, 2026, 9:45 AM · Dr\. Maria Santos — Internal Medicine \(Follow-up\) · booked/)
      .expect(/anything else/);
  });

  it('reschedules to another time of the same doctor and type; the sandbox shows the new start', async () => {
    const w = await world();
    const before = await juansConsultation(w);
    const chat = w.chat({ contact: juan });
    await chat
      .send('I need to reschedule')
      .expect('Hello! Welcome to Sandbox Clinic.')
      .expect(/Which date works for you\?/)
      .send('Dec 4')
      .expect(/These times are open on Fri, Dec 4, 2026/)
      .choose('10:00 AM')
      .expect((r) => r.text === 'Shall I move your appointment to this time?' && r.card!.rows.some((row) => row.label === 'Current time' && row.value === 'Thu, Dec 3, 2026, 8:00 AM') && r.card!.rows.some((row) => row.label === 'New time' && row.value === 'Fri, Dec 4, 2026, 10:00 AM'))
      .send('yes')
      .expect(`Done! Your appointment with Dr. Maria Santos — Internal Medicine is now on Fri, Dec 4, 2026, 10:00 AM. Reference: ${before.appointmentId}.`);
    const after = await juansConsultation(w);
    expect(after).toMatchObject({ appointmentId: before.appointmentId, start: '2026-12-04T10:00:00+08:00', status: 'RESCHEDULED', calendarId: '101', appointmentTypeId: '1001' });
  });

  it('409: another patient takes the chosen time between listing and confirming; fresh times are offered and the next one books', async () => {
    const w = await world();
    const chat = w.chat({ contact: juan });
    await chat
      .send('book')
      .expect(/Welcome/)
      .expect(/Which doctor/)
      .send('Laboratory')
      .expect(/Which date/)
      .send('tomorrow')
      .expect(/open on Tue, Dec 1, 2026/)
      .choose('9:00 AM')
      .expect((r) => r.card?.title === 'Your appointment');
    const other = await someoneElseBooks(w, '201', '2001', '2026-12-01T09:00:00+08:00');
    await chat
      .send('yes')
      .expect('Sorry, someone else just took that time. Here are the times that are still open.')
      .expect((r) => /open on Tue, Dec 1, 2026/.test(r.text) && !r.choices!.some((c) => c.label === '9:00 AM') && r.choices!.some((c) => c.label === '9:10 AM'))
      .choose('9:10 AM')
      .expect((r) => r.card?.title === 'Your appointment')
      .send('yes')
      .expect(/^You're booked! Laboratory on Tue, Dec 1, 2026, 9:10 AM\./);
    const lab = await w.staffAppointments({ calendarId: '201', date: '2026-12-01' });
    expect(lab.filter((a) => a.start === '2026-12-01T09:00:00+08:00')).toEqual([expect.objectContaining({ appointmentId: other.appointmentId, patient: expect.objectContaining({ name: 'Bea Aquino' }) })]);
    expect(lab.filter((a) => a.patientId === JUAN.patientId)).toEqual([expect.objectContaining({ start: '2026-12-01T09:10:00+08:00', status: 'SCHEDULED' })]);
    expect(chat.replies.filter((r) => /booked!/.test(r.text))).toHaveLength(1);
  });

  it('409 while rescheduling: the new time is taken meanwhile; the appointment stays, fresh times are offered', async () => {
    const w = await world();
    const before = await juansConsultation(w);
    const chat = w.chat({ contact: juan });
    await chat
      .send('reschedule')
      .skip()
      .send('Dec 4')
      .expect(/open on Fri, Dec 4, 2026/)
      .choose('10:00 AM')
      .expect((r) => r.card?.rows.some((row) => row.label === 'New time') === true);
    await someoneElseBooks(w, '101', '1001', '2026-12-04T10:00:00+08:00');
    await chat
      .send('yes')
      .expect(/someone else just took that time/)
      .expect((r) => /open on Fri, Dec 4, 2026/.test(r.text) && !r.choices!.some((c) => c.label === '10:00 AM'))
      .choose('10:30 AM')
      .skip()
      .send('yes')
      .expect(/is now on Fri, Dec 4, 2026, 10:30 AM/);
    expect(await juansConsultation(w)).toMatchObject({ appointmentId: before.appointmentId, start: '2026-12-04T10:30:00+08:00', status: 'RESCHEDULED' });
  });

  it('a provider that reschedules under a new id: the chat gives the new reference, the sandbox cancels the old one', async () => {
    const w = await world({ facility: { newIdOnReschedule: true } });
    const before = await juansConsultation(w);
    const chat = w.chat({ contact: juan });
    await chat.send('reschedule').skip().send('Dec 4').skip().choose('10:00 AM').skip().send('yes').expect(/is now on Fri, Dec 4, 2026, 10:00 AM\. Reference: (\d+)\./);
    const all = await appointmentsOf(w, { patientId: JUAN.patientId });
    const moved = all.find((a) => a.start === '2026-12-04T10:00:00+08:00')!;
    expect(moved.appointmentId).not.toBe(before.appointmentId);
    expect(moved.status).toBe('RESCHEDULED');
    expect(all.find((a) => a.appointmentId === before.appointmentId)!.status).toBe('CANCELED');
    expect(chat.replies.find((r) => r.key === 'manage.rescheduled')!.text).toContain(`Reference: ${moved.appointmentId}.`);
  });

  it('inside the cutoff: the reschedule is refused with the staff offer, and the sandbox is not touched', async () => {
    const w = await world();
    // tomorrow 8:00 is 23 hours away
    const soon = await someoneElseBooks(w, '201', '2001', '2026-12-01T08:00:00+08:00', 'Carlo Mendoza');
    const chat = w.chat({ contact: { name: 'Carlo Mendoza', dob: '1992-02-02', phone: '+639175550177', consent: true, people: [{ ref: 'p-1', name: 'Carlo Mendoza', relationship: 'self', verified: true, temporaryPatientIds: [soon.temporaryPatientId!] }] } });
    await chat
      .send('reschedule')
      .expect(/Welcome/)
      .expect((r) => r.text === 'Your appointment on Tue, Dec 1, 2026, 8:00 AM is less than 24 hours away, so it can\'t be changed here. Please talk to our staff.' && r.choices!.some((c) => c.label === 'Talk to staff'))
      .choose('Talk to staff')
      .expect(/I've let our staff know/);
    expect(chat.emitted).toContainEqual({ type: 'handoff', reason: 'too_close' });
    expect((await appointmentsOf(w, { temporaryPatientId: soon.temporaryPatientId! }))[0]).toMatchObject({ start: soon.start, status: 'SCHEDULED' });
  });

  it('the cutoff passes while the patient chooses: the sandbox refuses (422) and the patient is offered staff, never told it worked', async () => {
    const w = await world();
    // tomorrow 9:30 is 24.5 hours away when the patient starts
    const appt = await someoneElseBooks(w, '201', '2001', '2026-12-01T09:30:00+08:00', 'Carlo Mendoza');
    const chat = w.chat({ contact: { name: 'Carlo Mendoza', dob: '1992-02-02', phone: '+639175550177', consent: true, people: [{ ref: 'p-1', name: 'Carlo Mendoza', relationship: 'self', verified: true, temporaryPatientIds: [appt.temporaryPatientId!] }] } });
    await chat
      .send('reschedule')
      .expect(/Welcome/)
      .expect(/Which date works/)
      .check(() => w.setNow('2026-11-30T09:45:00+08:00'))
      .setClock('2026-11-30T09:45:00+08:00')
      .send('Dec 2')
      .expect(/open on Wed, Dec 2, 2026/)
      .choose('9:00 AM')
      .expect((r) => r.card?.rows.some((row) => row.label === 'New time') === true)
      .send('yes')
      // the hospital refused: its own rule, so no hour count is claimed
      .expect(/The hospital's system does not allow changing your appointment on Tue, Dec 1, 2026, 9:30 AM at this point/)
      .choose('Talk to staff')
      .expect(/I've let our staff know/);
    expect(chat.replies.some((r) => /^Done!/.test(r.text))).toBe(false);
    expect(chat.emitted).toContainEqual({ type: 'handoff', reason: 'too_close' });
    expect((await appointmentsOf(w, { temporaryPatientId: appt.temporaryPatientId! }))[0]).toMatchObject({ start: '2026-12-01T09:30:00+08:00', status: 'SCHEDULED' });
  });

  it('a reminder\'s confirm choice confirms at the sandbox', async () => {
    const w = await world();
    const a = await juansConsultation(w);
    const chat = w.chat({ contact: juan });
    await chat
      .send({ choiceId: `rem:confirm:${a.appointmentId}` })
      .expect("Thank you for confirming! We'll see you on Thu, Dec 3, 2026, 8:00 AM with Dr. Maria Santos — Internal Medicine.")
      .expectSilence();
    expect(await juansConsultation(w)).toMatchObject({ appointmentId: a.appointmentId, status: 'CONFIRMED' });
    expect(chat.emitted).toContainEqual(expect.objectContaining({ type: 'appointment.changed', action: 'confirmed', appointment: expect.objectContaining({ status: 'CONFIRMED' }) }));
  });

  it('a facility without a confirm endpoint: the patient is thanked, no error shown, kept locally', async () => {
    const w = await world({ facility: { supportsConfirm: false } });
    const a = await juansConsultation(w);
    const chat = w.chat({ contact: juan });
    await chat
      .send({ choiceId: `rem:confirm:${a.appointmentId}` })
      .expect(/^Thank you for confirming! We'll see you on Thu, Dec 3, 2026, 8:00 AM/)
      .expectSilence();
    expect(chat.emitted).toContainEqual(expect.objectContaining({ type: 'appointment.changed', action: 'confirmed', confirmedLocally: true }));
    expect(chat.emitted.some((e) => e.type === 'handoff')).toBe(false);
    expect(await juansConsultation(w)).toMatchObject({ status: 'SCHEDULED' }); // the sandbox has no such state change to make
  });
});

describe('Filipino, against the sandbox', () => {
  it('Juan books by his details, lists only what he booked here (not the desk booking his details match), moves it, cancels it, and declines to book again', async () => {
    const w = await world();
    const seeded = await juansConsultation(w);
    const chat = w.chat({ contact: { channel: 'viber' }, locale: 'fil' });
    await chat
      .send('magpa-book po')
      .expect(/Maligayang pagdating sa Sandbox Clinic/)
      .expect(/Sumasang-ayon po ba kayo\?/)
      .send('oo')
      .expect(/buong pangalan/)
      .send('Juan Dela Cruz')
      .expect(/Kailan po ang inyong kapanganakan\?/)
      .send('14/03/1985')
      .expect(/mobile number/)
      .send('0917 123 4567')
      .expect(/kasarian/)
      .send('lalaki')
      .expect(/Aling doktor o serbisyo/)
      .send('1')
      .expect('Anong klase ng appointment po ang kailangan ninyo kay Dr. Maria Santos — Internal Medicine?')
      .send('Consultation')
      .expect(/Anong petsa po/)
      .send('Dis 9')
      .expect(/bukas na oras sa Miy, Dis 9, 2026/)
      .choose('2:00 PM')
      .expect((r) => r.card?.title === 'Ang inyong appointment')
      .send('oo')
      .expect(/^Naka-book na po kayo! Dr\. Maria Santos — Internal Medicine sa Miy, Dis 9, 2026, 2:00 PM\./)
      .expect(/Ano po ang gusto ninyong gawin\?/);
    const booked = (await appointmentsOf(w, { patientId: 'P-100001' })).find((a) => a.start === '2026-12-09T14:00:00+08:00')!;
    expect(booked).toMatchObject({ patientId: 'P-100001', calendarId: '101', appointmentTypeId: '1001', status: 'SCHEDULED' });

    await chat
      .send('mga appointment ko')
      .expect('Ang inyong mga paparating na appointment:')
      // the desk's booking for the same details is not shown: typed details prove nothing (only a verified phone links it)
      .expect(`Miy, Dis 9, 2026, 2:00 PM · Dr. Maria Santos — Internal Medicine (Consultation) · naka-book · Ref. ${booked.appointmentId}`)
      .skip()
      .send('ilipat')
      .expect(/Anong petsa po/)
      .send('Dis 10')
      .expect(/bukas na oras sa Huw, Dis 10, 2026/)
      .choose('11:00 AM')
      .expect((r) => r.card?.rows.some((row) => row.label === 'Bagong oras' && row.value === 'Huw, Dis 10, 2026, 11:00 AM') === true)
      .send('oo')
      .expect(`Tapos na po! Ang inyong appointment kay Dr. Maria Santos — Internal Medicine ay nasa Huw, Dis 10, 2026, 11:00 AM na. Reference: ${booked.appointmentId}.`)
      .skip();
    expect((await appointmentsOf(w, { patientId: 'P-100001' })).find((a) => a.appointmentId === booked.appointmentId)).toMatchObject({ start: '2026-12-10T11:00:00+08:00', status: 'RESCHEDULED' });

    await chat
      .send('kanselahin')
      .expect(/Sigurado po ba kayong gusto ninyong kanselahin/)
      .send('oo')
      .expect('Nakansela na po ang inyong appointment kay Dr. Maria Santos — Internal Medicine sa Huw, Dis 10, 2026, 11:00 AM.')
      .expect('Gusto po ba ninyong mag-book ng bagong appointment?')
      .send('hindi na po, salamat')
      .skip();
    const after = await appointmentsOf(w, { patientId: 'P-100001' });
    // the desk's appointment was neither shown nor touched
    expect(after.find((a) => a.appointmentId === seeded.appointmentId)!.status).toBe('SCHEDULED');
    expect(after.find((a) => a.appointmentId === booked.appointmentId)!.status).toBe('CANCELED');
  });

  it('the cutoff passes before the patient says yes: the sandbox refuses the cancel (422), staff are offered in Filipino', async () => {
    const w = await world();
    // tomorrow 9:30 is 24.5 hours away when the patient starts
    const appt = await someoneElseBooks(w, '201', '2001', '2026-12-01T09:30:00+08:00', 'Carlo Mendoza');
    const chat = w.chat({ contact: { name: 'Carlo Mendoza', dob: '1992-02-02', phone: '+639175550177', consent: true, people: [{ ref: 'p-1', name: 'Carlo Mendoza', relationship: 'self', verified: true, temporaryPatientIds: [appt.temporaryPatientId!] }] }, locale: 'fil' });
    await chat
      .send('kanselahin ang appointment')
      .expect(/Maligayang pagdating/)
      .expect(/Sigurado po ba kayong gusto ninyong kanselahin/)
      .check(() => w.setNow('2026-11-30T09:45:00+08:00'))
      .setClock('2026-11-30T09:45:00+08:00')
      .send('oo')
      .expect('Hindi po pinapayagan ng sistema ng ospital na baguhin ngayon ang inyong appointment sa Mar, Dis 1, 2026, 9:30 AM, kaya hindi ko ito magagawa dito. Pakikausap po ang aming staff.')
      .choose('Makipag-usap sa staff')
      .expect(/Naipaalam ko na po sa aming staff/);
    expect(chat.replies.some((r) => r.key === 'manage.canceled')).toBe(false);
    expect((await appointmentsOf(w, { temporaryPatientId: appt.temporaryPatientId! }))[0]).toMatchObject({ status: 'SCHEDULED' });
  });

  it('a reminder\'s confirm choice confirms at the sandbox, thanked in Filipino', async () => {
    const w = await world();
    const a = await juansConsultation(w);
    await w
      .chat({ contact: { ...juan, locale: 'fil' }, locale: 'fil' })
      .send({ choiceId: `rem:confirm:${a.appointmentId}` })
      .expect('Salamat po sa pagkumpirma! Magkita tayo sa Huw, Dis 3, 2026, 8:00 AM kay Dr. Maria Santos — Internal Medicine.');
    expect(await juansConsultation(w)).toMatchObject({ status: 'CONFIRMED' });
  });
});

describe('Bahasa Indonesia, against the sandbox', () => {
  it('a new SMS patient books, lists, reschedules and cancels, then declines to book again', async () => {
    const w = await world();
    const chat = w.chat({ contact: { channel: 'sms', phone: '+639175550199' }, locale: 'id' });
    await chat
      .send('halo')
      .expect(/Selamat datang di Sandbox Clinic/)
      .expect(/Apa yang ingin Anda lakukan\?/)
      .send('buat janji')
      .expect(/pemberitahuan privasi data kami\. Apakah Anda setuju\?/)
      .send('setuju')
      .expect(/nama lengkap/)
      .send('Siti Rahayu')
      .expect(/tanggal lahir/)
      .send('15 Mei 1990')
      .expect(/jenis kelamin/)
      .send('perempuan')
      .expect(/Dokter atau layanan mana/)
      .send('Laboratory')
      .expect(/Tanggal berapa/)
      .send('Senin depan')
      .expect(/tersedia pada Sen, 7 Des 2026/)
      .choose('9.10')
      .expect((r) => r.card?.title === 'Janji temu Anda' && r.card.rows.some((row) => row.value === 'Sen, 7 Des 2026, 9.10'))
      .send('ya')
      .expect(/^Janji temu Anda sudah dibuat! Laboratory pada Sen, 7 Des 2026, 9\.10\. Nomor referensi Anda \d+\./)
      .expect(/Ada lagi yang bisa saya bantu\?/);
    const held = (await w.staffAppointments({ calendarId: '201' })).filter((a) => a.patient.name === 'Siti Rahayu');
    expect(held).toEqual([expect.objectContaining({ start: '2026-12-07T09:10:00+08:00', temporaryPatientId: 'TMP-000002', patient: expect.objectContaining({ phone: '+639175550199', dob: '1990-05-15' }) })]);
    const id = held[0]!.appointmentId;

    await chat
      .send('janji temu saya')
      .expect('Janji temu Anda yang akan datang:')
      .expect(`Sen, 7 Des 2026, 9.10 · Laboratory (Laboratory test) · terjadwal · Ref. ${id}`)
      .skip()
      .send('ubah jadwal')
      .expect(/Tanggal berapa/)
      .send('8 Des')
      .expect(/tersedia pada Sel, 8 Des 2026/)
      .choose('9.30')
      .expect((r) => r.card?.rows.some((row) => row.label === 'Waktu baru' && row.value === 'Sel, 8 Des 2026, 9.30') === true)
      .send('ya')
      .expect(`Selesai! Janji temu Anda dengan Laboratory sekarang pada Sel, 8 Des 2026, 9.30. Referensi: ${id}.`)
      .skip();
    expect((await appointmentsOf(w, { temporaryPatientId: 'TMP-000002' }))[0]).toMatchObject({ appointmentId: id, start: '2026-12-08T09:30:00+08:00', status: 'RESCHEDULED' });

    await chat
      .send('batalkan')
      .expect(/Apakah Anda yakin ingin membatalkan/)
      .send('ya')
      .expect('Janji temu Anda dengan Laboratory pada Sel, 8 Des 2026, 9.30 telah dibatalkan.')
      .expect('Apakah Anda ingin membuat janji temu baru?')
      .send('tidak')
      .skip();
    expect((await appointmentsOf(w, { temporaryPatientId: 'TMP-000002' })).map((a) => a.status)).toEqual(['CANCELED']);
  });

  it('409 in Indonesian: the time is taken meanwhile, fresh times are offered', async () => {
    const w = await world();
    const chat = w.chat({ contact: { ...juan, locale: 'id' }, locale: 'id' });
    await chat
      .send('buat janji')
      .skip()
      .send('Laboratory')
      .expect(/Tanggal berapa/)
      .send('besok')
      .expect(/tersedia pada Sel, 1 Des 2026/)
      .choose('9.00')
      .expect((r) => r.card?.title === 'Janji temu Anda');
    await someoneElseBooks(w, '201', '2001', '2026-12-01T09:00:00+08:00');
    await chat
      .send('ya')
      .expect('Mohon maaf, waktu tersebut baru saja diambil orang lain. Berikut waktu yang masih tersedia.')
      .expect((r) => /tersedia pada Sel, 1 Des 2026/.test(r.text) && !r.choices!.some((c) => c.label === '9.00'));
    expect((await appointmentsOf(w, { patientId: JUAN.patientId })).filter((a) => a.calendarId === '201')).toHaveLength(0);
  });

  it('confirm without a confirm endpoint: thanked in Indonesian, no error', async () => {
    const w = await world({ facility: { supportsConfirm: false } });
    const a = await juansConsultation(w);
    const chat = w.chat({ contact: { ...juan, locale: 'id' }, locale: 'id' });
    await chat
      .send({ choiceId: `rem:confirm:${a.appointmentId}` })
      .expect('Terima kasih atas konfirmasinya! Sampai jumpa pada Kam, 3 Des 2026, 8.00 dengan Dr. Maria Santos — Internal Medicine.')
      .expectSilence();
    expect(chat.emitted).toContainEqual(expect.objectContaining({ type: 'appointment.changed', action: 'confirmed', confirmedLocally: true }));
  });
});
