import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowContact } from '../../flows/protocol.js';
import type { ProviderAppointment } from '../../src/core/index.js';
import { createLogger } from '../../src/log.js';
import { createProviderClient } from '../../src/provider/client.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { JUAN, SANDBOX_NOW, SANDBOX_TZ } from '../support/sandbox-actors.js';
import { createChat, type Chat } from '../support/transcript.js';
import { faultyProxy, type Fault, type FaultyProxy, type SeenRequest } from './slow-provider.js';

/**
 * Issue 10, "honest answers when the hospital is slow": the conversation machine over the real sandbox
 * provider, reached through a misbehaving HTTP hop. A write whose answer is lost (the sandbox did it, the
 * answer never came back) is never reported as "nothing changed": the patient is told it is being
 * checked, the machine asks again with the same Idempotency-Key, and the outcome is told in the same
 * conversation, in the same turn when the provider answers, on the next message when it stays down.
 * Clock: Mon 30 Nov 2026 09:00 Manila (sandbox seed 1; Juan P-100001 has Dr. Santos on Thu Dec 3, 08:00).
 */

const TIMEOUT_MS = 700;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const isWrite = (r: Omit<SeenRequest, 'fault'>) => r.method !== 'GET';

async function world(fault: (req: Omit<SeenRequest, 'fault'>, n: number) => Fault) {
  const facilityId = `slow-${process.pid}-${closers.length}`;
  const userId = `${facilityId}-user`;
  const apiKey = 'slow-key';
  const sandbox = createSandbox({ facilities: [{ id: facilityId, timezone: SANDBOX_TZ, userId, apiKey }], now: () => new Date(SANDBOX_NOW), seed: 1, logger: createLogger({ level: 'silent' }) });
  const server: Server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await sandbox.stop();
  });
  const proxy: FaultyProxy = await faultyProxy(origin, fault);
  closers.push(proxy.close);
  const client = createProviderClient({
    facilityId,
    baseUrl: `${proxy.url}/sandbox/${facilityId}/api/v1`,
    userId,
    apiKey,
    timezone: SANDBOX_TZ,
    timeoutMs: TIMEOUT_MS,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    breaker: { consecutiveFailures: 1000, halfOpenAfterMs: 60_000 },
    logger: createLogger({ level: 'silent' }),
  });
  // the hospital's own view, straight from the sandbox (not through the faulty hop)
  const direct = createProviderClient({ facilityId, baseUrl: `${origin}/sandbox/${facilityId}/api/v1`, userId, apiKey, timezone: SANDBOX_TZ, logger: createLogger({ level: 'silent' }) });
  const calendars = await direct.listCalendars();
  if (!calendars.ok) throw new Error('sandbox calendars');
  const chat = (contact: Partial<FlowContact>): Chat =>
    createChat({
      facility: { id: facilityId, name: 'Sandbox Clinic', timezone: SANDBOX_TZ, locale: 'en', country: 'PH', cutoffHours: 24, askNationalId: false },
      contact: { id: 'c1', channel: 'messenger', ...contact },
      calendars: calendars.value,
      provider: client,
      startAt: SANDBOX_NOW,
    });
  const staff = async (): Promise<(ProviderAppointment & { source?: string })[]> => {
    const res = await fetch(`${origin}/sandbox/${facilityId}/staff/appointments`, { headers: { authorization: `Basic ${Buffer.from(`${userId}:${apiKey}`).toString('base64')}` } });
    return ((await res.json()) as { appointments: (ProviderAppointment & { source?: string })[] }).appointments;
  };
  return { proxy, chat, staff, facilityId };
}

const lorna = { name: 'Lorna Quijano', dob: '1990-05-15', phone: '+639175550142', gender: 'female', consent: true };
const juan = { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone, gender: JUAN.gender, consent: true, patientId: JUAN.patientId };

/** a new patient picks the laboratory on Wed Dec 2 at 9:00 and is shown the summary */
const toReview = (chat: Chat) =>
  chat.send('book').expectEventually(/Which doctor or service/).choose(/Laboratory/).expectKey('slots.date').send('Dec 2').expectKey('slots.time').choose('9:00 AM').expectKey('book.summaryPrompt');

// Once through the whole path (sandbox, proxy, provider client, the production turn and its store) before the
// timed tests: a first, cold run of that code can take more than TIMEOUT_MS on its own.
beforeAll(async () => {
  const w = await world(() => 'pass');
  await toReview(w.chat(lorna));
  for (const c of closers.splice(0).reverse()) await c();
}, 30_000);

const posts = (p: FaultyProxy) => p.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/appointments'));
const neverSaysNothingChanged = (chat: Chat) => expect(chat.replies.filter((r) => /nothing (has been|was) (booked or )?changed/i.test(r.text)).map((r) => r.text)).toEqual([]);

describe('a booking whose answer is lost', () => {
  it('is checked with the same key in the same turn and told: one booking, no "nothing changed"', async () => {
    let lost = 0;
    const w = await world((r) => (isWrite(r) && lost++ === 0 ? 'lose' : 'pass'));
    const chat = w.chat(lorna);
    await toReview(chat)
      .send('yes')
      .expect("The hospital's system didn't answer in time, so I'm checking whether your booking went through. One moment, please.")
      .expect(/^You're booked! Laboratory on Wed, Dec 2, 2026, 9:00 AM\. Your reference number is (\d+)\./)
      .expect(/What would you like to do\?/);
    neverSaysNothingChanged(chat);
    const held = (await w.staff()).filter((a) => a.patient.name === 'Lorna Quijano');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ start: '2026-12-02T09:00:00+08:00', status: 'SCHEDULED' });
    expect(chat.replies.find((r) => r.key === 'book.done')!.text).toContain(`Your reference number is ${held[0]!.appointmentId}.`);
    // the first POST reached the sandbox (its answer was lost); the check asked with the same key
    expect(posts(w.proxy).map((r) => r.fault)).toEqual(['lose', 'pass']);
    expect(new Set(posts(w.proxy).map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(chat.emitted.filter((e) => e.type === 'appointment.changed')).toHaveLength(1);
  });

  it('provider stays down: the conversation stays "checking" across turns, the next message checks again with the same key', async () => {
    let up = false;
    let first = true;
    const w = await world((r) => {
      if (up) return 'pass';
      if (isWrite(r) && first) {
        first = false;
        return 'lose';
      }
      return first ? 'pass' : 'down';
    });
    const chat = w.chat(lorna);
    await toReview(chat)
      .send('yes')
      .expectKey('book.checking')
      .expect((r) => {
        expect(r.key).toBe('book.unsettled');
        expect(r.text).toBe(
          "I still can't reach the hospital's system to confirm your booking with Laboratory on Wed, Dec 2, 2026, 9:00 AM. It may have gone through, so please don't book it again: send me any message or tap “Check again” and I'll check again. If the hospital confirms it in the meantime, I'll let you know here.",
        );
        expect(r.choices?.map((c) => c.id)).toEqual(['cmd:retry', 'menu:staff']);
      })
      // as the engine does between turns: the snapshot goes through JSON
      .restart()
      // still down: "menu" does not leave the check (and books nothing new)
      .send('menu')
      .expectKey('book.unsettled')
      .expectSilence();
    expect((await w.staff()).filter((a) => a.patient.name === 'Lorna Quijano')).toHaveLength(1); // the lost one did book
    up = true;
    await chat
      .restart()
      .send('hello?')
      .expect(/^You're booked! Laboratory on Wed, Dec 2, 2026, 9:00 AM\./)
      .expect(/What would you like to do\?/);
    neverSaysNothingChanged(chat);
    const held = (await w.staff()).filter((a) => a.patient.name === 'Lorna Quijano');
    expect(held).toHaveLength(1);
    expect(chat.replies.find((r) => r.key === 'book.done')!.text).toContain(`Your reference number is ${held[0]!.appointmentId}.`);
    const keys = posts(w.proxy).map((r) => r.headers['idempotency-key']);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('staff stays reachable while it is being checked', async () => {
    let first = true;
    const w = await world((r) => {
      if (isWrite(r) && first) {
        first = false;
        return 'lose';
      }
      return first ? 'pass' : 'down';
    });
    const chat = w.chat(lorna);
    await toReview(chat).send('yes').expectKey('book.checking').expectKey('book.unsettled').choose('Talk to staff').expectKey('handoff.done');
    expect(chat.emitted).toContainEqual({ type: 'handoff', reason: 'provider_error' });
    neverSaysNothingChanged(chat);
  });
});

describe('reschedule and cancel whose answer is lost', () => {
  it('a reschedule is checked in the same turn and told once; the sandbox moved it once', async () => {
    let lost = 0;
    const w = await world((r) => (isWrite(r) && lost++ === 0 ? 'lose' : 'pass'));
    const chat = w.chat(juan);
    await chat
      .send('I need to reschedule')
      .expectEventually(/Which date works for you\?/)
      .send('Dec 4')
      .expectKey('slots.time')
      .choose('10:00 AM')
      .expectKey('manage.reschedulePrompt')
      .send('yes')
      .expect("The hospital's system didn't answer in time, so I'm checking whether your appointment was moved. One moment, please.")
      .expect(/^Done! Your appointment with Dr\. Maria Santos — Internal Medicine is now on Fri, Dec 4, 2026, 10:00 AM\./);
    neverSaysNothingChanged(chat);
    const juans = (await w.staff()).filter((a) => a.patientId === JUAN.patientId && a.calendarId === '101');
    expect(juans.map((a) => [a.start, a.status])).toEqual([['2026-12-04T10:00:00+08:00', 'RESCHEDULED']]);
    // the check (src/engine/reconcile.ts) reads Juan's appointments first: the move it finds done is not asked for again
    const puts = w.proxy.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.fault)).toEqual(['lose']);
    const afterLoss = w.proxy.requests.slice(w.proxy.requests.indexOf(puts[0]!) + 1);
    expect(afterLoss.some((r) => r.method === 'GET' && r.url.includes('/appointments') && r.url.includes(JUAN.patientId))).toBe(true);
  });

  it('a cancel while the provider stays down: "checking", then "Check again" once it is back tells it was cancelled', async () => {
    let up = false;
    let first = true;
    const w = await world((r) => {
      if (up) return 'pass';
      if (isWrite(r) && first) {
        first = false;
        return 'lose';
      }
      return first ? 'pass' : 'down';
    });
    const chat = w.chat(juan);
    await chat
      .send('cancel my appointment')
      .expectEventually((r) => r.key === 'manage.cancelPrompt')
      .send('yes')
      .expect("The hospital's system didn't answer in time, so I'm checking whether your appointment was cancelled. One moment, please.")
      .expect((r) => {
        expect(r.text).toBe(
          "I still can't reach the hospital's system to confirm whether your appointment with Dr. Maria Santos — Internal Medicine on Thu, Dec 3, 2026, 8:00 AM was cancelled. Send me any message or tap “Check again” and I'll check again. If the hospital confirms it in the meantime, I'll let you know here.",
        );
      });
    up = true;
    await chat
      .choose('Check again')
      .expect('Your appointment with Dr. Maria Santos — Internal Medicine on Thu, Dec 3, 2026, 8:00 AM has been cancelled.')
      .expectKey('manage.bookAgain');
    neverSaysNothingChanged(chat);
    const puts = w.proxy.requests.filter((r) => r.method === 'PUT');
    expect(new Set(puts.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect((await w.staff()).filter((a) => a.patientId === JUAN.patientId && a.calendarId === '101').map((a) => a.status)).toEqual(['CANCELED']);
  });
});

describe('a choice payload that names no offered option', () => {
  it('date:2026-13-45, slot:garbage, cal:unknown: "that option is no longer available" and the same question, never "system down"', async () => {
    const w = await world(() => 'pass');
    const chat = w.chat(lorna);
    await chat
      .send('book')
      .expectEventually(/Which doctor or service/)
      .send({ choiceId: 'cal:unknown' })
      .expect('Sorry, that option is no longer available.')
      .expectKey('book.calendar')
      .choose(/Laboratory/)
      .expectKey('slots.date')
      .send({ choiceId: 'date:2026-13-45' })
      .expect('Sorry, that option is no longer available.')
      .expectKey('slots.date')
      .send({ choiceId: 'date:2020-01-06' })
      .expectKey('common.optionGone')
      .expectKey('slots.date')
      .send('Dec 2')
      .expectKey('slots.time')
      .send({ choiceId: 'slot:garbage' })
      .expect('Sorry, that option is no longer available.')
      .expectKey('slots.time')
      .choose('9:00 AM')
      .expectKey('book.summaryPrompt');
    expect(chat.replies.filter((r) => r.key === 'common.providerDown' || r.key === 'common.notUnderstood')).toEqual([]);
    // no month 2026-13 (or 2020-01) was ever asked of the provider: November (nothing left), December, December for Dec 2's times
    expect(w.proxy.requests.filter((r) => r.url.includes('/availability')).map((r) => new URL(r.url, 'http://x').searchParams.get('month'))).toEqual(['2026-11', '2026-12', '2026-12']);
  });
});
