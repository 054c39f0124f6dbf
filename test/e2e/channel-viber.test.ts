/**
 * Issue 5, check 4: Viber's lifecycle on the whole server — conversation_started answered with the welcome
 * in the response body (the one message Viber allows before a subscription), subscribe / unsubscribe, and
 * pushes that must not go to an unsubscribed user.
 * Payloads as https://creators.viber.com/docs/bots-api/events/conversation-started, …/user-subscribed and
 * …/user-unsubscribed show them.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import { eventually, FACILITY, postViber, SECRETS, viberText, useService } from '../support/frontdesk.js';

const svc = useService();

let token = 5_300_000_000_000;
const user = (id: string) => ({ id, name: 'Juan dela Cruz', avatar: 'https://example.org/a.jpg', country: 'PH', language: 'en', api_version: 10 });
const conversationStarted = (id: string, subscribed = false) => ({
  event: 'conversation_started',
  timestamp: Date.now(),
  chat_hostname: 'SN-CHAT-01_',
  message_token: (token += 1),
  type: 'open',
  context: 'from-website',
  user: user(id),
  subscribed,
});
const subscribed = (id: string) => ({ event: 'subscribed', timestamp: Date.now(), chat_hostname: 'SN-149_', user: user(id), message_token: (token += 1) });
const unsubscribed = (id: string) => ({ event: 'unsubscribed', timestamp: Date.now(), chat_hostname: 'SN-149_', user_id: id, message_token: (token += 1) });

const viberTo = (id: string) => svc.platforms.viber().filter((r) => r.json.receiver === id);
const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone);
const contactOf = (id: string) => svc.fd.store.contacts.byChannelUser(FACILITY, 'viber', id);

/** waits until the inbound event was processed and its replies reached final send records */
async function processed(id: string, messageToken: number): Promise<OutboundMessage[]> {
  const contact = await eventually(() => contactOf(id), `contact ${id}`);
  const turn = await eventually(async () => {
    const t = await svc.fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `viber:${messageToken}` ? t : undefined;
  }, `turn of viber:${messageToken}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => svc.fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

async function push(id: string, purpose: SendPurpose) {
  const contact = await contactOf(id);
  const msg: OutboundMessage = {
    id: `e2e-viber-${purpose}-${randomUUID()}`,
    facilityId: FACILITY,
    channel: 'viber',
    channelUserId: id,
    purpose,
    locale: 'en',
    reply: { text: 'Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.' },
    ...(contact ? { contactId: contact.id } : {}),
  };
  expect(await svc.fd.outbox.enqueue(msg)).toBe(true);
  return eventually(async () => {
    const r = await svc.fd.outbox.record(msg.id);
    return r && r.status !== 'queued' ? r : undefined;
  }, `record of ${msg.id}`);
}

async function undeliverableIds(): Promise<string[]> {
  const res = await fetch(`${svc.fd.base}/staff/v1/facilities/${FACILITY}/undeliverable`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

describe('Viber lifecycle', () => {
  it('conversation_started is answered with the welcome in the response body, and nothing goes through send_message', async () => {
    const id = 'convStartedUser1==';
    const body = conversationStarted(id);
    const res = await postViber(svc.fd.base, body);
    expect(res.status).toBe(200);
    const welcome = (await res.json()) as Record<string, any>;
    // the same parameters as a send_message request, without receiver
    expect(welcome).not.toHaveProperty('receiver');
    expect(welcome.type).toBe('text');
    expect(welcome.min_api_version).toBeGreaterThanOrEqual(1);
    expect(welcome.sender.name).toBe("St Luke's");
    expect(welcome.sender.name.length).toBeLessThanOrEqual(28);
    // soft: the rest of this test still says whether anything was sent besides the welcome
    expect.soft(welcome.text, 'the welcome names the clinic (locales need a welcome.viber text)').toContain("St. Luke's Clinic");

    await processed(id, body.message_token);
    // the user has not subscribed: Viber refuses send_message to them until they do or write
    expect.soft(viberTo(id).map((r) => r.json.text)).toEqual([]);
    expect((await contactOf(id))?.channels?.viber?.subscribed).toBe(false);
  });

  it('a conversation_started redelivered with the same message_token is answered again but processed once', async () => {
    const id = 'convStartedUser2==';
    const body = conversationStarted(id);
    const first = await postViber(svc.fd.base, body);
    expect(first.status).toBe(200);
    await processed(id, body.message_token);
    const again = await postViber(svc.fd.base, body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { type?: string }).type).toBe('text');
  });

  it('subscribed and unsubscribed update the contact; the user then writes and is answered', async () => {
    const id = 'subscriberUser01==';
    const sub = subscribed(id);
    expect((await postViber(svc.fd.base, sub)).status).toBe(200);
    await processed(id, sub.message_token);
    expect((await contactOf(id))?.channels?.viber).toMatchObject({ userId: id, subscribed: true });

    const unsub = unsubscribed(id);
    expect((await postViber(svc.fd.base, unsub)).status).toBe(200);
    await processed(id, unsub.message_token);
    expect((await contactOf(id))?.channels?.viber?.subscribed).toBe(false);
    expect(viberTo(id)).toHaveLength(0);

    // writing again re-subscribes (Viber: a message from the user subscribes them)
    const hi = viberText(id, 'hi', (token += 1));
    expect((await postViber(svc.fd.base, hi)).status).toBe(200);
    const replies = await processed(id, hi.message_token);
    expect(replies.length).toBeGreaterThan(0);
    expect((await contactOf(id))?.channels?.viber?.subscribed).toBe(true);
    expect(viberTo(id).length).toBeGreaterThan(0);
  });

  it('after unsubscribed, a reminder is not sent to Viber: no phone → recorded undeliverable and listed for staff', async () => {
    const id = 'unsubNoPhone01==';
    const hi = viberText(id, 'hi', (token += 1));
    expect((await postViber(svc.fd.base, hi)).status).toBe(200);
    await processed(id, hi.message_token);
    const unsub = unsubscribed(id);
    expect((await postViber(svc.fd.base, unsub)).status).toBe(200);
    await processed(id, unsub.message_token);
    const before = viberTo(id).length;

    for (const purpose of ['reminder', 'update'] as const) {
      const rec = await push(id, purpose);
      expect(rec).toMatchObject({ status: 'undeliverable', reason: 'not_subscribed', channel: 'viber' });
      expect(await undeliverableIds()).toContain(rec.id);
    }
    expect(viberTo(id).length).toBe(before);
  });

  it('after unsubscribed, a reminder goes by SMS when the contact has a phone', async () => {
    const id = 'unsubWithPhone01==';
    const phone = '+639178880001';
    const hi = viberText(id, 'hi', (token += 1));
    expect((await postViber(svc.fd.base, hi)).status).toBe(200);
    await processed(id, hi.message_token);
    const contact = (await contactOf(id))!;
    // the mobile number the patient typed while booking, as the flow records it on the contact
    await svc.fd.store.contacts.update(FACILITY, contact.id, (c) => ({ ...c, phone }));
    const unsub = unsubscribed(id);
    expect((await postViber(svc.fd.base, unsub)).status).toBe(200);
    await processed(id, unsub.message_token);
    const before = viberTo(id).length;

    const rec = await push(id, 'reminder');
    expect(viberTo(id).length).toBe(before);
    expect(rec).toMatchObject({ status: 'sent', channel: 'sms', fallbackFrom: 'viber' });
    expect(smsTo(phone).map((r) => r.form.Body)).toEqual(['Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.']);
  });
});

describe('the language of the patient’s Viber app (issue 12: localeHint reached no one)', () => {
  it('answers a new patient whose Viber runs in Bahasa Indonesia in Bahasa Indonesia, until they choose', async () => {
    const id = 'viber-lang-id-1';
    const body = { ...viberText(id, 'hi'), sender: { ...user(id), language: 'id' } };
    expect((await postViber(svc.fd.base, body)).status).toBe(200);
    await eventually(() => viberTo(id).length > 0, 'a reply');
    expect(String(viberTo(id)[0]!.json.text)).toMatch(/Selamat datang/);
    expect((await contactOf(id))?.locale).toBe('id');
  });

  it('keeps a language the patient chose over the hint', async () => {
    const id = 'viber-lang-chosen-1';
    expect((await postViber(svc.fd.base, { ...viberText(id, 'hi'), sender: { ...user(id), language: 'id' } })).status).toBe(200);
    await eventually(() => viberTo(id).length > 0, 'a reply');
    await svc.fd.store.contacts.update(FACILITY, (await contactOf(id))!.id, (c) => void (c.locale = 'en'));
    const before = viberTo(id).length;
    expect((await postViber(svc.fd.base, { ...viberText(id, 'hello'), sender: { ...user(id), language: 'fil' } })).status).toBe(200);
    await eventually(() => viberTo(id).length > before, 'the second reply');
    expect((await contactOf(id))?.locale).toBe('en');
  });
});
