import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually, GRAPH_MESSAGES_URL, messengerText, postMessenger, SECRETS, useService } from '../support/frontdesk.js';

const svc = useService();

describe('Messenger Send API calls, whole server', () => {
  it('carry the page token in Authorization: Bearer, never in a URL; the URL has its appsecret_proof', async () => {
    const psid = 'psid-token-header';
    expect((await postMessenger(svc.fd.base, messengerText(psid, 'hi'))).status).toBe(200);
    await eventually(() => svc.platforms.graph().some((r) => r.json.recipient?.id === psid && !r.json.sender_action), 'a reply was sent');
    const calls = svc.platforms.requests.filter((r) => r.url.startsWith('/graph/'));
    expect(calls.length).toBeGreaterThan(0);
    const proof = createHmac('sha256', SECRETS.appSecret).update(SECRETS.pageToken).digest('hex');
    for (const r of calls) {
      expect(r.url).not.toContain(SECRETS.pageToken);
      expect(r.url).not.toContain(encodeURIComponent(SECRETS.pageToken));
      expect(r.url).not.toMatch(/access_token/);
      expect(r.url).toBe(GRAPH_MESSAGES_URL);
      expect(new URL(r.url, 'http://x').searchParams.get('appsecret_proof')).toBe(proof);
      expect(r.headers.authorization).toBe(`Bearer ${SECRETS.pageToken}`);
    }
  });
});
