import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './support/fake-provider.js';
import { FACILITY_ID, harness, inbound, tempSqliteUrl, texts, type Harness } from './support/harness.js';

let fake: FakeProvider;
const open: Harness[] = [];
async function until(ok: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const start = async (url: string, clock?: Harness['clock']) => {
  const h = await harness(url, fake, clock);
  open.push(h);
  return h;
};

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  fake.delayMs = 0;
  while (open.length) await open.pop()!.close();
});

const bookings = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/appointments');

describe('engine: one conversation turn per message', () => {
  it('answers each message once and books through the provider, recording contact and appointment', async () => {
    const h = await start(tempSqliteUrl());
    const user = 'patient-book';
    expect(texts(await h.engine.handle(inbound(user, { kind: 'start' })))).toEqual(['welcome#1']);
    expect(texts(await h.engine.handle(inbound(user, { text: 'Book', choiceId: 'book' })))).toEqual(['ask.name#2']);
    const slots = await h.engine.handle(inbound(user, { text: 'Maria Santos' }));
    expect(texts(slots)).toEqual(['pick.slot#3']);
    expect(slots[0]!.reply.choices?.map((c) => c.id)).toEqual(['slot:0', 'slot:1']);
    const before = bookings().length;
    const done = await h.engine.handle(inbound(user, { text: '1', choiceId: 'slot:0' }));
    expect(texts(done)).toEqual(['booking.confirmed#4']);
    expect(bookings().length).toBe(before + 1);

    const out = done[0]!;
    const contact = await h.store.contacts.byChannelUser(FACILITY_ID, 'dev', user);
    expect(out).toMatchObject({ channel: 'dev', channelUserId: user, purpose: 'response', locale: 'en', contactId: contact!.id });
    expect(out.id).toMatch(/^dev:m-.*:0$/);
    expect(contact).toMatchObject({ lastChannel: 'dev', channels: { dev: { userId: user } } });
    const appts = await h.store.appointments.byContact(FACILITY_ID, contact!.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]).toMatchObject({ source: 'bot', creationNoticeSent: true, contactId: contact!.id, start: '2031-03-03T09:00:00+08:00' });
    const [patient] = await h.store.patients.ofContact(FACILITY_ID, contact!.id);
    expect(patient).toMatchObject({ temporaryPatientIds: [appts[0]!.temporaryPatientId] });
    expect(appts[0]).toMatchObject({ patientRef: patient!.id, bookedBy: contact!.id });
    expect(h.delivered.map((d) => d.id)).toHaveLength(4);
  });

  it('handles two messages of one patient sent at once in order, one reply each', async () => {
    const h = await start(tempSqliteUrl());
    const user = 'patient-burst';
    await h.engine.handle(inbound(user, { kind: 'start' }));
    const [a, b] = await Promise.all([h.engine.handle(inbound(user, { text: 'hi' })), h.engine.handle(inbound(user, { text: 'hello' }))]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    // no lost update: each turn saw the other's saved snapshot
    expect([...texts(a), ...texts(b)].sort()).toEqual(['menu#2', 'menu#3']);
    expect(texts(h.delivered)).toEqual(['welcome#1', 'menu#2', 'menu#3']);
  });

  it('keeps arrival order while a turn waits on the provider', async () => {
    const h = await start(tempSqliteUrl());
    const user = 'patient-slow';
    await h.engine.handle(inbound(user, { text: 'Book', choiceId: 'book' }));
    fake.delayMs = 150;
    expect(await h.engine.accept(inbound(user, { text: 'Ana Cruz' }))).toBe(true);
    expect(await h.engine.accept(inbound(user, { text: '2', choiceId: 'slot:1' }))).toBe(true);
    await until(() => h.delivered.length === 3);
    expect(texts(h.delivered)).toEqual(['ask.name#1', 'pick.slot#2', 'booking.confirmed#3']);
    const contact = await h.store.contacts.byChannelUser(FACILITY_ID, 'dev', user);
    const appts = await h.store.appointments.byContact(FACILITY_ID, contact!.id);
    expect(appts.map((x) => x.start)).toEqual(['2031-03-03T09:30:00+08:00']);
  });

  it('processes a repeated platform message id once', async () => {
    const h = await start(tempSqliteUrl());
    const msg = inbound('patient-dup', { text: 'hi' });
    expect(texts(await h.engine.handle(msg))).toEqual(['menu#1']);
    expect(await h.engine.handle({ ...msg })).toEqual([]);
    expect(await h.engine.accept({ ...msg })).toBe(false);
    expect(texts(await h.engine.handle(inbound('patient-dup', { text: 'again' })))).toEqual(['menu#2']);
    expect(h.delivered).toHaveLength(2);
  });

  it('acknowledges and ignores a duplicate delivered while the first is being processed', async () => {
    const h = await start(tempSqliteUrl());
    await h.engine.handle(inbound('patient-redelivered', { choiceId: 'book', text: 'Book' }));
    fake.delayMs = 200;
    const msg = inbound('patient-redelivered', { text: 'Mia Santos' });
    const first = h.engine.handle(msg);
    await until(async () => (await h.queue.stats()).leased === 1);
    expect(await h.engine.accept({ ...msg })).toBe(false);
    expect(texts(await first)).toEqual(['pick.slot#2']);
    expect(await h.engine.accept({ ...msg })).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(texts(h.delivered)).toEqual(['ask.name#1', 'pick.slot#2']);
  });

  it('retries a turn that failed without waiting for another message', async () => {
    const h = await start(tempSqliteUrl());
    let failures = 1;
    h.failDeliver.on = () => failures-- > 0;
    await expect(h.engine.handle(inbound('patient-retried', { text: 'hi' }))).rejects.toThrow('outbox down');
    // nothing else arrives: the queue runs the turn again after its backoff
    await until(() => h.delivered.length === 1);
    expect(texts(h.delivered)).toEqual(['menu#1']);
    expect((await h.queue.stats()).depth).toBe(0);
  });

  it('resumes at the same step after a restart on the same store', async () => {
    const url = tempSqliteUrl();
    const first = await start(url);
    const user = 'patient-restart';
    expect(texts(await first.engine.handle(inbound(user, { choiceId: 'book', text: 'Book' })))).toEqual(['ask.name#1']);
    await first.close();
    open.splice(open.indexOf(first), 1);

    const second = await start(url);
    expect(texts(await second.engine.handle(inbound(user, { text: 'Jose Rizal' })))).toEqual(['pick.slot#2']);
  });

  it('finishes a turn interrupted between the provider booking and the outbox without booking twice', async () => {
    const url = tempSqliteUrl();
    const first = await start(url);
    const user = 'patient-crash';
    await first.engine.handle(inbound(user, { choiceId: 'book', text: 'Book' }));
    await first.engine.handle(inbound(user, { text: 'Luz Reyes' }));
    first.failDeliver.on = (msgs) => msgs.some((m) => m.reply.text.startsWith('booking.confirmed'));
    const before = bookings().length;
    await expect(first.engine.handle(inbound(user, { choiceId: 'slot:0', text: '1' }))).rejects.toThrow('outbox down');
    expect(bookings().length).toBe(before + 1);
    await first.close();
    open.splice(open.indexOf(first), 1);

    // the second process takes the failed turn from the queue by itself
    const second = await start(url);
    await until(() => second.delivered.length === 1);
    expect(texts(second.delivered)).toEqual(['booking.confirmed#3']);
    expect(second.delivered[0]!.id).toMatch(/^dev:m-.*:0$/);
    expect(bookings().length).toBe(before + 1);
    const contact = await second.store.contacts.byChannelUser(FACILITY_ID, 'dev', user);
    expect(await second.store.appointments.byContact(FACILITY_ID, contact!.id)).toHaveLength(1);
    // the conversation moved on: the next message is answered from the menu
    expect(texts(await second.engine.handle(inbound(user, { text: 'thanks' })))).toEqual(['menu#4']);
    expect((await second.queue.stats()).depth).toBe(0);
  });

  it('starts over politely after the facility idle time', async () => {
    const clock = { now: new Date('2031-03-01T01:00:00Z') };
    const h = await start(tempSqliteUrl(), clock);
    const user = 'patient-idle';
    await h.engine.handle(inbound(user, { choiceId: 'book', text: 'Book' }));
    clock.now = new Date(clock.now.getTime() + 30 * 60_000);
    expect(texts(await h.engine.handle(inbound(user, { text: 'Pia' })))).toEqual(['pick.slot#2']);
    clock.now = new Date(clock.now.getTime() + 61 * 60_000);
    expect(texts(await h.engine.handle(inbound(user, { text: 'anything' })))).toEqual(['session.reset#', 'menu#1']);
    // idle from the menu: nothing to apologise for
    clock.now = new Date(clock.now.getTime() + 61 * 60_000);
    expect(texts(await h.engine.handle(inbound(user, { text: 'hello' })))).toEqual(['menu#1']);
  });
});

describe('engine: events that are not conversation messages', () => {
  it('records SMS opt-out and opt-in, and knows an SMS sender’s phone', async () => {
    const h = await start(tempSqliteUrl());
    const phone = '+639171112222';
    expect(await h.engine.handle(inbound(phone, { channel: 'sms', kind: 'opt_out', text: 'STOP' }))).toEqual([]);
    let c = await h.store.contacts.byChannelUser(FACILITY_ID, 'sms', phone);
    expect(c).toMatchObject({ phone, channels: { sms: { userId: phone, optedOut: true } } });
    await h.engine.handle(inbound(phone, { channel: 'sms', kind: 'opt_in', text: 'START' }));
    c = await h.store.contacts.get(FACILITY_ID, c!.id);
    expect(c!.channels?.sms!.optedOut).toBe(false);
    expect(h.delivered).toEqual([]);
  });

  it('records Viber subscription changes', async () => {
    const h = await start(tempSqliteUrl());
    const user = 'viber-user-1';
    await h.engine.handle(inbound(user, { channel: 'viber', kind: 'subscribed' }));
    expect((await h.store.contacts.byChannelUser(FACILITY_ID, 'viber', user))!.channels?.viber).toMatchObject({ userId: user, subscribed: true });
    await h.engine.handle(inbound(user, { channel: 'viber', kind: 'unsubscribed' }));
    expect((await h.store.contacts.byChannelUser(FACILITY_ID, 'viber', user))!.channels?.viber!.subscribed).toBe(false);
    expect(h.delivered).toEqual([]);
  });

  it('answers help without moving the conversation', async () => {
    const h = await start(tempSqliteUrl());
    const user = '+639173334444';
    await h.engine.handle(inbound(user, { channel: 'sms', choiceId: 'book', text: 'Book' }));
    expect(texts(await h.engine.handle(inbound(user, { channel: 'sms', kind: 'help', text: 'HELP' })))).toEqual(['helpSms.keywordNoContact#']);
    expect(texts(await h.engine.handle(inbound(user, { channel: 'sms', text: 'Ramon' })))).toEqual(['pick.slot#2']);
  });
});
