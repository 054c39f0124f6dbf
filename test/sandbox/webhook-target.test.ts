import { afterEach, describe, expect, it } from 'vitest';
import { FACILITY, startReceiver, startSandbox } from './support.js';

const SECRET = `whsec_${Buffer.from('clinic-a webhook secret, 32 bytes').toString('base64')}`;
const OTHER = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const OWN_ROUTE = `http://127.0.0.1:3000/webhooks/provider/${FACILITY.id}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('PUT /sandbox/:facilityId/staff/webhook', () => {
  it('never echoes the secret (it used to answer with the facility webhook secret)', async () => {
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: OWN_ROUTE, secret: SECRET } }] });
    cleanups.push(run.close);
    const kept = await run.staff('/webhook', { method: 'PUT', body: { url: `http://localhost:4000/webhooks/provider/${FACILITY.id}` } });
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual({ url: `http://localhost:4000/webhooks/provider/${FACILITY.id}`, secretChanged: false });
    expect(JSON.stringify(kept.body)).not.toContain('whsec_');
    expect(run.sandbox.webhookSecret(FACILITY.id)).toBe(SECRET);
    const replaced = await run.staff('/webhook', { method: 'PUT', body: { url: OWN_ROUTE, secret: OTHER } });
    expect(replaced.body).toEqual({ url: OWN_ROUTE, secretChanged: true });
    expect(run.sandbox.webhookSecret(FACILITY.id)).toBe(OTHER);
  });

  it('refuses any target but the provider-webhook route of a bot on this machine, and changes nothing', async () => {
    const receiver = await startReceiver();
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET } }] });
    cleanups.push(receiver.close, run.close);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      `https://attacker.example/webhooks/provider/${FACILITY.id}`,
      `http://10.0.0.8/webhooks/provider/${FACILITY.id}`,
      'http://127.0.0.1:6379/',
      `http://127.0.0.1:3000/webhooks/provider/another-clinic`,
      `http://127.0.0.1:3000/staff/v1/broadcasts`,
      `http://user:pw@127.0.0.1:3000/webhooks/provider/${FACILITY.id}`,
      `file:///webhooks/provider/${FACILITY.id}`,
    ]) {
      const r = await run.staff('/webhook', { method: 'PUT', body: { url, secret: OTHER } });
      expect(r.status, url).toBe(400);
      expect(r.body.error, url).toBe('webhook_not_allowed');
    }
    expect(run.sandbox.webhookSecret(FACILITY.id)).toBe(SECRET);
    // the original target still gets the events
    const booked = await run.staff('/appointments', { method: 'POST', body: { calendarId: '101', appointmentTypeId: '1001', start: '2026-03-03T09:00:00+08:00', patient: { name: 'Test Person', phone: '+639170000099' }, overbook: true } });
    expect(booked.status).toBe(201);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
  });

  it('needs a strong whsec_ secret when it sets one, and one at all when the facility had none', async () => {
    const run = await startSandbox();
    cleanups.push(run.close);
    const none = await run.staff('/webhook', { method: 'PUT', body: { url: OWN_ROUTE } });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/secret is required/);
    const weak = await run.staff('/webhook', { method: 'PUT', body: { url: OWN_ROUTE, secret: `whsec_${Buffer.from('short').toString('base64')}` } });
    expect(weak.status).toBe(400);
    const bad = await run.staff('/webhook', { method: 'PUT', body: { url: OWN_ROUTE, secret: 'whsec_abc' } });
    expect(bad.status).toBe(400);
    expect(run.sandbox.webhookSecret(FACILITY.id)).toBeUndefined();
  });
});
