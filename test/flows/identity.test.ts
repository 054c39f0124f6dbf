/**
 * Issue 9, in the flow alone: what each setup gives. Without SMS no code can be sent: the patient books
 * a new appointment and is told to call the clinic for older bookings. "Book for my son" asks about the
 * patient, not the contact; the look-up by details runs only behind a proved phone.
 */
import { describe, expect, it } from 'vitest';
import { setup } from './fixtures.js';

describe('identity in the conversation', () => {
  it('a facility without SMS: no code, the booking goes on, older bookings are the clinic\'s to tell', async () => {
    const { chat, provider } = setup({ facility: { canVerifyPhone: false, staffContact: '+63 2 8123 4567' } });
    await chat
      .send('book')
      .expect(/automated assistant/)
      .expect(/data privacy/)
      .send('yes')
      .expect(/full name/)
      .send('Maria Santos')
      .expect(/date of birth/)
      .send('15/05/1990')
      .expect(/mobile number/)
      .send('0917 123 4567')
      .expect(/gender/);
    expect(provider.calls.some((c) => c.method === 'findPatient')).toBe(false);
    const later = setup({ facility: { canVerifyPhone: false, staffContact: '+63 2 8123 4567' }, contact: { name: 'Maria Santos', phone: '+639171234567', consent: true } });
    await later.chat.send('my appointments').expect(/Welcome/).expect(/no upcoming appointments/).expect(/please call \+63 2 8123 4567/);
  });

  it('with SMS, an unproved phone gets a code prompt and the look-up waits for the proof', async () => {
    const { chat, provider } = setup({ facility: { canVerifyPhone: true } });
    await chat.send('book').expect(/automated assistant/).expect(/data privacy/).send('yes').expect(/full name/).send('Maria Santos').expect(/date of birth/).send('15/05/1990').expect(/mobile number/).send('0917 123 4567');
    // the fixture's actors have no SMS: the code cannot go out, and the patient is told so and goes on
    await chat.expect(/couldn't send a code/).expect(/gender/);
    expect(provider.calls.some((c) => c.method === 'findPatient')).toBe(false);
  });

  it('a proved phone: the look-up by details runs and its patientId is used', async () => {
    const { chat, provider } = setup({ facility: { canVerifyPhone: true }, contact: { phone: '+639171234567', phoneVerified: true, consent: true } });
    await chat.send('book').expect(/Welcome/).expect(/full name/).send('Maria Santos').expect(/date of birth/).send('15/05/1990').expect(/gender/).send('female');
    expect(provider.calls.some((c) => c.method === 'findPatient')).toBe(true);
  });

  it('"book for my son" asks for the patient\'s details and consent on their behalf, and the relationship', async () => {
    const { chat } = setup({ contact: { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true } });
    await chat
      .send('I want to book for my son')
      .expect(/Welcome/)
      .expect(/book on their behalf/)
      .send('yes')
      .expect(/patient's full name/)
      .send('Lito Santos')
      .expect(/patient's date of birth/)
      .send('05/06/2015')
      // day and month could be either: asked which (issue 14)
      .expect(/Which date do you mean/)
      .choose('5 June 2015')
      .expect(/gender/)
      .send('male')
      .expect(/How is Lito Santos related to you/)
      .send('child')
      .expect(/Which doctor/);
    expect(chat.emitted.filter((e) => e.type === 'contact.patch' && 'name' in e.patch)).toEqual([]);
  });
});
