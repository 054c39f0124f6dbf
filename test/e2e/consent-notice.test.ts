/**
 * Issue 12 point 6: the hospital's privacy notice (facilities[].privacyNoticeUrl) must reach the consent
 * prompt through the production turn (config → src/engine/facility.ts → the flow → the rendered reply).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFlowFacility } from '../../src/engine/facility.js';
import { FACILITY, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

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

async function say(userId: string, input: { text?: string; choiceId?: string }) {
  const res = await fetch(`${fd.base}/dev/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ facilityId: FACILITY, channel: 'messenger', userId, ...input }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text);
}

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
