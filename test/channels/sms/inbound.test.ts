import { describe, expect, it } from 'vitest';
import { createSmsInbound, createSmsStatusInbound, MESSAGE_STATUSES } from '../../../channels/sms/index.js';
import { facility, params, PUBLIC_BASE, twilioRequest } from './helpers.js';

const NOW = new Date('2025-03-03T10:00:00Z');
const facilities = [facility('st-lukes'), facility('other-clinic', '+639170000002', 'another-token-abcdefabcdefabcdef')];
const inbound = createSmsInbound(facilities, { publicUrl: PUBLIC_BASE, now: () => NOW });
const status = createSmsStatusInbound(facilities, { publicUrl: PUBLIC_BASE, now: () => NOW });
const SMS_URL = `${PUBLIC_BASE}/webhooks/sms`;
const STATUS_URL = `${PUBLIC_BASE}/webhooks/sms/status`;

const receiveBody = (body: string, override: Record<string, string> = {}) =>
  inbound.receive(twilioRequest(params('incoming-sms', { Body: body, ...override }), { publicUrl: SMS_URL }));

describe('X-Twilio-Signature (validated by the twilio package)', () => {
  it('accepts a request signed for the public URL', () => {
    expect(inbound.receive(twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL })).ok).toBe(true);
  });

  it('behind a proxy: the public URL validates, the internal URL does not', () => {
    const internal = 'http://10.0.0.5:3000/webhooks/sms';
    const signedForInternal = twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL, signedUrl: internal });
    const r = inbound.receive(signedForInternal);
    expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
  });

  it('falls back to publicUrl + path when the request carries no public URL', () => {
    const req = twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL });
    expect(inbound.receive({ ...req, publicUrl: '' }).ok).toBe(true);
    const noFallback = createSmsInbound(facilities);
    const r = noFallback.receive({ ...req, publicUrl: '' });
    expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
  });

  it('refuses a missing signature, another token, and a tampered body', () => {
    const missing = inbound.receive(twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL, signedUrl: null }));
    const otherToken = inbound.receive(twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL, token: 'another-token-abcdefabcdefabcdef' }));
    const signed = twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL });
    const tampered = inbound.receive({ ...signed, rawBody: Buffer.from(new URLSearchParams(params('incoming-sms', { Body: 'STOP' })).toString()) });
    for (const r of [missing, otherToken, tampered]) expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
  });

  it('finds the facility by To and checks with that facility’s token', () => {
    const r = inbound.receive(
      twilioRequest(params('incoming-sms', { To: '+639170000002' }), { publicUrl: SMS_URL, token: 'another-token-abcdefabcdefabcdef' }),
    );
    expect(r.ok && r.value.facilityId).toBe('other-clinic');
  });

  it('an unknown or missing To cannot be authenticated (bad_signature, like a wrong signature); a JSON body is bad_request', () => {
    const unknown = inbound.receive(twilioRequest(params('incoming-sms', { To: '+15550001111' }), { publicUrl: SMS_URL }));
    expect(unknown.ok ? 'ok' : unknown.error.kind).toBe('bad_signature');
    const { To: _to, ...noTo } = params('incoming-sms');
    const missing = inbound.receive(twilioRequest(noTo, { publicUrl: SMS_URL }));
    expect(missing.ok ? 'ok' : missing.error.kind).toBe('bad_signature');
    const jsonBody = inbound.receive(twilioRequest(params('incoming-sms'), { publicUrl: SMS_URL, contentType: 'application/json' }));
    expect(jsonBody.ok ? 'ok' : jsonBody.error.kind).toBe('bad_request');
  });

  it('a signed body missing MessageSid, From or Body is bad_request', () => {
    for (const drop of ['MessageSid', 'From', 'Body']) {
      const p = params('incoming-sms');
      delete p[drop];
      if (drop === 'MessageSid') {
        delete p.SmsSid;
        delete p.SmsMessageSid;
      }
      const r = inbound.receive(twilioRequest(p, { publicUrl: SMS_URL }));
      expect(r.ok ? 'ok' : r.error.kind, drop).toBe('bad_request');
    }
  });
});

describe('incoming SMS', () => {
  it('is a message keyed by MessageSid, from the sender’s E.164 number', () => {
    const r = receiveBody('Hello');
    expect(r).toEqual({
      ok: true,
      value: {
        facilityId: 'st-lukes',
        messages: [
          {
            id: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
            facilityId: 'st-lukes',
            channel: 'sms',
            channelUserId: '+639171234567',
            phone: '+639171234567',
            sentAt: NOW.toISOString(),
            kind: 'message',
            text: 'Hello',
          },
        ],
      },
    });
  });

  it.each([
    ['STOP', 'opt_out'], ['stop', 'opt_out'], ['  Stop  ', 'opt_out'], ['STOPALL', 'opt_out'], ['unsubscribe', 'opt_out'],
    ['Cancel', 'opt_out'], ['END', 'opt_out'], ['quit', 'opt_out'], ['REVOKE', 'opt_out'], ['optout', 'opt_out'],
    ['START', 'opt_in'], ['yes', 'opt_in'], ['Unstop', 'opt_in'],
    ['HELP', 'help'], ['info', 'help'],
    ['2', 'message'], ['STOP PLEASE', 'message'], ['please cancel', 'message'], ['stopp', 'message'], ['', 'message'],
  ])('%j → %s', (body, kind) => {
    const r = receiveBody(body);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages[0]?.kind).toBe(kind);
    expect(r.value.messages[0]?.text).toBe(body);
  });
});

describe('status callbacks', () => {
  it('delivered → a receipt with Twilio’s word', () => {
    const r = status.receive(twilioRequest(params('status-delivered'), { publicUrl: STATUS_URL }));
    expect(r).toEqual({
      ok: true,
      value: {
        facilityId: 'st-lukes',
        messages: [],
        receipts: [{ facilityId: 'st-lukes', channel: 'sms', platformMessageId: 'SM2d6c1e0a1d3c4b5a8f7e6d5c4b3a2f1e', status: 'delivered', at: NOW.toISOString(), channelUserId: '+639171234567' }],
      },
    });
  });

  it('undelivered carries its ErrorCode', () => {
    const r = status.receive(twilioRequest(params('status-undelivered'), { publicUrl: STATUS_URL }));
    expect(r.ok && r.value.receipts?.[0]).toMatchObject({ status: 'undelivered', errorCode: '30003' });
  });

  it.each(MESSAGE_STATUSES.map((s) => [s]))('MessageStatus %s is passed on', (s) => {
    const form = params('status-delivered', { MessageStatus: s, SmsStatus: s });
    if (s === 'failed') form.ErrorCode = '30008';
    const r = status.receive(twilioRequest(form, { publicUrl: STATUS_URL }));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.receipts?.[0]?.status).toBe(s);
    if (s === 'failed') expect(r.value.receipts?.[0]?.errorCode).toBe('30008');
  });

  it('is signed too: a bad signature, the inbound URL, or an unknown From are refused', () => {
    const bad = status.receive(twilioRequest(params('status-delivered'), { publicUrl: STATUS_URL, signedUrl: SMS_URL }));
    expect(bad.ok ? 'ok' : bad.error.kind).toBe('bad_signature');
    const unknown = status.receive(twilioRequest(params('status-delivered', { From: '+15550001111' }), { publicUrl: STATUS_URL }));
    expect(unknown.ok ? 'ok' : unknown.error.kind).toBe('bad_signature');
    const { MessageStatus: _m, SmsStatus: _s, ...noStatus } = params('status-delivered');
    const malformed = status.receive(twilioRequest(noStatus, { publicUrl: STATUS_URL }));
    expect(malformed.ok ? 'ok' : malformed.error.kind).toBe('bad_request');
  });
});
