/**
 * Issue 6, the provider webhook door on the whole server: Standard Webhooks signatures (signed here with the
 * `standardwebhooks` package), validation, de-duplication by webhook-id and out-of-order events.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, postProvider, SECRETS, useService, providerEventApplied } from '../support/frontdesk.js';

const svc = useService();

let n = 0;
const phoneFor = () => `+63917444${String((n += 1)).padStart(4, '0')}`;
const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone).map((r) => r.form.Body ?? '');
const iso = (d: DateTime) => d.setZone('Asia/Manila').toISO({ suppressMilliseconds: true })!;

/** An appointment as the contract's webhook carries it. */
function appointment(id: string, phone: string, start: DateTime, status = 'SCHEDULED') {
  return {
    appointmentId: id,
    status,
    start: iso(start),
    end: iso(start.plus({ minutes: 30 })),
    calendarId: '101',
    appointmentTypeId: '1001',
    patientId: `P-${id}`,
    patient: { name: 'Webhook Patient', phone },
    updatedAt: iso(DateTime.now()),
  };
}
const event = (type: string, occurredAt: DateTime, data: Record<string, unknown>) => ({ type, occurredAt: iso(occurredAt), data });

/** the webhook-id is in the ledger (accepted), or undefined */
const jobOf = async (webhookId: string) => ((await svc.fd.store.serial.seen(`provider:${FACILITY}:${webhookId}`)) ? webhookId : undefined);
const processed = (webhookId: string) => eventually(() => providerEventApplied(svc.fd, FACILITY, webhookId), `webhook ${webhookId} processed`);

/** A refused delivery left nothing behind: no job, no contact, no mirror entry. */
async function expectNothingStored(webhookId: string, phone: string, appointmentId: string) {
  expect(await jobOf(webhookId)).toBeUndefined();
  expect(await svc.fd.store.contacts.byVerifiedPhone(FACILITY, phone)).toBeUndefined();
  expect(await svc.fd.store.appointments.get(FACILITY, appointmentId)).toBeUndefined();
}

describe('provider webhook: refusals store nothing', () => {
  const start = DateTime.now().plus({ days: 5 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });

  it('a bad signature → 401', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const res = await postProvider(svc.fd.base, event('appointmentCreated', DateTime.now(), { appointment: appointment('S-1', phone, start), source: 'staff' }), {
      id,
      secret: 'whsec_' + Buffer.from('not-the-facility-secret').toString('base64'),
    });
    expect(res.status).toBe(401);
    await expectNothingStored(id, phone, 'S-1');
  });

  it('a timestamp six minutes old → 401', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const res = await postProvider(svc.fd.base, event('appointmentCreated', DateTime.now(), { appointment: appointment('S-2', phone, start), source: 'staff' }), {
      id,
      at: new Date(Date.now() - 6 * 60_000),
    });
    expect(res.status).toBe(401);
    await expectNothingStored(id, phone, 'S-2');
  });

  it('several signatures during a secret rotation, one of them valid → 2xx and applied', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify(event('appointmentCreated', DateTime.now(), { appointment: appointment('S-3', phone, start), source: 'staff' }));
    const now = new Date();
    const old = new Webhook('whsec_' + Buffer.from('the-old-rotated-secret').toString('base64')).sign(id, now, body);
    const current = new Webhook(SECRETS.webhookSecret).sign(id, now, body);
    const res = await fetch(`${svc.fd.base}/webhooks/provider/${FACILITY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': `${old} ${current}` },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    await processed(id);
    expect(await svc.fd.store.appointments.get(FACILITY, 'S-3')).toMatchObject({ status: 'SCHEDULED' });
  });

  it('an unknown facility → 401, like a bad signature', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const res = await postProvider(svc.fd.base, event('appointmentCreated', DateTime.now(), { appointment: appointment('S-4', phone, start), source: 'staff' }), { id, facilityId: 'no-such-clinic' });
    expect(res.status).toBe(401);
    expect(await svc.fd.store.serial.seen(`provider:no-such-clinic:${id}`)).toBe(false);
    await expectNothingStored(id, phone, 'S-4');
  });

  it('a body that is not JSON → 400', async () => {
    const id = `msg_${randomUUID()}`;
    const res = await postProvider(svc.fd.base, undefined, { id, rawBody: '{"type":"appointmentCreated",' });
    expect(res.status).toBe(400);
    expect(await jobOf(id)).toBeUndefined();
  });

  it('missing or invalid fields → 400 naming each reason', async () => {
    const phone = phoneFor();
    const cases: { body: unknown; reason: RegExp }[] = [
      { body: event('appointmentCreated', DateTime.now(), { source: 'staff' }), reason: /data\.appointment/ },
      { body: { type: 'appointmentCreated', data: { appointment: appointment('S-5', phone, start) } }, reason: /occurredAt/ },
      { body: event('appointmentCreated', DateTime.now(), { appointment: { ...appointment('S-5', phone, start), start: 'next tuesday' } }), reason: /data\.appointment\.start/ },
      { body: event('appointmentCanceled', DateTime.now(), { appointment: { ...appointment('S-5', phone, start), status: 'TELEPORTED' } }), reason: /data\.appointment\.status/ },
      { body: event('patientCreated', DateTime.now(), {}), reason: /data\.patient/ },
    ];
    for (const c of cases) {
      const id = `msg_${randomUUID()}`;
      const res = await postProvider(svc.fd.base, c.body, { id });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { error: string; details?: string[] };
      expect(answer.details?.join('\n')).toMatch(c.reason);
      await expectNothingStored(id, phone, 'S-5');
    }
  });

  it('an unknown type → 2xx, and nothing changes', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const before = svc.platforms.requests.length;
    const contacts = (await svc.fd.store.contacts.list(FACILITY)).length;
    const res = await postProvider(svc.fd.base, event('appointmentTeleported', DateTime.now(), { appointment: appointment('S-6', phone, start) }), { id });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const job = await jobOf(id);
    if (job) await processed(id);
    expect(await svc.fd.store.appointments.get(FACILITY, 'S-6')).toBeUndefined();
    expect(await svc.fd.store.contacts.byVerifiedPhone(FACILITY, phone)).toBeUndefined();
    expect((await svc.fd.store.contacts.list(FACILITY)).length).toBe(contacts);
    expect(svc.platforms.requests.length).toBe(before);
  });
});

describe('provider webhook: duplicates and order', () => {
  it('the same webhook-id twice: both acknowledged, applied once, one message', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const body = event('appointmentCreated', DateTime.now(), { appointment: appointment('D-1', phone, DateTime.now().plus({ days: 6 }).set({ hour: 9, minute: 0 })), source: 'staff' });
    const first = await postProvider(svc.fd.base, body, { id });
    const second = await postProvider(svc.fd.base, body, { id });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ duplicate: true });
    await processed(id);
    await eventually(async () => (await svc.fd.outbox.record(`pwh:${FACILITY}:${id}`))?.status === 'sent', 'creation notice sent');
    expect(smsTo(phone)).toHaveLength(1);
    expect(await svc.fd.store.contacts.list(FACILITY).then((cs) => cs.filter((c) => c.phone === phone))).toHaveLength(1);
  });

  it('rescheduled arrives before created: the mirror keeps the newer time and the patient hears only of it', async () => {
    const phone = phoneFor();
    const t0 = DateTime.now().minus({ minutes: 2 });
    const first = DateTime.now().plus({ days: 7 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    const moved = first.plus({ days: 1, hours: 5 });
    const resId = `msg_${randomUUID()}`;
    const creId = `msg_${randomUUID()}`;
    expect((await postProvider(svc.fd.base, event('appointmentRescheduled', t0.plus({ minutes: 1 }), { appointment: appointment('O-1', phone, moved, 'RESCHEDULED'), source: 'staff' }), { id: resId })).status).toBe(200);
    await processed(resId);
    expect((await postProvider(svc.fd.base, event('appointmentCreated', t0, { appointment: appointment('O-1', phone, first), source: 'staff' }), { id: creId })).status).toBe(200);
    await processed(creId);
    const mirror = await svc.fd.store.appointments.get(FACILITY, 'O-1');
    expect(mirror!.status).toBe('RESCHEDULED');
    expect(Date.parse(mirror!.start)).toBe(moved.toMillis());
    await eventually(async () => (await svc.fd.outbox.record(`pwh:${FACILITY}:${resId}`))?.status === 'sent', 'reschedule notice sent');
    expect(await svc.fd.outbox.record(`pwh:${FACILITY}:${creId}`)).toBeUndefined();
    expect(smsTo(phone)).toHaveLength(1);
    // the reminders follow the newer time only
    for (const j of mirror!.reminderJobIds ?? []) expect(j.endsWith(`:${moved.toMillis() / 1000}`)).toBe(true);
  });

  it('canceled, then a late rescheduled with an older occurredAt: stays canceled, no reminders, no contradicting message', async () => {
    const phone = phoneFor();
    const t0 = DateTime.now().minus({ minutes: 5 });
    const start = DateTime.now().plus({ days: 8 }).set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
    const ids = [`msg_${randomUUID()}`, `msg_${randomUUID()}`, `msg_${randomUUID()}`];
    expect((await postProvider(svc.fd.base, event('appointmentCreated', t0, { appointment: appointment('O-2', phone, start), source: 'staff' }), { id: ids[0] })).status).toBe(200);
    await processed(ids[0]!);
    const planned = (await svc.fd.store.appointments.get(FACILITY, 'O-2'))!.reminderJobIds ?? [];
    expect(planned.length).toBeGreaterThan(0);
    expect((await postProvider(svc.fd.base, event('appointmentCanceled', t0.plus({ minutes: 3 }), { appointment: appointment('O-2', phone, start, 'CANCELED'), source: 'staff' }), { id: ids[1] })).status).toBe(200);
    await processed(ids[1]!);
    const late = event('appointmentRescheduled', t0.plus({ minutes: 2 }), { appointment: appointment('O-2', phone, start.plus({ days: 1 }), 'RESCHEDULED'), source: 'staff' });
    expect((await postProvider(svc.fd.base, late, { id: ids[2] })).status).toBe(200);
    await processed(ids[2]!);
    const mirror = await svc.fd.store.appointments.get(FACILITY, 'O-2');
    expect(mirror!.status).toBe('CANCELED');
    expect(Date.parse(mirror!.start)).toBe(start.toMillis());
    for (const j of planned) expect((await svc.fd.queue.get(j))?.state).toBe('canceled');
    for (const j of mirror!.reminderJobIds ?? []) expect((await svc.fd.queue.get(j))?.state).not.toBe('pending');
    await eventually(async () => (await svc.fd.outbox.record(`pwh:${FACILITY}:${ids[1]}`))?.status === 'sent', 'cancel notice sent');
    expect(await svc.fd.outbox.record(`pwh:${FACILITY}:${ids[2]}`)).toBeUndefined();
    expect(smsTo(phone)).toHaveLength(2);
  });
});

describe('provider webhook: read as the provider client reads (issue 12: one appointment schema)', () => {
  const start = DateTime.now().plus({ days: 6 }).set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
  it('accepts times without an offset as the facility wall clock, as the API client does', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const wall = start.setZone('Asia/Manila').toFormat("yyyy-MM-dd'T'HH:mm:ss");
    const body = { type: 'appointmentCreated', occurredAt: DateTime.now().setZone('Asia/Manila').toFormat("yyyy-MM-dd'T'HH:mm:ss"), data: { appointment: { ...appointment('S-LOCAL-1', phone, start), start: wall, end: undefined }, source: 'staff' } };
    const res = await postProvider(svc.fd.base, body, { id });
    expect(res.status).toBe(200);
    await processed(id);
    expect((await svc.fd.store.appointments.get(FACILITY, 'S-LOCAL-1'))?.start).toBe(iso(start));
  });

  it('still refuses a time that is not one, naming the field', async () => {
    const phone = phoneFor();
    const id = `msg_${randomUUID()}`;
    const res = await postProvider(svc.fd.base, event('appointmentCreated', DateTime.now(), { appointment: { ...appointment('S-LOCAL-2', phone, start), start: 'next tuesday' } }), { id });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/data\.appointment\.start/);
    await expectNothingStored(id, phone, 'S-LOCAL-2');
  });
});
