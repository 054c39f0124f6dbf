import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isObject } from './check.js';
import { validateWebhook } from './openapi.js';

/**
 * A local stand-in for the bot's provider-webhook endpoint (contract §4): it verifies every delivery the
 * Standard Webhooks way (v1 signature, timestamp within 5 minutes), validates the envelope, answers like the bot
 * would (2xx, or 401/400 so the provider retries), and keeps what it saw for the webhook checks.
 */

export interface Delivery {
  webhookId?: string;
  type?: string;
  /** `data.appointment.appointmentId`, when there is one */
  appointmentId?: string;
  appointmentStatus?: unknown;
  /** undefined when the signature and timestamp verified */
  signatureProblem?: string;
  /** envelope problems against the contract's WebhookEnvelope schema (and unreadable JSON) */
  envelopeProblems: string[];
  answered: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  secret: string;
  port?: number;
  host?: string;
  publicUrl?: string;
}

const RECEIVER_PATH = '/webhooks/provider/conformance';

function readRaw(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(' ') : v;
};

/** Throws when the secret is not `whsec_<base64>` (the Webhook class decodes it). */
export const verifierFor = (secret: string): Webhook => new Webhook(secret);

export function inspectDelivery(verifier: Webhook, raw: string, headers: Record<string, string | undefined>): Delivery {
  const delivery: Delivery = { envelopeProblems: [], answered: 204 };
  if (headers['webhook-id']) delivery.webhookId = headers['webhook-id'];
  try {
    verifier.verify(raw, {
      'webhook-id': headers['webhook-id'] ?? '',
      'webhook-timestamp': headers['webhook-timestamp'] ?? '',
      'webhook-signature': headers['webhook-signature'] ?? '',
    });
  } catch (e) {
    delivery.signatureProblem = (e as Error).message || 'verification failed';
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    delivery.envelopeProblems.push('the body is not JSON');
  }
  if (body !== undefined) {
    if (isObject(body) && typeof body.type === 'string') delivery.type = body.type;
    const appointment = isObject(body) && isObject(body.data) && isObject(body.data.appointment) ? body.data.appointment : undefined;
    if (appointment) {
      const id = appointment.appointmentId;
      if (typeof id === 'string' || typeof id === 'number') delivery.appointmentId = String(id);
      delivery.appointmentStatus = appointment.status;
    }
    delivery.envelopeProblems.push(...validateWebhook(body));
  }
  delivery.answered = delivery.signatureProblem ? 401 : delivery.envelopeProblems.length ? 400 : 204;
  return delivery;
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const verifier = verifierFor(opts.secret);
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    readRaw(req)
      .then((raw) => {
        const d = inspectDelivery(verifier, raw, {
          'webhook-id': header(req, 'webhook-id'),
          'webhook-timestamp': header(req, 'webhook-timestamp'),
          'webhook-signature': header(req, 'webhook-signature'),
        });
        deliveries.push(d);
        res.writeHead(d.answered, d.answered === 204 ? {} : { 'content-type': 'application/json' });
        res.end(d.answered === 204 ? undefined : JSON.stringify({ error: d.answered === 401 ? 'invalid_signature' : 'invalid_body', message: 'rejected by the conformance receiver' }));
      })
      .catch(() => {
        res.writeHead(400).end();
      });
  });
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const local = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}${RECEIVER_PATH}`;
  return {
    url: opts.publicUrl ?? local,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
