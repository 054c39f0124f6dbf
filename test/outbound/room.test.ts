/** Issue 12: the outbound room may import src/core and npm packages only; channels and the provider client may import it. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
const refused = async (filePath: string, line: string) => {
  const [r] = await eslint.lintText(`${line}\nexport const x = 1;\n`, { filePath });
  return (r?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
};

describe('the outbound room', () => {
  it.each([
    ['src/outbound/probe.ts', "import type { Logger } from '../log.js';"],
    ['src/outbound/probe.ts', "import type { FacilityConfig } from '../config/schema.js';"],
    ['src/outbound/probe.ts', "import type { Store } from '../store/types.js';"],
    ['src/outbound/probe.ts', "import { createViberSender } from '../../channels/viber/index.js';"],
  ])('%s may not: %s', async (file, line) => {
    expect(await refused(file, line)).toBe(true);
  });

  it.each([
    ['src/outbound/probe.ts', "import { parseRetryAfter } from '../core/retry-after.js';"],
    ['src/outbound/probe.ts', "import Bottleneck from 'bottleneck';"],
    ['channels/sms/probe.ts', "import { callPlatform } from '../../src/outbound/index.js';"],
    ['src/provider/probe.ts', "import { call } from '../outbound/index.js';"],
  ])('%s may: %s', async (file, line) => {
    expect(await refused(file, line)).toBe(false);
  });
});
