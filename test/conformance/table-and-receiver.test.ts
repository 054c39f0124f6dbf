import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { inspectDelivery, startReceiver } from '../../src/conformance/receiver.js';
import type { CheckResult } from '../../src/conformance/run.js';
import { formatTable, summaryLine } from '../../src/conformance/table.js';
import { newSecret } from './support.js';

const results: CheckResult[] = [
  { id: 'auth.required', title: 'Basic auth is required', status: 'pass', detail: 'no auth → 401' },
  { id: 'calendars.ids', title: 'ids are strings', status: 'warn', detail: 'numeric ids' },
  { id: 'write.idempotent', title: 'same key, same appointment', status: 'fail', detail: 'the retry booked again' },
  { id: 'write', title: 'booking checks', status: 'skip' },
];

describe('formatTable', () => {
  it('aligns the columns and ends with the tally', () => {
    const lines = formatTable(results).split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+TITLE\s+DETAIL$/);
    const statusColumn = lines[0]!.indexOf('STATUS');
    const titleColumn = lines[0]!.indexOf('TITLE');
    for (const [i, r] of results.entries()) {
      const row = lines[i + 2]!;
      expect(row.startsWith(r.id)).toBe(true);
      expect(row.slice(statusColumn, statusColumn + 4)).toBe(r.status.toUpperCase());
      expect(row.slice(titleColumn).startsWith(r.title)).toBe(true);
      expect(row).toBe(row.trimEnd());
    }
    expect(lines.at(-1)).toBe('conformance: 1 pass · 1 fail · 1 warn · 1 skip');
  });

  it('the tally never reads like a test-runner result line', () => {
    const all = [...results, ...results.map((r) => ({ ...r, status: 'pass' as const }))];
    expect(summaryLine(all)).not.toMatch(/\d+ passed, \d+ failed/);
    expect(formatTable(all)).not.toMatch(/^\s*\d+ passed, \d+ failed\s*$/m);
  });
});

describe('the webhook receiver', () => {
  const secret = newSecret();
  const signer = new Webhook(secret);
  const envelope = JSON.stringify({
    type: 'appointmentCanceled',
    occurredAt: '2026-03-02T09:00:00+08:00',
    data: {
      appointment: {
        appointmentId: '50001', status: 'CANCELED', start: '2026-03-05T09:00:00+08:00', calendarId: '101', appointmentTypeId: '1001',
        patientId: 'P-100001', patient: { name: 'Juan Dela Cruz', phone: '+639171234567' }, updatedAt: '2026-03-02T09:00:00+08:00',
      },
      source: 'staff',
    },
  });
  const headers = (id: string, at: Date, body = envelope, key = signer) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': key.sign(id, at, body),
  });

  it('refuses a correctly signed delivery whose timestamp is 10 minutes old', () => {
    const d = inspectDelivery(signer, envelope, headers('msg_old', new Date(Date.now() - 10 * 60_000)));
    expect(d).toMatchObject({ answered: 401, signatureProblem: 'Message timestamp too old', type: 'appointmentCanceled' });
  });

  it('validates the envelope: a canceled event with another status is a 400 with the schema problem', () => {
    const body = envelope.replace('"status":"CANCELED"', '"status":"SCHEDULED"');
    const d = inspectDelivery(signer, body, headers('msg_status', new Date(), body));
    expect(d.signatureProblem).toBeUndefined();
    expect(d.answered).toBe(400);
    expect(d.envelopeProblems.join('\n')).toContain('/data/appointment/status must be equal to constant');
  });

  it('accepts a good delivery over HTTP with 204 and records it', async () => {
    const receiver = await startReceiver({ secret, host: '127.0.0.1' });
    try {
      const id = `msg_${randomUUID()}`;
      const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers(id, new Date()) }, body: envelope });
      expect(res.status).toBe(204);
      const forged = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers(id, new Date(), envelope, new Webhook(newSecret())) }, body: envelope });
      expect(forged.status).toBe(401);
      expect(receiver.deliveries.map((d) => [d.webhookId, d.appointmentId, d.answered])).toEqual([[id, '50001', 204], [id, '50001', 401]]);
    } finally {
      await receiver.close();
    }
  });
});
