import { describe, expect, it } from 'vitest';
import { setup } from './fixtures.js';
import type { FakeProvider } from '../support/fakeProvider.js';

const known = { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1' };

async function seed(provider: FakeProvider, start: string, calendarId = 'cal-cruz') {
  const r = await provider.createAppointment({ calendarId, appointmentTypeId: 'consult', start, patientId: 'P1', patient: { name: 'Maria Santos', phone: '+639171234567' } }, `seed-${start}`);
  if (!r.ok) throw new Error('seed failed');
  return r.value;
}

describe('booking in Filipino and Bahasa Indonesia', () => {
  it('books in Filipino with Filipino dates', async () => {
    const { chat, provider } = setup({ locale: 'fil', contact: { ...known, patientId: undefined, phoneVerified: true } });
    await chat
      .send('magpa-book po')
      .expect(/Maligayang pagdating/)
      .expect(/Aling doktor/)
      .send('2')
      .expect(/Anong petsa/)
      .send('bukas')
      .expect(/bukas na oras/)
      .send('1')
      .expect((r) => r.card?.title === 'Ang inyong appointment')
      .send('oo')
      .expect(/Naka-book na po kayo! Laboratory/);
    expect(provider.calls.some((c) => c.method === 'findPatient')).toBe(true);
  });

  it('books in Bahasa Indonesia with Indonesian dates', async () => {
    const { chat, provider } = setup({ locale: 'id', facility: { country: 'ID', timezone: 'Asia/Jakarta' }, contact: { channel: 'sms', phone: '+6281234567890' } });
    await chat
      .send('halo')
      .expect(/Selamat datang/)
      .expect(/Apa yang ingin Anda lakukan/)
      .send('buat janji')
      .expect(/privasi data/)
      .send('setuju')
      .expect(/nama lengkap/)
      .send('Siti Rahayu')
      .expect(/tanggal lahir/)
      .send('15 Mei 1990')
      .expect(/jenis kelamin/)
      .send('perempuan')
      .expect(/Dokter atau layanan/)
      .send('Laboratory')
      .expect(/Tanggal berapa/)
      .send('Senin depan')
      .expect(/tersedia pada Sen, 7 Des 2026/)
      .send('1')
      .skip()
      .send('ya')
      .expect(/Janji temu Anda sudah dibuat/);
    expect([...provider.appointments.values()][0]!.patient).toMatchObject({ name: 'Siti Rahayu', phone: '+6281234567890', dob: '1990-05-15' });
  });
});

describe('always-available commands', () => {
  it('back re-asks the previous detail, help and language switch keep the step, stop ends', async () => {
    const { chat } = setup();
    await chat
      .send('book')
      .skip()
      .send('yes')
      .expectEventually(/full name/)
      .send('Maria Santos')
      .expect(/date of birth/)
      .send('back')
      .expect(/full name/)
      .send('Maria Cruz')
      .expect(/date of birth/)
      .send('help')
      .expect(/Here's what you can type/)
      .expect(/date of birth/)
      .send('Tagalog')
      .expect(/magpapatuloy ako sa Filipino/)
      .expect(/Kailan po ang inyong kapanganakan/)
      .send('stop')
      .expect(/itinigil ko na/);
    expect(chat.emitted).toContainEqual({ type: 'contact.patch', patch: { locale: 'fil' } });
  });

  it('re-prompts nonsense and offers menu or staff after three misses; staff hands off', async () => {
    const { chat } = setup({ contact: known });
    await chat
      .send('book')
      .skip()
      .send('qwerty')
      .expect(/didn't catch that/)
      .expect(/Which doctor/)
      .send('asdf')
      .skip()
      .send('zzz')
      .expect(/trouble understanding/)
      .send('2')
      .expect(/let our staff know/);
    expect(chat.emitted).toContainEqual({ type: 'handoff', reason: 'patient_request' });
  });

  it('rejects a future date of birth and a bad phone with a hint', async () => {
    const { chat } = setup({ contact: { name: 'Maria Santos', consent: true } });
    await chat
      .send('book')
      .skip()
      .send('15/05/2030')
      .expect(/hasn't happened yet/)
      .expect(/date of birth/)
      .send('May 15 1990')
      .expect(/mobile number/)
      .send('12345')
      .expect(/valid mobile number/);
  });
});

describe('provider failures', () => {
  it('409: says the slot is gone and offers fresh times', async () => {
    const { chat, provider } = setup({ contact: known });
    await chat.send('book').skip().choose(/Laboratory/).skip().send('tomorrow').skip().send('9am').skip();
    await chat.check(() => provider.takeSlot('cal-lab', 'blood', '2026-12-01T09:00:00+08:00'));
    await chat
      .send('yes')
      .expect(/someone else just took that time/)
      .expect((r) => r.key === 'slots.time' && !r.choices!.some((c) => c.id.includes('T09:00')))
      .send('10am')
      .skip()
      .send('yes')
      .expect(/You're booked! Laboratory on Tue, Dec 1, 2026, 10:00/);
  });

  it('unavailable: says it is checking, asks again with the same idempotency key in the same turn, never "nothing changed"', async () => {
    const { chat, provider } = setup({ contact: known });
    provider.failNext('createAppointment', { kind: 'unavailable' });
    await chat.send('book').skip().choose(/Laboratory/).skip().send('tomorrow').skip().send('9am').skip()
      .send('yes')
      .expect(/checking whether your booking went through/)
      .expect(/You're booked!/);
    const keys = provider.calls.filter((c) => c.method === 'createAppointment').map((c) => c.args[1]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(chat.replies.filter((r) => /booked!/.test(r.text))).toHaveLength(1);
  });

  it('never claims success when availability is down', async () => {
    const { chat, provider } = setup({ contact: known });
    provider.failNext('availability', { kind: 'unavailable' });
    await chat.send('book').skip().choose(/Laboratory/).expect(/isn't responding/).send('try again').expect(/Which date/);
  });
});

describe('reschedule, cancel, my appointments', () => {
  it('lists upcoming appointments', async () => {
    const { chat, provider } = setup({ contact: known });
    await seed(provider, '2026-12-02T10:00:00+08:00');
    await chat.send('my appointments').expect(/Welcome/).expect(/Your upcoming appointments/).expect(/Wed, Dec 2, 2026, 10:00 AM · Dr. Ana Cruz \(Consultation\) · booked/);
  });

  it('reschedules the only appointment to a new slot', async () => {
    const { chat, provider } = setup({ contact: known });
    const a = await seed(provider, '2026-12-02T10:00:00+08:00');
    await chat
      .send('reschedule')
      .skip()
      .check((c) => expect(c.replies.at(-1)!.key).toBe('slots.date'))
      .send('Dec 3')
      .skip()
      .send('2pm')
      .expect((r) => r.card?.rows.some((row) => row.label === 'New time' && row.value.includes('2:00')) === true)
      .send('yes')
      .expect(/now on Thu, Dec 3, 2026, 2:00/);
    expect(provider.appointments.get(a.appointmentId)!.status).toBe('RESCHEDULED');
    expect(chat.emitted.some((e) => e.type === 'appointment.changed' && e.action === 'rescheduled')).toBe(true);
  });

  it('refuses inside the cutoff and offers staff', async () => {
    const { chat, provider } = setup({ contact: known, startAt: '2026-11-30T12:00:00+08:00' });
    await seed(provider, '2026-12-01T09:00:00+08:00');
    await chat.send('cancel').expect(/Welcome/).expect(/less than 24 hours away/).choose('Talk to staff').expect(/let our staff know/);
    expect(chat.emitted).toContainEqual({ type: 'handoff', reason: 'too_close' });
  });

  it('cancels after picking one of several, then offers to book again', async () => {
    const { chat, provider } = setup({ contact: known });
    await seed(provider, '2026-12-03T10:00:00+08:00');
    const b = await seed(provider, '2026-12-04T10:00:00+08:00');
    await chat
      .send('cancel my appointment')
      .skip()
      .check((c) => expect(c.lastReply()!.choices).toHaveLength(2))
      .send('2')
      .expect((r) => r.key === 'manage.cancelPrompt')
      .send('yes')
      .expect(/has been cancelled/)
      .expect(/book a new appointment/)
      .send('yes')
      .expect(/Which doctor/);
    expect(provider.appointments.get(b.appointmentId)!.status).toBe('CANCELED');
  });
});

describe('reminder answers in any state', () => {
  it('confirms from the middle of a booking', async () => {
    const { chat, provider } = setup({ contact: known });
    const a = await seed(provider, '2026-12-02T10:00:00+08:00');
    await chat.send('book').skip().send({ choiceId: `rem:confirm:${a.appointmentId}` }).expect(/Thank you for confirming! We'll see you on Wed, Dec 2/);
    expect(provider.appointments.get(a.appointmentId)!.status).toBe('CONFIRMED');
    expect(provider.calls.find((c) => c.method === 'confirm')!.args[1]).toBe('c1:m2');
  });

  it('confirm unsupported: keeps it locally and thanks the patient, no error shown', async () => {
    const { chat, provider } = setup({ contact: known, confirmSupported: false });
    const a = await seed(provider, '2026-12-02T10:00:00+08:00');
    await chat.send({ choiceId: `rem:confirm:${a.appointmentId}` }).expect(/Thank you for confirming/).expectSilence();
    expect(chat.emitted).toContainEqual(expect.objectContaining({ type: 'appointment.changed', action: 'confirmed', confirmedLocally: true }));
  });

  it('reminder reschedule and cancel enter those flows for that appointment', async () => {
    const { chat, provider } = setup({ contact: known });
    await seed(provider, '2026-12-02T10:00:00+08:00');
    const b = await seed(provider, '2026-12-07T10:00:00+08:00');
    await chat.send({ choiceId: `rem:cancel:${b.appointmentId}` }).expect((r) => r.key === 'manage.cancelPrompt' && r.card!.rows.some((x) => x.value === b.appointmentId));
    await chat.send({ choiceId: `rem:reschedule:${b.appointmentId}` }).expect((r) => r.key === 'slots.date');
  });
});

describe('persistence', () => {
  it('resumes mid-booking from a JSON snapshot at the same step', async () => {
    const { chat, provider } = setup({ contact: known });
    await chat.send('book').skip().choose(/Laboratory/).skip().send('tomorrow').skip().restart()
      .check((c) => expect(c.stateValue()).toEqual({ book: { slots: 'time' } }))
      .send('9am')
      .skip()
      .restart()
      .send('yes')
      .expect(/You're booked! Laboratory on Tue, Dec 1, 2026, 9:00/);
    expect(provider.appointments.size).toBe(1);
  });
});
