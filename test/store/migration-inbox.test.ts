/**
 * Issue 11: a store left by the version with the per-conversation inbox. Messages it had accepted but not
 * processed are queued again at start-up, in arrival order, answered once, and the old keys are gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/messages.js';
import { migrateInbox } from '../../src/store/migrations/inbox.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { eventually, FACILITY, startFrontdesk, startPlatforms, testConfig } from '../support/frontdesk.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-mig-inbox-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const message = (psid: string, n: number, text: string): InboundMessage => ({ id: `mid.legacy-${psid}-${n}`, facilityId: FACILITY, channel: 'messenger', channelUserId: psid, sentAt: new Date().toISOString(), kind: 'message', text });

/** what the old engine wrote when it accepted a message (src/engine/inbox.ts before the serial queue) */
async function seedLegacy(store: OpenedStore, contactId: string, msgs: InboundMessage[]) {
  for (const [i, msg] of msgs.entries()) {
    const key = `${msg.channel}:${msg.id}`;
    await store.backend.kv.set(`inbox:item:${FACILITY}:${key}`, { key, facilityId: FACILITY, contactId, msg, attempts: 0 });
    await store.backend.indexes.add(`inbox:q:${FACILITY}:${contactId}`, key, 1_700_000_000_000_000 + i);
  }
  await store.backend.indexes.add('inbox:pending', JSON.stringify([FACILITY, contactId]));
}

describe('migrating the old inbox', () => {
  it('hands the waiting messages over in arrival order, once, and clears the old keys', async () => {
    const store = await openStore(`sqlite:${join(dir, 'unit.sqlite')}`);
    try {
      await seedLegacy(store, 'c-1', [message('p1', 1, 'first'), message('p1', 2, 'second')]);
      const accepted: string[] = [];
      const target = { accept: async (m: InboundMessage) => (accepted.push(m.text ?? ''), true) };
      expect(await migrateInbox(store, target)).toBe(2);
      expect(accepted).toEqual(['first', 'second']);
      expect(await store.backend.indexes.members('inbox:pending')).toEqual([]);
      expect(await store.backend.indexes.members(`inbox:q:${FACILITY}:c-1`)).toEqual([]);
      expect(await store.backend.kv.get(`inbox:item:${FACILITY}:messenger:mid.legacy-p1-1`)).toBeUndefined();
      expect(await migrateInbox(store, target)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a frontdesk started on such a store answers them', async () => {
    const platforms = await startPlatforms();
    const file = `sqlite:${join(dir, 'app.sqlite')}`;
    const store = await openStore(file);
    await seedLegacy(store, 'c-legacy', [message('legacy-psid', 1, 'hi')]);
    await store.close();
    const fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: file }));
    try {
      await eventually(() => platforms.graph().some((r) => r.json.recipient?.id === 'legacy-psid'), 'the legacy message answered');
      expect(await fd.store.backend.indexes.members('inbox:pending')).toEqual([]);
    } finally {
      await fd.close();
      await platforms.close();
    }
  });
});
