/**
 * Restart mid-booking with a real process kill (issue 4): frontdesk runs as a child process on a SQLite
 * store; the sandbox provider (and a proxy in front of it) live in the test process, so they outlive
 * the SIGKILL. One booking must result, whatever the moment of the kill.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxServer, startChild, startHoldingProxy, writeChildConfig, type ChildFrontdesk } from '../support/child.js';
import { eventually, messengerText, postMessenger, startPlatforms, type Platforms, devSay } from '../support/frontdesk.js';

interface Reply {
  text: string;
  choices?: { id: string; label: string }[];
  card?: { title: string; rows: { label: string; value: string }[] };
}

let sandbox: Awaited<ReturnType<typeof startSandboxServer>>;
let platforms: Platforms;
const children: ChildFrontdesk[] = [];

beforeAll(async () => {
  sandbox = await startSandboxServer();
  platforms = await startPlatforms();
});
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
});
afterAll(async () => {
  await platforms?.close();
  await sandbox?.close();
});

async function start(configPath: string): Promise<ChildFrontdesk> {
  const child = await startChild(configPath);
  children.push(child);
  return child;
}

const say = (base: string, userId: string, input: { text?: string; choiceId?: string }): Promise<Reply[]> => devSay(base, userId, input);

const last = (replies: Reply[]) => replies.at(-1)!;
const choice = (replies: Reply[], prefix: string) => {
  const c = replies.flatMap((r) => r.choices ?? []).find((x) => x.id.startsWith(prefix) && x.id !== 'date:more');
  if (!c) throw new Error(`no ${prefix} choice in ${JSON.stringify(replies)}`);
  return c.id;
};

const bookedFor = async (name: string) => (await sandbox.appointments()).filter((a) => a.patient?.name === name && a.status !== 'CANCELED');

describe('restart mid-booking (SIGKILL)', () => {
  it('resumes at the slot choice after a kill and books exactly once', async () => {
    const { path } = writeChildConfig({ providerBaseUrl: sandbox.apiBase(), platformsUrl: platforms.url });
    const user = 'restart-dev-1';
    const name = 'Lorna Quijano';
    let fd = await start(path);

    expect(last(await say(fd.url, user, { text: 'hi' })).choices?.map((c) => c.id)).toContain('menu:book');
    expect(last(await say(fd.url, user, { choiceId: 'menu:book' })).text).toMatch(/data privacy/);
    expect(last(await say(fd.url, user, { choiceId: 'ans:yes' })).text).toMatch(/full name/);
    expect(last(await say(fd.url, user, { text: name })).text).toMatch(/date of birth/);
    expect(last(await say(fd.url, user, { text: '15/05/1990' })).text).toMatch(/mobile number/);
    expect(last(await say(fd.url, user, { text: '0917 555 0101' })).text).toMatch(/sent a 6-digit code/);
    expect(last(await say(fd.url, user, { choiceId: 'verify:skip' })).text).toMatch(/gender/);
    const calendars = await say(fd.url, user, { choiceId: 'gender:female' });
    expect(last(calendars).text).toMatch(/Which doctor/);
    const dates = await say(fd.url, user, { choiceId: 'cal:201' });
    expect(last(dates).text).toMatch(/Which date/);
    const slots = await say(fd.url, user, { choiceId: choice(dates, 'date:') });
    expect(last(slots).text).toMatch(/These times are open/);
    const slotId = choice(slots, 'slot:');

    await fd.kill();
    fd = await start(path);

    // the answer to the pending question, not a fresh start: the summary of that very slot
    const summary = await say(fd.url, user, { choiceId: slotId });
    expect(summary.map((r) => r.text).join('\n')).not.toMatch(/Welcome/);
    expect(last(summary).text).toMatch(/Shall I book this/);
    expect(last(summary).card?.rows.some((r) => r.value === 'Laboratory')).toBe(true);

    const done = await say(fd.url, user, { choiceId: 'ans:yes' });
    expect(done[0]!.text).toMatch(/You're booked! Laboratory/);

    const booked = await bookedFor(name);
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ calendarId: '201', start: slotId.slice('slot:'.length) });
  });

  it('a kill while the create call is in flight: recovery finishes the turn with the same Idempotency-Key, one appointment, one confirmation', async () => {
    let holdNext = true;
    const proxy = await startHoldingProxy(sandbox.url, (req) => {
      if (req.method !== 'POST' || !/\/appointments$/.test(req.url) || !holdNext) return false;
      holdNext = false;
      return true;
    });
    try {
      const { path } = writeChildConfig({ providerBaseUrl: sandbox.apiBase(proxy.url), platformsUrl: platforms.url });
      const psid = 'restart-psid-2';
      const name = 'Teodora Macaraeg';
      let fd = await start(path);

      const texts = () =>
        platforms
          .graph()
          .filter((r) => r.json.recipient?.id === psid && r.json.message)
          .map((r) => r.json.message as { text?: string; quick_replies?: { payload: string }[]; attachment?: { payload?: { text?: string; buttons?: { payload?: string }[] } } });
      const textOf = (m: ReturnType<typeof texts>[number]) => m.text ?? m.attachment?.payload?.text ?? '';
      const payloadsOf = (m: ReturnType<typeof texts>[number]) => [...(m.quick_replies ?? []).map((q) => q.payload), ...(m.attachment?.payload?.buttons ?? []).map((b) => b.payload ?? '')];
      /** sends one message, waits for the reply matching `expect`; returns that reply's choice payloads */
      const send = async (base: string, text: string, expectRe: RegExp, quickReply?: string) => {
        const before = texts().length;
        const res = await postMessenger(base, messengerText(psid, text, quickReply ? { quickReply } : {}));
        expect(res.status).toBe(200);
        const m = await eventually(() => texts().slice(before).find((x) => expectRe.test(textOf(x))), `a reply matching ${expectRe}`);
        return payloadsOf(m);
      };

      await send(fd.url, 'hi', /What would you like to do/);
      await send(fd.url, 'Book an appointment', /data privacy/, 'menu:book');
      await send(fd.url, 'I agree', /full name/, 'ans:yes');
      await send(fd.url, name, /date of birth/);
      await send(fd.url, '22/08/1987', /mobile number/);
      await send(fd.url, '0917 555 0202', /sent a 6-digit code/);
      await send(fd.url, 'Skip', /gender/, 'verify:skip');
      await send(fd.url, 'Female', /Which doctor/, 'gender:female');
      const dates = await send(fd.url, 'Laboratory', /Which date/, 'cal:201');
      const date = dates.find((p) => p.startsWith('date:') && p !== 'date:more')!;
      const slots = await send(fd.url, 'date', /These times are open/, date);
      const slot = slots.find((p) => p.startsWith('slot:'))!;
      await send(fd.url, 'time', /Shall I book this/, slot);

      // "yes": acknowledged (persisted), then the create call reaches the sandbox and its answer is held here
      const creates = () => proxy.requests.filter((r) => r.method === 'POST' && /\/appointments$/.test(r.url));
      const yes = await postMessenger(fd.url, messengerText(psid, 'Yes, book it', { quickReply: 'ans:yes' }));
      expect(yes.status).toBe(200);
      await proxy.held();
      expect(await bookedFor(name)).toHaveLength(1); // the provider did book; we never heard back
      await fd.kill();
      proxy.release();
      expect(texts().filter((m) => /You're booked/.test(textOf(m)))).toHaveLength(0);

      // the dead process's lease on the conversation lapses (2 s here) and the new one takes the turn again
      fd = await start(path);
      await eventually(() => creates().length === 2, 'the create call repeated');
      const keys = creates().map((r) => r.headers['idempotency-key']);
      expect(keys[0]).toBeTruthy();
      expect(keys[1]).toBe(keys[0]);

      await eventually(() => texts().some((m) => /You're booked! Laboratory/.test(textOf(m))), 'the confirmation after recovery');
      // the confirmation turn ends with its own "anything else?" (a separate message that can arrive a moment later):
      // count only once the recovered turn has delivered all of it
      const bookedAt = () => texts().findIndex((m) => /You're booked! Laboratory/.test(textOf(m)));
      await eventually(() => texts().slice(bookedAt()).some((m) => /anything else/.test(textOf(m))), "the recovered turn's closing question");
      // the turn finished once: a later message is answered from the main menu state, and nothing repeats
      const menus = texts().filter((m) => /anything else/.test(textOf(m))).length;
      await send(fd.url, 'menu', /anything else/);
      expect(texts().filter((m) => /anything else/.test(textOf(m)))).toHaveLength(menus + 1);
      expect(texts().slice(bookedAt()).filter((m) => /anything else/.test(textOf(m)))).toHaveLength(2);
      expect(texts().filter((m) => /You're booked/.test(textOf(m)))).toHaveLength(1);
      expect(await bookedFor(name)).toHaveLength(1);
      expect(creates()).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});
