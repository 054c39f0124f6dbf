/**
 * Issue 14, care workflows on the whole service with a controllable clock (embedded queue in SQLite): the
 * attendance question, reminders that follow the confirmation and the cutoff, the see-you message, the
 * follow-up after a visit, and a desk entry recorded after the fact.
 */
import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SMS_FROM } from '../support/fixtures.js';
import { eventually, FACILITY, SECRETS, postSms, smsParams } from '../support/frontdesk.js';
import { local, numbered, useWorkflowWorld, type Fd } from '../support/workflow-world.js';
import { attendanceJobId } from '../../src/sync/workflows/attendance.js';
import { careJobId } from '../../src/sync/workflows/care.js';

/** the care settings under test: attendance 3 h ahead; see-you details; a follow-up a week after the visit for type 1011 */
const FACILITY_EXTRA = {
  workflows: { attendance: { before: 'PT3H' } },
  info: { address: '12 Mabini St, Quezon City', mapUrl: 'https://maps.example.org/clinic' },
  calendars: { '102': { room: 'Room 4B' } },
  appointmentTypes: { '1011': { bring: 'your ID and previous results', workflows: { followUp: { after: 'P7D' } } }, '1012': { workflows: { confirmedReminders: false } } },
};

const w = useWorkflowWorld({ facility: FACILITY_EXTRA, start: '2027-01-04T09:00' });
const { clock, smsTo, settled, deskBook, desk, sent } = w;
const startSecOf = (start: DateTime) => start.toISO()!;

/** the desk books `start` for `phone`: the appointment's id and the job of its attendance question */
async function bookAsked(f: Fd, phone: string, start: DateTime) {
  const id = await deskBook(f, phone, start);
  return { id, jobId: attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start)) };
}
/** a minute after the attendance question of an appointment at `start` is due */
const justAfterQuestion = (start: DateTime) => start.minus({ hours: 3 }).plus({ minutes: 1 });

describe('attendance question', () => {
  it('asked once, 3 h before the start: confirm only (inside the cutoff) and the clinic number for changes', async () => {
    const phone = '+639175551401';
    const start = local('2027-01-06T14:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    const appt = await w.fd.store.appointments.get(FACILITY, id);
    expect(appt!.reminderJobIds).toContain(jobId);
    expect((await w.fd.queue.get(jobId))!.runAt).toBe(start.minus({ hours: 3 }).toMillis());

    clock.set(justAfterQuestion(start));
    await sent(w.fd, jobId);
    const body = smsTo(phone).find((b) => /will you come to your appointment/i.test(b));
    expect(body).toBeDefined();
    expect(numbered(body!)).toHaveLength(1);
    expect(body).toContain('+63 2 8123 4567');
    // the PT2H reminder fires later, and the attendance question is not asked again
    clock.set(start.minus({ hours: 2 }).plus({ minutes: 1 }));
    await sent(w.fd, appt!.reminderJobIds!.find((j) => j.includes(':PT2H:'))!);
    expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);

    // the patient confirms in chat ("1" picks the confirm choice): the see-you message follows, once
    expect((await postSms(w.fd.base, smsParams(phone, '1'))).status).toBe(200);
    await eventually(async () => (await w.fd.store.appointments.get(FACILITY, id))?.status === 'CONFIRMED', 'confirmed');
    await settled(w.fd);
    await sent(w.fd, careJobId('seeYou', FACILITY, id, startSecOf(start)));
    expect(smsTo(phone).filter((b) => /See you on /.test(b))).toHaveLength(1);
    expect(smsTo(phone).find((b) => /See you on /.test(b))).toContain('12 Mabini St, Quezon City');
  });

  it('not asked for an appointment cancelled before its time', async () => {
    clock.set('2027-01-13T09:00');
    const phone = '+639175551406';
    const start = local('2027-01-15T14:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    await desk(w.fd, id, 'cancel');
    expect((await w.fd.queue.get(jobId))!.state).toBe('canceled');
    // another question, due by then, proves the queue ran past the cancelled one
    const other = await bookAsked(w.fd, '+639175551407', local('2027-01-15T13:30'));
    clock.set(start.minus({ hours: 1 }));
    await eventually(async () => (await w.fd.queue.get(other.jobId))?.state === 'done', 'sentinel');
    expect(await w.fd.outbox.record(`send:${jobId}`)).toBeUndefined();
  });

  it('not asked when the appointment was confirmed before its time; the see-you message comes once; the reminder asks nothing', async () => {
    clock.set('2027-01-08T09:00');
    const phone = '+639175551402';
    const start = local('2027-01-12T15:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    expect((await w.fd.queue.get(jobId))!.state).toBe('pending');

    await desk(w.fd, id, 'confirm');
    const seeYou = careJobId('seeYou', FACILITY, id, startSecOf(start));
    await sent(w.fd, seeYou);
    const texts = smsTo(phone);
    const see = texts.find((b) => /See you on /.test(b));
    expect(see).toBeDefined();
    for (const part of ['12 Mabini St, Quezon City', 'https://maps.example.org/clinic', 'Room 4B', 'your ID and previous results']) expect(see).toContain(part);
    expect((await w.fd.queue.get(jobId))!.state).toBe('canceled');

    // a second confirmation event from the desk: no second see-you
    await desk(w.fd, id, 'confirm');
    const p1d = (await w.fd.store.appointments.get(FACILITY, id))!.reminderJobIds!.find((j) => j.includes(':P1D:'))!;
    clock.set(start.minus({ days: 1 }).plus({ minutes: 1 }));
    await sent(w.fd, p1d);
    const reminder = smsTo(phone).at(-1)!;
    expect(reminder).toMatch(/is confirmed/);
    expect(reminder).not.toMatch(/will you come/i);
    expect(numbered(reminder)).toHaveLength(0);
    clock.set(start.minus({ hours: 1, minutes: 50 }));
    await sent(w.fd, (await w.fd.store.appointments.get(FACILITY, id))!.reminderJobIds!.find((j) => j.includes(':PT2H:'))!);
    expect(await w.fd.outbox.record(`send:${jobId}`)).toBeUndefined();
    expect(smsTo(phone).filter((b) => /See you on /.test(b))).toHaveLength(1);
  });

  it('a confirmation that arrives after planning is read at firing time', async () => {
    clock.set('2027-01-14T09:00');
    const phone = '+639175551403';
    const start = local('2027-01-16T14:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    // the mirror says CONFIRMED, but nobody re-planned (as if the change came in while the job was due)
    await w.fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, status: 'CONFIRMED' } : undefined));
    clock.set(justAfterQuestion(start));
    await eventually(async () => (await w.fd.queue.get(jobId))!.state === 'done', 'attendance job ran');
    expect(await w.fd.outbox.record(`send:${jobId}`)).toBeUndefined();
  });

  it('moves with the appointment: a reschedule cancels the old question and plans one for the new start', async () => {
    clock.set('2027-01-18T09:00');
    const phone = '+639175551404';
    const start = local('2027-01-21T14:00');
    const { id, jobId: old } = await bookAsked(w.fd, phone, start);
    const moved = local('2027-01-22T16:00');
    await desk(w.fd, id, 'reschedule', { start: moved.toISO(), overbook: true });
    const appt = (await w.fd.store.appointments.get(FACILITY, id))!;
    const next = attendanceJobId(FACILITY, appt.appointmentId, 'PT3H', appt.start);
    expect((await w.fd.queue.get(old))!.state).toBe('canceled');
    expect((await w.fd.queue.get(next))!.runAt).toBe(moved.minus({ hours: 3 }).toMillis());
    clock.set(justAfterQuestion(moved));
    await sent(w.fd, next);
    expect(await w.fd.outbox.record(`send:${old}`)).toBeUndefined();
  });

  it('quiet hours: a 09:00 appointment is asked at 20:45 the evening before', async () => {
    clock.set('2027-01-24T09:00');
    const { jobId } = await bookAsked(w.fd, '+639175551405', local('2027-01-26T09:00'));
    expect((await w.fd.queue.get(jobId))!.runAt).toBe(local('2027-01-25T20:45').toMillis());
  });
});

describe('follow-up after the visit', () => {
  it('a week after SHOW (out of quiet hours, later), once; not when the patient booked again', async () => {
    clock.set('2027-02-01T08:00');
    const phone = '+639175551410';
    const start = local('2027-02-01T09:00');
    const id = await deskBook(w.fd, phone, start);
    clock.set('2027-02-01T22:30');
    await desk(w.fd, id, 'check-in', {});
    const jobId = careJobId('followUp', FACILITY, id, '');
    const job = (await w.fd.queue.get(jobId))!;
    expect(job.state).toBe('pending');
    // 22:30 + 7 days is quiet: it waits for 08:00
    expect(job.runAt).toBe(local('2027-02-09T08:00').toMillis());
    clock.set('2027-02-09T08:01');
    await sent(w.fd, jobId);
    expect(smsTo(phone).at(-1)).toMatch(/follow-up visit/);
    expect(numbered(smsTo(phone).at(-1)!)).toHaveLength(1);

    // another patient who already booked their next visit gets no nudge
    clock.set('2027-02-10T08:00');
    const other = '+639175551411';
    const first = await deskBook(w.fd, other, local('2027-02-10T09:00'));
    clock.set('2027-02-10T10:00');
    await desk(w.fd, first, 'check-in', {});
    await deskBook(w.fd, other, local('2027-03-10T09:00'), { notice: false });
    await eventually(() => smsTo(other).length === 3, 'second creation notice');
    const otherJob = careJobId('followUp', FACILITY, first, '');
    clock.set('2027-02-17T10:01');
    await eventually(async () => (await w.fd.queue.get(otherJob))!.state === 'done', 'follow-up job ran');
    expect(await w.fd.outbox.record(`send:${otherJob}`)).toBeUndefined();
  });
});

describe('a restart between scheduling and firing', () => {
  it('the attendance question and the follow-up fire once from the new process on the same store', async () => {
    const { clock: t, run } = w.processes('2027-03-01T09:00');
    const phone = '+639175551420';
    const start = local('2027-03-03T14:00');
    const { id, jobId: asked } = await run((first) => bookAsked(first, phone, start));
    await run(async (second) => {
      t.set(justAfterQuestion(start));
      await sent(second, asked);
      t.set(start.plus({ minutes: 5 }));
      await desk(second, id, 'check-in', {});
    });
    await run(async (third) => {
      const jobId = careJobId('followUp', FACILITY, id, '');
      t.set(start.plus({ days: 7, minutes: 10 }));
      await sent(third, jobId);
      expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);
      expect(smsTo(phone).filter((b) => /follow-up visit/.test(b))).toHaveLength(1);
    });
  });
});

describe('a desk entry recorded after the visit began', () => {
  it('sends no "booked an appointment for you" with a past time', async () => {
    clock.set('2027-04-01T11:00');
    const phone = '+639175551430';
    const id = await deskBook(w.fd, phone, local('2027-04-01T10:00'), { notice: false });
    expect((await w.fd.store.appointments.get(FACILITY, id))).toBeDefined();
    // a later message to the same number proves the queue ran past the skipped notice
    await deskBook(w.fd, phone, local('2027-04-03T10:00'), { notice: false });
    await eventually(() => smsTo(phone).length === 1, 'the future booking notice');
    expect(smsTo(phone)[0]).toMatch(/Apr|2027|10:00/);
    expect(smsTo(phone)).toHaveLength(1);
  });
});

describe('an attendance question no channel could carry', () => {
  it('puts the appointment on the staff call list', async () => {
    clock.set('2027-05-03T09:00');
    const phone = '+639175551440';
    const start = local('2027-05-03T14:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    // the number opts out of SMS: the 11:00 question has nowhere to go (the P1D reminder was already past)
    expect((await postSms(w.fd.base, smsParams(phone, 'STOP'))).status).toBe(200);
    await eventually(async () => (await w.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone))?.channels?.sms?.optedOut, 'opted out');
    clock.set(justAfterQuestion(start));
    await eventually(async () => (await w.fd.outbox.record(`send:${jobId}`))?.status === 'undeliverable', 'attendance undeliverable');
    const res = await fetch(`${w.fd.base}/staff/v1/facilities/${FACILITY}/call-list?date=2027-05-03`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
    const calls = ((await res.json()) as { calls: { appointmentId: string; why: string }[] }).calls;
    expect(calls.find((c) => c.appointmentId === id)).toBeDefined();
  });
});

describe('an attendance question the carrier did not deliver', () => {
  it('is "sent" until Twilio reports it undelivered; then the appointment is on the call list (reminder_not_delivered)', async () => {
    clock.set('2027-05-10T09:00');
    const phone = '+639175551441';
    const start = local('2027-05-10T14:00');
    const { id, jobId } = await bookAsked(w.fd, phone, start);
    clock.set(justAfterQuestion(start));
    await sent(w.fd, jobId);
    const calls = async () => {
      const res = await fetch(`${w.fd.base}/staff/v1/facilities/${FACILITY}/call-list?date=2027-05-10`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
      return ((await res.json()) as { calls: { appointmentId: string; why: string }[] }).calls.find((c) => c.appointmentId === id);
    };
    expect(await calls()).toBeUndefined();
    const sid = (await w.fd.outbox.record(`send:${jobId}`))!.platformMessageIds[0]!;
    const status = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003', From: SMS_FROM, To: phone, AccountSid: SECRETS.twilioSid };
    expect((await postSms(w.fd.base, status, '/webhooks/sms/status')).status).toBe(200);
    await eventually(async () => (await w.fd.outbox.record(`send:${jobId}`))?.deliveryStatus === 'undelivered', 'receipt applied');
    expect(await calls()).toMatchObject({ why: 'reminder_not_delivered', reminder: 'not_delivered' });
  });
});

describe('a second reminder only while the first is unanswered (confirmedReminders: false, type 1012)', () => {
  it('P1D asks; the patient confirms by SMS; the PT2H reminder is not sent', async () => {
    clock.set('2027-05-17T09:00');
    const phone = '+639175551450';
    const start = local('2027-05-19T15:00');
    const id = await deskBook(w.fd, phone, start, { type: '1012' });
    const jobs = (await w.fd.store.appointments.get(FACILITY, id))!.reminderJobIds!;
    const p1d = jobs.find((j) => j.includes(':P1D:'))!;
    const pt2h = jobs.find((j) => j.includes(':PT2H:'))!;
    clock.set(start.minus({ days: 1 }).plus({ minutes: 1 }));
    await sent(w.fd, p1d);
    expect(numbered(smsTo(phone).at(-1)!)).toHaveLength(1);
    expect((await postSms(w.fd.base, smsParams(phone, '1'))).status).toBe(200);
    await eventually(async () => (await w.fd.store.appointments.get(FACILITY, id))?.status === 'CONFIRMED', 'confirmed');
    await settled(w.fd);
    clock.set(start.minus({ hours: 1, minutes: 59 }));
    await eventually(async () => (await w.fd.queue.get(pt2h))?.state === 'done', 'PT2H job ran');
    expect(await w.fd.outbox.record(`send:${pt2h}`)).toBeUndefined();
    expect(smsTo(phone).filter((b) => /^Reminder:/m.test(b))).toHaveLength(1);
  });
});
