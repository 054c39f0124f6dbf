/**
 * Issue 10: "delete my data" in chat. The patient confirms, gets the goodbye, and then (a durable job,
 * after the reply is out) everything held about them goes; an audit entry records it without the data.
 * The store is read with its own client afterwards: no name, phone or date of birth anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { eventually, FACILITY, staffCall, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';
import { rawScan } from '../store/raw-scan.js';
import { bookInChat, say } from './privacy-support.js';

let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
let shift = 0;
let storeUrl = '';

beforeAll(async () => {
  platforms = await startPlatforms();
  const config = testConfig({ platformsUrl: platforms.url });
  storeUrl = config.store;
  fd = await startFrontdesk(config, { now: () => new Date(Date.now() + shift) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const P = { name: 'Esperanza Villaflor', dob: '12/12/1966', phone: '0917 555 7713' };

describe('"delete my data" in chat', () => {
  it('asks once, answers, then erases everything held about the person; the hospital keeps its records', async () => {
    await bookInChat(fd.base, 'erase-me', P);
    const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'dev', 'erase-me'))!;
    const [appt] = await fd.store.appointments.byContact(FACILITY, contact.id);
    expect(appt).toBeTruthy();

    const asked = await say(fd.base, 'erase-me', { text: 'delete my data' });
    expect(asked.at(-1)!.text).toMatch(/Delete your data\?/);
    // "no" keeps everything
    expect((await say(fd.base, 'erase-me', { text: 'no' }))[0]!.text).toMatch(/nothing was deleted/);
    await say(fd.base, 'erase-me', { text: 'delete my data' });
    const done = await say(fd.base, 'erase-me', { text: 'yes' });
    expect(done.map((r) => r.text).join(' ')).toMatch(/will be deleted within a minute/);
    expect(await fd.store.contacts.get(FACILITY, contact.id)).toBeTruthy();

    shift = 60_000;
    // the erasure job's own record mentions the contact: it goes too, so wait for the effect
    await eventually(async () => (await fd.store.contacts.get(FACILITY, contact.id)) === undefined, 'contact erased', 800);
    expect(await fd.store.contacts.get(FACILITY, contact.id)).toBeUndefined();
    expect(await fd.store.contacts.byChannelUser(FACILITY, 'dev', 'erase-me')).toBeUndefined();
    const held = (await rawScan(storeUrl, 'fd')).map((e) => `${e.key} ${e.text}`).join('\n');
    for (const s of ['Esperanza', 'Villaflor', '+639175557713', '5557713', '1966-12-12']) expect(held, `store still holds ${s}`).not.toContain(s);

    // the hospital's appointment is untouched
    const atProvider = await staffCall(fd.base, 'GET', `/appointments?calendarId=${appt!.calendarId}`);
    expect((atProvider.body.appointments as { appointmentId: string; status: string; patient: { name: string } }[]).find((a) => a.appointmentId === appt!.appointmentId)).toMatchObject({ status: 'SCHEDULED', patient: { name: P.name } });
    const audit = await listAudit(fd.store, [FACILITY]);
    const entry = audit.find((a) => a.action === 'contact.erase' && a.actor === 'patient-in-chat');
    expect(entry).toMatchObject({ targets: { contactId: contact.id }, outcome: 'ok' });
    expect(JSON.stringify(entry)).not.toMatch(/Esperanza|5557713/);
  });
});
