/**
 * The messaging platforms, in a process of their own: the send APIs frontdesk calls (`/graph`, `/viber`,
 * `/twilio`, answered at once) and, over IPC, the patients on the other side (./patients.ts), who post
 * Messenger webhooks and wait for the replies that reach these APIs. Sending and receiving happen in this
 * one process, so a turn is timed on one clock: from the webhook sent to the reply's request arriving.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail, serve } from './ipc.js';
import { Mailboxes, type BotMessage } from './mailboxes.js';
import { runBookings, runTurns, type BookingsArgs, type TurnsArgs } from './patients.js';

const counts = { graph: 0, viber: 0, twilio: 0, other: 0 };

function textOf(json: Record<string, unknown>): BotMessage | undefined {
  const m = json.message as { text?: string; quick_replies?: { payload: string }[]; attachment?: { payload?: { text?: string; buttons?: { payload?: string }[] } } } | undefined;
  if (!m) return undefined; // a sender action (typing indicator)
  return {
    text: m.text ?? m.attachment?.payload?.text ?? '',
    payloads: [...(m.quick_replies ?? []).map((q) => q.payload), ...(m.attachment?.payload?.buttons ?? []).map((b) => b.payload ?? '')],
    at: 0,
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function main(): Promise<void> {
  const mail = new Mailboxes();
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now();
    const url = req.url ?? '';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n += 1;
      if (url.startsWith('/graph/')) {
        counts.graph += 1;
        if (url.includes('/messages') && mail.watching()) {
          try {
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { recipient?: { id?: string } } & Record<string, unknown>;
            const msg = textOf(json);
            if (msg && json.recipient?.id) mail.deliver(json.recipient.id, { ...msg, at: arrived });
          } catch {
            // not JSON: not ours to read
          }
        }
        return reply(res, 200, { recipient_id: 'r', message_id: `m_${n}` });
      }
      if (url.startsWith('/viber/')) {
        counts.viber += 1;
        return reply(res, 200, { status: 0, status_message: 'ok', message_token: 5_000_000_000 + n });
      }
      if (url.startsWith('/twilio/')) {
        counts.twilio += 1;
        return reply(res, 201, { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued' });
      }
      counts.other += 1;
      return reply(res, 404, { error: 'unknown platform path' });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serve(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    {
      counts: () => ({ ...counts }),
      turns: (args) => runTurns(mail, args as TurnsArgs),
      bookings: (args) => runBookings(mail, args as BookingsArgs),
    },
    async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  );
}

main().catch(fail);
