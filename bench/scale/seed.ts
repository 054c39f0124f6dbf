/**
 * The stores of the scale figures. A template goes through the store's own repositories (or, for a
 * conversation, through a real frontdesk: ../sections/scale.ts), then ./replay.ts copies its rows.
 */
import { DateTime } from 'luxon';
import { openStore } from '../../src/store/index.js';
import { FACILITY } from '../fixtures.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureRows, replicate, type TemplateRow, type Tokens } from './replay.js';

/** copy i of a token: the token and i, fixed width (keys stay in insertion order) */
export const copyOf = (token: string) => (i: number) => `${token}-${i.toString(36).padStart(5, '0')}`;

const ZONE = 'Asia/Manila';

/** a facility-local day `daysAhead` from now, YYYY-MM-DD */
export const dayAhead = (daysAhead: number) => DateTime.now().setZone(ZONE).plus({ days: daysAhead }).toFormat('yyyy-MM-dd');

/** writes one appointment through the repository; its rows are found by the tokens it returns */
async function templateAppointment(file: string, day: string, contactId: string): Promise<{ apptId: string; patientId: string }> {
  const store = await openStore(`sqlite:${file}`, { namespace: 'fd' });
  try {
    const apptId = 'BENCHAPPT0';
    const patientId = 'P-BENCH0';
    await store.appointments.upsert(FACILITY, apptId, () => ({
      facilityId: FACILITY,
      appointmentId: apptId,
      status: 'SCHEDULED',
      start: `${day}T09:00:00+08:00`,
      end: `${day}T09:10:00+08:00`,
      calendarId: '201',
      appointmentTypeId: '2001',
      patientId,
      patient: { name: 'Bench Patient', phone: '+639170000000', dob: '1990-05-15' },
      contactId,
      source: 'bot',
    }));
    return { apptId, patientId };
  } finally {
    await store.close();
  }
}

/** one day of `count` appointments, each its own Messenger contact: what a broadcast of that day plans over */
export async function seedBroadcastDay(file: string, count: number, day: string): Promise<{ rows: number; templateRows: number }> {
  const store = await openStore(`sqlite:${file}`, { namespace: 'fd' });
  const psid = '5000000000000000';
  let contactId: string;
  try {
    const c = await store.contacts.ensureForChannelUser(FACILITY, 'messenger', psid, { channels: { messenger: { userId: psid, lastInboundAt: new Date().toISOString() } } });
    contactId = c.id;
  } finally {
    await store.close();
  }
  const { apptId, patientId } = await templateAppointment(file, day, contactId);
  const tokenNames = [contactId, psid, apptId, patientId];
  const rows = captureRows(file, tokenNames);
  const tokens: Tokens = Object.fromEntries(tokenNames.map((t) => [t, copyOf(t)]));
  return { rows: replicate(file, rows, tokens, 1, count), templateRows: rows.length };
}

/** `count` copies of one conversation's rows (its contact, channel claim and snapshot) */
export function seedConversations(file: string, rows: TemplateRow[], tokenNames: string[], count: number): number {
  const tokens: Tokens = Object.fromEntries(tokenNames.map((t) => [t, copyOf(t)]));
  return replicate(file, rows, tokens, 1, count);
}

/**
 * `count` appointments over `days` days from tomorrow, appointment i booked by conversation copy i
 * (the same contact-id token, so the same copy ids).
 */
export async function seedAppointments(file: string, contactId: string, count: number, days: number): Promise<number> {
  const day = dayAhead(40);
  // the template in a scratch store of its own, its rows then copied into `file` (same tables)
  const scratch = mkdtempSync(join(tmpdir(), 'fd-bench-appt-'));
  let rows: TemplateRow[];
  let ids: { apptId: string; patientId: string };
  try {
    ids = await templateAppointment(join(scratch, 'template.sqlite'), day, contactId);
    rows = captureRows(join(scratch, 'template.sqlite'), [ids.apptId, ids.patientId]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const { apptId, patientId } = ids;
  const spread = Array.from({ length: days }, (_, d) => dayAhead(1 + d));
  const tokens: Tokens = {
    [apptId]: copyOf(apptId),
    [patientId]: copyOf(patientId),
    [contactId]: copyOf(contactId),
    [day]: (i) => spread[i % days]!,
  };
  return replicate(file, rows, tokens, 1, count + 1);
}
