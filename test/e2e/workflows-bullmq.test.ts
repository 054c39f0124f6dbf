/**
 * Issue 14, care workflows with the jobs on BullMQ (the CI Redis): real time, workflow durations of seconds.
 * A restart between scheduling and firing (a second process on the same store and queue namespace) sends
 * each message once. Without Redis this file is skipped locally and fails in CI (shouldSkip).
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, staffCall } from '../support/frontdesk.js';
import { useWorkflowWorld, withFrontdesk, type Fd } from '../support/workflow-world.js';
import type { Config } from '../../src/config/schema.js';
import { REDIS_URL, shouldSkip, uniqueNamespace } from '../store/services.js';
import { attendanceJobId } from '../../src/sync/workflows/attendance.js';
import { careJobId } from '../../src/sync/workflows/care.js';

const skip = await shouldSkip(REDIS_URL);

const w = useWorkflowWorld({ extra: { redis: REDIS_URL }, patient: 'Queue Patient', notice: 'another' });
const { smsTo, settled, desk } = w;

/** the desk's booking, as the store has it */
async function deskBook(f: Fd, phone: string, start: Date, notice = true) {
  const id = await w.deskBook(f, phone, start, { notice });
  return (await f.store.appointments.get(FACILITY, id))!;
}

/** the desk's booking and the job of its attendance question (`before` the start) */
async function bookAsked(f: Fd, phone: string, start: Date, before: string) {
  const appt = await deskBook(f, phone, start);
  return { appt, jobId: attendanceJobId(FACILITY, appt.appointmentId, before, appt.start) };
}

const sentOn = (f: Fd, jobId: string) => w.sent(f, jobId, 800);

/** an appointment 4 hours ahead, on a whole minute, and the attendance lead that makes its question due in `inSeconds` */
function plan(inSeconds: number) {
  const start = new Date(Math.ceil((Date.now() + 4 * 3_600_000) / 60_000) * 60_000);
  const before = Math.round((start.getTime() - Date.now()) / 1000) - inSeconds;
  return { start, before: `PT${before}S` };
}

/** a frontdesk on a queue namespace of its own, for the length of `fn` */
const onItsOwnQueue = <T>(config: Config, fn: (f: Fd) => Promise<T>) => withFrontdesk(config, { namespace: uniqueNamespace('wf') }, fn);

// no quiet hours: real time may be any hour in Manila
const configFor = (before: string) => w.newConfig({ facility: { quietHours: undefined, info: { address: '12 Mabini St' }, workflows: { attendance: { before }, followUp: { after: 'PT2S' } } } });

describe.skipIf(skip)('care workflows on BullMQ', () => {
  it('the attendance question is planned by one process and sent once by the next (restart in between)', async () => {
    const { start, before } = plan(8);
    const config = configFor(before);
    const namespace = uniqueNamespace('wf');
    const phone = '+639175551501';
    const { appt, jobId } = await withFrontdesk(config, { namespace }, (first) => bookAsked(first, phone, start, before));
    expect(appt.reminderJobIds).toContain(jobId);
    await withFrontdesk(config, { namespace }, async (second) => {
      expect((await second.queue.get(jobId))?.state).toBe('pending');
      await sentOn(second, jobId);
      await new Promise((r) => setTimeout(r, 500));
      expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);
    });
  });

  it('a reschedule moves the question: the old job is cancelled, the new one sent once', async () => {
    const { start, before } = plan(60);
    await onItsOwnQueue(configFor(before), async (fd) => {
      const phone = '+639175551504';
      const { appt, jobId: old } = await bookAsked(fd, phone, start, before);
      // 55 s earlier: its question is due in about 5 s
      const moved = new Date(start.getTime() - 55_000);
      expect((await staffCall(fd.base, 'PUT', `/appointments/${appt.appointmentId}/reschedule`, { start: moved.toISOString(), overbook: true })).status).toBe(200);
      await settled(fd);
      const now = (await fd.store.appointments.get(FACILITY, appt.appointmentId))!;
      const next = attendanceJobId(FACILITY, now.appointmentId, before, now.start);
      expect(next).not.toBe(old);
      expect((await fd.queue.get(old))?.state).toBe('canceled');
      await sentOn(fd, next);
      expect(await fd.outbox.record(`send:${old}`)).toBeUndefined();
      expect(smsTo(phone).filter((b) => /will you come to your appointment/i.test(b))).toHaveLength(1);
    });
  });

  it('the rebook nudge and the survey are planned by one process and sent once by the next (restart in between)', async () => {
    const config = w.newConfig({ facility: { quietHours: undefined, workflows: { rebookNudge: { after: 'PT8S' }, survey: { after: 'PT8S' } } } });
    const namespace = uniqueNamespace('wf');
    const cancelled = '+639175551521';
    const visitor = '+639175551522';
    const jobs = await withFrontdesk(config, { namespace }, async (first) => {
      const booked = await deskBook(first, cancelled, new Date(Math.ceil((Date.now() + 26 * 3_600_000) / 60_000) * 60_000));
      await desk(first, booked.appointmentId, 'cancel');
      // a visit that began a minute ago, checked in (SHOW)
      const visit = await deskBook(first, visitor, new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000), false);
      await desk(first, visit.appointmentId, 'check-in');
      const ids = { nudge: careJobId('nudge', FACILITY, booked.appointmentId, booked.start), survey: careJobId('survey', FACILITY, visit.appointmentId, visit.start) };
      expect((await first.queue.get(ids.nudge))?.state).toBe('pending');
      expect((await first.queue.get(ids.survey))?.state).toBe('pending');
      return ids;
    });
    await withFrontdesk(config, { namespace }, async (second) => {
      await sentOn(second, jobs.nudge);
      await sentOn(second, jobs.survey);
      await new Promise((r) => setTimeout(r, 500));
      expect(smsTo(cancelled).filter((b) => /would you like to book a new appointment/.test(b))).toHaveLength(1);
      expect(smsTo(visitor).filter((b) => /How likely are you to recommend us/.test(b))).toHaveLength(1);
    });
  });

  it('quiet hours: a follow-up due in them is delayed on BullMQ until they end', async () => {
    const manila = DateTime.now().setZone('Asia/Manila');
    const end = manila.plus({ hours: 1 }).startOf('minute');
    const quietHours = { from: manila.minus({ hours: 1 }).toFormat('HH:mm'), to: end.toFormat('HH:mm') };
    const config = w.newConfig({ facility: { quietHours, workflows: { followUp: { after: 'PT2S' } } } });
    await onItsOwnQueue(config, async (fd) => {
      const visit = await deskBook(fd, '+639175551505', new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000), false);
      await desk(fd, visit.appointmentId, 'check-in');
      const job = await fd.queue.get(careJobId('followUp', FACILITY, visit.appointmentId, visit.start));
      expect(job?.state).toBe('pending');
      expect(Math.abs(job!.runAt - end.toMillis())).toBeLessThan(1000);
      await fd.queue.cancel(job!.id);
    });
  });

  it('confirmed before its time: no question; one see-you; a follow-up seconds after the visit', async () => {
    const { start, before } = plan(5);
    await onItsOwnQueue(configFor(before), async (fd) => {
      const phone = '+639175551502';
      const { appt, jobId } = await bookAsked(fd, phone, start, before);
      await desk(fd, appt.appointmentId, 'confirm');
      await sentOn(fd, careJobId('seeYou', FACILITY, appt.appointmentId, appt.start));
      expect((await fd.queue.get(jobId))?.state).toBe('canceled');
      // a visit that began a minute ago (entered by the desk after the fact: no creation notice), checked in
      const visitor = '+639175551503';
      const visit = await deskBook(fd, visitor, new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000), false);
      await desk(fd, visit.appointmentId, 'check-in');
      await sentOn(fd, careJobId('followUp', FACILITY, visit.appointmentId, visit.start));
      // past the attendance question's time: never sent
      await eventually(async () => Date.now() > start.getTime() - Number(before.slice(2, -1)) * 1000 + 1500, 'past the question time', 400, 50);
      expect(await fd.outbox.record(`send:${jobId}`)).toBeUndefined();
      expect(smsTo(phone).filter((b) => /See you on/.test(b))).toHaveLength(1);
      expect(smsTo(visitor).filter((b) => /follow-up visit/.test(b))).toHaveLength(1);
      expect(smsTo(visitor).filter((b) => /booked an appointment/.test(b))).toHaveLength(0);
    });
  });
});
