/**
 * Issue 9: a phone that a chat user typed proves nothing. Each attack of the issue, replayed against
 * the whole service (Koa on an ephemeral port, the sandbox over HTTP, the platforms' send APIs as a
 * local stub): none reveals, changes or redirects anything, and the patient still gets every notice by SMS.
 * Then the legitimate path: the code sent by SMS, typed back, links the records.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, messengerText, postMessenger, postSms, postViber, smsParams, staffCall, useService, viberText } from '../support/frontdesk.js';
import { messengerChat, settledDeliveries, textOf } from './messenger-chat.js';
import { rawScan } from '../store/raw-scan.js';

const svc = useService();

/** Juan Dela Cruz, registered (seed): his phone, and his appointment at the provider 3 days from now */
const JUAN = { name: 'Juan Dela Cruz', dob: '14/03/1985', phone: '+639171234567', typed: '0917 123 4567', patientId: 'P-100001' };

const toPsid = (psid: string) => messengerChat(svc, psid).seen();
const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone);
const viberTo = (id: string) => svc.platforms.viber().filter((r) => r.json.receiver === id);
const codeIn = (body: string | undefined) => /code is (\d{6})/.exec(body ?? '')?.[1];
const say = (psid: string, text: string, expected: RegExp) => messengerChat(svc, psid).say(text, expected);
const settled = () => settledDeliveries(svc);

/** the desk books someone: the webhook reaches us and is applied */
async function deskBooks(patient: { name: string; phone: string; patientId?: string; dob?: string }, days: number, calendarId = '101', typeId = '1001') {
  const start = DateTime.now().setZone('Asia/Manila').plus({ days }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const res = await staffCall(svc.fd.base, 'POST', '/appointments', { calendarId, appointmentTypeId: typeId, start: start.toISO(), ...(patient.patientId ? { patientId: patient.patientId } : {}), patient, overbook: true });
  expect(res.status).toBe(201);
  await settled();
  return res.body as { appointmentId: string; patientId?: string; temporaryPatientId?: string };
}

async function noticeRecord(appointmentId: string) {
  const last = (await settled()).filter((d) => (d as unknown as { appointmentId?: string }).appointmentId === appointmentId || true).at(-1)!;
  return eventually(async () => {
    const r = await svc.fd.outbox.record(`pwh:${FACILITY}:${last.id}`);
    return r?.status === 'sent' ? r : undefined;
  }, 'notice sent');
}

/** books the laboratory's first open time, from the doctor question on */
async function bookLab(psid: string) {
  await say(psid, '4', /Which date/);
  await say(psid, '1', /These times are open/);
  await say(psid, '1', /Shall I book this/);
  return say(psid, 'yes', /What would you like|anything else/);
}

describe('typed phone of an existing patient (with his name and date of birth: the look-up attack)', () => {
  it('reveals none of his appointments, cannot cancel them, never redirects his notices or his texts', async () => {
    const desk = await deskBooks({ name: JUAN.name, phone: JUAN.phone, patientId: JUAN.patientId }, 6);
    const victimContact = await svc.fd.store.contacts.byVerifiedPhone(FACILITY, JUAN.phone);
    expect(victimContact?.channels?.sms?.userId).toBe(JUAN.phone);
    const smsBefore = smsTo(JUAN.phone).length;

    const ATTACKER = '8800000000000001';
    await say(ATTACKER, 'hi', /./);
    await say(ATTACKER, 'book an appointment', /Do you agree/);
    await say(ATTACKER, 'yes', /full name/i);
    await say(ATTACKER, JUAN.name, /date of birth/i);
    await say(ATTACKER, JUAN.dob, /mobile/i);
    // the code goes to Juan's phone, and the attacker is told plainly why, with the number masked
    const prompt = await say(ATTACKER, JUAN.typed, /sent a 6-digit code/);
    expect(textOf(prompt)).toMatch(/09•• ••• 4567/);
    expect(textOf(prompt)).not.toContain('123');
    expect(codeIn(smsTo(JUAN.phone).at(-1)?.form.Body)).toMatch(/^\d{6}$/);
    await say(ATTACKER, 'skip', /gender/i);
    await say(ATTACKER, 'male', /Which doctor/);
    await bookLab(ATTACKER);

    // only what the attacker booked here
    const asked = toPsid(ATTACKER).length;
    const mine = await say(ATTACKER, 'my appointments', /anything else/);
    const listed = toPsid(ATTACKER).slice(asked).map(textOf).join('\n');
    expect(listed).toMatch(/Laboratory/);
    expect(listed).not.toMatch(/Maria Santos|Consultation/);
    expect(listed).toMatch(/verify/i);
    expect(mine).toBeTruthy();

    // the attacker's contact is not Juan's; a claimed link at most, never verified
    const attacker = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', ATTACKER))!;
    expect(attacker.id).not.toBe(victimContact!.id);
    expect(attacker.phoneVerifiedAt).toBeUndefined();
    const juanRecord = await svc.fd.store.patients.byProviderId(FACILITY, JUAN.patientId);
    expect(juanRecord!.links.find((l) => l.contactId === attacker.id)?.verified ?? false).toBe(false);

    // cancelling Juan's desk appointment through a reminder's choice finds nothing of his
    const before = toPsid(ATTACKER).length;
    await postMessenger(svc.fd.base, messengerText(ATTACKER, 'Cancel appointment', { quickReply: `rem:cancel:${desk.appointmentId}` }));
    const refused = await eventually(() => toPsid(ATTACKER).slice(before).find((r) => /anything else|What would you like/.test(textOf(r))), 'the menu again');
    expect(toPsid(ATTACKER).slice(before).map(textOf).join('\n')).toMatch(/couldn't find|not find/i);
    expect(refused).toBeTruthy();
    const atProvider = await staffCall(svc.fd.base, 'GET', `/appointments?date=${DateTime.now().setZone('Asia/Manila').plus({ days: 6 }).toISODate()}`);
    expect((atProvider.body.appointments as { appointmentId: string; status: string }[]).find((a) => a.appointmentId === desk.appointmentId)?.status).toBe('SCHEDULED');

    // the desk moves Juan's appointment: the notice goes to his phone by SMS, not to the attacker
    const attackerSeen = toPsid(ATTACKER).length;
    const moved = DateTime.now().setZone('Asia/Manila').plus({ days: 7 }).set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
    expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${desk.appointmentId}/reschedule`, { start: moved.toISO(), overbook: true })).status).toBe(200);
    const rec = await noticeRecord(desk.appointmentId);
    expect(rec).toMatchObject({ channel: 'sms', contactId: victimContact!.id });
    expect(smsTo(JUAN.phone).length).toBeGreaterThan(smsBefore + 1);
    expect(toPsid(ATTACKER)).toHaveLength(attackerSeen);

    // Juan's own text lands in his own conversation, not the attacker's
    expect((await postSms(svc.fd.base, smsParams(JUAN.phone, 'my appointments'))).status).toBe(200);
    const answer = await eventually(() => smsTo(JUAN.phone).find((r) => /Consultation|Internal Medicine/.test(r.form.Body ?? '')), 'Juan sees his own appointment by SMS');
    expect(answer.form.Body).not.toMatch(/Laboratory/);
    expect(toPsid(ATTACKER)).toHaveLength(attackerSeen);
  });
});

describe('a pre-claimed phone', () => {
  it('typing a number nobody has used yet routes nothing: the next desk booking for it goes by SMS', async () => {
    const PHONE = '+639175559901';
    const PSID = '8800000000000002';
    await say(PSID, 'book', /Do you agree/);
    await say(PSID, 'yes', /full name/i);
    await say(PSID, 'Pedro Penduko', /date of birth/i);
    await say(PSID, '1 February 1980', /mobile/i);
    await say(PSID, '0917 555 9901', /sent a 6-digit code/);
    await say(PSID, 'skip', /gender/i);
    const seen = toPsid(PSID).length;
    const desk = await deskBooks({ name: 'Rosa Santos', phone: PHONE }, 8);
    const rec = await noticeRecord(desk.appointmentId);
    expect(rec.channel).toBe('sms');
    expect(smsTo(PHONE).some((r) => /booked an appointment/.test(r.form.Body ?? ''))).toBe(true);
    expect(toPsid(PSID)).toHaveLength(seen);
    expect((await svc.fd.store.contacts.byVerifiedPhone(FACILITY, PHONE))?.channels?.messenger).toBeUndefined();
  });
});

describe('a Viber contact card', () => {
  it('is a claim like a typed phone: a code goes to the number, nothing is revealed', async () => {
    const VIBER = 'viber-attacker-01==';
    const send = async (body: unknown, expected: RegExp) => {
      const before = viberTo(VIBER).length;
      expect((await postViber(svc.fd.base, body)).status).toBe(200);
      return eventually(() => viberTo(VIBER).slice(before).find((r) => expected.test(String(r.json.text ?? ''))), `viber answers /${expected.source}/`);
    };
    await send(viberText(VIBER, 'book'), /Do you agree/);
    await send(viberText(VIBER, 'yes'), /full name/i);
    await send(viberText(VIBER, JUAN.name), /date of birth/i);
    await send(viberText(VIBER, JUAN.dob), /mobile/i);
    const card = { ...viberText(VIBER, ''), message: { type: 'contact', contact: { name: 'Juan', phone_number: JUAN.phone } } };
    await send(card, /sent a 6-digit code/);
    await send(viberText(VIBER, 'skip'), /gender/i);
    const contact = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'viber', VIBER))!;
    expect(contact.phoneVerifiedAt).toBeUndefined();
    expect((await svc.fd.store.contacts.byVerifiedPhone(FACILITY, JUAN.phone))?.id).not.toBe(contact.id);
    expect(await svc.fd.store.appointments.byContact(FACILITY, contact.id)).toEqual([]);
  });
});

describe('a brute-forced code', () => {
  it('five wrong tries lock the code; a fourth code within the hour is refused; the phone stays unproved', async () => {
    const PSID = '8800000000000003';
    const PHONE = '+639175559902';
    await say(PSID, 'book', /Do you agree/);
    await say(PSID, 'yes', /full name/i);
    await say(PSID, 'Lino Brocka', /date of birth/i);
    await say(PSID, '1 February 1970', /mobile/i);
    await say(PSID, '0917 555 9902', /sent a 6-digit code/);
    const real = codeIn(smsTo(PHONE).at(-1)?.form.Body)!;
    const wrong = (n: number) => String((Number(real) + n) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 4; i++) await say(PSID, wrong(i), new RegExp(`${5 - i} tries left`));
    await say(PSID, wrong(5), /Too many wrong codes/);
    await say(PSID, real, /didn't catch|gender/i).catch(() => undefined);
    await say(PSID, 'male', /Which doctor/).catch(() => undefined);
    await bookLab(PSID);
    // two more codes on request; the fourth within the hour is refused
    await say(PSID, 'verify', /sent a 6-digit code/);
    await say(PSID, 'skip', /./);
    await say(PSID, 'verify', /sent a 6-digit code/);
    await say(PSID, 'skip', /./);
    await say(PSID, 'verify', /can't send another code/);
    expect(smsTo(PHONE).filter((r) => codeIn(r.form.Body))).toHaveLength(3);
    const contact = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', PSID))!;
    expect(contact.phoneVerifiedAt).toBeUndefined();
    // the codes are nowhere in the store once sent (not in the code record, not in the send jobs): only salted hashes
    const codes = smsTo(PHONE).map((r) => codeIn(r.form.Body)).filter((c): c is string => !!c);
    await eventually(async () => {
      const held = (await rawScan(svc.fd.config.store, 'fd')).map((e) => e.text).join('\n');
      return codes.every((c) => !held.includes(`code is ${c}`) && !held.includes(`"${c}"`));
    }, 'no code left in the store');
  });
});

describe('the patient who owns the phone', () => {
  it('types the code sent by SMS: the desk records are linked, listed, and later notices reach Messenger', async () => {
    const PHONE = '+639175559903';
    const desk = await deskBooks({ name: 'Carmen Lopez', phone: PHONE }, 9);
    const deskContact = (await svc.fd.store.contacts.byVerifiedPhone(FACILITY, PHONE))!;
    const PSID = '8800000000000004';
    await say(PSID, 'book', /Do you agree/);
    await say(PSID, 'yes', /full name/i);
    await say(PSID, 'Carmen Lopez', /date of birth/i);
    await say(PSID, '2 March 1975', /mobile/i);
    await say(PSID, '0917 555 9903', /sent a 6-digit code/);
    const code = codeIn(smsTo(PHONE).at(-1)?.form.Body)!;
    await say(PSID, code, /number is confirmed/);
    await say(PSID, 'female', /Which doctor/);
    await say(PSID, 'menu', /What would you like|anything else/);
    const asked = toPsid(PSID).length;
    await say(PSID, 'my appointments', /anything else/);
    expect(toPsid(PSID).slice(asked).map(textOf).join('\n')).toMatch(/Internal Medicine/);

    const me = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', PSID))!;
    expect(me).toMatchObject({ phone: PHONE, phoneVerifiedBy: 'code' });
    // the desk's SMS contact for that number is now this contact
    expect((await svc.fd.store.contacts.get(FACILITY, deskContact.id))?.id).toBe(me.id);
    expect((await svc.fd.store.appointments.get(FACILITY, desk.appointmentId))?.contactId).toBe(me.id);

    const moved = DateTime.now().setZone('Asia/Manila').plus({ days: 10 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${desk.appointmentId}/reschedule`, { start: moved.toISO(), overbook: true })).status).toBe(200);
    expect(await noticeRecord(desk.appointmentId)).toMatchObject({ channel: 'messenger', contactId: me.id });
  });
});
