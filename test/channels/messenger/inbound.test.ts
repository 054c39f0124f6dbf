import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMessengerInbound } from '../../../channels/messenger/inbound.js';
import { signBody } from '../../../channels/messenger/verify.js';
import { FACILITIES, PAGE_A, SECRET_1, SECRET_2, fixture, request, signed } from './helpers.js';

const inbound = createMessengerInbound(FACILITIES);

describe('Messenger webhook signature', () => {
  it('accepts a body signed with the page app secret (sha256=<hex>)', () => {
    const r = inbound.receive(signed('batch-text.json'));
    expect(r.ok).toBe(true);
  });

  it('accepts an upper-case hex digest', () => {
    const raw = fixture('batch-text.json');
    const sig = `sha256=${signBody(raw, SECRET_1).slice('sha256='.length).toUpperCase()}`;
    expect(inbound.receive(request(raw, sig)).ok).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['sha1= (algorithm never taken from the header)', `sha1=${createHmac('sha1', SECRET_1).update(fixture('batch-text.json')).digest('hex')}`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['truncated', signBody(fixture('batch-text.json'), SECRET_1).slice(0, 40)],
    ['signed with another secret', signBody(fixture('batch-text.json'), SECRET_2)],
    ['signed with the verify token', signBody(fixture('batch-text.json'), 'verify-a')],
  ])('refuses a %s signature as bad_signature', (_label, sig) => {
    const r = inbound.receive(request(fixture('batch-text.json'), sig));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it('refuses a body changed after signing', () => {
    const raw = fixture('batch-text.json');
    const sig = signBody(raw, SECRET_1);
    const tampered = Buffer.from(raw.toString('utf8').replace('hello', 'hellO'));
    expect(inbound.receive(request(tampered, sig))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it('refuses a batch spanning pages of two apps, whichever secret signed it', () => {
    for (const secret of [SECRET_1, SECRET_2]) {
      expect(inbound.receive(signed('mixed-apps.json', secret))).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
    }
  });

  it('answers unknown_facility for a page no facility serves', () => {
    expect(inbound.receive(signed('unknown-page.json'))).toMatchObject({ ok: false, error: { kind: 'unknown_facility' } });
  });

  it.each([
    ['not JSON', Buffer.from('{"object":"page","entry":[')],
    ['another object', Buffer.from(JSON.stringify({ object: 'instagram', entry: [{ id: PAGE_A, time: 1, messaging: [] }] }))],
    ['no entries', Buffer.from(JSON.stringify({ object: 'page', entry: [] }))],
    ['entry without id', Buffer.from(JSON.stringify({ object: 'page', entry: [{ time: 1, messaging: [] }] }))],
  ])('answers bad_request for a body that is %s', (_label, raw) => {
    expect(inbound.receive(request(raw, signBody(raw, SECRET_1)))).toMatchObject({ ok: false, error: { kind: 'bad_request' } });
  });
});

describe('Messenger webhook parsing', () => {
  it('reads every entry and every messaging item: 2 pages × 2 messages → 4 messages, each with its own facility', () => {
    const r = inbound.receive(signed('batch-text.json'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.facilityId).toBe('st-lukes');
    expect(r.value.messages).toEqual([
      { id: 'm_A1', facilityId: 'st-lukes', channel: 'messenger', channelUserId: '7000000000000001', sentAt: new Date(1735700000100).toISOString(), kind: 'message', text: 'hello' },
      { id: 'm_A2', facilityId: 'st-lukes', channel: 'messenger', channelUserId: '7000000000000002', sentAt: new Date(1735700000200).toISOString(), kind: 'message', text: 'book please' },
      { id: 'm_B1', facilityId: 'st-lukes-annex', channel: 'messenger', channelUserId: '7000000000000003', sentAt: new Date(1735700000300).toISOString(), kind: 'message', text: 'hi annex' },
      { id: 'm_B2', facilityId: 'st-lukes-annex', channel: 'messenger', channelUserId: '7000000000000003', sentAt: new Date(1735700000400).toISOString(), kind: 'message', text: 'are you open?' },
    ]);
  });

  it('ignores echoes and returns deliveries and reads as receipts, not messages', () => {
    const r = inbound.receive(signed('echo-delivery-read.json'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages).toEqual([]);
    expect(r.value.receipts).toEqual([
      { facilityId: 'st-lukes', channel: 'messenger', platformMessageId: 'm_SENT1', status: 'delivered', at: new Date(1735700000950).toISOString(), channelUserId: '7000000000000001' },
      { facilityId: 'st-lukes', channel: 'messenger', platformMessageId: 'm_SENT2', status: 'delivered', at: new Date(1735700000950).toISOString(), channelUserId: '7000000000000001' },
      { facilityId: 'st-lukes', channel: 'messenger', platformMessageId: 'watermark:1735700000960', status: 'read', at: new Date(1735700000960).toISOString(), channelUserId: '7000000000000001' },
    ]);
  });

  it('ignores anything sent by the page itself even without is_echo', () => {
    const body = { object: 'page', entry: [{ id: PAGE_A, time: 1735700000000, messaging: [{ sender: { id: PAGE_A }, recipient: { id: '7000000000000001' }, timestamp: 1735700000000, message: { mid: 'm_SELF', text: 'from page' } }] }] };
    const raw = Buffer.from(JSON.stringify(body));
    const r = inbound.receive(request(raw, signBody(raw, SECRET_1)));
    expect(r.ok && r.value.messages).toEqual([]);
  });

  it('reads a quick reply as a choice with the tapped title as text', () => {
    const r = inbound.receive(signed('quick-reply.json'));
    expect(r.ok && r.value.messages).toEqual([
      {
        id: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        facilityId: 'st-lukes',
        channel: 'messenger',
        channelUserId: '1254459154682919',
        sentAt: new Date(1502905976377).toISOString(),
        kind: 'message',
        choiceId: 'slot:2025-01-06T09:00',
        text: 'Mon 9:00',
      },
    ]);
  });

  it('reads a user_phone_number quick reply as a shared phone (E.164), not as a choice', () => {
    const r = inbound.receive(signed('phone-quick-reply.json'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages).toHaveLength(1);
    expect(r.value.messages[0]).toMatchObject({ id: 'm_PHONE1', kind: 'message', phone: '+639171234567' });
    expect(r.value.messages[0]).not.toHaveProperty('choiceId');
  });

  it('passes a shared number it cannot read on as text, never as a phone (issue 12: one phone reader)', () => {
    const body = Buffer.from(fixture('phone-quick-reply.json').toString('utf8').replace(/\+639171234567/g, '+63 917 12'));
    const r = inbound.receive(request(body, signBody(body, SECRET_1)));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages[0]).toMatchObject({ id: 'm_PHONE1', kind: 'message', text: '+63 917 12' });
    expect(r.value.messages[0]).not.toHaveProperty('phone');
  });

  it('reads the Get Started postback as a start, keeping its mid and referral ref', () => {
    const r = inbound.receive(signed('postback-get-started.json'));
    expect(r.ok && r.value.messages).toEqual([
      { id: 'm_PB_START', facilityId: 'st-lukes', channel: 'messenger', channelUserId: '7000000000000004', sentAt: new Date(1735700001900).toISOString(), kind: 'start', ref: 'qr-lobby' },
    ]);
  });

  it('derives a stable id for a postback without mid (older payloads)', () => {
    const first = inbound.receive(signed('postback-legacy.json'));
    const again = inbound.receive(signed('postback-legacy.json'));
    if (!first.ok || !again.ok) throw new Error('refused');
    expect(first.value.messages).toEqual([
      {
        id: 'pb:7000000000000004:1735700002900:my_appointments',
        facilityId: 'st-lukes',
        channel: 'messenger',
        channelUserId: '7000000000000004',
        sentAt: new Date(1735700002900).toISOString(),
        kind: 'message',
        choiceId: 'my_appointments',
        text: 'My appointments',
      },
    ]);
    expect(again.value.messages[0]!.id).toBe(first.value.messages[0]!.id);
  });

  it('reads a referral (m.me link into an existing thread) as a start with its ref', () => {
    const r = inbound.receive(signed('referral.json'));
    expect(r.ok && r.value.messages).toEqual([
      { id: 'ref:7000000000000005:1458692752478:poster-cardiology', facilityId: 'st-lukes', channel: 'messenger', channelUserId: '7000000000000005', sentAt: new Date(1458692752478).toISOString(), kind: 'start', ref: 'poster-cardiology' },
    ]);
  });

  it('reads a timestamp given as a string of seconds (as the postback reference shows)', () => {
    const body = { object: 'page', entry: [{ id: PAGE_A, time: 1527459824000, messaging: [{ sender: { id: '7000000000000006' }, recipient: { id: PAGE_A }, timestamp: '1527459824', postback: { mid: 'm_SEC', title: 'Help', payload: 'help' } }] }] };
    const raw = Buffer.from(JSON.stringify(body));
    const r = inbound.receive(request(raw, signBody(raw, SECRET_1)));
    expect(r.ok && r.value.messages[0]).toMatchObject({ id: 'm_SEC', sentAt: new Date(1527459824000).toISOString(), choiceId: 'help' });
  });

  it('skips items it does not understand without refusing the batch', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE_A,
          time: 1735700000000,
          messaging: [
            { sender: { id: '7000000000000007' }, recipient: { id: PAGE_A }, timestamp: 1735700000000, reaction: { reaction: 'like', action: 'react', mid: 'm_1' } },
            { sender: { id: '7000000000000007' }, recipient: { id: PAGE_A }, timestamp: 1735700000001, message: { mid: 'm_IMG', attachments: [{ type: 'image', payload: { url: 'https://x/y.png' } }] } },
            'garbage',
            { sender: { id: '7000000000000007' }, recipient: { id: PAGE_A }, timestamp: 1735700000002, message: { mid: 'm_OK', text: 'still here' } },
          ],
        },
      ],
    };
    const raw = Buffer.from(JSON.stringify(body));
    const r = inbound.receive(request(raw, signBody(raw, SECRET_1)));
    expect(r.ok && r.value.messages.map((m) => m.id)).toEqual(['m_OK']);
  });
});
