import { describe, expect, it } from 'vitest';
import { createViberInbound } from '../../../channels/viber/index.js';
import { signViberBody } from '../../../channels/viber/verify.js';
import { viberTokenKey } from '../../../channels/viber/parse.js';
import { facility, fixture, TOKEN, viberRequest } from './helpers.js';

const facilities = [facility('st-lukes'), facility('no-viber', undefined as never)];
facilities[1]!.channels.viber = undefined;
const welcomeCalls: Array<[string, string | undefined]> = [];
const inbound = createViberInbound(facilities, {
  welcomeText: (facilityId, localeHint) => {
    welcomeCalls.push([facilityId, localeHint]);
    return { text: `welcome:${facilityId}:${localeHint}`, choices: [{ id: 'c:book', label: 'Book' }] };
  },
});

const receive = (name: string) => inbound.receive(viberRequest(fixture(name)), 'st-lukes');

describe('Viber signature', () => {
  it('accepts the HMAC-SHA256 hex of the raw body keyed with the facility token', () => {
    expect(receive('message-text').ok).toBe(true);
  });

  it('accepts an upper-case hex signature', () => {
    const body = fixture('message-text');
    expect(inbound.receive(viberRequest(body, signViberBody(body, TOKEN).toUpperCase()), 'st-lukes').ok).toBe(true);
  });

  it('refuses a missing signature', () => {
    const r = inbound.receive(viberRequest(fixture('message-text'), null), 'st-lukes');
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ kind: 'bad_signature' }) });
  });

  it('refuses a signature made with another token', () => {
    const body = fixture('message-text');
    const r = inbound.receive(viberRequest(body, signViberBody(body, 'another-token')), 'st-lukes');
    expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
  });

  it('refuses a signature over other bytes (body re-serialized)', () => {
    const body = fixture('message-text');
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    const r = inbound.receive(viberRequest(body, signViberBody(reserialized, TOKEN)), 'st-lukes');
    expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
  });

  it('refuses garbage and truncated signatures', () => {
    for (const sig of ['', 'zz', 'a'.repeat(63), 'g'.repeat(64), `sha256=${signViberBody(fixture('seen'), TOKEN)}`]) {
      const r = inbound.receive(viberRequest(fixture('seen'), sig), 'st-lukes');
      expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
    }
  });

  it('refuses an unknown facility and a facility without Viber as a bad signature (they cannot be authenticated)', () => {
    for (const route of ['nowhere', 'no-viber', undefined]) {
      const r = inbound.receive(viberRequest(fixture('message-text')), route);
      expect(r.ok ? 'ok' : r.error.kind).toBe('bad_signature');
    }
  });
});

describe('Viber callbacks', () => {
  it('message (text): message_token is the id, digits exact beyond 2^53', () => {
    const r = receive('message-text');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toEqual({
      facilityId: 'st-lukes',
      messages: [
        {
          id: '4912661846655238145',
          facilityId: 'st-lukes',
          channel: 'viber',
          channelUserId: '01234567890A=',
          sentAt: new Date(1457764197627).toISOString(),
          kind: 'message',
          text: 'a message to the service',
          localeHint: 'en',
        },
      ],
    });
  });

  it('message (keyboard tap): the ActionBody prefix becomes a choiceId', () => {
    const r = receive('message-keyboard-tap');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages[0]).toMatchObject({ kind: 'message', choiceId: 'c:book', localeHint: 'fil' });
    expect(r.value.messages[0]?.text).toBeUndefined();
  });

  it('message (contact): the shared phone number', () => {
    const r = receive('message-contact');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages[0]).toMatchObject({ kind: 'message', phone: '+639171234567', id: '4912661846655238147' });
  });

  it('message (picture): its caption as text', () => {
    const r = receive('message-picture');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages[0]).toMatchObject({ kind: 'message', text: 'my referral slip' });
  });

  it('subscribed and unsubscribed', () => {
    const s = receive('subscribed');
    const u = receive('unsubscribed');
    if (!s.ok || !u.ok) throw new Error('refused');
    expect(s.value.messages[0]).toMatchObject({ kind: 'subscribed', channelUserId: '01234567890A=', localeHint: 'en' });
    expect(u.value.messages[0]).toMatchObject({ kind: 'unsubscribed', channelUserId: '01234567890A=' });
  });

  it('conversation_started: a start event and a welcome message as the response body', () => {
    welcomeCalls.length = 0;
    const r = receive('conversation-started');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages).toEqual([expect.objectContaining({ kind: 'start', channelUserId: '01234567890A=', ref: 'context information', localeHint: 'fil' })]);
    expect(welcomeCalls).toEqual([['st-lukes', 'fil']]);
    expect(r.value.responseBody).toEqual({
      type: 'text',
      text: 'welcome:st-lukes:fil',
      sender: { name: "St Luke's" },
      min_api_version: 1,
      keyboard: {
        Type: 'keyboard',
        DefaultHeight: false,
        Buttons: [{ Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:book', Text: 'Book', TextSize: 'regular' }],
      },
    });
    expect(r.value.responseBody).not.toHaveProperty('receiver');
  });

  it('conversation_started without a welcome function answers nothing', () => {
    const bare = createViberInbound([facility()]);
    const r = bare.receive(viberRequest(fixture('conversation-started')), 'st-lukes');
    expect(r.ok && r.value.responseBody).toBeUndefined();
  });

  it('delivered / seen / failed become receipts keyed like send results', () => {
    for (const event of ['delivered', 'seen', 'failed']) {
      const r = receive(event);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.messages).toEqual([]);
      expect(r.value.receipts).toEqual([
        {
          facilityId: 'st-lukes',
          channel: 'viber',
          platformMessageId: viberTokenKey('4912661846655238145'),
          status: event,
          at: new Date(1457764197627).toISOString(),
          channelUserId: '01234567890A=',
        },
      ]);
    }
  });

  it('webhook (set-up check): nothing to do', () => {
    const r = receive('webhook');
    expect(r).toEqual({ ok: true, value: { facilityId: 'st-lukes', messages: [] } });
  });

  it('an event we do not know is acknowledged and ignored', () => {
    const r = inbound.receive(viberRequest(JSON.stringify({ event: 'client_status', timestamp: 1, message_token: 1 })), 'st-lukes');
    expect(r).toEqual({ ok: true, value: { facilityId: 'st-lukes', messages: [] } });
  });

  it('malformed bodies are bad requests', () => {
    const bodies = [
      'not json',
      '[]',
      '{}',
      JSON.stringify({ event: 'message', timestamp: 1, message_token: 2, message: { type: 'text', text: 'hi' } }), // no sender
      JSON.stringify({ event: 'message', timestamp: 1, message_token: 2, sender: { id: 'x' }, message: { type: 'text' } }), // no text
      JSON.stringify({ event: 'message', timestamp: 1, message_token: 2, sender: { id: 'x' }, message: { type: 'contact', contact: {} } }),
      JSON.stringify({ event: 'unsubscribed', timestamp: 1, message_token: 2 }),
      JSON.stringify({ event: 'delivered', timestamp: 'yesterday', message_token: 2, user_id: 'x' }),
    ];
    for (const body of bodies) {
      const r = inbound.receive(viberRequest(body), 'st-lukes');
      expect(r.ok ? 'ok' : r.error.kind, body).toBe('bad_request');
    }
  });
});
