/**
 * Issue 6, reminders on the whole service with a controllable clock: frontdesk (and the sandbox in it) read `now`
 * from a variable the test moves; the reminders are real jobs of the embedded queue, in SQLite.
 */
import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { t as translate } from '../../src/i18n/index.js';
import { eventually, FACILITY, messengerText, PAGE_ID, postMessenger, postSms, smsParams, staffCall } from '../support/frontdesk.js';
import { local, numbered, useWorkflowWorld, type Fd } from '../support/workflow-world.js';

const w = useWorkflowWorld({ start: '2026-12-01T09:00', patient: 'Reminder Patient' });
const { clock, smsTo, settled } = w;

/** the desk's booking and its reminder jobs */
async function deskBook(f: Fd, phone: string, start: DateTime) {
  const id = await w.deskBook(f, phone, start);
  const appt = await f.store.appointments.get(FACILITY, id);
  return { id, jobs: appt!.reminderJobIds ?? [] };
}

const jobFor = async (f: Fd, ids: string[], offset: string) => {
  const id = ids.find((j) => j.includes(`:${offset}:`));
  expect(id, `a ${offset} reminder job`).toBeDefined();
  return { id: id!, info: (await f.queue.get(id!))! };
};

describe('reminders with a controllable clock', () => {
  const phone = '+639175550901';
  let appt: { id: string; jobs: string[] };

  // the P1D reminder fires inside the 24-hour reschedule cutoff: confirm only, and the clinic's number for changes (README "Care workflows")
  it('P1D: exactly one reminder once the clock passes its time, with confirm (inside the cutoff: no reschedule / cancel)', async () => {
    const start = local('2026-12-03T14:00');
    appt = await deskBook(w.fd, phone, start);
    const p1d = await jobFor(w.fd, appt.jobs, 'P1D');
    expect(p1d.info.state).toBe('pending');
    expect(p1d.info.runAt).toBe(start.minus({ days: 1 }).toMillis());

    clock.set(start.minus({ days: 1 }).plus({ minutes: 1 }));
    await eventually(async () => (await w.fd.outbox.record(`send:${p1d.id}`))?.status === 'sent', 'P1D reminder sent');
    expect((await w.fd.queue.get(p1d.id))!.state).toBe('done');
    const sms = smsTo(phone);
    expect(sms).toHaveLength(2);
    const choices = numbered(sms[1]!);
    expect(choices).toHaveLength(1);
    expect.soft(choices[0], 'confirm choice').toContain(translate('en', 'notice.choice.confirm'));
    expect.soft(sms[1], 'how to change it this close').toContain('+63 2 8123 4567');
    expect.soft(choices.join('\n'), 'no raw i18n key').not.toMatch(/choice\./);
    expect.soft(sms[1], 'the time in Manila').toMatch(/2:00\s?PM|14:00/i);
    // the PT2H one has not fired
    expect((await w.fd.queue.get((await jobFor(w.fd, appt.jobs, 'PT2H')).id))!.state).toBe('pending');
  });

  it('answering the confirm choice by SMS confirms at the provider (CONFIRMED there) and thanks the patient', async () => {
    const before = smsTo(phone).length;
    expect((await postSms(w.fd.base, smsParams(phone, '1'))).status).toBe(200);
    await eventually(async () => {
      const list = await staffCall(w.fd.base, 'GET', '/appointments');
      return (list.body.appointments as { appointmentId: string; status: string }[]).find((a) => a.appointmentId === appt.id)?.status === 'CONFIRMED';
    }, 'CONFIRMED at the sandbox');
    await eventually(() => smsTo(phone).slice(before).some((b) => /thank/i.test(b)), 'a thank-you for confirming');
    await settled(w.fd);
    expect((await w.fd.store.appointments.get(FACILITY, appt.id))!.status).toBe('CONFIRMED');
  });

  it('quiet hours: an 08:30 appointment gets its 2-hour reminder at 20:45 the evening before', async () => {
    const p = '+639175550902';
    const start = local('2026-12-05T08:30');
    const a = await deskBook(w.fd, p, start);
    const pt2h = await jobFor(w.fd, a.jobs, 'PT2H');
    expect(pt2h.info.runAt).toBe(local('2026-12-04T20:45').toMillis());
    const p1d = await jobFor(w.fd, a.jobs, 'P1D');
    expect(p1d.info.runAt).toBe(local('2026-12-04T08:30').toMillis());

    clock.set('2026-12-04T08:31');
    await eventually(async () => (await w.fd.outbox.record(`send:${p1d.id}`))?.status === 'sent', 'P1D reminder sent');
    expect((await w.fd.queue.get(pt2h.id))!.state).toBe('pending');
    clock.set('2026-12-04T20:46');
    await eventually(async () => (await w.fd.outbox.record(`send:${pt2h.id}`))?.status === 'sent', 'PT2H reminder sent');
    expect(smsTo(p)).toHaveLength(3);
  });

  it('no reminder for a cancelled appointment', async () => {
    const p = '+639175550903';
    const start = local('2026-12-08T10:00');
    clock.set('2026-12-05T09:00');
    const a = await deskBook(w.fd, p, start);
    expect(a.jobs.length).toBe(2);
    expect((await staffCall(w.fd.base, 'PUT', `/appointments/${a.id}/cancel`, {})).status).toBe(200);
    await settled(w.fd);
    await eventually(() => smsTo(p).length === 2, 'cancel notice');
    for (const j of a.jobs) expect((await w.fd.queue.get(j))!.state).toBe('canceled');
    clock.set('2026-12-08T09:59');
    // a later appointment's reminder, due at the same time, proves the queue ran past the cancelled ones
    const q = '+639175550904';
    clock.set('2026-12-06T09:00');
    const b = await deskBook(w.fd, q, local('2026-12-08T11:00'));
    clock.set('2026-12-08T10:30');
    for (const j of b.jobs) await eventually(async () => (await w.fd.outbox.record(`send:${j}`))?.status === 'sent', 'sentinel reminder sent');
    for (const j of a.jobs) expect(await w.fd.outbox.record(`send:${j}`)).toBeUndefined();
    expect(smsTo(p)).toHaveLength(2);
  });
});

describe('a restart between scheduling and firing', () => {
  it('the reminder fires exactly once from the new process on the same SQLite file', async () => {
    const { clock: t, run } = w.processes('2026-12-10T09:00');
    const phone = '+639175550905';
    const a = await run((first) => deskBook(first, phone, local('2026-12-12T15:00')));
    await run(async (second) => {
      const p1d = await jobFor(second, a.jobs, 'P1D');
      expect(p1d.info.state).toBe('pending');
      t.set('2026-12-11T15:01');
      await eventually(async () => (await second.outbox.record(`send:${p1d.id}`))?.status === 'sent', 'reminder sent after restart');
      expect((await second.queue.get(p1d.id))!.state).toBe('done');
      // the later one proves the queue went on past it; still one reminder for P1D
      t.set('2026-12-12T13:01');
      const pt2h = await jobFor(second, a.jobs, 'PT2H');
      await eventually(async () => (await second.outbox.record(`send:${pt2h.id}`))?.status === 'sent', 'PT2H sent');
      expect(smsTo(phone)).toHaveLength(3);
      expect((await second.outbox.record(`send:${p1d.id}`))!.platformMessageIds).toHaveLength(1);
    });
  });
});

describe('a reminder answered on Messenger', () => {
  it('the reminder goes to Messenger with confirm / reschedule / cancel; tapping confirm confirms at the provider and thanks', async () => {
    const { clock: t, run } = w.processes('2026-12-14T09:00');
    await run(async (f) => {
      const phone = '+639175550906';
      const psid = '7009008007006005';
      const start = local('2026-12-15T16:00');
      const a = await deskBook(f, phone, start);
      let tick = 0;
      const toPsid = () => w.platforms.graph().filter((r) => r.json.recipient?.id === psid);
      const say = async (text: string, expected: RegExp, opts: { quickReply?: string } = {}) => {
        const before = toPsid().length;
        expect((await postMessenger(f.base, messengerText(psid, text, { ...opts, time: t.ms + (tick += 1000) }))).status).toBe(200);
        return eventually(() => toPsid().slice(before).find((r) => expected.test(String(r.json.message?.text ?? r.json.message?.attachment?.payload?.text ?? ''))), `bot answers /${expected.source}/`).catch((e: Error) => {
          throw new Error(`${e.message}; it said: ${toPsid().slice(before).map((r) => String(r.json.message?.text ?? r.json.message?.attachment?.payload?.text ?? '')).join(' // ')}`);
        });
      };
      // the patient writes on Messenger, gives the desk's mobile and types the code sent to it: the contact is linked
      await say('hi', /./);
      await say('I want to book an appointment', /privacy/i);
      await say('yes', /full name/i);
      await say('Reminder Patient', /date of birth/i);
      await say('2 March 1975', /mobile/i);
      await say('0917 555 0906', /sent a 6-digit code/);
      const code = /code is (\d{6})/.exec(w.platforms.twilio().filter((r) => r.form.To === phone).at(-1)?.form.Body ?? '')?.[1] ?? '';
      await say(code, /gender/i);
      await say('2', /doctor/i);
      await eventually(async () => (await f.store.appointments.get(FACILITY, a.id))?.contactId === (await f.store.contacts.byChannelUser(FACILITY, 'messenger', psid))?.id, 'linked');

      const p1d = await jobFor(f, a.jobs, 'P1D');
      const before = toPsid().length;
      t.set(start.minus({ days: 1 }).plus({ minutes: 1 }));
      await eventually(async () => (await f.outbox.record(`send:${p1d.id}`))?.status === 'sent', 'reminder sent');
      expect(await f.outbox.record(`send:${p1d.id}`)).toMatchObject({ channel: 'messenger' });
      const reminder = toPsid().slice(before);
      expect(reminder).toHaveLength(1);
      expect(reminder[0]!.json.messaging_type).toBe('UPDATE');
      const m = reminder[0]!.json.message ?? {};
      const buttons = (m.attachment?.payload?.buttons ?? []) as { payload: string; title: string }[];
      const quick = (m.quick_replies ?? []) as { payload: string; title: string }[];
      const offered = [...quick, ...buttons];
      expect(offered.map((q) => q.payload)).toEqual([`rem:confirm:${a.id}`]);

      // the patient taps "confirm": a postback for a button, a quick reply otherwise (as Messenger sends them)
      const seen = toPsid().length;
      const tapAt = t.ms;
      const tap = buttons.length
        ? { object: 'page', entry: [{ id: PAGE_ID, time: tapAt, messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: tapAt, postback: { mid: `m_tap_${a.id}`, title: buttons[0]!.title, payload: buttons[0]!.payload } }] }] }
        : messengerText(psid, quick[0]!.title, { quickReply: quick[0]!.payload, time: tapAt });
      expect((await postMessenger(f.base, tap)).status).toBe(200);
      await eventually(() => toPsid().slice(seen).some((r) => /thank/i.test(String(r.json.message?.text ?? r.json.message?.attachment?.payload?.text ?? ''))), 'a thank-you for confirming');
      await eventually(async () => {
        const list = await staffCall(f.base, 'GET', '/appointments');
        return (list.body.appointments as { appointmentId: string; status: string }[]).find((x) => x.appointmentId === a.id)?.status === 'CONFIRMED';
      }, 'CONFIRMED at the sandbox');
      const confirmed = (await settled(f)).at(-1)!;
      expect(confirmed.type).toBe('appointmentConfirmed');
      expect((await f.store.appointments.get(FACILITY, a.id))!.status).toBe('CONFIRMED');
      // the provider's echo of the bot's own confirmation tells the patient nothing twice
      expect(await f.outbox.record(`pwh:${FACILITY}:${confirmed.id}`)).toBeUndefined();
    });
  });
});
