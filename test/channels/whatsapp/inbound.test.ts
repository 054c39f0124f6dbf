import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWhatsAppInbound } from '../../../channels/whatsapp/inbound.js';
import { handshake, signBody } from '../../../channels/whatsapp/verify.js';
import { FACILITIES, NUMBER_A, NUMBER_C, SECRET_1, SECRET_2, USER, fixture, request, signed, signedJson } from './helpers.js';

const inbound = createWhatsAppInbound(FACILITIES);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** a one-message `messages` change for number A, signed with SECRET_1 */
const oneMessage = (message: Record<string, unknown>, contacts: unknown[] = [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }]) =>
  signedJson({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: NUMBER_A }, contacts, messages: [message] } }] }],
  });

const received = (r: ReturnType<typeof inbound.receive>) => {
  if (!r.ok) throw new Error(`refused: ${r.error.kind} ${r.error.message}`);
  return r.value;
};

describe('WhatsApp webhook signature (X-Hub-Signature-256)', () => {
  it('accepts a body signed with the app secret of its number', () => {
    expect(inbound.receive(signed('text.json')).ok).toBe(true);
  });

  it('accepts an upper-case hex digest', () => {
    const raw = fixture('text.json');
    const sig = `sha256=${signBody(raw, SECRET_1).slice('sha256='.length).toUpperCase()}`;
    expect(inbound.receive(request(raw, sig)).ok).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the sha256= prefix', signBody(fixture('text.json'), SECRET_1).slice('sha256='.length)],
    ['sha1= (the algorithm is never taken from the header)', `sha1=${createHmac('sha1', SECRET_1).update(fixture('text.json')).digest('hex')}`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['truncated', signBody(fixture('text.json'), SECRET_1).slice(0, 40)],
    ['signed with an unknown secret', signBody(fixture('text.json'), 'not-our-secret')],
    ['signed with the verify token', signBody(fixture('text.json'), 'verify-a')],
    ['signed with the access token', signBody(fixture('text.json'), 'EAAG-token-a')],
  ])('refuses a %s signature as bad_signature', (_label, sig) => {
    expect(inbound.receive(request(fixture('text.json'), sig))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it("refuses a body naming one facility's number signed with another facility's (another app's) secret", () => {
    // text.json names st-lukes (SECRET_1); SECRET_2 is other-clinic's app secret: valid for us, wrong for this number
    expect(inbound.receive(signed('text.json', SECRET_2))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it('refuses a body changed after signing', () => {
    const raw = fixture('text.json');
    const sig = signBody(raw, SECRET_1);
    const tampered = Buffer.from(raw.toString('utf8').replace('another color', 'another colour'));
    expect(inbound.receive(request(tampered, sig))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it('checks the raw bytes, not a re-serialization: the same JSON with other whitespace is refused', () => {
    const raw = fixture('text.json');
    const compact = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(compact.equals(raw)).toBe(false);
    expect(inbound.receive(request(compact, signBody(raw, SECRET_1)))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
    expect(inbound.receive(request(compact, signBody(compact, SECRET_1))).ok).toBe(true);
  });

  it('verifies before it parses: a malformed body with a bad signature is bad_signature, with a good one bad_request', () => {
    const garbage = Buffer.from('{"object":"whatsapp_business_account","entry":[');
    expect(inbound.receive(request(garbage, signBody(garbage, 'attacker')))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
    expect(inbound.receive(request(garbage, undefined))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
    expect(inbound.receive(request(garbage, signBody(garbage, SECRET_1)))).toMatchObject({ ok: false, error: { kind: 'bad_request' } });
  });

  it('says nothing of the config before the signature: an unknown number with a bad signature is bad_signature', () => {
    expect(inbound.receive(signed('unknown-number.json', 'attacker'))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it('answers unknown_facility, after verification, for a number no facility serves', () => {
    expect(inbound.receive(signed('unknown-number.json'))).toMatchObject({ ok: false, error: { kind: 'unknown_facility' } });
  });

  it('refuses a batch spanning numbers of two apps, whichever secret signed it', () => {
    for (const secret of [SECRET_1, SECRET_2]) {
      expect(inbound.receive(signed('mixed-apps.json', secret))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
    }
  });

  it('accepts a delivery for the other app signed with that app secret', () => {
    const raw = Buffer.from(fixture('text.json').toString('utf8').replace(NUMBER_A, NUMBER_C));
    const r = received(inbound.receive(request(raw, signBody(raw, SECRET_2))));
    expect(r.facilityId).toBe('other-clinic');
    expect(r.messages.map((m) => m.facilityId)).toEqual(['other-clinic']);
  });

  it('refuses everything when no facility configured WhatsApp', () => {
    const none = createWhatsAppInbound(FACILITIES.filter((f) => !f.channels.whatsapp));
    expect(none.receive(signed('text.json'))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it.each([
    ['not JSON', Buffer.from('not json')],
    ['an array', Buffer.from('[]')],
    ['another object', Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: '1', changes: [] }] }))],
    ['no entries', Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [] }))],
    ['an entry without changes', Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1' }] }))],
    [
      'a messages change without phone_number_id',
      Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: {} } }] }] })),
    ],
    [
      'another messaging_product',
      Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'instagram', metadata: { phone_number_id: NUMBER_A } } }] }] })),
    ],
  ])('answers bad_request for a signed body that is %s', (_label, raw) => {
    expect(inbound.receive(request(raw, signBody(raw, SECRET_1)))).toMatchObject({ ok: false, error: { kind: 'bad_request' } });
  });

  it('keeps a bad_request message small however many problems the body has', () => {
    const raw = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: Array.from({ length: 500 }, () => ({ id: '1' })) }));
    const r = inbound.receive(request(raw, signBody(raw, SECRET_1)));
    if (r.ok) throw new Error('accepted');
    expect(r.error.kind).toBe('bad_request');
    expect(r.error.message).toMatch(/and 497 more$/);
    expect(r.error.message.length).toBeLessThan(300);
  });
});

describe('WhatsApp webhook parsing (Meta-shaped fixtures)', () => {
  it('reads a text message: wamid, +wa_id, time, body and profile name', () => {
    expect(received(inbound.receive(signed('text.json')))).toEqual({
      facilityId: 'st-lukes',
      messages: [
        {
          id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
          facilityId: 'st-lukes',
          channel: 'whatsapp',
          channelUserId: USER,
          sentAt: iso(1749416383),
          kind: 'message',
          text: 'Does it come in another color?',
          displayName: 'Sheena Nelson',
        },
      ],
      receipts: [],
    });
  });

  it('reads a tapped reply button as the id we sent, with its title as text', () => {
    const [m] = received(inbound.receive(signed('interactive-button-reply.json'))).messages;
    expect(m).toMatchObject({ id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQjA3MkVBQzk0MjFGRkEyQ0ZEMQA=', kind: 'message', choiceId: 'confirm:appt-8841', text: 'Confirm', channelUserId: USER });
  });

  it('reads a tapped list row as the id we sent, with its title as text', () => {
    const [m] = received(inbound.receive(signed('interactive-list-reply.json'))).messages;
    expect(m).toMatchObject({ kind: 'message', choiceId: 'slot:2025-01-06T09:00', text: 'Mon 6 Jan, 9:00', sentAt: iso(1749416460) });
  });

  it("reads a template's quick-reply button as its payload, with the label as text", () => {
    const [m] = received(inbound.receive(signed('template-button.json'))).messages;
    expect(m).toMatchObject({ kind: 'message', choiceId: 'rem:confirm:appt-8841', text: 'Confirm' });
  });

  it('keeps a quick-reply button whose payload only echoes its label as text, not as a choice of ours', () => {
    const r = received(inbound.receive(oneMessage({ from: '16505551234', id: 'wamid.BTN', timestamp: '1749416520', type: 'button', button: { payload: 'Confirm', text: 'Confirm' } })));
    expect(r.messages[0]).toMatchObject({ text: 'Confirm' });
    expect(r.messages[0]).not.toHaveProperty('choiceId');
  });

  it.each(['image.json', 'location.json', 'unsupported.json'])('passes %s on as a message without text (the flow says it reads text only)', (name) => {
    const { messages } = received(inbound.receive(signed(name)));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'message', channelUserId: USER, displayName: 'Sheena Nelson' });
    expect(messages[0]).not.toHaveProperty('text');
    expect(messages[0]).not.toHaveProperty('choiceId');
  });

  it("reads an image's caption as text", () => {
    const r = received(inbound.receive(oneMessage({ from: '16505551234', id: 'wamid.IMG', timestamp: '1749416580', type: 'image', image: { caption: 'my referral letter', mime_type: 'image/jpeg', sha256: 'x', id: '1' } })));
    expect(r.messages[0]).toMatchObject({ id: 'wamid.IMG', text: 'my referral letter' });
  });

  it('reads a shared contact card as a phone (E.164)', () => {
    const card = { name: { formatted_name: 'Maria' }, phones: [{ phone: '+63 917 123 4567', wa_id: '639171234567', type: 'MOBILE' }] };
    const r = received(inbound.receive(oneMessage({ from: '16505551234', id: 'wamid.VCARD', timestamp: '1749416590', type: 'contacts', contacts: [card] })));
    expect(r.messages[0]).toMatchObject({ id: 'wamid.VCARD', kind: 'message', phone: '+639171234567' });
  });

  it('reads a local number on a contact card with the facility country, and keeps one it cannot read as text', () => {
    const local = received(inbound.receive(oneMessage({ from: '16505551234', id: 'wamid.V1', timestamp: '1749416590', type: 'contacts', contacts: [{ phones: [{ phone: '0917 123 4567' }] }] })));
    expect(local.messages[0]).toMatchObject({ phone: '+639171234567' }); // st-lukes is in PH (the schema's default)
    const bad = received(inbound.receive(oneMessage({ from: '16505551234', id: 'wamid.V2', timestamp: '1749416590', type: 'contacts', contacts: [{ phones: [{ phone: '12' }] }] })));
    expect(bad.messages[0]).toMatchObject({ text: '12' });
    expect(bad.messages[0]).not.toHaveProperty('phone');
  });

  it('reads request_welcome (the chat opened for the first time) as a start', () => {
    const [m] = received(inbound.receive(signed('request-welcome.json'))).messages;
    expect(m).toEqual({ id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQkY3MDNBRkQ3MUM4NzQ0OTdEMwA=', facilityId: 'st-lukes', channel: 'whatsapp', channelUserId: USER, sentAt: iso(1749416300), kind: 'start', displayName: 'Sheena Nelson' });
  });

  it('ignores reactions, system notices and group messages', () => {
    const base = { from: '16505551234', timestamp: '1749416600' };
    for (const m of [
      { ...base, id: 'wamid.R', type: 'reaction', reaction: { message_id: 'wamid.OUT.1', emoji: '👍' } },
      { ...base, id: 'wamid.S', type: 'system', system: { body: 'User A changed from 16505551234 to 16505550000', type: 'user_changed_number', new_wa_id: '16505550000' } },
      { ...base, id: 'wamid.G', type: 'text', text: { body: 'hi all' }, group_id: 'Y2FwaV9ncm91cDox' },
    ]) {
      expect(received(inbound.receive(oneMessage(m))).messages).toEqual([]);
    }
  });

  it('skips items it cannot read without refusing the batch', () => {
    const body = JSON.parse(fixture('batch.json').toString('utf8'));
    body.entry[0].changes[0].value.messages.unshift('garbage', { type: 'text', text: { body: 'no id' }, from: '16505551234', timestamp: '1' }, { id: 'wamid.NOTIME', type: 'text', from: '16505551234', text: { body: 'x' } }, { id: 'wamid.NOFROM', type: 'text', timestamp: '1749416383', text: { body: 'x' } });
    body.entry[0].changes[1].value.statuses.unshift({ status: 'read', timestamp: '1' }, 42);
    const r = received(inbound.receive(signedJson(body)));
    expect(r.messages.map((m) => m.id)).toEqual(['wamid.BATCH.1', 'wamid.BATCH.2']);
    expect(r.receipts?.map((x) => x.platformMessageId)).toEqual(['wamid.ANNEX.SENT']);
  });

  it('reads a batch: every message of every change, each sender named by its own contact, statuses of another number as its receipts', () => {
    const r = received(inbound.receive(signed('batch.json')));
    expect(r.facilityId).toBe('st-lukes');
    expect(r.messages).toEqual([
      { id: 'wamid.BATCH.1', facilityId: 'st-lukes', channel: 'whatsapp', channelUserId: '+16505551234', sentAt: iso(1749416383), kind: 'message', text: 'hello', displayName: 'Sheena Nelson' },
      { id: 'wamid.BATCH.2', facilityId: 'st-lukes', channel: 'whatsapp', channelUserId: '+639171234567', sentAt: iso(1749416384), kind: 'message', text: 'book please', displayName: 'Juan Dela Cruz' },
    ]);
    expect(r.receipts).toEqual([{ facilityId: 'st-lukes-annex', channel: 'whatsapp', platformMessageId: 'wamid.ANNEX.SENT', status: 'delivered', at: iso(1749416385), channelUserId: '+639171234567' }]);
  });

  it.each([
    ['sent', 1749416383],
    ['delivered', 1749416385],
    ['read', 1749416390],
  ])('reads a %s status as a receipt, not a message', (status, at) => {
    const r = received(inbound.receive(signed(`status-${status}.json`)));
    expect(r.messages).toEqual([]);
    expect(r.receipts).toEqual([{ facilityId: 'st-lukes', channel: 'whatsapp', platformMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUE0NDJCNDhFQzlGRTVCNjYA', status, at: iso(at), channelUserId: USER }]);
  });

  it("reads a failed status with its first error's code", () => {
    const r = received(inbound.receive(signed('status-failed.json')));
    expect(r.receipts).toEqual([
      { facilityId: 'st-lukes', channel: 'whatsapp', platformMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUE0NDJCNDhFQzlGRTVCNjYA', status: 'failed', at: iso(1749416395), errorCode: '131047', channelUserId: USER },
    ]);
  });

  it('accepts a signed delivery of another webhook field (template status) with nothing to do', () => {
    expect(received(inbound.receive(signed('template-status-update.json')))).toEqual({ facilityId: 'st-lukes', messages: [], receipts: [] });
  });

  it('names a user whose number Meta withholds (username, 2026) by their business-scoped user id', () => {
    const r = received(
      inbound.receive(
        oneMessage({ from_user_id: 'US.13491208655302741918', id: 'wamid.BSUID', timestamp: '1749416383', type: 'text', text: { body: 'hi' } }, [{ profile: { name: 'Sheena', username: '@sheena' }, user_id: 'US.13491208655302741918' }]),
      ),
    );
    expect(r.messages[0]).toMatchObject({ id: 'wamid.BSUID', channelUserId: 'US.13491208655302741918', text: 'hi', displayName: 'Sheena' });
  });
});

describe('GET /webhooks/whatsapp handshake', () => {
  const tokens = FACILITIES.flatMap((f) => (f.channels.whatsapp ? [f.channels.whatsapp.verifyToken] : []));

  it("echoes hub.challenge when hub.verify_token is any facility's", () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1158201444' }, tokens)).toEqual({ ok: true, challenge: '1158201444' });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-c', 'hub.challenge': 'abc' }, tokens)).toEqual({ ok: true, challenge: 'abc' });
  });

  it('refuses a wrong token with 403', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-x', 'hub.challenge': '1' }, tokens)).toEqual({ ok: false, status: 403 });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-', 'hub.challenge': '1' }, tokens)).toEqual({ ok: false, status: 403 });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRET_1, 'hub.challenge': '1' }, tokens)).toEqual({ ok: false, status: 403 });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1' }, [])).toEqual({ ok: false, status: 403 });
  });

  it.each([
    ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1' }],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a' }],
    ['an empty challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '' }],
    ['no token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['nothing', {}],
  ])('answers 400 for %s', (_label, query) => {
    expect(handshake(query, tokens)).toEqual({ ok: false, status: 400 });
  });
});
