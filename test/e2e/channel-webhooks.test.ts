/**
 * Issue 5, check 2, on the whole server: duplicate deliveries, refused signatures, malformed bodies and
 * unknown pages / bots / numbers, for Viber and SMS (Messenger's own basics are in messenger-webhook.test.ts;
 * here only its concurrent redelivery).
 */
import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { eventually, FACILITY, messengerText, postMessenger, postSms, postViber, PUBLIC_URL, SMS_FROM, smsParams, twilioSignature, viberSignature, viberText, useService } from '../support/frontdesk.js';

const svc = useService();

/** waits until inbound `messageId` was processed and its replies reached final send records */
async function turnSettled(channel: ChannelName, userId: string, messageId: string): Promise<OutboundMessage[]> {
  const contact = await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, channel, userId), `contact ${channel}:${userId}`);
  const turn = await eventually(async () => {
    const t = await svc.fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `${channel}:${messageId}` ? t : undefined;
  }, `turn of ${channel}:${messageId}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => svc.fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${svc.fd.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const viberTo = (id: string) => svc.platforms.viber().filter((r) => r.json.receiver === id);
const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone);
const graphTo = (psid: string) => svc.platforms.graph().filter((r) => r.json.recipient?.id === psid && !r.json.sender_action);

describe('duplicate deliveries get one reply', () => {
  it('Viber: the same message_token delivered again is acknowledged and not processed again', async () => {
    const user = 'dupViberUser01==';
    const first = viberText(user, 'hi', 5_200_000_000_001);
    expect((await postViber(svc.fd.base, first)).status).toBe(200);
    await turnSettled('viber', user, String(first.message_token));
    const afterFirst = viberTo(user).length;
    expect(afterFirst).toBeGreaterThan(0);
    const dupsBefore = await metric('frontdesk_inbound_events_total', { channel: 'viber', result: 'duplicate' });

    expect((await postViber(svc.fd.base, { ...first, timestamp: first.timestamp + 5000 })).status).toBe(200);
    expect(await metric('frontdesk_inbound_events_total', { channel: 'viber', result: 'duplicate' })).toBe(dupsBefore + 1);

    // a later message of the same user is processed after anything accepted before it (arrival order)
    const marker = viberText(user, 'menu', 5_200_000_000_002);
    expect((await postViber(svc.fd.base, marker)).status).toBe(200);
    const markerReplies = await turnSettled('viber', user, String(marker.message_token));
    const after = viberTo(user).slice(afterFirst);
    expect(after).toHaveLength(markerReplies.length);
    expect(after.map((r) => r.json.text)).toEqual(markerReplies.map((m) => m.reply.text));
  });

  it('SMS: the same MessageSid delivered again is acknowledged and not processed again', async () => {
    const phone = '+639175550199';
    const first = smsParams(phone, 'Hello', 'SM0000000000000000000000000000dup1');
    expect((await postSms(svc.fd.base, first)).status).toBe(200);
    await turnSettled('sms', phone, first.MessageSid);
    const afterFirst = smsTo(phone).length;
    expect(afterFirst).toBeGreaterThan(0);

    expect((await postSms(svc.fd.base, first)).status).toBe(200);
    const marker = smsParams(phone, 'menu');
    expect((await postSms(svc.fd.base, marker)).status).toBe(200);
    const markerReplies = await turnSettled('sms', phone, marker.MessageSid);
    const after = smsTo(phone).slice(afterFirst);
    expect(after).toHaveLength(markerReplies.length);
  });

  it('Messenger: the same mid delivered twice at once yields one reply', async () => {
    const psid = '7000000000000001';
    const body = messengerText(psid, 'hi', { mid: 'm_concurrent_dup_1' });
    const [a, b] = await Promise.all([postMessenger(svc.fd.base, body), postMessenger(svc.fd.base, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const firstReplies = await turnSettled('messenger', psid, 'm_concurrent_dup_1');
    const afterFirst = graphTo(psid).length;
    const marker = messengerText(psid, 'menu', { mid: 'm_concurrent_dup_marker' });
    expect((await postMessenger(svc.fd.base, marker)).status).toBe(200);
    const markerReplies = await turnSettled('messenger', psid, 'm_concurrent_dup_marker');
    expect(afterFirst).toBe(firstReplies.length);
    expect(graphTo(psid)).toHaveLength(firstReplies.length + markerReplies.length);
  });
});

describe('refused signatures change nothing and never echo the body', () => {
  it('Viber: a wrong, missing or other-token signature is 401 and no contact is created', async () => {
    const user = 'badSigViberUser==';
    const body = viberText(user, 'my secret words');
    const text = JSON.stringify(body);
    const before = svc.platforms.requests.length;
    for (const sig of ['0'.repeat(64), '', viberSignature(text, 'another-bots-token'), viberSignature(`${text} `)]) {
      const res = await fetch(`${svc.fd.base}/webhooks/viber/${FACILITY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sig ? { 'x-viber-content-signature': sig } : {}) },
        body: text,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect(await res.text()).not.toContain('my secret words');
    }
    // the signature covers the raw bytes: the same JSON re-serialized with other spacing fails too
    const spaced = JSON.stringify(body, null, 2);
    const res = await fetch(`${svc.fd.base}/webhooks/viber/${FACILITY}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignature(text) }, body: spaced });
    expect(res.status).toBe(401);
    // a valid request afterwards is processed: refusals left no trace, the server is fine
    const ok = viberText('goodSigViberUser==', 'hi');
    expect((await postViber(svc.fd.base, ok)).status).toBe(200);
    await turnSettled('viber', 'goodSigViberUser==', String(ok.message_token));
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'viber', user)).toBeUndefined();
    expect(svc.platforms.requests.slice(before).some((r) => r.body.includes(user))).toBe(false);
  });

  it('SMS: a wrong, missing or other-account signature is 401 and no contact is created', async () => {
    const phone = '+639175550111';
    const params = smsParams(phone, 'my secret words');
    const url = `${PUBLIC_URL}/webhooks/sms`;
    for (const sig of ['bm90IGEgc2lnbmF0dXJl', '', twilioSignature(url, params, 'another-account-token'), twilioSignature(url, { ...params, Body: 'other words' })]) {
      const res = await postSms(svc.fd.base, params, '/webhooks/sms', sig);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('my secret words');
    }
    const ok = smsParams('+639175550112', 'Hi');
    expect((await postSms(svc.fd.base, ok)).status).toBe(200);
    await turnSettled('sms', '+639175550112', ok.MessageSid);
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone)).toBeUndefined();
    expect(await svc.fd.store.contacts.byVerifiedPhone(FACILITY, phone)).toBeUndefined();
    expect(smsTo(phone)).toHaveLength(0);
  });
});

describe('malformed bodies are 400 with a JSON error', () => {
  it('Viber: not JSON, not an object, or a known event missing its fields', async () => {
    for (const text of ['{"event":"message",', '[1,2,3]', JSON.stringify({ event: 'message', timestamp: Date.now(), message_token: 1 })]) {
      const res = await fetch(`${svc.fd.base}/webhooks/viber/${FACILITY}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignature(text) }, body: text });
      expect(res.status, text).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'bad_request' });
    }
  });

  it('SMS: a signed form without MessageSid, or a JSON body', async () => {
    const { MessageSid: _m, SmsMessageSid: _s, SmsSid: _ss, ...noSid } = smsParams('+639175550113', 'hi');
    const res = await postSms(svc.fd.base, noSid);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request' });
    const asJson = await fetch(`${svc.fd.base}/webhooks/sms`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': 'x' }, body: JSON.stringify({ To: SMS_FROM }) });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toMatchObject({ error: 'bad_request' });
  });
});

describe('unknown bots and numbers are answered like a bad signature (401, same body): they cannot be authenticated', () => {
  it('Viber: a facility route with no bot', async () => {
    const res = await postViber(svc.fd.base, viberText('someone==', 'hi'), undefined, 'no-such-clinic');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_signature' });
  });

  it('SMS: a To number no facility serves (and a status callback from one)', async () => {
    const params = { ...smsParams('+639175550114', 'hi'), To: '+639170009999' };
    const res = await postSms(svc.fd.base, params);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_signature' });
    const status = { MessageSid: 'SM1', MessageStatus: 'delivered', From: '+639170009999', To: '+639175550114', AccountSid: 'AC1', ApiVersion: '2010-04-01', SmsSid: 'SM1', SmsStatus: 'delivered' };
    expect((await postSms(svc.fd.base, status, '/webhooks/sms/status')).status).toBe(401);
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', '+639175550114')).toBeUndefined();
  });
});
