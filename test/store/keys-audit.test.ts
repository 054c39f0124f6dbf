/**
 * Issue 10: the key-family registry (one list, matched by kind and pattern), its retention defaults
 * equal to the config's, and the audit log's guard against anything but ids and numbers.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { retentionConfig } from '../../src/config/schema.js';
import { AuditError, listAudit, recordAudit } from '../../src/store/audit.js';
import { openStore } from '../../src/store/index.js';
import { DEFAULT_RETENTION, familyOf, KEY_FAMILIES } from '../../src/store/keys.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-keys-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('key families', () => {
  it('match stored keys by kind, the most specific pattern first', () => {
    expect(familyOf('contact:st-lukes:0b6c', 'kv')?.pattern).toBe('contact:{f}:{id}');
    expect(familyOf('contact:st-lukes:0b6c', 'claim')).toBeUndefined();
    expect(familyOf('contact-ch:st-lukes:messenger:123', 'claim')?.owner).toBe('src/store/contacts.ts');
    expect(familyOf('attention:item:st-lukes:h1', 'kv')?.pattern).toBe('attention:item:{f}:{id}');
    expect(familyOf('attention:st-lukes', 'zset')?.pattern).toBe('attention:{f}');
    expect(familyOf('patients-of:st-lukes:c1', 'zset')?.pattern).toBe('patients-of:{f}:{id}');
    expect(familyOf('patients:st-lukes', 'zset')?.pattern).toBe('patients:{f}');
    expect(familyOf('jobs:job:send:messenger:m_1:0', 'kv')?.period).toBe('finishedJobsDays');
    expect(familyOf('engine:done:sms:SM1', 'kv')?.retention).toMatch(/7 days/);
    expect(familyOf('something:new', 'kv')).toBeUndefined();
  });

  it('every family says who owns it, what it holds and for how long', () => {
    for (const f of KEY_FAMILIES) {
      expect(f.owner, f.pattern).toMatch(/^src\//);
      expect(f.holds.length, f.pattern).toBeGreaterThan(5);
      expect(f.retention.length, f.pattern).toBeGreaterThan(2);
    }
  });

  it("the README's storage table lists every family", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n');
    for (const f of KEY_FAMILIES) {
      // one row per family, its last column naming the repository that writes it
      expect(rows.some((l) => l.startsWith(`| \`${f.pattern}\` |`) && l.endsWith(`| \`${f.owner}\` |`)), `${f.pattern} written by ${f.owner}`).toBe(true);
    }
  });

  it('the retention defaults are the config defaults', () => {
    const { sweepMinutes, ...periods } = retentionConfig.parse({});
    expect(periods).toEqual(DEFAULT_RETENTION);
    expect(sweepMinutes).toBe(60);
  });
});

describe('audit log', () => {
  it('keeps ids and numbers, newest first, per facility; refuses text that could be a patient detail', async () => {
    const store = await openStore(`sqlite:${join(dir, 'audit.sqlite')}`);
    try {
      await recordAudit(store, { actor: 'Front desk', action: 'contact.export', facilityId: 'a', targets: { contactId: 'c1' }, at: new Date('2030-01-01T00:00:00Z') });
      await recordAudit(store, { actor: 'Front desk', action: 'broadcast.create', facilityId: 'a', targets: { broadcastId: 'b1' }, counts: { recipients: 3 }, at: new Date('2030-01-02T00:00:00Z') });
      await recordAudit(store, { actor: 'Other', action: 'contact.erase', facilityId: 'b', targets: { contactId: 'c2' }, at: new Date('2030-01-03T00:00:00Z') });
      expect((await listAudit(store, ['a'])).map((e) => e.action)).toEqual(['broadcast.create', 'contact.export']);
      expect((await listAudit(store, ['a', 'b'], 2)).map((e) => e.action)).toEqual(['contact.erase', 'broadcast.create']);
      expect((await listAudit(store, ['a']))[0]).toMatchObject({ actor: 'Front desk', facilityId: 'a', at: '2030-01-02T00:00:00.000Z', counts: { recipients: 3 } });
      await expect(recordAudit(store, { actor: 'x', action: 'contact.erase', facilityId: 'a', targets: { name: 'Maria Santos' } })).rejects.toThrow(AuditError);
      await expect(recordAudit(store, { actor: 'x', action: 'Erased Maria', facilityId: 'a' })).rejects.toThrow(AuditError);
      await expect(recordAudit(store, { actor: 'x', action: 'x.y', facilityId: 'a', counts: { n: Number.NaN } })).rejects.toThrow(AuditError);
    } finally {
      await store.close();
    }
  });
});
