/**
 * Issue 10: the SQLite database, its WAL and shared-memory files, and the sandbox's state file are
 * created 0600 in a 0700 directory (they hold patients' data), whatever the process umask.
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveState } from '../../src/sandbox/state-file.js';
import { openStore } from '../../src/store/index.js';

const root = await mkdtemp(join(tmpdir(), 'fd-modes-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

describe('file modes', () => {
  it('the SQLite file, its -wal and -shm: 0600, in a directory created 0700 (with a permissive umask)', async () => {
    const previous = process.umask(0o022);
    try {
      const path = join(root, 'data', 'nested', 'frontdesk.sqlite');
      const store = await openStore(`sqlite:${path}`);
      await store.backend.kv.set('probe', 'written');
      expect(mode(join(root, 'data'))).toBe(0o700);
      expect(mode(join(root, 'data', 'nested'))).toBe(0o700);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect([f, mode(f).toString(8)]).toEqual([f, '600']);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('an existing database file left readable by others is tightened at open', async () => {
    const path = join(root, 'old.sqlite');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const store = await openStore(`sqlite:${path}`);
    await store.backend.kv.set('probe', 'written');
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    await store.close();
  });

  it('the sandbox state file: 0600 in a directory created 0700', () => {
    const previous = process.umask(0o022);
    try {
      const file = join(root, 'sandbox', 'state', 'sandbox-state.json');
      saveState(file, { version: 1, seed: 1, facilities: {} });
      expect(mode(join(root, 'sandbox'))).toBe(0o700);
      expect(mode(join(root, 'sandbox', 'state'))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      saveState(file, { version: 1, seed: 2, facilities: {} });
      expect(mode(file)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
