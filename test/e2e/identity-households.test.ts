/**
 * Issue 9, households: a parent books for herself and two children on one phone. Each child is a patient
 * of its own; desk bookings with the parent's phone keep each one's patientId; notices and "my
 * appointments" name the right person; the parent's own next booking carries her own patientId.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, staffCall, useService } from '../support/frontdesk.js';
import { messengerChat, settledDeliveries, textOf } from './messenger-chat.js';

const svc = useService();

const PSID = '8800000000000100';
const PHONE = '+639175559910';
const chat = messengerChat(svc, PSID);
const toPsid = chat.seen;
const say = chat.say;
const settled = () => settledDeliveries(svc);

async function bookLab(): Promise<string> {
  await say('4', /Which date/);
  await say('1', /These times are open/);
  await say('1', /Shall I book this/);
  const before = toPsid().length;
  const done = await say('yes', /booked!/);
  await eventually(() => toPsid().slice(before).some((r) => /What would you like|anything else/.test(textOf(r))), 'menu after booking');
  return textOf(done);
}

async function bookFor(name: string, dob: string, gender: string) {
  await say('book', /Who is this appointment for\?/);
  await say('someone else', /book on their behalf/);
  await say('yes', /patient's full name/);
  await say(name, /patient's date of birth/);
  await say(dob, /gender/i);
  await say(gender, /How is .* related to you/);
  await say('my child', /Which doctor/);
  return bookLab();
}

const assign = async (tmp: string) => {
  const r = await staffCall(svc.fd.base, 'POST', `/patients/${tmp}/assign`, {});
  expect(r.status).toBe(200);
  await settled();
  return r.body.patient.patientId as string;
};

describe('a parent, two children, one phone', () => {
  it('keeps each patient apart, names the right person, and books the parent under her own id', async () => {
    await say('book', /Do you agree/);
    await say('yes', /full name/i);
    await say('Liza Soberano', /date of birth/i);
    await say('01/01/1988', /mobile/i);
    await say('0917 555 9910', /sent a 6-digit code/);
    const code = /code is (\d{6})/.exec(svc.platforms.twilio().filter((r) => r.form.To === PHONE).at(-1)!.form.Body!)![1]!;
    await say(code, /number is confirmed/);
    await say('female', /Which doctor/);
    expect(await bookLab()).toMatch(/^You're booked! Laboratory/);

    expect(await bookFor('Lito Soberano', '5 June 2015', 'male')).toMatch(/^You're booked! Lito sees Laboratory/);
    await say('book', /Who is this appointment for\?.*Lito Soberano/);
    await say('menu', /./);
    expect(await bookFor('Mia Soberano', '7 August 2018', 'female')).toMatch(/Mia sees Laboratory/);

    const contact = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', PSID))!;
    const people = await svc.fd.store.patients.ofContact(FACILITY, contact.id);
    expect(people.map((p) => p.name).sort()).toEqual(['Lito Soberano', 'Liza Soberano', 'Mia Soberano']);
    for (const p of people) {
      const link = p.links.find((l) => l.contactId === contact.id)!;
      expect(link).toMatchObject({ verified: true, relationship: p.name === 'Liza Soberano' ? 'self' : 'child' });
      expect(link.consentAt).toBeTruthy();
      expect(p.temporaryPatientIds).toHaveLength(1);
    }
    // the hospital registers all three
    const ids = new Map<string, string>();
    for (const p of people) ids.set(p.name!, await assign(p.temporaryPatientIds![0]!));
    for (const p of people) expect((await svc.fd.store.patients.get(FACILITY, p.id))!.patientId).toBe(ids.get(p.name!));

    // desk bookings for each child with the parent's phone
    const start = (days: number) => DateTime.now().setZone('Asia/Manila').plus({ days }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toISO();
    const seen = toPsid().length;
    for (const [name, days] of [['Lito Soberano', 12], ['Mia Soberano', 13]] as const) {
      const r = await staffCall(svc.fd.base, 'POST', '/appointments', { calendarId: '102', appointmentTypeId: '1013', start: start(days), patientId: ids.get(name), patient: { name, phone: PHONE }, overbook: true });
      expect(r.status).toBe(201);
      expect(r.body.patientId).toBe(ids.get(name));
    }
    await settled();
    const notices = await eventually(() => {
      const n = toPsid().slice(seen).map(textOf).filter((t) => /booked an appointment/.test(t));
      return n.length === 2 ? n : undefined;
    }, 'two desk notices on Messenger');
    expect(notices.some((t) => t.startsWith('For Lito:'))).toBe(true);
    expect(notices.some((t) => t.startsWith('For Mia:'))).toBe(true);
    // nobody's id moved
    for (const p of people) expect((await svc.fd.store.patients.get(FACILITY, p.id))!.patientId).toBe(ids.get(p.name!));
    expect((await svc.fd.store.patients.ofContact(FACILITY, contact.id))).toHaveLength(3);

    // "my appointments" groups by person
    const asked = toPsid().length;
    await say('my appointments', /anything else/);
    const listing = toPsid().slice(asked).map(textOf);
    const lito = listing.indexOf('Lito:');
    const mia = listing.indexOf('Mia:');
    expect(lito).toBeGreaterThan(-1);
    expect(mia).toBeGreaterThan(-1);
    expect(listing.slice(lito + 1, lito + 3).join()).toMatch(/Pediatrics/);

    // the parent's own booking goes under her own patientId
    await say('book', /Who is this appointment for\?/);
    await say('me', /Which doctor/);
    await bookLab();
    const day = await staffCall(svc.fd.base, 'GET', `/appointments?calendarId=201`);
    const hers = (day.body.appointments as { patientId?: string; patient: { name: string } }[]).filter((a) => a.patient.name === 'Liza Soberano');
    expect(hers.length).toBe(2);
    expect(hers.every((a) => a.patientId === ids.get('Liza Soberano'))).toBe(true);
  });
});
