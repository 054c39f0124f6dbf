/**
 * Webhook ingest: signed Messenger webhooks acknowledged by frontdesk (verify + persist to the inbox +
 * 200; the conversation turn runs after the answer) against a bare Koa app that only reads the body
 * and answers 200; and signed provider webhooks (Standard Webhooks verify + persist as a job + 200).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { FACILITY, messengerSignature, messengerText, postMessenger, postProvider } from '../test/support/frontdesk.js';
import type { BenchFrontdesk } from './frontdesk.js';
import { runLoad, type BenchRow } from './load.js';

const ACKS = 1000;
const CONCURRENCY = 16;

export async function benchMessengerAck(b: BenchFrontdesk): Promise<BenchRow> {
  const row = await runLoad({
    name: 'Messenger webhook ack (frontdesk)',
    total: ACKS,
    concurrency: CONCURRENCY,
    warmup: 50,
    op: async (i) => {
      const res = await postMessenger(b.fd.base, messengerText(`bench-ack-${i}`, 'hi'));
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`messenger webhook answered ${res.status}`);
    },
  });
  const settled = await b.settle();
  return { ...row, note: `${row.note}; turns run after the ack${settled ? '' : ' (backlog left)'}` };
}

/** The same signed bodies to a Koa app that only reads the body and answers 200. */
export async function benchBareKoa(): Promise<BenchRow> {
  const app = new Koa();
  app.use(async (ctx) => {
    await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
    ctx.status = 200;
    ctx.body = 'EVENT_RECEIVED';
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await runLoad({
      name: 'Messenger webhook ack (bare Koa baseline)',
      total: ACKS,
      concurrency: CONCURRENCY,
      warmup: 50,
      op: async (i) => {
        const text = JSON.stringify(messengerText(`bench-ack-${i}`, 'hi'));
        const res = await fetch(`${base}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': messengerSignature(text) }, body: text });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`bare koa answered ${res.status}`);
      },
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

export async function benchProviderIngest(b: BenchFrontdesk): Promise<BenchRow> {
  const start = new Date(Date.now() + 3 * 86_400_000);
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const row = await runLoad({
    name: 'provider webhook ingest (verify + persist + ack)',
    total: 800,
    concurrency: CONCURRENCY,
    warmup: 30,
    op: async (i) => {
      const event = {
        type: 'appointmentCreated',
        occurredAt: iso(new Date()),
        data: {
          appointment: {
            appointmentId: `bench-${i + 100}`,
            status: 'SCHEDULED',
            start: iso(start),
            end: iso(new Date(start.getTime() + 30 * 60_000)),
            calendarId: '101',
            appointmentTypeId: '1001',
            patientId: `P-B${i + 100}`,
            patient: { name: 'Bench Patient', phone: '+639170000000' },
          },
          source: 'staff',
        },
      };
      const res = await postProvider(b.fd.base, event, { facilityId: FACILITY });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`provider webhook answered ${res.status}`);
    },
  });
  return { ...row, note: `${row.note}; the event is applied by a job after the ack` };
}
