/**
 * Concurrency of conversations (issue 4), over real HTTP against a whole in-process frontdesk (SQLite
 * store, embedded sandbox): messages of one patient sent at once are processed one at a time in
 * arrival order with one reply batch each; many patients at once each get their own correct step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerialItemInput } from '../../src/store/types.js';
import type { Frontdesk } from '../../src/app.js';
import { eventually, messengerText, postMessenger, staffCall, startFrontdesk, startPlatforms, testConfig, type Platforms, devSay } from '../support/frontdesk.js';

interface Reply {
  text: string;
  choices?: { id: string; label: string }[];
  card?: { title: string; rows: { label: string; value: string }[] };
}

let platforms: Platforms;
let fd: Frontdesk & { base: string };

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url }));
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const say = (userId: string, input: { text?: string; choiceId?: string }): Promise<Reply[]> => devSay(fd.base, userId, input);
const last = (replies: Reply[]) => replies.at(-1)!;

/**
 * The queue's own arrival order: the conversation items as the store's serial log commits them (the
 * wrapper only records, then calls the store; SQLite commits each push in the order the calls run).
 */
function recordArrivals(app: Frontdesk) {
  const serial = app.store.serial;
  const push = serial.push.bind(serial);
  const order: string[] = [];
  Object.assign(serial, {
    push: async (queue: string, item: SerialItemInput, ttl: number) => {
      const fresh = await push(queue, item, ttl);
      const event = JSON.parse(item.payload) as { type: string; msg?: { text?: string } };
      if (fresh && queue === 'inbound' && event.type === 'message') order.push(event.msg?.text ?? '?');
      return fresh;
    },
  });
  return {
    /** texts of the accepted messages, in the order the engine must process them */
    order: (): string[] => [...order],
    stop() {
      Object.assign(serial, { push });
    },
  };
}

const LANGUAGES = [
  { say: 'Tagalog', confirm: /magpapatuloy ako sa Filipino/, namePrompt: /buong pangalan/, dobPrompt: /kapanganakan/ },
  { say: 'Bahasa Indonesia', confirm: /melanjutkan dalam Bahasa Indonesia/, namePrompt: /nama lengkap/, dobPrompt: /tanggal lahir/ },
  { say: 'English', confirm: /continue in English/, namePrompt: /full name/, dobPrompt: /date of birth/ },
] as const;
const languageOf = (text: string) => LANGUAGES.find((l) => l.say === text)!;

describe('one patient, messages sent at once (dev API)', () => {
  it('processes two simultaneous messages one after the other, in arrival order, one reply batch each', async () => {
    const user = 'conc-pair-1';
    await say(user, { text: 'hi' });
    await say(user, { choiceId: 'menu:book' });
    expect(last(await say(user, { choiceId: 'ans:yes' })).text).toMatch(/full name/);

    const arrivals = recordArrivals(fd);
    let batches: Reply[][];
    try {
      batches = await Promise.all([say(user, { text: 'Tagalog' }), say(user, { text: 'Bahasa Indonesia' })]);
    } finally {
      arrivals.stop();
    }
    // each request got its own batch: its own language confirmation, then the pending question in that language
    for (const [i, sent] of ['Tagalog', 'Bahasa Indonesia'].entries()) {
      const lang = languageOf(sent);
      expect(batches[i]!.map((r) => r.text)).toHaveLength(2);
      expect(batches[i]![0]!.text).toMatch(lang.confirm);
      expect(batches[i]![1]!.text).toMatch(lang.namePrompt);
    }
    // the one that arrived last was processed last: its language is the conversation's now
    const order = arrivals.order();
    expect([...order].sort()).toEqual(['Bahasa Indonesia', 'Tagalog']);
    const lastLang = languageOf(order[1]!);
    expect(last(await say(user, { text: 'Maria Santos' })).text).toMatch(lastLang.dobPrompt);
  });

  it('twenty patients chatting at once each get the right answer at every step, down to their own booking', async () => {
    const users = Array.from({ length: 20 }, (_, k) => `conc-many-${k}`);
    const names = users.map((_, k) => `Patient ${['Andres', 'Bea', 'Carlo', 'Dolores', 'Emilio'][k % 5]} ${['Aquino', 'Bautista', 'Castillo', 'Domingo'][Math.floor(k / 5)]}`);
    const everyone = async (input: (k: number) => { text?: string; choiceId?: string }, expectRe: RegExp) => {
      const all = await Promise.all(users.map((u, k) => say(u, input(k))));
      all.forEach((replies, k) => expect(last(replies).text, `patient ${k}`).toMatch(expectRe));
      return all;
    };
    await everyone(() => ({ text: 'hi' }), /What would you like to do/);
    await everyone(() => ({ choiceId: 'menu:book' }), /data privacy/);
    await everyone(() => ({ choiceId: 'ans:yes' }), /full name/);
    await everyone((k) => ({ text: names[k]! }), /date of birth/);
    await everyone(() => ({ text: '15/05/1990' }), /mobile number/);
    await everyone((k) => ({ text: `0917 555 ${String(1000 + k)}` }), /sent a 6-digit code/);
    await everyone(() => ({ choiceId: 'verify:skip' }), /gender/);
    await everyone(() => ({ choiceId: 'gender:other' }), /Which doctor/);
    const dates = await everyone(() => ({ choiceId: 'cal:201' }), /Which date/);
    const slotLists = await everyone((k) => ({ choiceId: last(dates[k]!).choices!.find((c) => c.id.startsWith('date:') && c.id !== 'date:more')!.id }), /These times are open/);
    // each patient its own time where the list allows; those sharing a time stop at the summary
    const picks = slotLists.map((replies, k) => {
      const slots = last(replies).choices!.filter((c) => /^slot:\d/.test(c.id));
      return slots[k % slots.length]!.id;
    });
    const summaries = await everyone((k) => ({ choiceId: picks[k]! }), /Shall I book this/);
    summaries.forEach((replies, k) => expect(last(replies).card?.rows.some((r) => r.value === names[k])).toBe(true));

    const firstPickers = users.map((_, k) => k).filter((k) => picks.indexOf(picks[k]!) === k);
    const confirmed = await Promise.all(firstPickers.map((k) => say(users[k]!, { choiceId: 'ans:yes' })));
    confirmed.forEach((replies) => expect(replies[0]!.text).toMatch(/You're booked! Laboratory/));

    const { body } = await staffCall(fd.base, 'GET', '/appointments?calendarId=201');
    const appts = (body.appointments as { patient?: { name?: string }; start: string; status: string }[]).filter((a) => a.patient?.name?.startsWith('Patient '));
    expect(appts.map((a) => a.patient!.name).sort()).toEqual(firstPickers.map((k) => names[k]!).sort());
    for (const k of firstPickers) expect(appts.find((a) => a.patient!.name === names[k])!.start).toBe(picks[k]!.slice('slot:'.length));
  });
});

describe('one Messenger user, three signed webhooks at once', () => {
  it('answers each once, batches never interleaved, in arrival order', async () => {
    const psid = 'conc-psid-1';
    const toUser = () => platforms.graph().filter((r) => r.json.recipient?.id === psid && r.json.message).map((r) => String(r.json.message.text ?? r.json.message.attachment?.payload?.text ?? ''));
    expect((await postMessenger(fd.base, messengerText(psid, 'hi'))).status).toBe(200);
    await eventually(() => toUser().some((t) => /What would you like to do/.test(t)), 'the greeting');
    const before = toUser().length;

    const arrivals = recordArrivals(fd);
    let acks: Response[];
    try {
      acks = await Promise.all(LANGUAGES.map((l) => postMessenger(fd.base, messengerText(psid, l.say))));
    } finally {
      arrivals.stop();
    }
    expect(acks.map((r) => r.status)).toEqual([200, 200, 200]);
    const order = arrivals.order();
    expect([...order].sort()).toEqual(LANGUAGES.map((l) => l.say).sort());

    const replies = await eventually(() => {
      const got = toUser().slice(before);
      return got.length >= 6 ? got : undefined;
    }, 'three reply batches');
    await new Promise((r) => setTimeout(r, 300)); // nothing more must come
    expect(toUser().slice(before)).toHaveLength(6);
    // confirmation then menu, per message, in the engine's arrival order
    order.forEach((sent, i) => {
      expect(replies[2 * i]).toMatch(languageOf(sent).confirm);
      expect(replies[2 * i + 1]).not.toMatch(/magpapatuloy|melanjutkan|continue in English/);
    });
  });
});
