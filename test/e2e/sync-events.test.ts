/**
 * Issue 6, end to end: every provider event the sandbox's desk produces, through the signed webhook, the job queue
 * and the outbox, to the SMS the patient receives at the (fake) Twilio API — and the state frontdesk stores.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, postSms, sandboxAuth, smsParams, staffCall, useService, providerEventApplied } from '../support/frontdesk.js';

const ZONE = 'Asia/Manila';
const svc = useService();

const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone).map((r) => r.form.Body ?? '');

/** A weekday afternoon `days` ahead, facility time. */
const at = (days: number, hour: number, minute = 0) => {
  let d = DateTime.now().setZone(ZONE).plus({ days }).set({ hour, minute, second: 0, millisecond: 0 });
  if (d.weekday === 7) d = d.plus({ days: 1 });
  return d;
};

/** Every webhook the sandbox sent so far has been received, and frontdesk finished processing it. */
async function settled() {
  const deliveries = await eventually(() => {
    const ds = svc.fd.sandbox!.deliveries(FACILITY);
    return ds.every((d) => d.status === 'delivered') ? ds : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of deliveries) await eventually(async () => await providerEventApplied(svc.fd, FACILITY, d.id), `provider event ${d.type} processed`);
  return deliveries;
}
const lastDelivery = async () => (await settled()).at(-1)!;

async function deskBook(phone: string, start: DateTime, calendarId = '102', appointmentTypeId = '1011') {
  const r = await staffCall(svc.fd.base, 'POST', '/appointments', { calendarId, appointmentTypeId, start: start.toISO(), patient: { name: 'Desk Patient', phone }, overbook: true });
  expect(r.status).toBe(201);
  return r.body as { appointmentId: string; patientId: string; start: string };
}

/** the notice for one webhook went to the outbox and was sent */
const noticeSent = (webhookId: string) => eventually(async () => (await svc.fd.outbox.record(`pwh:${FACILITY}:${webhookId}`))?.status === 'sent', `notice of ${webhookId} sent`);

/** What a patient reading the SMS needs: the day and time in Manila, and the doctor. */
function expectWhenAndWho(body: string, start: DateTime, doctor: RegExp) {
  expect.soft(body, 'the date in Manila').toContain(start.setLocale('en-US').toFormat('MMM d'));
  expect.soft(body, 'the time in Manila').toMatch(new RegExp(`\\b(${start.toFormat('h:mm')}\\s?[AP]M|${start.toFormat('HH:mm')})`, 'i'));
  expect.soft(body, 'the doctor').toMatch(doctor);
  expect.soft(body, 'no raw i18n key').not.toMatch(/^notice\.|\[object Object\]/);
}

const jobStates = async (ids: readonly string[] | undefined) => Promise.all((ids ?? []).map(async (id) => (await svc.fd.queue.get(id))?.state));

describe('desk events reach the patient by SMS, and the mirror follows', () => {
  const phone = '+639171110001';
  let id = '';
  let firstJobs: string[] = [];

  it('a desk booking for a new phone: SMS with date, time (Manila) and doctor; an SMS contact with the ids; reminders planned', async () => {
    const start = at(4, 14);
    const booked = await deskBook(phone, start);
    id = booked.appointmentId;
    const d = await lastDelivery();
    expect(d.type).toBe('appointmentCreated');
    await noticeSent(d.id);
    const sms = smsTo(phone);
    expect(sms).toHaveLength(1);
    expectWhenAndWho(sms[0]!, start, /Reyes/);

    const contact = await svc.fd.store.contacts.byVerifiedPhone(FACILITY, phone);
    expect(contact).toMatchObject({ phone, phoneVerifiedBy: 'sms', channels: { sms: { userId: phone } } });
    const patient = await svc.fd.store.patients.byProviderId(FACILITY, booked.patientId!);
    expect(patient!.links).toMatchObject([{ contactId: contact!.id, verified: true }]);
    const mirror = await svc.fd.store.appointments.get(FACILITY, id);
    expect(mirror).toMatchObject({ status: 'SCHEDULED', contactId: contact!.id, patientId: booked.patientId, patientRef: patient!.id, calendarId: '102', source: 'staff' });
    expect(Date.parse(mirror!.start)).toBe(start.toMillis());
    firstJobs = mirror!.reminderJobIds ?? [];
    expect(firstJobs).toHaveLength(2);
    expect(await jobStates(firstJobs)).toEqual(['pending', 'pending']);
  });

  it('reschedule: SMS with the new time; the old reminders are cancelled and new ones pending', async () => {
    const moved = at(6, 10, 30);
    const r = await staffCall(svc.fd.base, 'PUT', `/appointments/${id}/reschedule`, { start: moved.toISO(), overbook: true });
    expect(r.status).toBe(200);
    const d = await lastDelivery();
    expect(d.type).toBe('appointmentRescheduled');
    await noticeSent(d.id);
    const sms = smsTo(phone);
    expect(sms).toHaveLength(2);
    expectWhenAndWho(sms[1]!, moved, /Reyes/);
    const mirror = await svc.fd.store.appointments.get(FACILITY, id);
    expect(mirror!.status).toBe('RESCHEDULED');
    expect(Date.parse(mirror!.start)).toBe(moved.toMillis());
    expect(await jobStates(firstJobs)).toEqual(['canceled', 'canceled']);
    const now = mirror!.reminderJobIds ?? [];
    expect(now).toHaveLength(2);
    expect(now.some((j) => firstJobs.includes(j))).toBe(false);
    expect(await jobStates(now)).toEqual(['pending', 'pending']);
    firstJobs = now;
  });

  it('confirmed at the desk: a message; the mirror reads CONFIRMED', async () => {
    expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${id}/confirm`, {})).status).toBe(200);
    const d = await lastDelivery();
    expect(d.type).toBe('appointmentConfirmed');
    await noticeSent(d.id);
    const sms = smsTo(phone);
    expect(sms).toHaveLength(3);
    expect.soft(sms[2]).toMatch(/confirm/i);
    expect((await svc.fd.store.appointments.get(FACILITY, id))!.status).toBe('CONFIRMED');
  });

  it('checked in with a queue number: a message carrying the number; reminders dropped', async () => {
    // the sandbox admits a check-in only on the appointment's day: its clock goes there for this call
    const due = Date.parse((await svc.fd.store.appointments.get(FACILITY, id))!.start) - 3_600_000;
    svc.fd.sandbox!.setClock(() => new Date(due));
    try {
      expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${id}/check-in`, { queueNumber: '17' })).status).toBe(200);
    } finally {
      svc.fd.sandbox!.setClock(undefined);
    }
    const d = await lastDelivery();
    expect(d.type).toBe('patientCheckedIn');
    await noticeSent(d.id);
    const sms = smsTo(phone);
    expect(sms).toHaveLength(4);
    expect.soft(sms[3], 'the queue number').toMatch(/\b17\b/);
    const mirror = await svc.fd.store.appointments.get(FACILITY, id);
    expect(mirror).toMatchObject({ status: 'SHOW', queueNumber: '17' });
    expect(await jobStates(firstJobs)).toEqual(['canceled', 'canceled']);
  });

  it('cancelled at the desk: an SMS offering to book again; the mirror reads CANCELED and its reminders are cancelled', async () => {
    const p = '+639171110002';
    const booked = await deskBook(p, at(5, 9));
    await noticeSent((await lastDelivery()).id);
    const jobs = (await svc.fd.store.appointments.get(FACILITY, booked.appointmentId))!.reminderJobIds ?? [];
    expect(jobs.length).toBeGreaterThan(0);
    expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${booked.appointmentId}/cancel`, { reason: 'doctor unavailable' })).status).toBe(200);
    const d = await lastDelivery();
    expect(d.type).toBe('appointmentCanceled');
    await noticeSent(d.id);
    const sms = smsTo(p);
    expect(sms).toHaveLength(2);
    expect.soft(sms[1]).toMatch(/cancel/i);
    expect.soft(sms[1], 'offers to book again').toMatch(/\b1\D+Book a new appointment/);
    expect((await svc.fd.store.appointments.get(FACILITY, booked.appointmentId))!.status).toBe('CANCELED');
    expect(new Set(await jobStates(jobs))).toEqual(new Set(['canceled']));
  });

  it('marked no-show: an SMS offering to book again; the mirror reads NO SHOW', async () => {
    const p = '+639171110003';
    const booked = await deskBook(p, at(5, 15));
    await noticeSent((await lastDelivery()).id);
    // a no-show only once the start has passed
    svc.fd.sandbox!.setClock(() => new Date(Date.parse(booked.start) + 60_000));
    try {
      expect((await staffCall(svc.fd.base, 'PUT', `/appointments/${booked.appointmentId}/no-show`, {})).status).toBe(200);
    } finally {
      svc.fd.sandbox!.setClock(undefined);
    }
    const d = await lastDelivery();
    expect(d.type).toBe('appointmentNoShow');
    await noticeSent(d.id);
    const sms = smsTo(p);
    expect(sms).toHaveLength(2);
    expect.soft(sms[1], 'offers to book again').toMatch(/\b1\D+Book a new appointment/);
    expect((await svc.fd.store.appointments.get(FACILITY, booked.appointmentId))!.status).toBe('NO SHOW');
  });
});

describe('a booking the bot made, then the hospital registers the patient', () => {
  const phone = '+639285550777';

  it('bot booking: no creation message; the contact it matches carries the temporary id; assign: permanent id everywhere, alias kept, no message', async () => {
    // the patient wrote by SMS first, so frontdesk knows them by that phone
    expect((await postSms(svc.fd.base, smsParams(phone, 'hi'))).status).toBe(200);
    await eventually(() => smsTo(phone).some((b) => /What would you like to do/.test(b)), 'the bot answered the SMS with its menu');
    const contact = await eventually(() => svc.fd.store.contacts.byVerifiedPhone(FACILITY, phone), 'SMS contact known by phone');
    const answered = smsTo(phone).length;
    const contactsBefore = (await svc.fd.store.contacts.list(FACILITY)).length;

    // a booking through the patient API: the sandbox marks it `source: bot` and gives a temporary id
    const month = at(3, 9).toFormat('yyyy-MM');
    const slots = await fetch(`${svc.fd.base}/sandbox/${FACILITY}/api/v1/availability?month=${month}&calendar_id=201&appointment_type_id=2001`, { headers: { authorization: sandboxAuth } });
    const later = ((await slots.json()) as { slots: { start: string }[] }).slots.filter((s) => Date.parse(s.start) > Date.now() + 48 * 3_600_000);
    const slot = later[0] ?? (await (async () => {
      const next = await fetch(`${svc.fd.base}/sandbox/${FACILITY}/api/v1/availability?month=${at(33, 9).toFormat('yyyy-MM')}&calendar_id=201&appointment_type_id=2001`, { headers: { authorization: sandboxAuth } });
      return ((await next.json()) as { slots: { start: string }[] }).slots[0]!;
    })());
    const res = await fetch(`${svc.fd.base}/sandbox/${FACILITY}/api/v1/appointments`, {
      method: 'POST',
      headers: { authorization: sandboxAuth, 'content-type': 'application/json', 'idempotency-key': `bot-${phone}` },
      body: JSON.stringify({ calendarId: '201', appointmentTypeId: '2001', start: slot.start, patient: { name: 'Lorna Bautista', dob: '1982-04-09', phone } }),
    });
    expect(res.status).toBe(201);
    const booked = (await res.json()) as { appointmentId: string; temporaryPatientId: string; patientId?: string };
    expect(booked.temporaryPatientId).toMatch(/^TMP-/);
    expect(booked.patientId).toBeUndefined();
    const created = await lastDelivery();
    expect(created.type).toBe('appointmentCreated');
    expect(await svc.fd.outbox.record(`pwh:${FACILITY}:${created.id}`)).toBeUndefined();
    const mirror = await svc.fd.store.appointments.get(FACILITY, booked.appointmentId);
    expect(mirror).toMatchObject({ contactId: contact.id, temporaryPatientId: booked.temporaryPatientId, source: 'bot' });
    const before = await svc.fd.store.patients.byProviderId(FACILITY, booked.temporaryPatientId);
    expect(before!.links.map((l) => l.contactId)).toContain(contact.id);

    const assign = await staffCall(svc.fd.base, 'POST', `/patients/${booked.temporaryPatientId}/assign`, {});
    expect(assign.status).toBe(200);
    const permanent = assign.body.patient.patientId as string;
    expect(permanent).toMatch(/^P-/);
    const d = await lastDelivery();
    expect(d.type).toBe('patientCreated');
    const after = await eventually(async () => (await svc.fd.store.patients.byProviderId(FACILITY, permanent)) ?? undefined, 'permanent id attached');
    expect(after).toMatchObject({ id: before!.id, patientId: permanent });
    expect(after!.temporaryPatientIds).toContain(booked.temporaryPatientId);
    expect(await svc.fd.store.patients.byProviderId(FACILITY, booked.temporaryPatientId)).toMatchObject({ id: before!.id });
    expect(await svc.fd.store.appointments.get(FACILITY, booked.appointmentId)).toMatchObject({ patientId: permanent, temporaryPatientId: booked.temporaryPatientId });
    expect((await svc.fd.store.contacts.list(FACILITY)).length).toBe(contactsBefore);
    expect(smsTo(phone)).toHaveLength(answered);
  });
});
