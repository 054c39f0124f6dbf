/**
 * Issue 11: two frontdesk processes on the CI Redis (store and queue), the provider and the platforms in
 * this process. Any instance takes any conversation; order per conversation holds across instances; a
 * SIGKILL mid-turn is finished by the other instance once the lease (2 s here) lapses.
 */
import { describe, expect, it } from 'vitest';
import { startHoldingProxy, useChildWorld, writeChildConfig, type ChildFrontdesk } from '../support/child.js';
import { eventually, messengerText, postMessenger } from '../support/frontdesk.js';
import { REDIS_URL, shouldSkip, uniqueNamespace } from '../store/services.js';

const skip = await shouldSkip(REDIS_URL);
const world = useChildWorld();
const startChild = world.start;

/** two instances of one deployment: same Redis store, same queue, same namespace */
async function twoInstances(providerBaseUrl: string): Promise<[ChildFrontdesk, ChildFrontdesk]> {
  const { path } = writeChildConfig({ providerBaseUrl, platformsUrl: world.platforms.url, store: REDIS_URL, extra: { redis: REDIS_URL } });
  const env = { FRONTDESK_NAMESPACE: uniqueNamespace('inst') };
  return Promise.all([startChild(path, { env }), startChild(path, { env })]);
}

type GraphMessage = { text?: string; attachment?: { payload?: { text?: string } } };
const textsTo = (psid: string) =>
  world.platforms
    .graph()
    .filter((r) => r.json.recipient?.id === psid && r.json.message)
    .map((r) => {
      const m = r.json.message as GraphMessage;
      return m.text ?? m.attachment?.payload?.text ?? '';
    });

const LANGUAGES = [
  { say: 'Tagalog', confirm: /magpapatuloy ako sa Filipino/ },
  { say: 'Bahasa Indonesia', confirm: /melanjutkan dalam Bahasa Indonesia/ },
  { say: 'English', confirm: /continue in English/ },
] as const;
const languageOf = (text: string) => LANGUAGES.findIndex((l) => l.confirm.test(text));

describe.skipIf(skip)('two instances on one Redis', () => {
  it('500 messages across 50 conversations, posted to either instance: order per conversation, one reply batch each, none lost', async () => {
    const [a, b] = await twoInstances(world.sandbox.apiBase(world.sandbox.url));
    const users = Array.from({ length: 50 }, (_, k) => `inst-psid-${k}`);
    /** conversation k says, after "hi", nine language names in its own rotation */
    const said = (k: number) => Array.from({ length: 9 }, (_, i) => (k + i) % 3);
    let sent = 0;
    await Promise.all(
      users.map(async (psid, k) => {
        const messages = ['hi', ...said(k).map((l) => LANGUAGES[l]!.say)];
        for (const [i, text] of messages.entries()) {
          const body = messengerText(psid, text);
          const res = await postMessenger((i + k) % 2 ? a.url : b.url, body);
          expect(res.status).toBe(200);
          sent++;
          // a redelivery of the same webhook, to the other instance: acknowledged, ignored
          if (i === 4) expect((await postMessenger((i + k) % 2 ? b.url : a.url, body)).status).toBe(200);
        }
      }),
    );
    expect(sent).toBe(500);
    // greeting and menu (2 messages) + per language name a confirmation and the menu (2 messages)
    const expected = 2 + 9 * 2;
    await eventually(() => users.every((u) => textsTo(u).length >= expected), 'every reply', 2400, 50);
    await new Promise((r) => setTimeout(r, 500)); // nothing more must come
    for (const [k, psid] of users.entries()) {
      const got = textsTo(psid);
      expect(got, `${psid} ${JSON.stringify(got)}`).toHaveLength(expected);
      expect(got[1], psid).toMatch(/What would you like to do/);
      expect(got.map(languageOf).filter((l) => l >= 0), psid).toEqual(said(k));
    }
    // both instances ran turns, 500 in all (the redeliveries ran none)
    const turns = await Promise.all([a, b].map(async (c) => Number(/^frontdesk_turn_seconds_count (\d+)/m.exec(await (await fetch(`${c.url}/metrics`)).text())?.[1] ?? 0)));
    expect(turns.every((n) => n > 0), String(turns)).toBe(true);
    expect(turns[0]! + turns[1]!).toBe(500);
  }, 180_000);

  it('a SIGKILL mid-turn: the other instance finishes the conversation in order, one reply per message', async () => {
    let holdNext = true;
    const proxy = await startHoldingProxy(world.sandbox.url, (req) => {
      if (req.method !== 'GET' || !/\/availability/.test(req.url) || !holdNext) return false;
      holdNext = false;
      return true;
    });
    try {
      const { path } = writeChildConfig({ providerBaseUrl: world.sandbox.apiBase(proxy.url), platformsUrl: world.platforms.url, store: REDIS_URL, extra: { redis: REDIS_URL } });
      const env = { FRONTDESK_NAMESPACE: uniqueNamespace('kill') };
      const first = await startChild(path, { env });
      const psid = 'inst-kill-1';
      const say = async (text: string, expectRe: RegExp, quickReply?: string) => {
        const before = textsTo(psid).length;
        expect((await postMessenger(first.url, messengerText(psid, text, quickReply ? { quickReply } : {}))).status).toBe(200);
        await eventually(() => textsTo(psid).slice(before).some((t) => expectRe.test(t)), `a reply matching ${expectRe}`);
      };
      await say('hi', /What would you like to do/);
      await say('Book an appointment', /data privacy/, 'menu:book');
      await say('I agree', /full name/, 'ans:yes');
      await say('Ana Ilagan', /date of birth/);
      await say('12 March 1990', /mobile number/);
      await say('0917 555 0303', /sent a 6-digit code/);
      await say('Skip', /gender/, 'verify:skip');
      await say('Female', /Which doctor/, 'gender:female');

      // the doctor's availability call is held: the first instance is mid-turn when it dies
      const before = textsTo(psid).length;
      expect((await postMessenger(first.url, messengerText(psid, 'Laboratory', { quickReply: 'cal:201' }))).status).toBe(200);
      await proxy.held();
      // two more messages wait behind it in the conversation's queue (acknowledged by the doomed instance)
      expect((await postMessenger(first.url, messengerText(psid, 'menu'))).status).toBe(200);
      expect((await postMessenger(first.url, messengerText(psid, 'English'))).status).toBe(200);
      const second = await startChild(path, { env });
      await first.kill();
      proxy.release();

      await eventually(() => textsTo(psid).slice(before).some((t) => /continue in English/.test(t)), 'the last message answered', 800, 25).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${JSON.stringify(textsTo(psid).slice(before))}\n${second.output().slice(-3000)}`);
      });
      await new Promise((r) => setTimeout(r, 500));
      const after = textsTo(psid).slice(before);
      const firstOf = (re: RegExp) => after.findIndex((t) => re.test(t));
      // the held turn, then "menu", then "English": each answered once, in that order
      expect(after.filter((t) => /Which date/.test(t))).toHaveLength(1);
      expect(after.filter((t) => /continue in English/.test(t))).toHaveLength(1);
      expect(firstOf(/Which date/)).toBeGreaterThanOrEqual(0);
      expect(firstOf(/Which date/)).toBeLessThan(firstOf(/anything else/));
      expect(firstOf(/anything else/)).toBeLessThan(firstOf(/continue in English/));
      expect(second.output()).not.toMatch(/Error/);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
