/**
 * Issue 5, check 6 on the whole server: platform failures. A 429 with Retry-After then success is delivered
 * once; a 500 forever ends as a `failed` send record with its attempts counted, visible on /metrics, and the
 * server keeps answering.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../../src/core/domain.js';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import { SEND_ATTEMPTS } from '../../src/jobs/outbox.js';
import { eventually, FACILITY, messengerText, postMessenger, postViber, viberText, useService } from '../support/frontdesk.js';
import { json, type Captured } from '../support/http-server.js';

const svc = useService();

/** the recipient of a captured send, whatever the platform */
function recipientOf(r: Captured): string | undefined {
  if (r.url.startsWith('/twilio/')) return new URLSearchParams(r.body).get('To') ?? undefined;
  try {
    const body = JSON.parse(r.body) as { recipient?: { id?: string }; receiver?: string; sender_action?: string };
    if (body.sender_action) return undefined;
    return body.recipient?.id ?? body.receiver;
  } catch {
    return undefined;
  }
}
const sendsTo = (to: string) => svc.platforms.requests.filter((r) => recipientOf(r) === to);

async function push(channel: ChannelName, to: string, purpose: SendPurpose = 'update') {
  const contact = await svc.fd.store.contacts.byChannelUser(FACILITY, channel, to);
  const msg: OutboundMessage = {
    id: `e2e-fail-${channel}-${randomUUID()}`,
    facilityId: FACILITY,
    channel,
    channelUserId: to,
    purpose,
    locale: 'en',
    reply: { text: 'Your appointment was moved to Tuesday 10:00 AM.' },
    ...(contact ? { contactId: contact.id } : {}),
  };
  expect(await svc.fd.outbox.enqueue(msg)).toBe(true);
  return eventually(async () => {
    const r = await svc.fd.outbox.record(msg.id);
    return r && r.status !== 'queued' ? r : undefined;
  }, `record of ${msg.id}`, 2400);
}

/** a user who wrote in (so the platform's rules allow an update now), once every reply to them has settled */
async function knownUser(channel: 'messenger' | 'viber', id: string) {
  const hiM = messengerText(id, 'hi');
  const hiV = viberText(id, 'hi');
  const res = channel === 'messenger' ? await postMessenger(svc.fd.base, hiM) : await postViber(svc.fd.base, hiV);
  expect(res.status).toBe(200);
  const key = channel === 'messenger' ? `messenger:${hiM.entry[0]!.messaging[0]!.message.mid}` : `viber:${hiV.message_token}`;
  const contact = await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, channel, id), 'contact');
  const turn = await eventually(async () => {
    const t = await svc.fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === key ? t : undefined;
  }, 'turn done');
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => svc.fd.outbox.record(o.id)))).every((r) => r?.status === 'sent'), 'replies sent');
}

/** answers the first send to `to` with 429 + Retry-After (the platform's own error body), then lets the rest through */
function tooManyOnce(to: string, body: unknown) {
  let refused = 0;
  svc.platforms.respond((req, _n, res) => {
    if (recipientOf(req) !== to || refused > 0) return false;
    refused += 1;
    json(res, 429, body, { 'retry-after': '1' });
    return true;
  });
}

describe('429 with Retry-After, then success', () => {
  const cases: { channel: ChannelName; to: string; body: unknown }[] = [
    { channel: 'messenger', to: '9100000000000001', body: { error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613, fbtrace_id: 'Ax1' } } },
    { channel: 'viber', to: 'rateLimitedUser01==', body: { status: 12, status_message: 'tooManyRequests' } },
    { channel: 'sms', to: '+639171230429', body: { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 } },
  ];
  for (const c of cases) {
    it(`${c.channel}: delivered once, in two requests`, async () => {
      if (c.channel === 'messenger' || c.channel === 'viber') await knownUser(c.channel, c.to);
      const before = sendsTo(c.to).length;
      tooManyOnce(c.to, c.body);
      try {
        const rec = await push(c.channel, c.to);
        expect(rec).toMatchObject({ status: 'sent', channel: c.channel, attempts: 1 });
        expect(rec.platformMessageIds).toHaveLength(1);
        expect(sendsTo(c.to).length - before).toBe(2);
        const [first, second] = sendsTo(c.to).slice(before);
        expect(second!.body).toBe(first!.body);
      } finally {
        svc.platforms.respond(undefined);
      }
    });
  }
});

describe('500 forever', () => {
  it('ends as a failed send record with its attempts counted, on /metrics, and the server keeps answering', { timeout: 90_000 }, async () => {
    const phone = '+639171230500';
    svc.platforms.respond((req, _n, res) => {
      if (recipientOf(req) !== phone) return false;
      json(res, 500, { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
      return true;
    });
    try {
      const rec = await push('sms', phone, 'reminder');
      expect(rec).toMatchObject({ status: 'failed', channel: 'sms', attempts: SEND_ATTEMPTS });
      expect(rec.reason).toMatch(/500/);
      // every send attempt retried at HTTP level too: more requests than send attempts, none answered well
      expect(sendsTo(phone).length).toBeGreaterThan(SEND_ATTEMPTS);
      const metrics = await (await fetch(`${svc.fd.base}/metrics`)).text();
      expect(metrics).toMatch(/frontdesk_sends_total\{[^}]*channel="sms"[^}]*status="failed"[^}]*\} [1-9]/);
      expect((await fetch(`${svc.fd.base}/healthz`)).status).toBe(200);
      // and conversations go on
      const psid = '9100000000000500';
      expect((await postMessenger(svc.fd.base, messengerText(psid, 'hi'))).status).toBe(200);
      await eventually(() => sendsTo(psid).length > 0, 'a reply on another channel');
    } finally {
      svc.platforms.respond(undefined);
    }
  });
});
