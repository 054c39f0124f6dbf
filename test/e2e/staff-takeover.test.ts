/**
 * Issue 13, live takeover, on the whole server over Messenger's real webhook: "Talk to staff" opens a ticket
 * with its reason and thread; staff claim it (the bot then stays silent, the patient's words go to the
 * ticket), reply on the patient's channel (RESPONSE inside the 24-hour window, HUMAN_AGENT tag up to 7 days,
 * refused and shown as undeliverable after), and resolve (the patient is told; the bot answers again). Every
 * ticket action is audited; a token of another facility reaches no ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/messages.js';
import { eventually, FACILITY, SECRETS, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';
import { sayAndSettle } from './messenger-chat.js';

const HOUR = 3_600_000;
const OTHER_TOKEN = 'other-clinic-staff-token-0123';
let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
const clock = { shiftMs: 0 };

beforeAll(async () => {
  platforms = await startPlatforms();
  const config = testConfig({
    platformsUrl: platforms.url,
    extra: {
      staff: [{ name: 'Nurse Joy', token: 'nurse-joy-staff-token-01', facilities: [FACILITY] }, { name: 'Elsewhere', token: OTHER_TOKEN, facilities: ['other-clinic'] }],
      facilities: [
        testConfig({ platformsUrl: platforms.url }).facilities[0]!,
        { ...testConfig({ platformsUrl: platforms.url }).facilities[0]!, id: 'other-clinic', channels: {} },
      ] as never,
    },
  });
  fd = await startFrontdesk(config, { now: () => new Date(Date.now() + clock.shiftMs) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const staff = async (method: string, path: string, body?: unknown, token = 'nurse-joy-staff-token-01') => {
  const res = await fetch(`${fd.base}/staff/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const sentTo = (psid: string) => platforms.graph().filter((r) => r.json.recipient?.id === psid && !r.json.sender_action);

/** posts a Messenger message and waits until its turn was applied and its replies reached final records */
const say = (psid: string, text: string, quickReply?: string): Promise<OutboundMessage[]> => sayAndSettle(fd, fd.base, psid, text, { ...(quickReply ? { quickReply } : {}), time: Date.now() + clock.shiftMs });

async function openTicket(psid: string) {
  await say(psid, 'hi');
  await say(psid, 'Talk to staff', 'menu:staff');
  const listed = await staff('GET', `/tickets?facilityId=${FACILITY}&state=waiting`);
  expect(listed.status).toBe(200);
  const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
  const ticket = (listed.body.tickets as { id: string; contactId: string }[]).find((t) => t.contactId === contact.id);
  expect(ticket, 'the handoff opened a ticket').toBeDefined();
  return { id: ticket!.id, contactId: contact.id };
}

describe('live takeover of a conversation', () => {
  it('a handoff opens one waiting ticket with its reason and the thread so far; another facility’s token reaches none of it', async () => {
    const psid = '7100000000000001';
    const { id } = await openTicket(psid);
    const one = await staff('GET', `/tickets/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id, facilityId: FACILITY, state: 'waiting', reason: 'patient_request', channel: 'messenger' });
    // a contact who typed nothing verifiable shows no patient details
    expect(one.body).not.toHaveProperty('patient');
    expect(one.body.messages[0]).toMatchObject({ from: 'patient', text: 'Talk to staff' });
    expect(one.body.messages.some((m: { from: string }) => m.from === 'bot')).toBe(true);
    // asking again does not open a second ticket
    await say(psid, 'Talk to staff', 'menu:staff');
    const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
    expect((await fd.store.tickets.list(FACILITY)).filter((t) => t.contactId === contact.id && t.state !== 'resolved')).toHaveLength(1);

    expect((await staff('GET', `/tickets/${id}`, undefined, OTHER_TOKEN)).status).toBe(403);
    expect((await staff('POST', `/tickets/${id}/claim`, undefined, OTHER_TOKEN)).status).toBe(403);
    expect((await staff('GET', `/tickets?facilityId=${FACILITY}`, undefined, OTHER_TOKEN)).status).toBe(403);
    expect((await staff('GET', '/tickets', undefined, OTHER_TOKEN)).body.tickets).toEqual([]);
    expect((await staff('GET', '/tickets/nowhere.0123456789abcdef', undefined, SECRETS.staffToken)).status).toBe(404);
    expect((await fetch(`${fd.base}/staff/v1/tickets`)).status).toBe(401);
  });

  it('claimed: the bot stays silent, the patient’s words reach the ticket, staff answer on Messenger, resolve hands back', async () => {
    const psid = '7100000000000002';
    const { id, contactId } = await openTicket(psid);
    const claimed = await staff('POST', `/tickets/${id}/claim`);
    expect(claimed).toMatchObject({ status: 200, body: { state: 'claimed', claimedBy: 'Nurse Joy' } });
    // a colleague cannot take it over
    expect((await staff('POST', `/tickets/${id}/claim`, undefined, SECRETS.staffToken)).status).toBe(409);

    const before = sentTo(psid).length;
    expect(await say(psid, 'My father has a fever, can I bring him today?')).toEqual([]);
    // even what the bot would answer (a menu word, a tapped menu choice) waits for staff
    expect(await say(psid, 'menu')).toEqual([]);
    expect(await say(psid, 'Book an appointment', 'menu:book')).toEqual([]);
    expect(sentTo(psid)).toHaveLength(before);

    const reply = await staff('POST', `/tickets/${id}/reply`, { text: 'Yes, come to the ER entrance; ask for Nurse Joy.' });
    expect(reply.status).toBe(202);
    await eventually(async () => ((await fd.outbox.record(reply.body.messageId))?.status === 'sent' ? true : undefined), 'staff reply sent');
    const [sent] = sentTo(psid).slice(before);
    expect(sent!.json).toMatchObject({ messaging_type: 'RESPONSE', message: { text: 'Yes, come to the ER entrance; ask for Nurse Joy.' } });
    expect(sent!.json).not.toHaveProperty('tag');

    const thread = (await staff('GET', `/tickets/${id}`)).body.messages as { from: string; text: string; by?: string; status?: string }[];
    expect(thread.slice(-4)).toEqual([
      expect.objectContaining({ from: 'patient', text: 'My father has a fever, can I bring him today?' }),
      expect.objectContaining({ from: 'patient', text: 'menu' }),
      expect.objectContaining({ from: 'patient', text: 'Book an appointment' }),
      expect.objectContaining({ from: 'staff', text: 'Yes, come to the ER entrance; ask for Nurse Joy.', by: 'Nurse Joy', status: 'sent' }),
    ]);

    const resolved = await staff('POST', `/tickets/${id}/resolve`);
    expect(resolved).toMatchObject({ status: 200, body: { state: 'resolved' } });
    expect((await staff('POST', `/tickets/${id}/resolve`)).status).toBe(409);
    expect((await staff('POST', `/tickets/${id}/reply`, { text: 'late' })).status).toBe(409);
    await eventually(() => sentTo(psid).some((r) => /back with our automated assistant/.test(r.json.message?.text ?? '')) || undefined, 'hand-back notice');
    expect(await fd.store.tickets.openFor(FACILITY, contactId)).toBeUndefined();
    // the bot answers again, from the start
    const answer = await say(psid, 'hi');
    expect(answer.length).toBeGreaterThan(0);

    const audit = await staff('GET', `/audit?facilityId=${FACILITY}`);
    const actions = (audit.body.entries as { action: string; actor: string; targets?: { ticketId?: string } }[]).filter((e) => e.targets?.ticketId === id).map((e) => `${e.actor}:${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['Nurse Joy:ticket.claim', 'Nurse Joy:ticket.reply', 'Nurse Joy:ticket.resolve']));
  });

  it('after the 24-hour window a staff answer goes with the HUMAN_AGENT tag; after 7 days it is refused and shown undeliverable', async () => {
    const psid = '7100000000000003';
    const { id } = await openTicket(psid);
    try {
      clock.shiftMs = 30 * HOUR;
      const before = sentTo(psid).length;
      const tagged = await staff('POST', `/tickets/${id}/reply`, { text: 'Sorry for the wait — we can see you Monday.' });
      await eventually(async () => ((await fd.outbox.record(tagged.body.messageId))?.status === 'sent' ? true : undefined), 'tagged reply sent');
      expect(sentTo(psid).slice(before)[0]!.json).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Sorry for the wait — we can see you Monday.' } });

      clock.shiftMs = 8 * 24 * HOUR;
      const late = await staff('POST', `/tickets/${id}/reply`, { text: 'Are you still there?' });
      await eventually(async () => ((await fd.outbox.record(late.body.messageId))?.status === 'undeliverable' ? true : undefined), 'late reply refused');
      const thread = (await staff('GET', `/tickets/${id}`)).body.messages as { text: string; status?: string }[];
      expect(thread.at(-1)).toMatchObject({ text: 'Are you still there?', status: 'undeliverable' });
      expect(sentTo(psid).some((r) => r.json.message?.text === 'Are you still there?')).toBe(false);
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('an empty or oversized reply is a clear 400 and sends nothing', async () => {
    const { id } = await openTicket('7100000000000004');
    expect((await staff('POST', `/tickets/${id}/reply`, { text: '  ' })).status).toBe(400);
    expect((await staff('POST', `/tickets/${id}/reply`, { text: 'x'.repeat(2001) })).status).toBe(400);
    expect((await staff('POST', `/tickets/${id}/reply`, { message: 'wrong field' })).status).toBe(400);
  });

  it('a ticket is in the contact’s export, and erasing the contact erases its tickets and their threads', async () => {
    const { id, contactId } = await openTicket('7100000000000005');
    await staff('POST', `/tickets/${id}/reply`, { text: 'Private answer for this patient' });
    const exported = await staff('GET', `/facilities/${FACILITY}/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.tickets).toEqual([expect.objectContaining({ id, state: 'claimed' })]);
    expect(JSON.stringify(exported.body.tickets)).toContain('Private answer for this patient');
    expect((await staff('DELETE', `/facilities/${FACILITY}/contacts/${contactId}`)).status).toBe(200);
    expect((await staff('GET', `/tickets/${id}`)).status).toBe(404);
    expect(await fd.store.tickets.openFor(FACILITY, contactId)).toBeUndefined();
    expect(JSON.stringify(await fd.store.tickets.list(FACILITY))).not.toContain('Private answer for this patient');
  });
});
