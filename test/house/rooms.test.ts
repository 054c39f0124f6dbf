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
    ['channels/sms/probe.ts', "import { callPlatform } from '../../src/http/outbound.js';"],
    ['src/sync/probe.ts', "import type { JobQueue } from '../jobs/types.js';"],
  ])('%s may: %s', async (file, line) => {
    expect(await refused(file, `${line}\nexport const x = 1;\n`)).toBe(false);
  });
});
