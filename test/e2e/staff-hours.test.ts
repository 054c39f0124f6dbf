/**
 * Issue 13: staff hours. A handoff outside them tells the patient when someone will answer; in them, a ticket
 * nobody takes within `staffReplyMinutes` gets one honest message (with the facility's phone), and a ticket
 * staff took gets none. The server's clock is set to a chosen time (the job queue runs on it too).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, FACILITY, messengerText, postMessenger, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const SUNDAY_NIGHT = Date.parse('2026-12-06T14:00:00Z'); // 22:00 in Manila
const MONDAY_MORNING = Date.parse('2026-12-07T02:00:00Z'); // 10:00 in Manila
let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
const clock = { at: SUNDAY_NIGHT, setAt: Date.now() };
const setClock = (ms: number) => Object.assign(clock, { at: ms, setAt: Date.now() });

beforeAll(async () => {
  platforms = await startPlatforms();
  const base = testConfig({ platformsUrl: platforms.url }).facilities[0]!;
  const config = testConfig({ platformsUrl: platforms.url, facility: { staffHours: { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '17:00' }, staffReplyMinutes: 5 } });
  expect(base.staffHours.to).toBe('24:00');
  fd = await startFrontdesk(config, { now: () => new Date(clock.at + (Date.now() - clock.setAt)) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const texts = (psid: string) => platforms.graph().filter((r) => r.json.recipient?.id === psid && !r.json.sender_action).map((r) => String(r.json.message?.text ?? r.json.message?.attachment?.payload?.text ?? ''));
async function handOff(psid: string) {
  for (const [text, qr] of [['hi', undefined], ['Talk to staff', 'menu:staff']] as const) {
    expect((await postMessenger(fd.base, messengerText(psid, text, { mid: `m_${randomUUID()}`, ...(qr ? { quickReply: qr } : {}), time: clock.at }))).status).toBe(200);
  }
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), 'contact');
  return eventually(() => fd.store.tickets.openFor(FACILITY, contact.id), 'ticket opened');
}

describe('staff hours', () => {
  it('outside them, the handoff says when the team answers', async () => {
    setClock(SUNDAY_NIGHT);
    const psid = '7200000000000001';
    await handOff(psid);
    await eventually(() => texts(psid).some((t) => /away right now: they answer messages 08:00–17:00/.test(t)) || undefined, 'after-hours line');
  });

  it('in them, no after-hours line; a ticket nobody took in staffReplyMinutes gets one honest message; a claimed one none', async () => {
    setClock(MONDAY_MORNING);
    const waiting = '7200000000000002';
    const taken = '7200000000000003';
    const t1 = await handOff(waiting);
    const t2 = await handOff(taken);
    await fd.store.tickets.change(FACILITY, t2.id, (t) => ({ ...t, state: 'claimed', claimedBy: 'Nurse Joy' }));
    await eventually(() => texts(waiting).some((t) => /let our staff know/.test(t)) || undefined, 'handoff answer');
    expect(texts(waiting).some((t) => /away right now/.test(t))).toBe(false);

    setClock(MONDAY_MORNING + 6 * 60_000);
    await eventually(() => texts(waiting).some((t) => /no one from our team has been able to answer yet.*\+63 2 8123 4567/.test(t)) || undefined, 'unanswered notice', 600);
    expect(texts(waiting).filter((t) => /no one from our team/.test(t))).toHaveLength(1);
    expect((await fd.store.tickets.get(FACILITY, t1.id))!.messages.some((m) => m.id === `unanswered:${t1.id}`)).toBe(true);
    // give the claimed ticket's job the same time: it sends nothing
    await eventually(async () => ((await fd.queue.get(`unanswered:${t2.id}`))?.state === 'done' ? true : undefined), 'claimed ticket job ran');
    expect(texts(taken).some((t) => /no one from our team/.test(t))).toBe(false);
  });
});
