/** What the privacy and staff-access e2e tests share: a booking in the dev chat, a desk booking, settling. */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { Reply } from '../../src/core/messages.js';
import { eventually, FACILITY, staffCall, type Service, providerEventApplied, devSay } from '../support/frontdesk.js';

export interface Person {
  name: string;
  /** as typed in chat */
  dob: string;
  /** as typed in chat (local format) */
  phone: string;
  nationalId?: string;
}

/** the patient's side of a booking, whatever order the flow asks in (labels as locales/en.json has them) */
const PREFERRED = ['Book an appointment', 'Me', 'I agree', 'Yes, book it', 'Female', 'Consultation', 'Skip'];
const AVOIDED = ['Main menu', 'Later dates', 'More times', 'Another date', 'Try again', "I don't agree", 'Choose another time', 'Talk to staff', 'My appointments', 'Someone else', 'Resend code', 'Check again'];

export const say = (base: string, userId: string, input: { text?: string; choiceId?: string }, facilityId = FACILITY): Promise<Reply[]> => devSay(base, userId, input, { facilityId, channel: 'dev' });

/** books one appointment in the dev chat, answering as `p`; returns the transcript's texts */
export async function bookInChat(base: string, userId: string, p: Person): Promise<string[]> {
  const typed: [RegExp, string][] = [
    [/full name/i, p.name],
    [/date of birth/i, p.dob],
    [/mobile number/i, p.phone],
    [/national id|id number/i, p.nationalId ?? 'AB1234567'],
  ];
  const seen: string[] = [];
  let replies = await say(base, userId, { text: 'hi' });
  for (let turn = 0; turn < 40; turn++) {
    seen.push(...replies.map((r) => r.text));
    if (replies.some((r) => /You're booked!/.test(r.text))) return seen;
    const last = replies.at(-1)!;
    const answer = typed.find(([re]) => re.test(last.text))?.[1];
    const choices = replies.flatMap((r) => r.choices ?? []);
    if (answer && !choices.some((c) => PREFERRED.includes(c.label))) {
      replies = await say(base, userId, { text: answer });
      continue;
    }
    const labels = choices.map((c) => c.label);
    const label = PREFERRED.find((l) => labels.includes(l)) ?? labels.find((l) => !AVOIDED.includes(l));
    if (!label) throw new Error(`stuck at: ${last.text}`);
    replies = await say(base, userId, { choiceId: choices.find((c) => c.label === label)!.id });
  }
  throw new Error(`no booking after 40 turns:\n${seen.join('\n')}`);
}

/** a desk booking at the sandbox: its webhook reaches frontdesk */
export async function deskBook(svc: Service, patient: { name: string; phone: string; dob?: string }, daysAhead = 5) {
  let day = DateTime.now().setZone('Asia/Manila').plus({ days: daysAhead }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  if (day.weekday === 7) day = day.plus({ days: 1 });
  const r = await staffCall(svc.fd.base, 'POST', '/appointments', { calendarId: '102', appointmentTypeId: '1011', start: day.toISO(), patient, overbook: true });
  expect(r.status).toBe(201);
  return { ...(r.body as { appointmentId: string; patientId?: string; temporaryPatientId?: string }), date: day.toISODate()! };
}

/** every webhook the sandbox sent so far was received and processed */
export async function providerSettled(svc: Service): Promise<void> {
  const deliveries = await eventually(() => {
    const ds = svc.fd.sandbox!.deliveries(FACILITY);
    return ds.every((d) => d.status === 'delivered') ? ds : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of deliveries) await eventually(async () => await providerEventApplied(svc.fd, FACILITY, d.id), `provider event ${d.type} processed`);
}

export const staffHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
