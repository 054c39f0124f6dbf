import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/run.js';
import { NOW, byId, newSecret, runningSandbox, statuses, type RunningSandbox } from './support.js';

/** The sandbox provider speaks the contract: every check passes against it over real HTTP. */

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const optsFor = (r: RunningSandbox) => ({
  baseUrl: r.baseUrl,
  userId: r.facility.userId,
  apiKey: r.facility.apiKey,
  timezone: 'Asia/Manila',
  now: () => NOW,
});

describe('conformance against the sandbox provider', () => {
  it('passes every check with write and webhooks, and sees each webhook of the test appointment', async () => {
    running = await runningSandbox({}, { now: () => NOW });
    const r = running;
    const secret = newSecret();
    let receiverUrl: string | undefined;
    const results = await runConformance({
      ...optsFor(r),
      write: true,
      webhook: {
        secret,
        host: '127.0.0.1',
        waitMs: 20_000,
        onReceiverReady: (url) => {
          receiverUrl = url;
          r.sandbox.setWebhookTarget(r.facility.id, url, secret);
        },
      },
    });
    expect(results.filter((x) => x.status !== 'pass')).toEqual([]);
    expect(receiverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/provider\/conformance$/);
    expect(results.map((x) => x.id)).toEqual([
      'auth.required', 'auth.accepted', 'calendars.shape', 'calendars.ids', 'calendars.types', 'patient.missing-params', 'patient.unknown',
      'availability.shape', 'availability.offsets', 'availability.future', 'client.reads',
      'write.create', 'write.idempotent', 'write.slot-taken', 'write.list', 'write.reschedule', 'write.confirm', 'write.cancel', 'write.cancel-again',
      'webhook.delivered', 'webhook.signature', 'webhook.envelope', 'webhook.events', 'errors.shape', 'openapi.responses',
    ]);
    const got = byId(results);
    expect(got['webhook.events']!.detail).toBe('appointmentCreated, appointmentRescheduled, appointmentConfirmed, appointmentCanceled');
    expect(got['availability.shape']!.detail).toMatch(/^calendar 101, type 1001: 2026-03: \d+ slots, 2026-04: \d+ slots$/);

    // the test appointment ended cancelled on the provider: nothing left booked
    const staff = await fetch(`${r.origin}/sandbox/${r.facility.id}/staff/appointments`, {
      headers: { authorization: `Basic ${Buffer.from(`${r.facility.userId}:${r.facility.apiKey}`).toString('base64')}` },
    });
    const { appointments } = (await staff.json()) as { appointments: { patient: { name: string }; status: string }[] };
    const mine = appointments.filter((a) => a.patient.name.startsWith('Frontdesk Conformance'));
    expect(mine.map((a) => a.status)).toEqual(['CANCELED']);
  });

  it('a read-only run books nothing and skips the booking checks', async () => {
    running = await runningSandbox({}, { now: () => NOW });
    const results = await runConformance(optsFor(running));
    const s = statuses(results);
    expect(s.write).toBe('skip');
    expect(results.filter((x) => x.id !== 'write' && x.status !== 'pass')).toEqual([]);
    expect(Object.keys(s).some((id) => id.startsWith('write.') || id.startsWith('webhook.'))).toBe(false);
  });

  it('a provider without confirm is a warning, not a failure', async () => {
    running = await runningSandbox({ supportsConfirm: false }, { now: () => NOW });
    const got = byId(await runConformance({ ...optsFor(running), write: true }));
    expect(got['write.confirm']).toMatchObject({ status: 'warn', detail: expect.stringContaining('confirm not supported (optional)') });
    expect(got['write.cancel']!.status).toBe('pass');
  });

  it('deliveries signed with another secret fail the signature check', async () => {
    running = await runningSandbox({}, { now: () => NOW });
    const r = running;
    const got = byId(
      await runConformance({
        ...optsFor(r),
        write: true,
        webhook: { secret: newSecret(), host: '127.0.0.1', waitMs: 20_000, onReceiverReady: (url) => r.sandbox.setWebhookTarget(r.facility.id, url, newSecret()) },
      }),
    );
    expect(got['webhook.signature']).toMatchObject({ status: 'fail', detail: expect.stringContaining('No matching signature found') });
    expect(got['webhook.delivered']!.status).toBe('pass');
  });

  it('no webhook arriving after a write run is a failure naming the receiver URL', async () => {
    running = await runningSandbox({}, { now: () => NOW });
    let url = '';
    const got = byId(
      await runConformance({ ...optsFor(running), write: true, webhook: { secret: newSecret(), host: '127.0.0.1', waitMs: 300, onReceiverReady: (u) => void (url = u) } }),
    );
    expect(got['webhook.delivered']).toMatchObject({ status: 'fail', detail: expect.stringContaining(url) });
    expect(got['webhook.events']).toMatchObject({ status: 'fail', detail: expect.stringContaining('missing: appointmentCreated') });
  });

  it('wrong credentials fail auth.accepted and leave the dependent checks skipped', async () => {
    running = await runningSandbox({}, { now: () => NOW });
    const got = byId(await runConformance({ ...optsFor(running), apiKey: 'not-the-key', write: true }));
    expect(got['auth.accepted']).toMatchObject({ status: 'fail', detail: expect.stringContaining('refused') });
    expect(got['calendars.shape']!.status).toBe('skip');
    expect(got['write.create']!.status).toBe('skip');
    expect(got['auth.required']!.status).toBe('pass');
  });
});
