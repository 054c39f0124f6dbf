import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import type { ProviderAppointment } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { renderReply } from '../../src/i18n/index.js';
import { createEmbeddedQueue, type EmbeddedQueue } from '../../src/jobs/embedded.js';
import { createLogger } from '../../src/log.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { applyProviderEvent, fireReminder, REMINDER_JOB, type ReminderPayload, type SyncDeps } from '../../src/sync/apply.js';
import type { ProviderEvent } from '../../src/sync/events.js';

const cfg = validateConfig({
  facilities: [
    {
      id: 'st-lukes',
      name: "St. Luke's",
      timezone: 'Asia/Manila',
      reminders: ['P1D', 'PT2H'],
      quietHours: { from: '21:00', to: '08:00' },
      provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==' },
    },
  ],
});
if (!cfg.ok) throw new Error('bad test config');
const facility = cfg.value.facilities[0] as FacilityConfig;
const F = facility.id;

let store: OpenedStore;
let queue: EmbeddedQueue;
let sent: OutboundMessage[];
let clock: number;
let deps: SyncDeps;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-sync-'));
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
  clock = Date.parse('2026-12-01T09:00:00+08:00');
  queue = createEmbeddedQueue({ backend: store.backend, now: () => clock });
  sent = [];
  deps = {
    store,
    queue,
    facility: (id) => (id === F ? facility : undefined),
    calendarName: async () => 'Dr. Reyes',
    render: renderReply,
    send: async (m) => void sent.push(m),
    logger: createLogger({ level: 'silent' }),
    now: () => clock,
  };
});
afterEach(async () => {
  await queue.stop();
  await store.close();
});

const appt = (over: Partial<ProviderAppointment> = {}): ProviderAppointment => ({
  appointmentId: 'A-1',
  status: 'SCHEDULED',
  start: '2026-12-03T14:00:00+08:00',
  calendarId: 'cal-1',
  appointmentTypeId: 'consult',
  patientId: 'P-9',
  patient: { name: 'Maria Santos', phone: '0917 123 4567' },
  ...over,
});
const ev = (type: Exclude<ProviderEvent['type'], 'patientCreated' | 'unknown'>, occurredAt: string, a: ProviderAppointment, source?: 'staff' | 'bot' | 'walk-in'): ProviderEvent =>
  ({ type, occurredAt, appointment: a, ...(source ? { source } : {}) }) as ProviderEvent;

describe('provider events into the mirror', () => {
  it('a desk booking for a stranger creates an SMS contact, stores the ids, tells the patient once and plans reminders', async () => {
    const r = await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt(), 'staff'));
    expect(r).toMatchObject({ applied: true, notice: 'created' });
    const contact = await store.contacts.byVerifiedPhone(F, '+639171234567');
    expect(contact).toMatchObject({ channels: { sms: { userId: '+639171234567' } } });
    const patient = await store.patients.byProviderId(F, 'P-9');
    expect(patient).toMatchObject({ name: 'Maria Santos', phones: ['+639171234567'] });
    expect(patient!.links).toMatchObject([{ contactId: contact!.id, verified: true }]);
    const mirror = await store.appointments.get(F, 'A-1');
    expect(mirror).toMatchObject({ status: 'SCHEDULED', contactId: contact!.id, patientRef: patient!.id, source: 'staff', creationNoticeSent: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ id: 'pwh:st-lukes:wh-1', channel: 'sms', channelUserId: '+639171234567', purpose: 'update' });
    expect(sent[0]!.reply.text).toMatch(/Dr\. Reyes/);
    expect(mirror!.reminderJobIds).toHaveLength(2);
    expect(await queue.get(mirror!.reminderJobIds![0]!)).toMatchObject({ state: 'pending', runAt: Date.parse('2026-12-02T14:00:00+08:00') });

    // the same booking again (another webhook id): no second message, no second contact
    await applyProviderEvent(deps, F, 'wh-2', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt(), 'staff'));
    expect(sent).toHaveLength(1);
    expect(await store.contacts.list(F)).toHaveLength(1);
  });

  it('finds the patient by its ids, and tells the contact that proved the phone — never one that only typed it', async () => {
    const typed = await store.contacts.ensureForChannelUser(F, 'viber', 'viber-typed', { lastChannel: 'viber' });
    await store.contacts.update(F, typed.id, (c) => ({ ...c, phone: '+639171234567' }));
    const booked = await store.patients.ensure(F, { temporaryPatientId: 'TMP-1' }, { name: 'Maria Santos' });
    await store.patients.link(F, booked.id, { contactId: typed.id, relationship: 'self', verified: false, how: 'booked_in_chat', since: '2026-12-01T00:00:00Z' });
    const proved = await store.contacts.ensureForChannelUser(F, 'messenger', 'psid-1', { lastChannel: 'messenger' });
    await store.contacts.verifyPhone(F, proved.id, '+639171234567', 'code', '2026-12-01T00:00:00Z');

    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt({ patientId: undefined, temporaryPatientId: 'TMP-1' })));
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ contactId: proved.id, patientRef: booked.id });
    expect(sent[0]).toMatchObject({ channel: 'messenger', channelUserId: 'psid-1' });
    expect(sent.some((m) => m.channelUserId === 'viber-typed')).toBe(false);
    // the patient stays who it was; the prover may act for them now
    const after = await store.patients.get(F, booked.id);
    expect(after).toMatchObject({ name: 'Maria Santos', temporaryPatientIds: ['TMP-1'] });
    expect(after!.links.find((l) => l.contactId === proved.id)).toMatchObject({ verified: true });
    expect(after!.links.find((l) => l.contactId === typed.id)).toMatchObject({ verified: false });
  });

  it('a desk booking for a child on the parent\'s phone is the child\'s: the parent\'s record keeps its own id', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt({ patientId: 'P-MUM', patient: { name: 'Maria Santos', phone: '0917 123 4567' } }), 'staff'));
    await applyProviderEvent(deps, F, 'wh-2', ev('appointmentCreated', '2026-12-01T09:05:00+08:00', appt({ appointmentId: 'A-2', patientId: 'P-KID', patient: { name: 'Lito Santos', phone: '0917 123 4567' } }), 'staff'));
    const mum = await store.patients.byProviderId(F, 'P-MUM');
    const kid = await store.patients.byProviderId(F, 'P-KID');
    expect(mum!.id).not.toBe(kid!.id);
    expect(mum).toMatchObject({ name: 'Maria Santos', patientId: 'P-MUM' });
    expect(kid).toMatchObject({ name: 'Lito Santos', patientId: 'P-KID' });
    const contacts = await store.contacts.list(F);
    expect(contacts).toHaveLength(1);
    expect((await store.appointments.get(F, 'A-2'))).toMatchObject({ contactId: contacts[0]!.id, patientRef: kid!.id });
    expect(sent.at(-1)!.reply.text).toMatch(/^For Lito:/);
  });

  it('does not tell the patient twice about a booking the bot made, nor invent a contact for it', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt(), 'bot'));
    expect(sent).toHaveLength(0);
    expect(await store.contacts.list(F)).toHaveLength(0);
    expect((await store.appointments.get(F, 'A-1'))?.reminderJobIds).toHaveLength(2);
  });

  it('rescheduled before created: the late, older created event does not roll the time back', async () => {
    await applyProviderEvent(deps, F, 'wh-2', ev('appointmentRescheduled', '2026-12-01T10:00:00+08:00', appt({ status: 'RESCHEDULED', start: '2026-12-04T10:00:00+08:00' })));
    const r = await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt()));
    expect(r).toEqual({ applied: false, reason: 'stale' });
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ status: 'RESCHEDULED', start: '2026-12-04T10:00:00+08:00' });
    expect(sent.map((m) => m.id)).toEqual(['pwh:st-lukes:wh-2']);
  });

  it('canceled then a late rescheduled: stays canceled, reminders dropped; a newer impossible transition is kept out', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt()));
    const planned = (await store.appointments.get(F, 'A-1'))!.reminderJobIds!;
    await applyProviderEvent(deps, F, 'wh-3', ev('appointmentCanceled', '2026-12-01T11:00:00+08:00', appt({ status: 'CANCELED' })));
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ status: 'CANCELED', reminderJobIds: [] });
    for (const id of planned) expect((await queue.get(id))?.state).toBe('canceled');
    expect(await applyProviderEvent(deps, F, 'wh-2', ev('appointmentRescheduled', '2026-12-01T10:00:00+08:00', appt({ status: 'RESCHEDULED', start: '2026-12-05T10:00:00+08:00' })))).toEqual({ applied: false, reason: 'stale' });
    expect(await applyProviderEvent(deps, F, 'wh-4', ev('appointmentRescheduled', '2026-12-01T12:00:00+08:00', appt({ status: 'RESCHEDULED', start: '2026-12-05T10:00:00+08:00' })))).toEqual({ applied: false, reason: 'impossible_transition' });
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ status: 'CANCELED', start: '2026-12-03T14:00:00+08:00' });
    const canceled = sent.find((m) => m.id === 'pwh:st-lukes:wh-3');
    expect(canceled?.reply.choices?.map((c) => c.id)).toEqual(['menu:book']);
  });

  it('moves reminders when the appointment moves, and stores a UTC start in the facility zone', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt()));
    const before = (await store.appointments.get(F, 'A-1'))!.reminderJobIds!;
    await applyProviderEvent(deps, F, 'wh-2', ev('appointmentRescheduled', '2026-12-01T10:00:00+08:00', appt({ status: 'RESCHEDULED', start: '2026-12-05T02:00:00Z' })));
    const after = await store.appointments.get(F, 'A-1');
    expect(after?.start).toBe('2026-12-05T10:00:00+08:00');
    expect(await store.appointments.byDay(F, '2026-12-05')).toHaveLength(1);
    expect(after!.reminderJobIds).toHaveLength(2);
    expect(after!.reminderJobIds!.some((id) => before.includes(id))).toBe(false);
    for (const id of before) expect((await queue.get(id))?.state).toBe('canceled');
  });

  it('check-in acknowledges with the queue number and ends the reminders; no-show offers to rebook', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt()));
    await applyProviderEvent(deps, F, 'wh-2', ev('patientCheckedIn', '2026-12-03T13:40:00+08:00', appt({ status: 'SHOW', queueNumber: '17' })));
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ status: 'SHOW', queueNumber: '17', reminderJobIds: [] });
    expect(sent.at(-1)!.reply.text).toMatch(/17/);
    await applyProviderEvent(deps, F, 'wh-3', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt({ appointmentId: 'A-2' })));
    await applyProviderEvent(deps, F, 'wh-4', ev('appointmentNoShow', '2026-12-03T18:00:00+08:00', appt({ appointmentId: 'A-2', status: 'NO SHOW' })));
    expect(sent.at(-1)!.reply.choices?.map((c) => c.id)).toEqual(['menu:book']);
  });

  it('patientCreated attaches the permanent id to the contact and its appointments, keeps the alias, says nothing', async () => {
    // the conversation that booked it has the temporary id on its patient record
    const chat = await store.contacts.ensureForChannelUser(F, 'viber', 'viber-1', { channels: { viber: { userId: 'viber-1', subscribed: true } }, lastChannel: 'viber' });
    const held = await store.patients.ensure(F, { temporaryPatientId: 'TMP-7' }, { name: 'Maria Santos' });
    await store.patients.link(F, held.id, { contactId: chat.id, relationship: 'self', verified: false, how: 'booked_in_chat', since: '2026-12-01T00:00:00Z' });
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt({ patientId: undefined, temporaryPatientId: 'TMP-7' }), 'bot'));
    const r = await applyProviderEvent(deps, F, 'wh-2', { type: 'patientCreated', occurredAt: '2026-12-01T09:30:00+08:00', patientId: 'P-100', temporaryPatientId: 'TMP-7' });
    expect(r.applied).toBe(true);
    expect(await store.patients.byProviderId(F, 'P-100')).toMatchObject({ id: held.id, patientId: 'P-100', temporaryPatientIds: ['TMP-7'] });
    expect((await store.patients.byProviderId(F, 'TMP-7'))?.id).toBe(held.id);
    expect(await store.appointments.get(F, 'A-1')).toMatchObject({ patientId: 'P-100', temporaryPatientId: 'TMP-7' });
    expect(sent).toHaveLength(0);
  });

  it('a reminder fires once with confirm / reschedule / cancel, and not for a moved or cancelled appointment', async () => {
    await applyProviderEvent(deps, F, 'wh-1', ev('appointmentCreated', '2026-12-01T09:00:00+08:00', appt(), 'staff'));
    sent.length = 0;
    const [first] = (await store.appointments.get(F, 'A-1'))!.reminderJobIds!;
    const payload: ReminderPayload = { facilityId: F, appointmentId: 'A-1', start: '2026-12-03T14:00:00+08:00', offset: 'P1D' };
    expect(await fireReminder(deps, first!, payload)).toBe('sent');
    expect(sent[0]).toMatchObject({ id: `send:${first}`, purpose: 'reminder' });
    expect(sent[0]!.reply.choices?.map((c) => c.id)).toEqual(['rem:confirm:A-1', 'rem:reschedule:A-1', 'rem:cancel:A-1']);
    expect(await fireReminder(deps, first!, { ...payload, start: '2026-12-04T14:00:00+08:00' })).toBe('stale');
    await applyProviderEvent(deps, F, 'wh-2', ev('appointmentCanceled', '2026-12-01T11:00:00+08:00', appt({ status: 'CANCELED' })));
    expect(await fireReminder(deps, first!, payload)).toBe('stale');
    expect(REMINDER_JOB).toBe('reminder');
  });
});
