import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/messages.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { SECRETS, startFrontdesk, startPlatforms, testConfig, type Platforms, devSay } from '../support/frontdesk.js';

let platforms: Platforms;
let sandbox: Sandbox;
let sandboxServer: { close(cb: () => void): void; closeAllConnections(): void };
let fd: Awaited<ReturnType<typeof startFrontdesk>>;

beforeAll(async () => {
  platforms = await startPlatforms();
  // a provider without PUT /appointments/:id/confirm
  sandbox = createSandbox({ facilities: [{ id: 'st-lukes', timezone: 'Asia/Manila', userId: 'st-lukes', apiKey: 'st-lukes-key', supportsConfirm: false }] });
  const server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  sandboxServer = server;
  const { port } = server.address() as { port: number };
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, sandbox: false, providerBaseUrl: `http://127.0.0.1:${port}/sandbox/st-lukes/api/v1` }));
});
afterAll(async () => {
  await fd?.close();
  await sandbox?.stop();
  sandboxServer?.closeAllConnections();
  await new Promise<void>((r) => sandboxServer?.close(() => r()));
  await platforms?.close();
});

const say = (userId: string, input: { text?: string; choiceId?: string }): Promise<Reply[]> => devSay(fd.base, userId, input, { facilityId: 'st-lukes' });
const pick = (r: Reply[], prefix: string) => r.at(-1)!.choices!.find((c) => c.id.startsWith(prefix))!.id;
const attention = async () => {
  const res = await fetch(`${fd.base}/staff/v1/facilities/st-lukes/attention`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { kind: string; contactId: string; reason?: string; appointmentId?: string }[] }).items;
};

describe('what staff must act on', () => {
  it('is behind the staff token', async () => {
    expect((await fetch(`${fd.base}/staff/v1/facilities/st-lukes/attention`)).status).toBe(401);
    expect((await fetch(`${fd.base}/staff/v1/facilities/nowhere/attention`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } })).status).toBe(404);
  });

  it('a patient asking for a person is listed as a handoff', async () => {
    await say('att-1', { text: 'hi' });
    await say('att-1', { choiceId: 'menu:staff' });
    const contact = await fd.store.contacts.byChannelUser('st-lukes', 'dev', 'att-1');
    const items = await attention();
    expect(items).toContainEqual(expect.objectContaining({ kind: 'handoff', contactId: contact!.id, reason: 'patient_request' }));
  });

  it('a reminder confirmed where the provider has no confirm endpoint is kept as CONFIRMED here and flagged for staff, never shown as an error', async () => {
    const user = 'att-2';
    await say(user, { text: 'hi' });
    await say(user, { choiceId: 'menu:book' });
    await say(user, { choiceId: 'ans:yes' });
    await say(user, { text: 'Lorna Bautista' });
    await say(user, { text: '02/02/1980' });
    await say(user, { text: '0917 222 3344' });
    await say(user, { choiceId: 'verify:skip' });
    await say(user, { choiceId: 'gender:female' });
    const dates = await say(user, { choiceId: 'cal:201' });
    const slots = await say(user, { choiceId: pick(dates, 'date:') });
    await say(user, { choiceId: pick(slots, 'slot:2') });
    const booked = await say(user, { choiceId: 'ans:yes' });
    expect(booked[0]!.text).toMatch(/booked/i);
    const contact = await fd.store.contacts.byChannelUser('st-lukes', 'dev', user);
    const [appt] = await fd.store.appointments.byContact('st-lukes', contact!.id);

    const thanks = await say(user, { choiceId: `rem:confirm:${appt!.appointmentId}` });
    expect(thanks.map((r) => r.text).join(' ')).toMatch(/thank/i);
    expect(thanks.map((r) => r.text).join(' ')).not.toMatch(/sorry|error|couldn't/i);
    expect(await fd.store.appointments.get('st-lukes', appt!.appointmentId)).toMatchObject({ status: 'CONFIRMED', confirmedLocally: true });
    expect(await attention()).toContainEqual(expect.objectContaining({ kind: 'confirmed_locally', appointmentId: appt!.appointmentId, contactId: contact!.id }));
  });
});
