/** Store operations on SQLite, one at a time (the store's own locks included). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Appointment } from '../../src/core/domain.js';
import { openStore } from '../../src/store/index.js';
import { runLoad, type BenchRow } from './pool.js';

const N = 2000;
const FACILITY = 'bench-store';

export async function benchStore(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-store-'));
  const store = await openStore(`sqlite:${join(dir, 'store.sqlite')}`, { namespace: 'bench' });
  try {
    const ids: string[] = [];
    const ensure = await runLoad({
      name: 'store: contact ensure (new channel user)',
      total: N,
      concurrency: 1,
      op: async (i) => {
        const c = await store.contacts.ensureForChannelUser(FACILITY, 'messenger', `psid-${i}`);
        if (i >= 0) ids[i] = c.id;
      },
      warmup: 20,
    });
    const update = await runLoad({
      name: 'store: contact update (read-modify-write)',
      total: N,
      concurrency: 1,
      op: async (i) => {
        await store.contacts.update(FACILITY, ids[Math.max(0, i)]!, (c) => ({ ...c, name: 'Bench Patient', phone: `+63917${String(1_000_000 + i).slice(-7)}` }));
      },
      warmup: 20,
    });
    const start = Date.now() + 86_400_000;
    const upsert = await runLoad({
      name: 'store: appointment upsert',
      total: N,
      concurrency: 1,
      op: async (i) => {
        const id = `A${i}`;
        await store.appointments.upsert(FACILITY, id, (cur): Appointment => ({
          ...(cur ?? {}),
          facilityId: FACILITY,
          appointmentId: id,
          status: 'SCHEDULED',
          start: new Date(start + (i % 500) * 600_000).toISOString(),
          calendarId: '101',
          appointmentTypeId: '1001',
          patient: { name: 'Bench Patient', phone: '+639170000000' },
          contactId: ids[Math.abs(i) % N],
          source: 'bot',
        }));
      },
      warmup: 20,
    });
    return [ensure, update, upsert];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
