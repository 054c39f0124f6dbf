/**
 * Issue 10, privacy operations on the whole service (SQLite): a patient books in the dev chat, another is
 * booked at the desk (the sandbox's webhook), then staff export and erase the first one through
 * `/staff/v1/facilities/:id/contacts/:contactId[/export]`. After the erasure the SQLite file (every kv row,
 * sorted-set member and claim, read with its own connection) holds nothing of that person; the hospital's
 * own record (the sandbox) still has the appointment; the audit log says who did it, without the data.
 */
import { describe, expect, it } from 'vitest';
import { holding, rawScan } from '../store/raw-scan.js';
import { FACILITY, SECRETS, staffCall, useService } from '../support/frontdesk.js';
import { bookInChat, deskBook, providerSettled, staffHeaders, type Person } from './privacy-support.js';

const svc = useService();
const A: Person & { e164: string; isoDob: string; userId: string } = { name: 'Corazon Villanueva', dob: '21/07/1983', isoDob: '1983-07-21', phone: '0917 246 8135', e164: '+639172468135', nationalId: 'CV7788123', userId: 'dev-corazon-01' };
const B = { name: 'Teodoro Ramos', phone: '+639175551234' };
const auth = staffHeaders(SECRETS.staffToken);
const base = () => svc.fd.base;
let contactId = '';
let appointmentId = '';

describe('export and erasure of one person', () => {
  it('A books in chat; B is booked at the desk', async () => {
    await bookInChat(base(), A.userId, A);
    const contact = (await svc.fd.store.contacts.byChannelUser(FACILITY, 'dev', A.userId))!;
    contactId = contact.id;
    const [appt] = await svc.fd.store.appointments.byContact(FACILITY, contactId);
    expect(appt?.patient.name).toBe(A.name);
    appointmentId = appt!.appointmentId;
    await deskBook(svc, B);
    await providerSettled(svc);
    const raw = await rawScan(svc.fd.config.store, 'fd');
    expect(holding(raw, [A.name]).length).toBeGreaterThan(3);
  });

  it('export: everything held about A, as JSON, not cached', async () => {
    const res = await fetch(`${base()}/staff/v1/facilities/${FACILITY}/contacts/${contactId}/export`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const data = (await res.json()) as Record<string, any>;
    expect(data.contact).toMatchObject({ id: contactId, name: A.name });
    expect(data.appointments.map((a: { appointmentId: string }) => a.appointmentId)).toContain(appointmentId);
    expect(data.appointments[0].patient.name).toBe(A.name);
    expect(data.patients.length).toBeGreaterThanOrEqual(1);
    expect(data.patients[0].name).toBe(A.name);
    expect(data.sendRecords.length).toBeGreaterThan(0);
    expect(data.sendRecords.every((r: { contactId: string }) => r.contactId === contactId)).toBe(true);
    expect(JSON.stringify(data)).not.toContain(B.name);
  });

  it('erasure: 200, then nothing in the store holds A; B and the hospital keep theirs', async () => {
    const res = await fetch(`${base()}/staff/v1/facilities/${FACILITY}/contacts/${contactId}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ erased: true, contactId });
    expect(body.appointmentsAnonymized).toContain(appointmentId);

    const raw = await rawScan(svc.fd.config.store, 'fd');
    expect(holding(raw, [A.name, A.e164, A.isoDob, A.nationalId!, A.userId])).toEqual([]);
    expect(holding(raw, [B.name, B.phone]).length).toBeGreaterThan(0);
    expect(await svc.fd.store.appointments.get(FACILITY, appointmentId)).toMatchObject({ patient: { name: '(erased)' } });

    // the provider's records are the hospital's
    const listed = await staffCall(base(), 'GET', '/appointments');
    const theirs = (listed.body.appointments as { appointmentId: string; patient?: { name?: string } }[]).find((a) => a.appointmentId === appointmentId);
    expect(theirs?.patient?.name).toBe(A.name);
  });

  it('after: export and erasure of that contact are 404; writing again in chat starts a new person', async () => {
    expect((await fetch(`${base()}/staff/v1/facilities/${FACILITY}/contacts/${contactId}/export`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base()}/staff/v1/facilities/${FACILITY}/contacts/${contactId}`, { method: 'DELETE', headers: auth })).status).toBe(404);
    const again = await fetch(`${base()}/dev/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ facilityId: FACILITY, channel: 'dev', userId: A.userId, text: 'hi' }) });
    expect(again.status).toBe(200);
    const fresh = await svc.fd.store.contacts.byChannelUser(FACILITY, 'dev', A.userId);
    expect(fresh?.id).toBeDefined();
    expect(fresh?.id).not.toBe(contactId);
    expect(fresh?.name).toBeUndefined();
  });

  it('the audit log names who exported and erased, with ids only', async () => {
    const res = await fetch(`${base()}/staff/v1/audit?facilityId=${FACILITY}`, { headers: auth });
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as { entries: { actor: string; action: string; facilityId: string; targets?: { contactId?: string }; outcome?: string; at: string }[] };
    const mine = entries.filter((e) => e.targets?.contactId === contactId);
    expect(mine.map((e) => [e.action, e.outcome ?? 'ok'])).toEqual([
      ['contact.erase', 'not_found'],
      ['contact.export', 'not_found'],
      ['contact.erase', 'ok'],
      ['contact.export', 'ok'],
    ]);
    expect(mine.every((e) => e.actor === 'staff-1' && e.facilityId === FACILITY && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    for (const detail of [A.name, A.e164, A.isoDob, A.nationalId!]) expect(JSON.stringify(entries)).not.toContain(detail);
  });
});
