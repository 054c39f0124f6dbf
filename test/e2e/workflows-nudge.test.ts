/**
 * Care workflows: the rebook nudge on the whole service with a controllable clock (embedded queue in SQLite).
 * After a cancellation or a no-show the patient is offered the doctor's next three open times; a tap (or an
 * SMS "1") books that time through the normal path; no offer once they booked again, in quiet hours, outside
 * Messenger's 24 h window; one offer across a restart.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/messages.js';
import { careJobId } from '../../src/sync/workflows/care.js';
import { eventually, FACILITY, messengerText, postMessenger, postSms, smsParams, staffCall } from '../support/frontdesk.js';
import { choiceLabels, local, turnOf, useWorkflowWorld, ZONE, type Fd } from '../support/workflow-world.js';

/** a nudge 2 h after for the pediatric consultation (type 1011), two days after for the rest */
const FACILITY_EXTRA = {
  workflows: { rebookNudge: { after: 'P2D' } },
  appointmentTypes: { '1011': { workflows: { rebookNudge: { after: 'PT2H' } } } },
};

const w = useWorkflowWorld({ facility: FACILITY_EXTRA, start: '2027-01-04T09:00', patient: 'Nudge Patient', notice: 'another' });
const { clock, smsTo, graphTo, deskBook, desk, sent } = w;
const NUDGE = /would you like to book a new appointment with/;
const nudgeJob = (id: string) => careJobId('nudge', FACILITY, id, '');

/** the provider's open appointments of calendar 102 at that start */
async function atProvider(f: Fd, start: string) {
  const r = await staffCall(f.base, 'GET', '/appointments');
  return (r.body.appointments as { appointmentId: string; calendarId: string; start: string; status: string }[]).filter(
    (a) => a.calendarId === '102' && Date.parse(a.start) === Date.parse(start) && a.status !== 'CANCELED',
  );
}

const textOf = (o: OutboundMessage) => [o.reply.text, ...(o.reply.choices ?? []).map((c) => c.label)].join(' | ');

/** the patient's side of a booking's questions (labels as locales/en.json has them) */
const PREFERRED = ['Yes, book it', 'I agree', 'Me', 'Nudge Patient', 'Female', 'Skip'];
function answerFor(o: OutboundMessage): { text: string; choiceId?: string } | undefined {
  const choices = o.reply.choices ?? [];
  const pick = PREFERRED.map((l) => choices.find((c) => c.label === l)).find(Boolean);
  if (pick) return { text: pick.label, choiceId: pick.id };
  const text = o.reply.text ?? '';
  const typed: [RegExp, string][] = [
    [/full name/i, 'Nudge Patient'],
    [/date of birth/i, '15/05/1990'],
    [/mobile number/i, '0917 555 1234'],
    [/national id/i, 'AB1234567'],
  ];
  const t = typed.find(([re]) => re.test(text))?.[1];
  return t ? { text: t } : undefined;
}

/**
 * Answers the booking's questions (consent, details, whom for) over SMS or Messenger until the review
 * "Shall I book this for you?"; returns the review's text.
 */
async function walkToReview(f: Fd, channel: 'sms' | 'messenger', userId: string, first: { text: string; choiceId?: string }): Promise<OutboundMessage> {
  let say = first;
  const seen: string[] = [];
  for (let i = 0; i < 15; i++) {
    const out = await saySomething(f, channel, userId, say);
    seen.push(...out.map(textOf));
    const review = out.find((o) => /Shall I book this for you\?/.test(o.reply.text ?? ''));
    if (review) return review;
    const last = out.at(-1);
    const next = last && answerFor(last);
    if (!next) throw new Error(`no answer for: ${seen.join(' // ')}`);
    // on SMS a choice is answered by its number
    say = channel === 'sms' && next.choiceId ? { text: String((last.reply.choices ?? []).findIndex((c) => c.id === next.choiceId) + 1) } : next;
  }
  throw new Error(`no review after: ${seen.join(' // ')}`);
}

async function saySomething(f: Fd, channel: 'sms' | 'messenger', userId: string, say: { text: string; choiceId?: string }): Promise<OutboundMessage[]> {
  if (channel === 'sms') {
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    expect((await postSms(f.base, smsParams(userId, say.text, sid))).status).toBe(200);
    return turnOf(f, 'sms', userId, sid);
  }
  const mid = `m_${randomUUID()}`;
  expect((await postMessenger(f.base, messengerText(userId, say.text, { mid, time: clock.ms, ...(say.choiceId ? { quickReply: say.choiceId } : {}) }))).status).toBe(200);
  return turnOf(f, 'messenger', userId, mid);
}

/** the review's "Yes, book it", then the provider's answer */
async function bookIt(f: Fd, channel: 'sms' | 'messenger', userId: string, review: OutboundMessage) {
  const choices = review.reply.choices ?? [];
  const yes = choices.findIndex((c) => c.label === 'Yes, book it');
  expect(yes).toBeGreaterThanOrEqual(0);
  const out = await saySomething(f, channel, userId, channel === 'sms' ? { text: String(yes + 1) } : { text: 'Yes, book it', choiceId: choices[yes]!.id });
  expect(out.map(textOf).join(' // ')).toMatch(/You're booked!/);
}

describe('rebook nudge after a desk cancellation (SMS)', () => {
  it('fires once, 2 h later, with the next three open times of the same doctor; "1" reaches the review of that time and books it', async () => {
    const phone = '+639175551601';
    const start = local('2027-01-06T14:00');
    const id = await deskBook(w.fd, phone, start);
    await desk(w.fd, id, 'cancel');
    const jobId = nudgeJob(id);
    const job = (await w.fd.queue.get(jobId))!;
    expect(job.state).toBe('pending');
    expect(job.runAt).toBe(local('2027-01-04T11:00').toMillis());

    clock.set('2027-01-04T11:01');
    await sent(w.fd, jobId);
    const body = smsTo(phone).find((b) => NUDGE.test(b))!;
    expect(body).toContain('Dr. Jose Reyes');
    expect(choiceLabels(body).slice(3)).toEqual(['Other time', 'No, thanks']);
    const contact = (await w.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone))!;
    const pushed = (await w.fd.store.pushedChoices.latest(FACILITY, contact.id))!;
    const slots = pushed.choices.slice(0, 3).map((c) => c.id);
    for (const s of slots) expect(s).toMatch(/^nudge:102:1011:\d{4}-\d{2}-\d{2}T/);
    const first = slots[0]!.split(':').slice(3).join(':');
    expect(Date.parse(first)).toBeGreaterThan(clock.ms);

    expect(smsTo(phone).filter((b) => NUDGE.test(b))).toHaveLength(1);

    const review = await walkToReview(w.fd, 'sms', phone, { text: '1' });
    expect(JSON.stringify(review.reply)).toContain('Dr. Jose Reyes');
    expect(JSON.stringify(review.reply)).toContain(DateTime.fromISO(first, { setZone: true }).setZone(ZONE).toFormat('h:mm'));
    await bookIt(w.fd, 'sms', phone, review);
    expect(await atProvider(w.fd, first)).toHaveLength(1);
  });

  it('no offer when the patient booked again before it fired', async () => {
    clock.set('2027-01-11T09:00');
    const phone = '+639175551602';
    const id = await deskBook(w.fd, phone, local('2027-01-13T14:00'));
    await desk(w.fd, id, 'cancel');
    await deskBook(w.fd, phone, local('2027-01-20T10:00'));
    clock.set('2027-01-11T11:01');
    await eventually(async () => (await w.fd.queue.get(nudgeJob(id)))?.state === 'done', 'nudge job ran');
    expect(await w.fd.outbox.record(`send:${nudgeJob(id)}`)).toBeUndefined();
    expect(smsTo(phone).filter((b) => NUDGE.test(b))).toHaveLength(0);
  });

  it('quiet hours: a cancellation at 20:30 is followed up at 08:00 the next morning', async () => {
    clock.set('2027-01-18T20:30');
    const phone = '+639175551603';
    const id = await deskBook(w.fd, phone, local('2027-01-21T14:00'));
    await desk(w.fd, id, 'cancel');
    expect((await w.fd.queue.get(nudgeJob(id)))!.runAt).toBe(local('2027-01-19T08:00').toMillis());
  });
});

describe('rebook nudge after a no-show (Messenger)', () => {
  it('inside the 24 h window: quick replies of three times; tapping one reaches the review of that time; booking it makes one appointment', async () => {
    clock.set('2027-02-01T08:00');
    const psid = '7000000000001601';
    // the patient talks to the page, then the desk books for the number they gave
    const hello = await saySomething(w.fd, 'messenger', psid, { text: 'hi' });
    expect(hello.length).toBeGreaterThan(0);
    const contact = (await w.fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
    const start = local('2027-02-01T09:00');
    const id = await deskBook(w.fd, '+639175551611', start, { notice: false });
    await w.fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, contactId: contact.id } : undefined));

    clock.set('2027-02-01T10:00');
    await desk(w.fd, id, 'no-show');
    const jobId = nudgeJob(id);
    expect((await w.fd.queue.get(jobId))!.runAt).toBe(local('2027-02-01T12:00').toMillis());
    clock.set('2027-02-01T12:01');
    await sent(w.fd, jobId);
    const nudge = graphTo(psid).find((m) => NUDGE.test(m.json.message?.text ?? ''))!;
    const qr = nudge.json.message.quick_replies as { title: string; payload: string }[];
    expect(qr).toHaveLength(5);
    for (const q of qr) expect(q.title.length).toBeLessThanOrEqual(20);
    expect(qr.slice(3).map((q) => q.title)).toEqual(['Other time', 'No, thanks']);
    expect(qr[0]!.payload).toMatch(/^nudge:102:1011:/);
    const slot = qr[1]!.payload.split(':').slice(3).join(':');

    const review = await walkToReview(w.fd, 'messenger', psid, { text: qr[1]!.title, choiceId: qr[1]!.payload });
    expect(JSON.stringify(review.reply)).toContain('Dr. Jose Reyes');
    expect(JSON.stringify(review.reply)).toContain(DateTime.fromISO(slot, { setZone: true }).setZone(ZONE).toFormat('h:mm'));
    await bookIt(w.fd, 'messenger', psid, review);
    const made = await atProvider(w.fd, slot);
    expect(made).toHaveLength(1);
    expect(graphTo(psid).filter((m) => NUDGE.test(m.json.message?.text ?? ''))).toHaveLength(1);
  });

  it('outside the 24 h window: not sent on Messenger, and no SMS in its place', async () => {
    clock.set('2027-03-01T08:00');
    const psid = '7000000000001602';
    const phone = '+639175551612';
    await saySomething(w.fd, 'messenger', psid, { text: 'hi' });
    const contact = (await w.fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
    await w.fd.store.contacts.update(FACILITY, contact.id, (c) => ({ ...c, phone }));
    // type 1012 (follow-up): the facility's nudge, two days after
    const id = await deskBook(w.fd, '+639175551613', local('2027-03-01T09:00'), { notice: false, type: '1012', patient: 'Late Patient' });
    await w.fd.store.appointments.upsert(FACILITY, id, (cur) => (cur ? { ...cur, contactId: contact.id } : undefined));
    clock.set('2027-03-01T10:00');
    await desk(w.fd, id, 'no-show');
    const jobId = nudgeJob(id);
    expect((await w.fd.queue.get(jobId))!.runAt).toBe(local('2027-03-03T10:00').toMillis());
    const before = graphTo(psid).length;
    clock.set('2027-03-03T10:01');
    await eventually(async () => {
      const rec = await w.fd.outbox.record(`send:${jobId}`);
      return rec && rec.status !== 'queued' ? rec : undefined;
    }, 'nudge settled');
    expect((await w.fd.outbox.record(`send:${jobId}`))!.status).not.toBe('sent');
    expect(graphTo(psid).slice(before)).toHaveLength(0);
    expect(smsTo(phone)).toHaveLength(0);
  });
});

describe('a restart between scheduling and firing', () => {
  it('the nudge planned by one process is sent once by the next, on the same store', async () => {
    const { clock: t, run } = w.processes('2027-04-05T09:00');
    const phone = '+639175551620';
    const id = await run(async (first) => {
      const booked = await deskBook(first, phone, local('2027-04-07T14:00'));
      await desk(first, booked, 'cancel');
      expect((await first.queue.get(nudgeJob(booked)))!.state).toBe('pending');
      return booked;
    });
    await run(async (second) => {
      t.set('2027-04-05T11:01');
      await sent(second, nudgeJob(id));
      expect(smsTo(phone).filter((b) => NUDGE.test(b))).toHaveLength(1);
    });
  });
});
