/**
 * Issue 6: a patient first known by phone (a desk booking) who later writes on Messenger and gives the same
 * mobile while booking is one contact, not two — and from then on the desk's notices reach them on Messenger.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, messengerText, postMessenger, staffCall, useService } from '../support/frontdesk.js';

const svc = useService();

const PSID = '7001002003004005';
const PHONE = '+639171239876';
const toPsid = () => svc.platforms.graph().filter((r) => r.json.recipient?.id === PSID);
const textOf = (r: { json: Record<string, any> }): string => String(r.json.message?.text ?? r.json.message?.attachment?.payload?.text ?? '');

/** Sends one Messenger message and waits for the bot's answer matching `expect`. */
async function say(text: string, expected: RegExp) {
  const before = toPsid().length;
  expect((await postMessenger(svc.fd.base, messengerText(PSID, text))).status).toBe(200);
  return eventually(() => toPsid().slice(before).find((r) => expected.test(textOf(r))), `bot answers /${expected.source}/ to "${text}"`);
}

async function settled() {
  const ds = await eventually(() => {
    const all = svc.fd.sandbox!.deliveries(FACILITY);
    return all.every((d) => d.status === 'delivered') ? all : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of ds) await eventually(async () => (await svc.fd.queue.get(`pwh:${FACILITY}:${d.id}`))?.state === 'done', 'provider event processed');
  return ds;
}

describe('desk contact linked to Messenger by the mobile number', () => {
  it('is one contact; the desk appointment moves to the Messenger contact; later notices go to Messenger', async () => {
    const start = DateTime.now().setZone('Asia/Manila').plus({ days: 9 }).set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
    const booked = await staffCall(svc.fd.base, 'POST', '/appointments', {
      calendarId: '101', appointmentTypeId: '1001', start: start.toISO(), patient: { name: 'Carmen Lopez', phone: PHONE }, overbook: true,
    });
    expect(booked.status).toBe(201);
    const apptId = booked.body.appointmentId as string;
    await settled();
    const desk = await eventually(() => svc.fd.store.contacts.byPhone(FACILITY, PHONE), 'desk contact');
    expect((await svc.fd.store.appointments.get(FACILITY, apptId))!.contactId).toBe(desk.id);
    const contactsBefore = (await svc.fd.store.contacts.list(FACILITY)).length;

    await say('hi', /./);
    await say('I want to book an appointment', /privacy/i);
    await say('yes', /full name/i);
    await say('Carmen Lopez', /date of birth/i);
    await say('02/03/1975', /mobile/i);
    await say('0917 123 9876', /gender/i);
    await say('2', /doctor/i);

    const mine = await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', PSID), 'messenger contact');
    await eventually(async () => (await svc.fd.store.contacts.list(FACILITY)).length === contactsBefore, 'the two contacts are one');
    const linked = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', PSID))!;
    expect(linked.id).toBe(mine.id);
    expect(await svc.fd.store.contacts.byPhone(FACILITY, PHONE)).toMatchObject({ id: linked.id });
    expect(linked.patientId).toBe(booked.body.patientId);
    expect((await svc.fd.store.appointments.get(FACILITY, apptId))!.contactId).toBe(linked.id);

    // the desk moves it: the notice goes to Messenger, not SMS
    const smsBefore = svc.platforms.twilio().filter((r) => r.form.To === PHONE).length;
    const moved = start.plus({ days: 1 });
    expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${apptId}/reschedule`, { start: moved.toISO(), overbook: true })).status).toBe(200);
    const last = (await settled()).at(-1)!;
    expect(last.type).toBe('appointmentRescheduled');
    const rec = await eventually(async () => {
      const r = await svc.fd.outbox.record(`pwh:${FACILITY}:${last.id}`);
      return r?.status === 'sent' ? r : undefined;
    }, 'reschedule notice sent');
    expect(rec).toMatchObject({ channel: 'messenger', contactId: linked.id });
    expect(svc.platforms.twilio().filter((r) => r.form.To === PHONE)).toHaveLength(smsBefore);
    expect((await svc.fd.store.contacts.list(FACILITY)).length).toBe(contactsBefore);
  });
});
