/**
 * Patients on Messenger, driven from the platform stub: each posts signed webhooks to frontdesk and waits
 * for the bot's replies at the stub. `runTurns` times single turns (webhook sent → first reply at the
 * send API); `runBookings` takes many patients through a whole booking at once.
 */
import { randomBytes } from 'node:crypto';
import { messengerRequest, type SignedRequest } from '../fixtures.js';
import type { BotMessage, Mailboxes } from './mailboxes.js';

export interface TurnsArgs {
  target: string;
  senders: number;
  concurrency: number;
  timeoutMs: number;
}

export interface TurnsResult {
  /** ms, a new patient's first message ("hi") → the first reply */
  first: number[];
  /** ms, the next message (a tapped "Book an appointment") → its first reply */
  next: number[];
  /** ms, the webhook's acknowledgement as this client saw it */
  ack: number[];
  failed: number;
  failures: string[];
}

export interface BookingsArgs {
  target: string;
  /** open slots (ISO starts with offset), one per patient */
  slots: string[];
  concurrency: number;
  /** no new patient starts after this */
  seconds: number;
  stepTimeoutMs: number;
}

export interface BookingsResult {
  started: number;
  completed: number;
  failed: number;
  /** first patient started → last one finished */
  wallSeconds: number;
  /** ms per whole booking */
  bookingMs: number[];
  /** ms, each step's webhook → the first reply */
  turnMs: number[];
  turns: number;
  failures: string[];
}

async function post(target: string, r: SignedRequest): Promise<void> {
  const res = await fetch(`${target}${r.path}`, { method: 'POST', headers: r.headers, body: r.body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>, keepGoing: () => boolean = () => true): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
      while (next < count && keepGoing()) await fn(next++);
    }),
  );
}

const any = () => true;
const matching = (re: RegExp) => (m: BotMessage) => re.test(m.text);

export async function runTurns(mail: Mailboxes, a: TurnsArgs): Promise<TurnsResult> {
  const run = randomBytes(3).readUIntBE(0, 3) % 100_000;
  const out: TurnsResult = { first: [], next: [], ack: [], failed: 0, failures: [] };
  let mid = 0;
  await pool(a.senders, a.concurrency, async (k) => {
    const psid = `6${String(run).padStart(5, '0')}${String(k).padStart(10, '0')}`;
    mail.watch(psid);
    try {
      const t0 = performance.now();
      await post(a.target, messengerRequest(psid, `m_t${run}_${mid++}`, 'hi'));
      out.ack.push(performance.now() - t0);
      const first = await mail.wait(psid, 0, any, a.timeoutMs);
      if (!first) throw new Error('no reply to "hi"');
      out.first.push(first.at - t0);
      if (!(await mail.wait(psid, 0, matching(/What would you like to do/), a.timeoutMs))) throw new Error(`no menu after "hi": ${mail.tail(psid).join(' / ')}`);
      const before = mail.count(psid);
      const t1 = performance.now();
      await post(a.target, messengerRequest(psid, `m_t${run}_${mid++}`, 'Book an appointment', 'menu:book'));
      out.ack.push(performance.now() - t1);
      const second = await mail.wait(psid, before, any, a.timeoutMs);
      if (!second) throw new Error('no reply to "Book an appointment"');
      out.next.push(second.at - t1);
      await mail.wait(psid, before, matching(/data privacy/), a.timeoutMs);
    } catch (e) {
      out.failed += 1;
      if (out.failures.length < 3) out.failures.push((e as Error).message);
    } finally {
      mail.unwatch(psid);
    }
  });
  return out;
}

const FIRST = ['Andres', 'Bea', 'Carlo', 'Dolores', 'Emilio', 'Fe', 'Gregorio', 'Helen', 'Isagani', 'Josefa', 'Karlo', 'Luz', 'Mario', 'Nena', 'Oscar', 'Pilar', 'Ramon', 'Sonia', 'Tomas', 'Vilma'];
const MIDDLE = ['Abad', 'Bello', 'Cabrera', 'Dizon', 'Enriquez', 'Flores', 'Galang', 'Hizon', 'Ilagan', 'Jimenez', 'Lacson', 'Magno', 'Navarro', 'Ocampo', 'Padilla', 'Quiambao', 'Rivera', 'Salazar', 'Tolentino', 'Umali'];
const LAST = ['Aquino', 'Bautista', 'Castillo', 'Domingo', 'Esguerra', 'Fernandez', 'Garcia', 'Herrera', 'Ignacio', 'Javier', 'Katigbak', 'Lopez', 'Mendoza', 'Nolasco', 'Ortega', 'Pascual', 'Quizon', 'Reyes', 'Santos', 'Torres'];
const nameOf = (k: number) => `${FIRST[k % 20]} ${MIDDLE[Math.floor(k / 20) % 20]} ${LAST[Math.floor(k / 400) % 20]}`;

interface Step {
  text: string;
  quickReply?: string;
  expect: RegExp;
}

function bookingSteps(k: number, slot: string): Step[] {
  const date = slot.slice(0, 10);
  return [
    { text: 'hi', expect: /What would you like to do/ },
    { text: 'Book an appointment', quickReply: 'menu:book', expect: /data privacy/ },
    { text: 'I agree', quickReply: 'ans:yes', expect: /full name/ },
    { text: nameOf(k), expect: /date of birth/ },
    { text: '15/05/1990', expect: /mobile number/ },
    { text: `0917${String(5_000_000 + k).padStart(7, '0')}`, expect: /sent a 6-digit code/ },
    { text: 'Skip', quickReply: 'verify:skip', expect: /gender/ },
    { text: 'Female', quickReply: 'gender:female', expect: /Which doctor/ },
    { text: 'Laboratory', quickReply: 'cal:201', expect: /Which date/ },
    { text: date, quickReply: `date:${date}`, expect: /These times are open/ },
    { text: slot.slice(11, 16), quickReply: `slot:${slot}`, expect: /Shall I book this/ },
    { text: 'Yes, book it', quickReply: 'ans:yes', expect: /You're booked!/ },
  ];
}

export async function runBookings(mail: Mailboxes, a: BookingsArgs): Promise<BookingsResult> {
  const run = randomBytes(3).readUIntBE(0, 3) % 100_000;
  const out: BookingsResult = { started: 0, completed: 0, failed: 0, wallSeconds: 0, bookingMs: [], turnMs: [], turns: 0, failures: [] };
  const t0 = performance.now();
  const until = t0 + a.seconds * 1000;
  let mid = 0;
  await pool(
    a.slots.length,
    a.concurrency,
    async (k) => {
      out.started += 1;
      const psid = `8${String(run).padStart(5, '0')}${String(k).padStart(10, '0')}`;
      mail.watch(psid);
      const started = performance.now();
      let step: Step | undefined;
      try {
        for (step of bookingSteps(k, a.slots[k]!)) {
          const before = mail.count(psid);
          const sent = performance.now();
          await post(a.target, messengerRequest(psid, `m_b${run}_${mid++}`, step.text, step.quickReply));
          const first = await mail.wait(psid, before, any, a.stepTimeoutMs);
          if (first) out.turnMs.push(first.at - sent);
          out.turns += 1;
          if (!(await mail.wait(psid, before, matching(step.expect), a.stepTimeoutMs))) throw new Error(`no /${step.expect.source}/ after "${step.text}": ${mail.tail(psid).join(' / ')}`);
        }
        out.completed += 1;
        out.bookingMs.push(performance.now() - started);
      } catch (e) {
        out.failed += 1;
        if (out.failures.length < 3) out.failures.push((e as Error).message);
      } finally {
        mail.unwatch(psid);
      }
    },
    () => performance.now() < until,
  );
  out.wallSeconds = (performance.now() - t0) / 1000;
  return out;
}
