/**
 * Issue 14, red flags, on the whole server over Messenger's real webhook: an emergency phrase in English,
 * Filipino or Bahasa Indonesia, typed mid-booking or while staff hold the chat, gets the facility's
 * emergency line and the national number at once, opens (or marks) an urgent ticket with the message in its
 * thread, and ends the booking; a phrase that only sounds like one ("chest x-ray") books as usual. The log
 * names the category, never the words.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontdesk } from '../../src/app.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { createLogger } from '../../src/log.js';
import { FACILITY, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';
import { sayAndSettle } from './messenger-chat.js';

const TOKEN = 'nurse-joy-staff-token-01';
const EMERGENCY_LINE = '+63 2 8789 7700';
const logLines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});

let platforms: Platforms;
let fd: Awaited<ReturnType<typeof createFrontdesk>>;
let base: string;

beforeAll(async () => {
  platforms = await startPlatforms();
  const config = testConfig({
    platformsUrl: platforms.url,
    facility: { emergency: { phone: EMERGENCY_LINE } },
    extra: { staff: [{ name: 'Nurse Joy', token: TOKEN, facilities: [FACILITY] }] },
  });
  fd = await createFrontdesk({ config, logger: createLogger({ level: 'trace' }, sink), pollMs: 20 });
  base = await fd.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const staff = async (method: string, path: string) => {
  const res = await fetch(`${base}/staff/v1${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

/** posts a Messenger message (a tapped choice when `choiceId`) and waits until its turn was applied and its replies settled */
const say = (psid: string, text: string, choiceId?: string): Promise<OutboundMessage[]> => sayAndSettle(fd, base, psid, text, choiceId ? { quickReply: choiceId } : {});

const texts = (out: OutboundMessage[]) => out.map((o) => o.reply.text).join('\n');
const choiceIds = (out: OutboundMessage[]) => out.flatMap((o) => o.reply.choices ?? []).map((c) => c.id);
const choiceLike = (out: OutboundMessage[], prefix: string) => {
  const id = choiceIds(out).find((c) => c.startsWith(prefix) && c !== 'date:more');
  if (!id) throw new Error(`no ${prefix} choice in: ${texts(out)}`);
  return id;
};
const contactOf = async (psid: string) => (await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;

/** from the first message to the question for the patient's full name */
async function startBooking(psid: string): Promise<void> {
  await say(psid, 'hi');
  expect(texts(await say(psid, 'Book an appointment', 'menu:book'))).toMatch(/data privacy/);
  expect(texts(await say(psid, 'I agree', 'ans:yes'))).toMatch(/full name/);
}

/** the booking must not go on: the next message is met by the menu, not by the next booking question */
async function expectBookingStopped(psid: string, typed: string): Promise<void> {
  const next = await say(psid, typed);
  expect(texts(next)).not.toMatch(/date of birth|mobile number/i);
  expect(choiceIds(next)).toContain('menu:book');
}

describe('red flags', () => {
  it('en, mid-booking: the emergency numbers at once, an urgent ticket with the message, and the booking ended', async () => {
    const psid = '7200000000000001';
    await startBooking(psid);
    const out = await say(psid, "My chest pain is getting worse and I can't breathe");
    expect(out).toHaveLength(1);
    expect(out[0]!.locale).toBe('en');
    expect(out[0]!.reply.text).toMatch(/emergency/);
    expect(out[0]!.reply.text).toContain(EMERGENCY_LINE);
    expect(out[0]!.reply.text).toContain('911');

    const ticket = (await fd.store.tickets.openFor(FACILITY, (await contactOf(psid)).id))!;
    expect(ticket).toMatchObject({ state: 'waiting', urgent: true, reason: 'red_flag', redFlag: 'chest_pain' });
    expect(ticket.messages.map((m) => [m.from, m.text])).toEqual([
      ['patient', "My chest pain is getting worse and I can't breathe"],
      ['bot', out[0]!.reply.text],
    ]);
    const listed = await staff('GET', `/tickets?facilityId=${FACILITY}`);
    expect(listed.body.tickets.find((t: { id: string }) => t.id === ticket.id)).toMatchObject({ urgent: true, reason: 'red_flag' });

    await expectBookingStopped(psid, 'Maria Santos');
    // the log says what happened, by category; the words stay out of it
    const log = logLines.join('');
    expect(log).toContain('"category":"chest_pain"');
    expect(log).not.toMatch(/chest pain is getting worse/i);
  });

  it('fil, mid-booking: answered in Filipino, the ticket urgent for breathing', async () => {
    const psid = '7200000000000002';
    await startBooking(psid);
    const out = await say(psid, 'Tulong po, hindi makahinga ang tatay ko');
    expect(out).toHaveLength(1);
    expect(out[0]!.locale).toBe('fil');
    expect(out[0]!.reply.text).toMatch(/^Maaaring emergency po ito/);
    expect(out[0]!.reply.text).toContain(EMERGENCY_LINE);
    expect(out[0]!.reply.text).toContain('911');
    expect(await fd.store.tickets.openFor(FACILITY, (await contactOf(psid)).id)).toMatchObject({ urgent: true, reason: 'red_flag', redFlag: 'breathing' });
    const next = await say(psid, 'Jose Rizal');
    expect(texts(next)).not.toMatch(/date of birth|petsa ng kapanganakan/i);
  });

  it('id, mid-booking: answered in Bahasa Indonesia, the ticket urgent', async () => {
    const psid = '7200000000000003';
    await startBooking(psid);
    const out = await say(psid, 'ibu saya pingsan');
    expect(out).toHaveLength(1);
    expect(out[0]!.locale).toBe('id');
    expect(out[0]!.reply.text).toMatch(/^Ini mungkin keadaan darurat/);
    expect(out[0]!.reply.text).toContain('911');
    expect(await fd.store.tickets.openFor(FACILITY, (await contactOf(psid)).id)).toMatchObject({ urgent: true, redFlag: 'unconscious' });
    const next = await say(psid, 'Siti Rahayu');
    expect(texts(next)).not.toMatch(/date of birth|tanggal lahir/i);
  });

  it('while staff hold the chat: the bot still sends the numbers, the claimed ticket turns urgent and comes first', async () => {
    const psid = '7200000000000004';
    await say(psid, 'hi');
    await say(psid, 'Talk to staff', 'menu:staff');
    const contactId = (await contactOf(psid)).id;
    const open = (await fd.store.tickets.openFor(FACILITY, contactId))!;
    expect(open).toMatchObject({ reason: 'patient_request' });
    expect(open.urgent).toBeUndefined();
    expect((await staff('POST', `/tickets/${open.id}/claim`)).status).toBe(200);
    expect(await say(psid, 'are you there?')).toEqual([]);

    const out = await say(psid, 'I want to die');
    expect(out).toHaveLength(1);
    expect(out[0]!.reply.text).toContain(EMERGENCY_LINE);
    const ticket = (await fd.store.tickets.get(FACILITY, open.id))!;
    expect(ticket).toMatchObject({ state: 'claimed', claimedBy: 'Nurse Joy', urgent: true, reason: 'red_flag', redFlag: 'suicide' });
    expect(ticket.messages.slice(-2).map((m) => [m.from, m.text])).toEqual([
      ['patient', 'I want to die'],
      ['bot', out[0]!.reply.text],
    ]);
    // held: anything else still waits for staff
    expect(await say(psid, 'hello?')).toEqual([]);

    // a calm ticket changed after it is listed after every urgent one
    await say('7200000000000006', 'hi');
    await say('7200000000000006', 'Talk to staff', 'menu:staff');
    const listed = (await staff('GET', `/tickets?facilityId=${FACILITY}`)).body.tickets as { id: string; urgent: boolean }[];
    const firstCalm = listed.findIndex((t) => !t.urgent);
    expect(firstCalm).toBeGreaterThan(0);
    expect(listed.slice(firstCalm).some((t) => t.urgent)).toBe(false);
    expect(listed.slice(0, firstCalm).map((t) => t.id)).toContain(open.id);
  });

  it('"chest x-ray appointment" is no emergency: it books as usual, and no ticket is opened', async () => {
    const psid = '7200000000000005';
    await say(psid, 'hi');
    expect(texts(await say(psid, 'I would like to book a chest x-ray appointment'))).toMatch(/data privacy/);
    expect(texts(await say(psid, 'I agree', 'ans:yes'))).toMatch(/full name/);
    expect(texts(await say(psid, 'Corazon Villanueva'))).toMatch(/date of birth/);
    expect(texts(await say(psid, '2 March 1975'))).toMatch(/mobile number/);
    expect(texts(await say(psid, '0917 555 0199'))).toMatch(/6-digit code/);
    await say(psid, 'Skip', 'verify:skip');
    expect(texts(await say(psid, 'Female', 'gender:female'))).toMatch(/Which doctor/);
    const dates = await say(psid, 'Dr', 'cal:201');
    const slots = await say(psid, 'date', choiceLike(dates, 'date:'));
    const summary = await say(psid, 'time', choiceLike(slots, 'slot:'));
    // the summary's confirm names the slot it confirms (flows/replay.ts)
    const yes = choiceLike(summary, 'ans:book:');
    expect(texts(await say(psid, 'Yes, book it', yes))).toMatch(/You're booked!/);
    const contactId = (await contactOf(psid)).id;
    expect(await fd.store.tickets.openFor(FACILITY, contactId)).toBeUndefined();
    expect(await fd.store.appointments.byContact(FACILITY, contactId)).toHaveLength(1);
  });
});
