import { describe, expect, it } from 'vitest';
import { eventually, GRAPH_MESSAGES_URL, messengerSignature, messengerText, PAGE_ID, postMessenger, SECRETS, useService } from '../support/frontdesk.js';

const svc = useService();

const to = (psid: string) => svc.platforms.graph().filter((r) => r.json.recipient?.id === psid && !r.json.sender_action);

describe('Messenger webhook, whole server', () => {
  it('answers the verification handshake, 403 on a wrong verify token', async () => {
    const ok = await fetch(`${svc.fd.base}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${SECRETS.verifyToken}&hub.challenge=12345`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('12345');
    const bad = await fetch(`${svc.fd.base}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`);
    expect(bad.status).toBe(403);
  });

  it('handles every entry of a batched delivery, replies to each sender once, and drops a redelivery', async () => {
    const a = messengerText('psid-a', 'hi');
    const b = messengerText('psid-b', 'hello');
    const batch = { object: 'page', entry: [...a.entry, ...b.entry] };
    const res = await postMessenger(svc.fd.base, batch);
    expect(res.status).toBe(200);
    await eventually(() => to('psid-a').length >= 2 && to('psid-b').length >= 2, 'both senders answered');
    const countA = to('psid-a').length;
    const again = await postMessenger(svc.fd.base, batch);
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(to('psid-a')).toHaveLength(countA);
    const first = to('psid-a')[0]!;
    expect(first.url).toBe(GRAPH_MESSAGES_URL);
    expect(first.json.messaging_type).toBe('RESPONSE');
    expect(first.json.tag).toBeUndefined();
  });

  it('refuses a bad, missing or sha1 signature with 401, never echoing the body, and processes nothing', async () => {
    const body = messengerText('psid-x', 'secret text');
    const before = svc.platforms.requests.length;
    for (const sig of ['sha256=' + '0'.repeat(64), '', `sha1=${messengerSignature('x').slice(7, 47)}`]) {
      const res = await fetch(`${svc.fd.base}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', ...(sig ? { 'x-hub-signature-256': sig } : {}) }, body: JSON.stringify(body) });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('secret text');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(svc.platforms.requests.length).toBe(before);
    expect(await svc.fd.store.contacts.byChannelUser('st-lukes', 'messenger', 'psid-x')).toBeUndefined();
  });

  it('ignores echoes, deliveries and reads', async () => {
    const before = svc.platforms.requests.length;
    const now = Date.now();
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: now,
          messaging: [
            { sender: { id: PAGE_ID }, recipient: { id: 'psid-e' }, timestamp: now, message: { is_echo: true, app_id: 1517776481860111, mid: 'm_echo_1', text: 'our own words' } },
            { sender: { id: 'psid-e' }, recipient: { id: PAGE_ID }, delivery: { mids: ['m_1'], watermark: now } },
            { sender: { id: 'psid-e' }, recipient: { id: PAGE_ID }, timestamp: now, read: { watermark: now } },
          ],
        },
      ],
    };
    expect((await postMessenger(svc.fd.base, body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(svc.platforms.requests.length).toBe(before);
  });

  it('answers malformed JSON with 400 and an unknown page with 404', async () => {
    const text = '{"object":"page","entry":[';
    const bad = await fetch(`${svc.fd.base}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': messengerSignature(text) }, body: text });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_request' });
    const unknown = await postMessenger(svc.fd.base, messengerText('psid-u', 'hi', { pageId: '999' }));
    expect(unknown.status).toBe(404);
  });
});
