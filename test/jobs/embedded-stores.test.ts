import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openBackend } from '../../src/store/index.js';
import { embeddedHarness } from './embedded-harness.js';
import { queueSuite } from './queue-suite.js';

// The embedded queue on the real store backends; each open() is a separate connection (a separate process).
// Redis and Postgres are required here (CI starts them): a missing server fails, never skips.

const dir = mkdtempSync(join(tmpdir(), 'fd-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let file = 0;

queueSuite(
  'embedded on SQLite',
  embeddedHarness(
    async () => openBackend(`sqlite:${join(dir, `jobs-${file}.sqlite`)}`, 'jobs'),
    async () => {
      file++; // the next test gets a fresh file
    },
  ),
);

const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

queueSuite(
  'embedded on the Redis store',
  embeddedHarness(
    () => openBackend('redis://127.0.0.1:6379', `fdjobs_${suffix}`),
    async () => {
      const b = await openBackend('redis://127.0.0.1:6379', `fdjobs_${suffix}`);
      await b.clearNamespace();
      await b.close();
    },
  ),
);

queueSuite(
  'embedded on the Postgres store',
  embeddedHarness(
    () => openBackend('postgres://postgres@127.0.0.1:5432/test', `fdjobs_${suffix}`),
    async () => {
      const b = await openBackend('postgres://postgres@127.0.0.1:5432/test', `fdjobs_${suffix}`);
      await b.clearNamespace();
      await b.close();
    },
  ),
);
