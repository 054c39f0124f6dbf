import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { FACILITY, close, firstSlots, listen, newPatient, startReceiver, startSandbox, type Running } from './support.js';

const SECRET = `whsec_${Buffer.from('webhook-stop test secret').toString('base64')}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const book = async (run: Running) => {
  const [slot] = await firstSlots(run, '101', '1001');
  const r = await run.api('/appointments', {
    method: 'POST',
    headers: { 'idempotency-key': randomUUID() },
    body: { calendarId: '101', appointmentTypeId: '1001', start: slot!.start, patient: newPatient() },
  });
  expect(r.status).toBe(201);
};

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stop() with deliveries pending', () => {
  it('ends a retry wait at once: stop() and flushWebhooks() resolve, and the receiver hears nothing more', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    receiver.failNext(1000);
    // a minute between attempts: before the fix, stop() left this wait (and its retry) running
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET } }], webhookRetry: { maxAttempts: 6, initialDelayMs: 60_000 } });
    cleanups.push(run.close);
    await book(run);
    await until(() => receiver.received.length === 1);

    await run.sandbox.stop();
    await run.sandbox.flushWebhooks();
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ type: 'appointmentCreated', status: 'failed', attempts: 1 }]);
    await pause(200);
    expect(receiver.received).toHaveLength(1);
  });

  it('aborts a request the receiver never answers', async () => {
    let seen = 0;
    const hanging = new Set<ServerResponse<IncomingMessage>>();
    const app = new Koa();
    app.use(async (ctx) => {
      seen++;
      ctx.respond = false;
      hanging.add(ctx.res);
    });
    const { server, origin } = await listen(app);
    cleanups.push(() => close(server));
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: `${origin}/hook`, secret: SECRET } }], webhookRetry: { maxAttempts: 3, initialDelayMs: 10 } });
    cleanups.push(run.close);
    await book(run);
    await until(() => seen === 1);

    await run.sandbox.stop();
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ status: 'failed', attempts: 1 }]);
    await pause(100);
    expect(seen).toBe(1);
  });

  it('sends nothing for a change made after stop()', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET } }] });
    cleanups.push(run.close);
    await run.sandbox.stop();
    await book(run);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ status: 'failed', attempts: 0 }]);
  });
});
