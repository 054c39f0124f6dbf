import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type CheckResult } from '../../src/conformance/run.js';
import { brokenProvider } from './broken-provider.js';
import { NOW, byId, closeServer, listen } from './support.js';

/**
 * A deliberately broken provider on a real local Koa server: no auth check, numeric ids, a bare calendar
 * array, date-times without offset, 200 null for a missing patient, a create that ignores Idempotency-Key and
 * double-books, `{"msg"}` errors, no confirm endpoint. Each fault shows up in the matching check.
 */

let server: Server;
let results: CheckResult[];
let got: Record<string, CheckResult>;

beforeAll(async () => {
  const started = await listen(brokenProvider());
  server = started.server;
  results = await runConformance({ baseUrl: `${started.origin}/api/v1`, userId: 'u', apiKey: 'k', timezone: 'Asia/Manila', write: true, now: () => NOW });
  got = byId(results);
});
afterAll(() => closeServer(server));

describe('conformance against a broken provider', () => {
  it('a provider that serves without credentials fails the auth check', () => {
    expect(got['auth.required']).toMatchObject({ status: 'fail', detail: expect.stringContaining('without credentials GET /calendars → 200') });
  });

  it('tolerated drifts are warnings that say what drifted', () => {
    expect(got['calendars.shape']).toMatchObject({ status: 'warn', detail: expect.stringContaining('bare array') });
    expect(got['calendars.ids']).toMatchObject({ status: 'warn', detail: expect.stringContaining('calendar 101') });
    expect(got['calendars.types']).toMatchObject({ status: 'warn', detail: expect.stringContaining('calendar 102 has no appointment types') });
    expect(got['patient.unknown']).toMatchObject({ status: 'warn', detail: expect.stringContaining('200 with null') });
    expect(got['availability.shape']).toMatchObject({ status: 'warn', detail: expect.stringContaining('grouped {"dates": [...]} form in 2026-04') });
    expect(got['availability.offsets']).toMatchObject({ status: 'warn', detail: expect.stringContaining('4 of 4 have no offset') });
    expect(got['write.confirm']).toMatchObject({ status: 'warn', detail: expect.stringContaining('confirm not supported (optional)') });
    expect(got['write.create']).toMatchObject({ status: 'warn', detail: expect.stringContaining('appointmentId is a number') });
  });

  it('ignoring the Idempotency-Key and double-booking are failures, and the extra bookings are cancelled', () => {
    expect(got['write.idempotent']).toMatchObject({ status: 'fail', detail: 'the retry booked again: appointment 7000, then 7001' });
    expect(got['write.slot-taken']).toMatchObject({ status: 'fail', detail: expect.stringContaining('double-booked: appointment 7002') });
    expect(got['write.cleanup']).toMatchObject({ status: 'pass', detail: expect.stringMatching(/7001/) });
    expect(got['write.cancel-again']).toMatchObject({ status: 'fail', detail: expect.stringContaining('409') });
  });

  it('the flows that do work still pass', () => {
    expect(got['auth.accepted']!.status).toBe('pass');
    expect(got['patient.missing-params']!.status).toBe('pass');
    expect(got['availability.future']!.status).toBe('pass');
    expect(got['write.list']!.status).toBe('pass');
    expect(got['write.reschedule']).toMatchObject({ status: 'pass', detail: 'moved to 2026-04-20T09:00:00+08:00' });
    expect(got['write.cancel']!.status).toBe('pass');
  });

  it('errors without {"error","message"} and bodies off the schema fail', () => {
    expect(got['errors.shape']).toMatchObject({ status: 'fail', detail: expect.stringContaining('GET /patient → 400 has keys msg') });
    expect(got['errors.shape']!.detail).toContain('PUT /appointments/7000/confirm → 405 has non-JSON text');
    expect(got['openapi.responses']).toMatchObject({ status: 'fail', detail: expect.stringContaining('POST /appointments → 201: /appointmentId must be string') });
  });
});
