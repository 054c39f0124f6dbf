/**
 * Issue 12: the rooms of ../shared/architecture.md are enforced by lint for every room, not only flows/.
 * Each case lints a one-line probe as if it lived in that room.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
const refused = async (filePath: string, code: string) => {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
};

describe('the rooms', () => {
  it.each([
    ['src/store/probe.ts', "import type { Engine } from '../engine/index.js';"],
    ['src/store/backends/probe.ts', "import type { Engine } from '../../engine/index.js';"],
    ['src/jobs/probe.ts', "import type { Engine } from '../engine/index.js';"],
    ['src/engine/probe.ts', "import { createOutbox } from '../jobs/outbox.js';"],
    ['src/provider/probe.ts', "import type { Store } from '../store/types.js';"],
    ['src/sandbox/probe.ts', "import type { Store } from '../store/types.js';"],
    ['src/core/probe.ts', "import type { Store } from '../store/types.js';"],
    ['flows/probe.ts', "import type { Store } from '../src/store/types.js';"],
    ['flows/steps/probe.ts', "import Koa from 'koa';"],
    ['channels/messenger/probe.ts', "import { createViberSender } from '../viber/index.js';"],
    ['channels/viber/probe.ts', "import type { Store } from '../../src/store/types.js';"],
  ])('%s may not: %s', async (file, line) => {
    expect(await refused(file, `${line}\nexport const x = 1;\n`)).toBe(true);
  });

  it.each([
    ['src/engine/probe.ts', "import type { Store } from '../store/types.js';"],
    ['flows/probe.ts', "import type { Reply } from '../src/core/index.js';"],
    ['channels/sms/probe.ts', "import { callPlatform } from '../../src/outbound/index.js';"],
    ['src/sync/probe.ts', "import type { JobQueue } from '../jobs/types.js';"],
  ])('%s may: %s', async (file, line) => {
    expect(await refused(file, `${line}\nexport const x = 1;\n`)).toBe(false);
  });
});

/** the store room: nothing outside src/store (and tests) reaches the backend's raw kv / indexes */
const rawStore = async (filePath: string, code: string) => {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).some((m) => m.ruleId === 'no-restricted-syntax');
};

describe('the store room', () => {
  it.each([
    ['src/engine/probe.ts', "import type { Store } from '../store/types.js';\nexport const x = (store: Store) => store.backend.kv.get('engine:turn:f:c');"],
    ['src/jobs/probe.ts', "import type { StoreBackend } from '../store/types.js';\nexport const x = (backend: StoreBackend) => backend.indexes.range('jobs:due', 0, 1);"],
    ['src/sync/probe.ts', "import type { Store } from '../store/types.js';\nexport const x = (store: Store) => { const { kv } = store.backend; return kv; };"],
    ['src/probe.ts', "import type { Store } from './store/types.js';\nexport const x = (store: Store) => ({ indexes: store.backend['indexes'] });"],
    ['channels/sms/probe.ts', "export const x = (deps: { backend: { kv: unknown } }) => deps.backend.kv;"],
  ])('%s may not: %s', async (file, code) => {
    expect(await rawStore(file, `${code}\n`)).toBe(true);
  });

  it.each([
    ['src/store/probe.ts', "import type { StoreBackend } from './types.js';\nexport const x = (backend: StoreBackend) => backend.kv.get('k');"],
    ['src/engine/probe.ts', "import type { Store } from '../store/types.js';\nexport const x = (store: Store) => store.turns.lastTurn('f', 'c');"],
    ['src/jobs/probe.ts', "import type { StoreBackend } from '../store/types.js';\nexport const x = (backend: StoreBackend) => backend.ping();"],
    ['test/store/probe.ts', "import type { Store } from '../../src/store/types.js';\nexport const x = (store: Store) => store.backend.kv.get('k');"],
  ])('%s may: %s', async (file, code) => {
    expect(await rawStore(file, `${code}\n`)).toBe(false);
  });
});
