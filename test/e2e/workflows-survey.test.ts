/**
 * Care workflows: the post-visit survey on the whole service with a controllable clock (embedded queue in
 * SQLite). Two hours after SHOW one 0–10 question; on SMS answered by the number itself, on Messenger by
 * quick replies; the score and an optional comment kept; a low score in the staff inbox; a late "8" is not
 * read as a survey answer; it waits while the patient is chatting; a forged tap on someone else's survey records nothing and opens nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { careJobId } from '../../src/sync/workflows/care.js';
import { eventually, FACILITY, messengerText, postMessenger, postSms, SECRETS, smsParams } from '../support/frontdesk.js';
import { local, numbered, turnOf, useWorkflowWorld } from '../support/workflow-world.js';

const FACILITY_EXTRA = { workflows: { survey: { after: 'PT2H', expiresAfter: 'P2D', lowScore: 6 } } };
const w = useWorkflowWorld({ facility: FACILITY_EXTRA, start: '2027-01-04T08:00', patient: 'Survey Patient', notice: 'another' });
const { clock, smsTo, graphTo, deskBook, desk, sent } = w;
const QUESTION = /How likely are you to recommend us to a friend, from 0 \(not at all\) to 10/;
const surveyJob = (id: string) => careJobId('survey', FACILITY, id, '');

async function say(channel: 'sms' | 'messenger', userId: string, text: string, choiceId?: string): Promise<string> {
  const id = channel === 'sms' ? `SM${randomUUID().replace(/-/g, '')}` : `m_${randomUUID()}`;
  const res =
    channel === 'sms'
      ? await postSms(w.fd.base, smsParams(userId, text, id))
      : await postMessenger(w.fd.base, messengerText(userId, text, { mid: id, time: clock.ms, ...(choiceId ? { quickReply: choiceId } : {}) }));
  expect(res.status).toBe(200);
  return (await turnOf(w.fd, channel, userId, id)).map((o) => o.reply.text).join(' // ');
}

/** booked at the desk at 08:00 for `start` that day, checked in (SHOW) at `checkIn`; the appointment's id */
async function checkedIn(phone: string, day: string, start: string, checkIn: string): Promise<string> {
  clock.set(`${day}T08:00`);
  const id = await deskBook(w.fd, phone, local(`${day}T${start}`));
  clock.set(`${day}T${checkIn}`);
  await desk(w.fd, id, 'check-in', {});
  return id;
}

/** a visit: booked at the desk, checked in at 10:05 (SHOW); the survey fires at 12:05 */
async function visit(phone: string, day: string): Promise<string> {
  const id = await checkedIn(phone, day, '10:00', '10:05');
  expect((await w.fd.queue.get(surveyJob(id)))!.runAt).toBe(local(`${day}T12:05`).toMillis());
  clock.set(`${day}T12:06`);
  await sent(w.fd, surveyJob(id));
  return id;
}

const contactOf = async (channel: 'sms' | 'messenger', userId: string) => (await w.fd.store.contacts.byChannelUser(FACILITY, channel, userId))!;
const staff = (path: string) => fetch(`${w.fd.base}/staff/v1${path}`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } }).then((r) => r.json() as Promise<Record<string, unknown>>);

describe('post-visit survey on SMS', () => {
  it('two hours after SHOW, once; the number is the score ("8" is 8, not the eighth of a list); a comment follows', async () => {
    const phone = '+639175551701';
    const id = await visit(phone, '2027-01-04');
    const question = smsTo(phone).filter((b) => QUESTION.test(b));
    expect(question).toHaveLength(1);
    expect(numbered(question[0]!)).toEqual([]);
    expect(question[0]).toContain('Dr. Jose Reyes');

    expect(await say('sms', phone, '8')).toMatch(/Thank you for your answer \(8 of 10\)! Is there anything you'd like to tell us/);
    const contact = await contactOf('sms', phone);
    expect(await w.fd.store.surveys.get(FACILITY, contact.id)).toMatchObject({ appointmentId: id, score: 8 });
    expect(await say('sms', phone, 'The nurse explained everything')).toMatch(/Thank you for your feedback/);
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.comment).toBe('The nurse explained everything');

    // a second number later is no second score
    await say('sms', phone, '2');
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.score).toBe(8);
    expect(await w.fd.store.tickets.openFor(FACILITY, contact.id)).toBeUndefined();
    // the staff list: this answer with its comment, the count and the average
    const list = (await staff(`/facilities/${FACILITY}/surveys?days=7`)) as { count: number; average: number; surveys: { contactId: string; appointmentId: string; score: number; comment?: string; low: boolean }[] };
    expect(list.surveys.find((v) => v.contactId === contact.id)).toMatchObject({ appointmentId: id, score: 8, comment: 'The nurse explained everything', low: false });
    expect(list.count).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${w.fd.base}/staff/v1/facilities/${FACILITY}/surveys?days=31`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } })).status).toBe(400);
    expect((await fetch(`${w.fd.base}/staff/v1/facilities/${FACILITY}/surveys`)).status).toBe(401);
    const metrics = await (await fetch(`${w.fd.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`frontdesk_survey_scores_total\\{facility="${FACILITY}",score="8"\\} 1\\b`));
    expect(metrics).toMatch(/frontdesk_care_messages_total\{kind="survey",result="sent"\} [1-9]/);
  });

  it('a low score opens a staff ticket (reason low_survey_score) and the comment reaches its thread', async () => {
    const phone = '+639175551702';
    await visit(phone, '2027-01-05');
    expect(await say('sms', phone, '3')).toMatch(/We're sorry your visit was not better/);
    const contact = await contactOf('sms', phone);
    const ticket = await eventually(() => w.fd.store.tickets.openFor(FACILITY, contact.id), 'ticket opened');
    expect(ticket.reason).toBe('low_survey_score');
    const listed = (await staff(`/tickets?facilityId=${FACILITY}`)).tickets as { id: string; reason: string; reasonText?: string }[];
    expect(listed.find((t) => t.id === ticket.id)).toMatchObject({ reason: 'low_survey_score', reasonText: 'low score in the visit survey' });

    await say('sms', phone, 'I waited two hours past my time');
    const thread = (await staff(`/tickets/${encodeURIComponent(ticket.id)}`)) as { messages?: { from: string; text: string }[]; ticket?: { messages: { from: string; text: string }[] } };
    const messages = thread.messages ?? thread.ticket?.messages ?? [];
    expect(messages.filter((m) => m.from === 'patient').map((m) => m.text)).toContain('I waited two hours past my time');
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.comment).toBe('I waited two hours past my time');
  });

  it('expired: an "8" two days and a minute later is not read as a survey answer', async () => {
    const phone = '+639175551703';
    await visit(phone, '2027-01-06');
    clock.set('2027-01-08T12:07');
    expect(await say('sms', phone, '8')).not.toMatch(/of 10/);
    const contact = await contactOf('sms', phone);
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.score).toBeUndefined();
    expect(await w.fd.store.tickets.openFor(FACILITY, contact.id)).toBeUndefined();
  });
});

describe('post-visit survey on Messenger', () => {
  it('inside the window: eleven quick replies 0–10; a tap is the score; a forged tap on another patient’s survey is "closed", records and opens nothing', async () => {
    clock.set('2027-01-11T07:30');
    const psid = '7000000000001701';
    await say('messenger', psid, 'hi');
    const contact = await contactOf('messenger', psid);
    clock.set('2027-01-11T08:00');
    const id = await deskBook(w.fd, '+639175551711', local('2027-01-11T10:00'), { notice: false });
    await w.fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, contactId: contact.id } : undefined));
    clock.set('2027-01-11T10:05');
    await desk(w.fd, id, 'check-in', {});
    clock.set('2027-01-11T12:06');
    await sent(w.fd, surveyJob(id));
    const q = graphTo(psid).find((m) => QUESTION.test(m.json.message?.text ?? ''))!;
    const qr = q.json.message.quick_replies as { title: string; payload: string }[];
    expect(qr.map((r) => r.title)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);

    // another patient's survey, asked and open
    const other = '+639175551712';
    const otherId = await visit(other, '2027-01-12');
    const victim = await contactOf('sms', other);
    const forged = qr[2]!.payload.replace(id, otherId);
    expect(await say('messenger', psid, '2', forged)).toMatch(/this survey is closed/);
    expect((await w.fd.store.surveys.get(FACILITY, victim.id))!.score).toBeUndefined();
    expect(await w.fd.store.tickets.openFor(FACILITY, contact.id)).toBeUndefined();

    expect(await say('messenger', psid, '10', qr[10]!.payload)).toMatch(/10 of 10/);
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.score).toBe(10);
    // the same tap again: closed, the first answer stands
    expect(await say('messenger', psid, '0', qr[0]!.payload)).toMatch(/this survey is closed/);
    expect((await w.fd.store.surveys.get(FACILITY, contact.id))!.score).toBe(10);
  });

  it('outside the 24 h window: not sent on Messenger, and no SMS in its place', async () => {
    clock.set('2027-02-01T07:00');
    const psid = '7000000000001702';
    const phone = '+639175551721';
    await say('messenger', psid, 'hi');
    const contact = await contactOf('messenger', psid);
    await w.fd.store.contacts.update(FACILITY, contact.id, (c) => ({ ...c, phone }));
    const id = await deskBook(w.fd, '+639175551722', local('2027-02-03T10:00'), { notice: false });
    await w.fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, contactId: contact.id } : undefined));
    clock.set('2027-02-03T10:05');
    await desk(w.fd, id, 'check-in', {});
    const before = graphTo(psid).length;
    clock.set('2027-02-03T12:06');
    const rec = await eventually(async () => {
      const r = await w.fd.outbox.record(`send:${surveyJob(id)}`);
      return r && r.status !== 'queued' ? r : undefined;
    }, 'survey settled');
    expect(rec.status).not.toBe('sent');
    expect(graphTo(psid).slice(before)).toHaveLength(0);
    // the check-in notice may reach the phone (news of the booking); the survey never does
    expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(0);
  });
});

describe('when the survey is not sent, or later', () => {
  it('quiet hours: a visit checked in at 20:30 is asked at 08:00 the next morning, not at 22:30', async () => {
    const id = await checkedIn('+639175551731', '2027-03-01', '20:00', '20:30');
    expect((await w.fd.queue.get(surveyJob(id)))!.runAt).toBe(local('2027-03-02T08:00').toMillis());
  });

  it('mid-conversation: it waits until the chat has been quiet ten minutes, so a "2" typed meanwhile is the conversation\'s, not a score', async () => {
    const phone = '+639175551734';
    const id = await checkedIn(phone, '2027-03-15', '10:00', '10:05');
    clock.set('2027-03-15T12:02');
    expect(await say('sms', phone, 'hi')).toMatch(/What would you like to do/);
    clock.set('2027-03-15T12:06');
    await eventually(async () => (await w.fd.queue.get(surveyJob(id)))?.state === 'done', 'survey job ran');
    expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(0);
    const contact = await contactOf('sms', phone);
    expect(await w.fd.store.surveys.get(FACILITY, contact.id)).toBeUndefined();
    // the menu's second entry, not a score of 2 and no low-score ticket
    clock.set('2027-03-15T12:07');
    expect(await say('sms', phone, '2')).not.toMatch(/of 10|sorry your visit/);
    expect(await w.fd.store.tickets.openFor(FACILITY, contact.id)).toBeUndefined();
    expect((await w.fd.queue.get(`${surveyJob(id)}:wait1`))!.runAt).toBe(local('2027-03-15T12:16').toMillis());
    // 12:16: the patient wrote nine minutes ago, it waits once more; 12:26: quiet, asked once
    clock.set('2027-03-15T12:16');
    await eventually(async () => (await w.fd.queue.get(`${surveyJob(id)}:wait1`))?.state === 'done', 'first wait over');
    expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(0);
    clock.set('2027-03-15T12:26');
    await sent(w.fd, surveyJob(id));
    expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(1);
    expect(await say('sms', phone, '9')).toMatch(/9 of 10/);
    expect(await w.fd.queue.get(`${surveyJob(id)}:wait3`)).toBeUndefined();
  });

  it('opted out (STOP) before it fires: not asked', async () => {
    const phone = '+639175551732';
    const id = await checkedIn(phone, '2027-03-08', '10:00', '10:05');
    expect((await postSms(w.fd.base, smsParams(phone, 'STOP'))).status).toBe(200);
    await eventually(async () => (await contactOf('sms', phone)).channels?.sms?.optedOut === true, 'opted out');
    clock.set('2027-03-08T12:06');
    await eventually(async () => (await w.fd.queue.get(surveyJob(id)))?.state === 'done', 'survey job ran');
    expect(await w.fd.outbox.record(`send:${surveyJob(id)}`)).toBeUndefined();
    expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(0);
  });

  it('a restart between scheduling and firing: planned by one process, asked once by the next, on the same store', async () => {
    const { clock: t, run } = w.processes('2027-04-05T08:00');
    const phone = '+639175551733';
    const id = await run(async (first) => {
      const booked = await deskBook(first, phone, local('2027-04-05T10:00'));
      t.set('2027-04-05T10:05');
      await desk(first, booked, 'check-in', {});
      expect((await first.queue.get(surveyJob(booked)))!.state).toBe('pending');
      return booked;
    });
    await run(async (second) => {
      t.set('2027-04-05T12:06');
      await sent(second, surveyJob(id));
      expect(smsTo(phone).filter((b) => QUESTION.test(b))).toHaveLength(1);
    });
  });
});
