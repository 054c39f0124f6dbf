/**
 * Issue 12 point 6: the hospital's privacy notice (facilities[].privacyNoticeUrl) must reach the consent
 * prompt through the production turn (config → src/engine/facility.ts → the flow → the rendered reply).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFlowFacility } from '../../src/engine/facility.js';
import { startFrontdesk, startPlatforms, testConfig, type Platforms, devSay } from '../support/frontdesk.js';

const NOTICE = 'https://hospital.example.org/privacy';
let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, facility: { privacyNoticeUrl: NOTICE } }));
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const say = async (userId: string, input: { text?: string; choiceId?: string }) => (await devSay(fd.base, userId, input)).map((r) => r.text);

describe("the hospital's privacy notice", () => {
  it('is handed to the flow with the facility', () => {
    expect(toFlowFacility(fd.config.facilities[0]!).privacyNoticeUrl).toBe(NOTICE);
  });

  it('is linked in the consent prompt', async () => {
    await say('notice-1', { text: 'hi' });
    const consent = await say('notice-1', { choiceId: 'menu:book' });
    expect(consent.join('\n')).toMatch(/data privacy/);
    expect(consent.join('\n')).toContain(NOTICE);
  });
});
