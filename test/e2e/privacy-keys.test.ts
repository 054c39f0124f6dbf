/**
 * Issue 10: every key the service writes belongs to a family of src/store/keys.ts (the one list, with owner
 * and retention, the README's storage table comes from). The whole service runs on SQLite: a booking in the
 * chat, a Messenger and an SMS conversation, a desk booking (the sandbox's webhook), a staff broadcast; then
 * every row of the file's tables (kv, sorted sets, claims) must match a registered family of its kind.
 * Then one retention pass with the clock three years ahead leaves nothing personal behind.
 */
import { describe, expect, it } from 'vitest';
import { familyOf } from '../../src/store/keys.js';
import { holding, rawScan } from '../store/raw-scan.js';
import { eventually, FACILITY, messengerText, postMessenger, postSms, SECRETS, smsParams, useService } from '../support/frontdesk.js';
import { bookInChat, deskBook, providerSettled, staffHeaders } from './privacy-support.js';

const svc = useService();
const CHAT = { name: 'Lourdes Aquino', dob: '3 September 1991', phone: '0917 864 2200', e164: '+639178642200' };
const DESK = { name: 'Ramon Salazar', phone: '+639178642211' };
const SMS_FROM = '+639178642222';
const PSID = '7001002003004005';
const DAY = 86_400_000;

describe('the key-family registry covers what the service writes', () => {
  it('a day of traffic: chat booking, Messenger, SMS, desk webhook, broadcast', async () => {
    await bookInChat(svc.fd.base, 'dev-lourdes', CHAT);
    expect((await postMessenger(svc.fd.base, messengerText(PSID, 'hello'))).status).toBe(200);
    expect((await postSms(svc.fd.base, smsParams(SMS_FROM, 'hi'))).status).toBe(200);
    const desk = await deskBook(svc, DESK, 6);
    await providerSettled(svc);
    await eventually(() => svc.platforms.graph().length > 0, 'a Messenger reply');
    await eventually(() => svc.platforms.twilio().some((r) => r.form.To === SMS_FROM), 'an SMS reply');
    const res = await fetch(`${svc.fd.base}/staff/v1/broadcasts`, { method: 'POST', headers: staffHeaders(SECRETS.staffToken), body: JSON.stringify({ facilityId: FACILITY, date: desk.date, kind: 'message', text: 'The clinic opens at 9 tomorrow.' }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await eventually(async () => {
      const p = (await (await fetch(`${svc.fd.base}/staff/v1/broadcasts/${id}`, { headers: staffHeaders(SECRETS.staffToken) })).json()) as { status: string };
      return p.status === 'done';
    }, 'broadcast done');
  });

  it('every kv row, sorted-set member and claim in the SQLite file matches a registered family', async () => {
    const raw = await rawScan(svc.fd.config.store, 'fd');
    const kinds = new Set(raw.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['claim', 'kv', 'zset']);
    const unregistered = [...new Set(raw.filter((e) => e.kind !== 'lock' && !familyOf(e.key, e.kind as 'kv' | 'zset' | 'claim')).map((e) => `${e.kind} ${e.key}`))];
    expect(unregistered).toEqual([]);
    // the traffic reached the families it should have
    const families = new Set(raw.map((e) => familyOf(e.key, e.kind as 'kv')?.pattern));
    for (const p of ['contact:{f}:{id}', 'appt:{f}:{id}', 'conv:{f}:{id}', 'engine:turn:{f}:{id}', 'outbox:rec:{*}', 'outbox:pmid:{id}:{*}', 'jobs:job:{*}', 'broadcast:{id}', 'audit-entry:{f}:{id}', 'contact-ch:{f}:{id}:{*}', 'appt-day:{f}:{*}']) {
      expect(families, p).toContain(p);
    }
  });

  it('one retention pass three years on leaves no name or phone of anyone in the store', async () => {
    const before = await rawScan(svc.fd.config.store, 'fd');
    const people = [CHAT.name, CHAT.e164, DESK.name, DESK.phone, SMS_FROM, PSID];
    expect(holding(before, people).length).toBeGreaterThan(5);
    const report = await svc.fd.sweep(new Date(Date.now() + 3 * 365 * DAY));
    expect(report.contacts).toBeGreaterThanOrEqual(4);
    const after = await rawScan(svc.fd.config.store, 'fd');
    expect(holding(after, people)).toEqual([]);
  });
});
