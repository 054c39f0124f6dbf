/**
 * Issue 14, care workflows on the whole service with a controllable clock (embedded queue in SQLite): the
 * attendance question, reminders that follow the confirmation and the cutoff, the see-you message, the
 * follow-up after a visit, and a desk entry recorded after the fact.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, FACILITY, SECRETS, staffCall, startFrontdesk, startPlatforms, testConfig, type Platforms, providerEventApplied, postSms, smsParams } from '../support/frontdesk.js';
import { attendanceJobId } from '../../src/sync/workflows/attendance.js';
import { careJobId } from '../../src/sync/workflows/care.js';

const ZONE = 'Asia/Manila';
const local = (s: string) => DateTime.fromISO(s, { zone: ZONE });
let clock = local('2027-01-04T09:00').toMillis();
const now = () => new Date(clock);

/** the care settings under test: attendance 3 h ahead; see-you details; a follow-up a week after the visit for type 1011 */
const FACILITY_EXTRA = {
  workflows: { attendance: { before: 'PT3H' } },
  info: { address: '12 Mabini St, Quezon City', mapUrl: 'https://maps.example.org/clinic' },
  calendars: { '102': { room: 'Room 4B' } },
  appointmentTypes: { '1011': { bring: 'your ID and previous results', workflows: { followUp: { after: 'P7D' } } } },
};

let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
let config: ReturnType<typeof testConfig>;

beforeAll(async () => {
  platforms = await startPlatforms();
  config = testConfig({ platformsUrl: platforms.url, facility: FACILITY_EXTRA });
  fd = await startFrontdesk(config, { now });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const smsTo = (phone: string) => platforms.twilio().filter((r) => r.form.To === phone).map((r) => r.form.Body ?? '');
const numbered = (body: string) => body.split('\n').filter((l) => /^\d+[.)]\s/.test(l));

async function settled(f: typeof fd) {
  const ds = await eventually(() => {
    const all = f.sandbox!.deliveries(FACILITY);
    return all.every((d) => d.status === 'delivered') ? all : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of ds) await eventually(async () => await providerEventApplied(f, FACILITY, d.id), 'provider event processed');
}

async function deskBook(f: typeof fd, phone: string, start: DateTime, expectNotice = true) {
  const r = await staffCall(f.base, 'POST', '/appointments', { calendarId: '102', appointmentTypeId: '1011', start: start.toISO(), patient: { name: 'Care Patient', phone }, overbook: true });
  expect(r.status).toBe(201);
  const id = r.body.appointmentId as string;
  await settled(f);
  if (expectNotice) await eventually(() => smsTo(phone).length === 1, 'creation notice');
  return id;
}

const desk = async (f: typeof fd, id: string, action: string, body: unknown = {}) => {
  expect((await staffCall(f.base, 'PUT', `/appointments/${id}/${action}`, body)).status).toBe(200);
  await settled(f);
};

const sent = (f: typeof fd, jobId: string) => eventually(async () => (await f.outbox.record(`send:${jobId}`))?.status === 'sent', `${jobId} sent`);
const startSecOf = (start: DateTime) => start.toISO()!;

describe('attendance question', () => {
  it('asked once, 3 h before the start: confirm only (inside the cutoff) and the clinic number for changes', async () => {
    const phone = '+639175551401';
    const start = local('2027-01-06T14:00');
    const id = await deskBook(fd, phone, start);
    const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    const appt = await fd.store.appointments.get(FACILITY, id);
    expect(appt!.reminderJobIds).toContain(jobId);
    expect((await fd.queue.get(jobId))!.runAt).toBe(start.minus({ hours: 3 }).toMillis());

    clock = start.minus({ hours: 3 }).plus({ minutes: 1 }).toMillis();
    await sent(fd, jobId);
    const body = smsTo(phone).find((b) => /will you come to your appointment/i.test(b));
    expect(body).toBeDefined();
    expect(numbered(body!)).toHaveLength(1);
    expect(body).toContain('+63 2 8123 4567');
    // the PT2H reminder fires later, and the attendance question is not asked again
    clock = start.minus({ hours: 2 }).plus({ minutes: 1 }).toMillis();
    await sent(fd, appt!.reminderJobIds!.find((j) => j.includes(':PT2H:'))!);
    expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);

    // the patient confirms in chat ("1" picks the confirm choice): the see-you message follows, once
    expect((await postSms(fd.base, smsParams(phone, '1'))).status).toBe(200);
    await eventually(async () => (await fd.store.appointments.get(FACILITY, id))?.status === 'CONFIRMED', 'confirmed');
    await settled(fd);
    await sent(fd, careJobId('seeYou', FACILITY, id, startSecOf(start)));
    expect(smsTo(phone).filter((b) => /See you on /.test(b))).toHaveLength(1);
    expect(smsTo(phone).find((b) => /See you on /.test(b))).toContain('12 Mabini St, Quezon City');
  });

  it('not asked for an appointment cancelled before its time', async () => {
    clock = local('2027-01-13T09:00').toMillis();
    const phone = '+639175551406';
    const start = local('2027-01-15T14:00');
    const id = await deskBook(fd, phone, start);
    const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    await desk(fd, id, 'cancel');
    expect((await fd.queue.get(jobId))!.state).toBe('canceled');
    // another question, due by then, proves the queue ran past the cancelled one
    const other = await deskBook(fd, '+639175551407', local('2027-01-15T13:30'));
    clock = start.minus({ hours: 1 }).toMillis();
    await eventually(async () => (await fd.queue.get(attendanceJobId(FACILITY, other, 'PT3H', startSecOf(local('2027-01-15T13:30')))))?.state === 'done', 'sentinel');
    expect(await fd.outbox.record(`send:${jobId}`)).toBeUndefined();
  });

  it('not asked when the appointment was confirmed before its time; the see-you message comes once; the reminder asks nothing', async () => {
    clock = local('2027-01-08T09:00').toMillis();
    const phone = '+639175551402';
    const start = local('2027-01-12T15:00');
    const id = await deskBook(fd, phone, start);
    const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    expect((await fd.queue.get(jobId))!.state).toBe('pending');

    await desk(fd, id, 'confirm');
    const seeYou = careJobId('seeYou', FACILITY, id, startSecOf(start));
    await sent(fd, seeYou);
    const texts = smsTo(phone);
    const see = texts.find((b) => /See you on /.test(b));
    expect(see).toBeDefined();
    for (const part of ['12 Mabini St, Quezon City', 'https://maps.example.org/clinic', 'Room 4B', 'your ID and previous results']) expect(see).toContain(part);
    expect((await fd.queue.get(jobId))!.state).toBe('canceled');

    // a second confirmation event from the desk: no second see-you
    await desk(fd, id, 'confirm');
    const p1d = (await fd.store.appointments.get(FACILITY, id))!.reminderJobIds!.find((j) => j.includes(':P1D:'))!;
    clock = start.minus({ days: 1 }).plus({ minutes: 1 }).toMillis();
    await sent(fd, p1d);
    const reminder = smsTo(phone).at(-1)!;
    expect(reminder).toMatch(/is confirmed/);
    expect(reminder).not.toMatch(/will you come/i);
    expect(numbered(reminder)).toHaveLength(0);
    clock = start.minus({ hours: 1, minutes: 50 }).toMillis();
    await sent(fd, (await fd.store.appointments.get(FACILITY, id))!.reminderJobIds!.find((j) => j.includes(':PT2H:'))!);
    expect(await fd.outbox.record(`send:${jobId}`)).toBeUndefined();
    expect(smsTo(phone).filter((b) => /See you on /.test(b))).toHaveLength(1);
  });

  it('a confirmation that arrives after planning is read at firing time', async () => {
    clock = local('2027-01-14T09:00').toMillis();
    const phone = '+639175551403';
    const start = local('2027-01-16T14:00');
    const id = await deskBook(fd, phone, start);
    const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    // the mirror says CONFIRMED, but nobody re-planned (as if the change came in while the job was due)
    await fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, status: 'CONFIRMED' } : undefined));
    clock = start.minus({ hours: 3 }).plus({ minutes: 1 }).toMillis();
    await eventually(async () => (await fd.queue.get(jobId))!.state === 'done', 'attendance job ran');
    expect(await fd.outbox.record(`send:${jobId}`)).toBeUndefined();
  });

  it('moves with the appointment: a reschedule cancels the old question and plans one for the new start', async () => {
    clock = local('2027-01-18T09:00').toMillis();
    const phone = '+639175551404';
    const start = local('2027-01-21T14:00');
    const id = await deskBook(fd, phone, start);
    const old = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    const moved = local('2027-01-22T16:00');
    await desk(fd, id, 'reschedule', { start: moved.toISO(), overbook: true });
    const appt = (await fd.store.appointments.get(FACILITY, id))!;
    const next = attendanceJobId(FACILITY, appt.appointmentId, 'PT3H', appt.start);
    expect((await fd.queue.get(old))!.state).toBe('canceled');
    expect((await fd.queue.get(next))!.runAt).toBe(moved.minus({ hours: 3 }).toMillis());
    clock = moved.minus({ hours: 3 }).plus({ minutes: 1 }).toMillis();
    await sent(fd, next);
    expect(await fd.outbox.record(`send:${old}`)).toBeUndefined();
  });

  it('quiet hours: a 09:00 appointment is asked at 20:45 the evening before', async () => {
    clock = local('2027-01-24T09:00').toMillis();
    const id = await deskBook(fd, '+639175551405', local('2027-01-26T09:00'));
    expect((await fd.queue.get(attendanceJobId(FACILITY, id, 'PT3H', startSecOf(local('2027-01-26T09:00')))))!.runAt).toBe(local('2027-01-25T20:45').toMillis());
  });
});

describe('follow-up after the visit', () => {
  it('a week after SHOW (out of quiet hours, later), once; not when the patient booked again', async () => {
    clock = local('2027-02-01T08:00').toMillis();
    const phone = '+639175551410';
    const start = local('2027-02-01T09:00');
    const id = await deskBook(fd, phone, start);
    clock = local('2027-02-01T22:30').toMillis();
    await desk(fd, id, 'check-in', {});
    const jobId = careJobId('followUp', FACILITY, id, '');
    const job = (await fd.queue.get(jobId))!;
    expect(job.state).toBe('pending');
    // 22:30 + 7 days is quiet: it waits for 08:00
    expect(job.runAt).toBe(local('2027-02-09T08:00').toMillis());
    clock = local('2027-02-09T08:01').toMillis();
    await sent(fd, jobId);
    expect(smsTo(phone).at(-1)).toMatch(/follow-up visit/);
    expect(numbered(smsTo(phone).at(-1)!)).toHaveLength(1);

    // another patient who already booked their next visit gets no nudge
    clock = local('2027-02-10T08:00').toMillis();
    const other = '+639175551411';
    const first = await deskBook(fd, other, local('2027-02-10T09:00'));
    clock = local('2027-02-10T10:00').toMillis();
    await desk(fd, first, 'check-in', {});
    await deskBook(fd, other, local('2027-03-10T09:00'), false);
    await eventually(() => smsTo(other).length === 3, 'second creation notice');
    const otherJob = careJobId('followUp', FACILITY, first, '');
    clock = local('2027-02-17T10:01').toMillis();
    await eventually(async () => (await fd.queue.get(otherJob))!.state === 'done', 'follow-up job ran');
    expect(await fd.outbox.record(`send:${otherJob}`)).toBeUndefined();
  });
});

describe('a restart between scheduling and firing', () => {
  it('the attendance question and the follow-up fire once from the new process on the same store', async () => {
    let t = local('2027-03-01T09:00').toMillis();
    const tnow = () => new Date(t);
    const cfg = testConfig({ platformsUrl: platforms.url, facility: FACILITY_EXTRA });
    const phone = '+639175551420';
    const start = local('2027-03-03T14:00');
    const first = await startFrontdesk(cfg, { now: tnow });
    let id: string;
    try {
      id = await deskBook(first, phone, start);
    } finally {
      await first.close();
    }
    const second = await startFrontdesk(cfg, { now: tnow });
    try {
      const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
      t = start.minus({ hours: 3 }).plus({ minutes: 1 }).toMillis();
      await sent(second, jobId);
      t = start.plus({ minutes: 5 }).toMillis();
      await desk(second, id, 'check-in', {});
    } finally {
      await second.close();
    }
    const third = await startFrontdesk(cfg, { now: tnow });
    try {
      const jobId = careJobId('followUp', FACILITY, id, '');
      t = start.plus({ days: 7, minutes: 10 }).toMillis();
      await sent(third, jobId);
      expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);
      expect(smsTo(phone).filter((b) => /follow-up visit/.test(b))).toHaveLength(1);
    } finally {
      await third.close();
    }
  });
});

describe('a desk entry recorded after the visit began', () => {
  it('sends no "booked an appointment for you" with a past time', async () => {
    clock = local('2027-04-01T11:00').toMillis();
    const phone = '+639175551430';
    const id = await deskBook(fd, phone, local('2027-04-01T10:00'), false);
    expect((await fd.store.appointments.get(FACILITY, id))).toBeDefined();
    // a later message to the same number proves the queue ran past the skipped notice
    await deskBook(fd, phone, local('2027-04-03T10:00'), false);
    await eventually(() => smsTo(phone).length === 1, 'the future booking notice');
    expect(smsTo(phone)[0]).toMatch(/Apr|2027|10:00/);
    expect(smsTo(phone)).toHaveLength(1);
  });
});

describe('an attendance question no channel could carry', () => {
  it('puts the appointment on the staff call list', async () => {
    clock = local('2027-05-03T09:00').toMillis();
    const phone = '+639175551440';
    const start = local('2027-05-03T14:00');
    const id = await deskBook(fd, phone, start);
    // the number opts out of SMS: the 11:00 question has nowhere to go (the P1D reminder was already past)
    expect((await postSms(fd.base, smsParams(phone, 'STOP'))).status).toBe(200);
    await eventually(async () => (await fd.store.contacts.byChannelUser(FACILITY, 'sms', phone))?.channels?.sms?.optedOut, 'opted out');
    const jobId = attendanceJobId(FACILITY, id, 'PT3H', startSecOf(start));
    clock = start.minus({ hours: 3 }).plus({ minutes: 1 }).toMillis();
    await eventually(async () => (await fd.outbox.record(`send:${jobId}`))?.status === 'undeliverable', 'attendance undeliverable');
    const res = await fetch(`${fd.base}/staff/v1/facilities/${FACILITY}/call-list?date=2027-05-03`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
    const calls = ((await res.json()) as { calls: { appointmentId: string; why: string }[] }).calls;
    expect(calls.find((c) => c.appointmentId === id)).toBeDefined();
  });
});
