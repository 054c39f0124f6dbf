/**
 * Issue 5, check 3: Twilio SMS on the whole server — signatures behind a proxy, opt-out keywords as Twilio
 * applies them, HELP, status callbacks, and error 21610.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findOptOutInstructions } from '../../channels/sms/index.js';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import { eventually, FACILITY, postSms, PUBLIC_URL, SECRETS, SMS_FROM, smsParams, twilioSignature, useService } from '../support/frontdesk.js';
import { json } from '../support/http-server.js';

const svc = useService();

const smsTo = (phone: string) => svc.platforms.twilio().filter((r) => r.form.To === phone);

/** posts an SMS and waits until the engine processed it and its replies reached final send records */
async function text(phone: string, body: string): Promise<OutboundMessage[]> {
  const params = smsParams(phone, body);
  const res = await postSms(svc.fd.base, params);
  expect(res.status).toBe(200);
  // Twilio wants TwiML (or nothing) back; an empty <Response/> sends no extra message
  expect(res.headers.get('content-type')).toMatch(/text\/xml/);
  expect(await res.text()).toContain('<Response></Response>');
  const contact = await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone), `contact ${phone}`);
  const turn = await eventually(async () => {
    const t = await svc.fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `sms:${params.MessageSid}` ? t : undefined;
  }, `turn of ${body}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => svc.fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

/** a message pushed to the patient (as reminders, appointment updates and broadcasts are), and its final record */
async function push(phone: string, purpose: SendPurpose, body = 'Reminder: your appointment is tomorrow at 9:00 AM.') {
  const contact = await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone);
  const msg: OutboundMessage = {
    id: `e2e-${purpose}-${randomUUID()}`,
    facilityId: FACILITY,
    channel: 'sms',
    channelUserId: phone,
    purpose,
    locale: 'en',
    reply: { text: body },
    ...(contact ? { contactId: contact.id } : {}),
  };
  expect(await svc.fd.outbox.enqueue(msg)).toBe(true);
  return eventually(async () => {
    const r = await svc.fd.outbox.record(msg.id);
    return r && r.status !== 'queued' ? r : undefined;
  }, `record of ${msg.id}`);
}

const optedOut = async (phone: string) => (await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone))?.channels?.sms?.optedOut;

describe('Twilio behind a proxy', () => {
  it('accepts a request signed for publicUrl + path and refuses one signed for the internal URL', async () => {
    const params = smsParams('+639171110001', 'Hi');
    const internal = await postSms(svc.fd.base, params, '/webhooks/sms', twilioSignature(`${svc.fd.base}/webhooks/sms`, params));
    expect(internal.status).toBe(401);
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', '+639171110001')).toBeUndefined();
    const viaProxy = await postSms(svc.fd.base, params, '/webhooks/sms', twilioSignature(`${PUBLIC_URL}/webhooks/sms`, params));
    expect(viaProxy.status).toBe(200);
    await eventually(() => smsTo('+639171110001').length > 0, 'a reply to the proxied request');
  });
});

describe('opt-out keywords', () => {
  it.each(['STOP', 'stop', 'Cancel', ' unsubscribe ', 'StopAll', 'END', 'quit', 'REVOKE', 'optout'])('"%s" opts the number out; reminders and broadcasts are then never sent', async (word) => {
    const phone = `+6391722${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    await text(phone, 'Hi');
    expect(await optedOut(phone)).toBe(false);
    const before = smsTo(phone).length;
    const replies = await text(phone, word);
    // Twilio itself answers the keyword; we send nothing
    expect(replies).toEqual([]);
    expect(await optedOut(phone)).toBe(true);
    for (const purpose of ['reminder', 'update', 'broadcast'] as const) {
      const rec = await push(phone, purpose);
      expect(rec).toMatchObject({ status: 'undeliverable', reason: 'opted_out' });
    }
    expect(smsTo(phone).length).toBe(before);
    const listed = await fetch(`${svc.fd.base}/staff/v1/facilities/${FACILITY}/undeliverable`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
    expect(listed.status).toBe(200);
    const items = ((await listed.json()) as { items: { contactId?: string; reason: string }[] }).items;
    const contact = await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone);
    expect(items.filter((i) => i.contactId === contact!.id)).toHaveLength(3);
  });

  it('a sentence that merely contains STOP is an ordinary message, not an opt-out', async () => {
    const phone = '+639171110003';
    await text(phone, 'Hi');
    await text(phone, 'please stop the reminders for my son');
    expect(await optedOut(phone)).toBe(false);
  });

  it('START (or YES, UNSTOP) opts the number back in and updates flow again', async () => {
    for (const word of ['START', 'yes', 'Unstop']) {
      const phone = `+6391733${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      await text(phone, 'Hi');
      await text(phone, 'STOP');
      expect(await optedOut(phone)).toBe(true);
      await text(phone, word);
      expect(await optedOut(phone), word).toBe(false);
      const before = smsTo(phone).length;
      const rec = await push(phone, 'reminder');
      expect(rec).toMatchObject({ status: 'sent', channel: 'sms' });
      expect(smsTo(phone).slice(before).map((r) => r.form.Body)).toEqual(['Reminder: your appointment is tomorrow at 9:00 AM.']);
    }
  });
});

describe('HELP and the wording of SMS prompts', () => {
  it('HELP (or INFO) answers with the clinic name and how to reach staff, without inviting an opt-out word', async () => {
    for (const word of ['HELP', 'info']) {
      const phone = `+6391744${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      const before = smsTo(phone).length;
      const replies = await text(phone, word);
      expect(replies.length).toBeGreaterThan(0);
      const bodies = smsTo(phone).slice(before).map((r) => r.form.Body!);
      const all = bodies.join('\n');
      expect(all).toContain("St. Luke's Clinic");
      expect(all).toContain('+63 2 8123 4567');
      for (const b of bodies) expect(findOptOutInstructions(b), b).toEqual([]);
    }
  });

  it('no SMS we send in a conversation asks the patient to type an opt-out word', async () => {
    const phone = '+639171110005';
    const before = smsTo(phone).length;
    // greeting, menu, the cancel path (where "reply CANCEL" would be the tempting wording), stopping a step, asking what the bot can do
    for (const said of ['Hi', '4', 'menu', '1', 'never mind', 'what can you do', 'staff']) await text(phone, said);
    const bodies = smsTo(phone).slice(before).map((r) => r.form.Body!);
    expect(bodies.length).toBeGreaterThan(5);
    for (const b of bodies) expect(findOptOutInstructions(b), b).toEqual([]);
  });
});

describe('status callbacks and Twilio errors', () => {
  it('every MessageStatus Twilio posts updates the send record', async () => {
    const phone = '+639171110006';
    await text(phone, 'Hi');
    const rec = await push(phone, 'update', 'Your appointment was moved to Tuesday 10:00 AM.');
    expect(rec.status).toBe('sent');
    const sid = rec.platformMessageIds[0]!;
    expect(sid).toMatch(/^SM/);
    // Twilio posts no callback for the initial status (queued): https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
    for (const status of ['sent', 'delivered', 'undelivered', 'failed', 'read']) {
      const params: Record<string, string> = {
        SmsSid: sid,
        SmsStatus: status,
        MessageStatus: status,
        To: phone,
        MessageSid: sid,
        AccountSid: SECRETS.twilioSid,
        From: SMS_FROM,
        ApiVersion: '2010-04-01',
        ...(status === 'undelivered' || status === 'failed' ? { ErrorCode: '30003' } : {}),
      };
      const res = await postSms(svc.fd.base, params, '/webhooks/sms/status');
      expect(res.status, status).toBe(200);
      await eventually(async () => (await svc.fd.outbox.record(rec.id))?.deliveryStatus === status, `deliveryStatus ${status}`);
    }
    expect(await svc.fd.outbox.record(rec.id)).toMatchObject({ status: 'sent', deliveryStatus: 'read', deliveryErrorCode: '30003' });
  });

  it('a status callback signed for the internal URL is refused and changes nothing', async () => {
    const phone = '+639171110007';
    await text(phone, 'Hi');
    const rec = await push(phone, 'update');
    const sid = rec.platformMessageIds[0]!;
    const params = { MessageSid: sid, MessageStatus: 'failed', SmsSid: sid, SmsStatus: 'failed', From: SMS_FROM, To: phone, AccountSid: SECRETS.twilioSid, ApiVersion: '2010-04-01' };
    const res = await postSms(svc.fd.base, params, '/webhooks/sms/status', twilioSignature(`${svc.fd.base}/webhooks/sms/status`, params));
    expect(res.status).toBe(401);
    const ok = await postSms(svc.fd.base, { ...params, MessageStatus: 'delivered', SmsStatus: 'delivered' }, '/webhooks/sms/status');
    expect(ok.status).toBe(200);
    await eventually(async () => (await svc.fd.outbox.record(rec.id))?.deliveryStatus === 'delivered', 'the valid callback applied');
  });

  it('a send answered with error 21610 marks the number opted out and is not retried', async () => {
    const phone = '+639171110008';
    await text(phone, 'Hi');
    svc.platforms.respond((req, _n, res) => {
      if (!req.url.startsWith('/twilio/') || new URLSearchParams(req.body).get('To') !== phone) return false;
      json(res, 400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 });
      return true;
    });
    try {
      const before = smsTo(phone).length;
      const rec = await push(phone, 'reminder');
      expect(rec).toMatchObject({ status: 'failed', code: '21610', attempts: 1 });
      expect(smsTo(phone).length - before).toBe(1);
      expect(await optedOut(phone)).toBe(true);
      const next = await push(phone, 'broadcast');
      expect(next).toMatchObject({ status: 'undeliverable', reason: 'opted_out' });
      expect(smsTo(phone).length - before).toBe(1);
    } finally {
      svc.platforms.respond(undefined);
    }
  });
});
