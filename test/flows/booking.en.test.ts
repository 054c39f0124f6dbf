import { describe, expect, it } from 'vitest';
import { setup } from './fixtures.js';

describe('booking in English', () => {
  it('books a new patient end to end', async () => {
    const { chat, provider } = setup();
    await chat
      .start()
      .expect(/automated assistant/)
      .expect(/What would you like to do/)
      .send('I want to book an appointment')
      .expect(/data privacy/)
      .send('yes')
      .expect(/full name/)
      .send('Maria Santos')
      .expect(/date of birth/)
      .send('15/05/1990')
      .expect(/mobile number/)
      .send('0917 123 4567')
      .expect(/gender/)
      .choose('Female')
      .expect(/Which doctor/)
      .choose(/Ana Cruz/)
      .expect(/What kind of appointment/)
      .send('1')
      .expect(/Which date/)
      .send('tomorrow')
      .expect(/open on Tue, Dec 1, 2026/)
      .send('10am')
      .expect((r) => r.card?.rows.some((row) => row.value.includes('10:00')) === true)
      .send('yes')
      .expect(/You're booked! Dr. Ana Cruz on Tue, Dec 1, 2026, 10:00/)
      .expect(/anything else/);
    expect([...provider.appointments.values()]).toHaveLength(1);
    const created = chat.emitted.find((e) => e.type === 'appointment.changed');
    expect(created).toMatchObject({ action: 'created', appointment: { start: '2026-12-01T10:00:00+08:00', calendarId: 'cal-cruz', appointmentTypeId: 'consult' } });
    const patches = chat.emitted.filter((e) => e.type === 'contact.patch');
    expect(patches).toContainEqual({ type: 'contact.patch', patch: { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true } });
    expect(created).toMatchObject({ appointment: { temporaryPatientId: 'T1' }, subject: { relationship: 'self', name: 'Maria Santos', consent: true } });
    const call = provider.calls.find((c) => c.method === 'createAppointment')!;
    expect(call.args[1]).toBe('c1:m12');
  });
});
