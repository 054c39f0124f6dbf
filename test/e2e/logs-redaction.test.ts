import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontdesk, type Frontdesk } from '../../src/app.js';
import type { Reply } from '../../src/core/messages.js';
import { createLogger } from '../../src/log.js';
import { postSms, smsParams, startPlatforms, testConfig, eventually, type Platforms, devSay } from '../support/frontdesk.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(chunk.toString());
    done();
  },
});

let platforms: Platforms;
let fd: Frontdesk;
let base: string;

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await createFrontdesk({ config: testConfig({ platformsUrl: platforms.url }), logger: createLogger({ level: 'trace' }, sink), pollMs: 20 });
  base = await fd.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await fd.close();
  await platforms.close();
});

const NAME = 'Zenaida Quisumbing-Oyelaran';
const PHONE_TYPED = '0917 555 8642';
const PHONE = '+639175558642';
const DOB = '1977-09-23';
const SMS_FROM = '+639185550199';

const say = (userId: string, input: { text?: string; choiceId?: string }): Promise<Reply[]> => devSay(base, userId, input, { facilityId: 'st-lukes' });
const choice = (r: Reply[], prefix: string) => r.at(-1)!.choices!.find((c) => c.id.startsWith(prefix))!.id;

describe('health data never reaches the logs', () => {
  it('a whole booking and an SMS conversation at trace level log no name, phone, date of birth or message text', async () => {
    const user = 'redaction-user';
    await say(user, { text: 'hi' });
    await say(user, { choiceId: 'menu:book' });
    await say(user, { choiceId: 'ans:yes' });
    await say(user, { text: NAME });
    await say(user, { text: '23/09/1977' });
    await say(user, { text: PHONE_TYPED });
    // the one-time code goes by SMS and is typed back: neither the code nor the phone reaches the log
    const code = await eventually(() => /code is (\d{6})/.exec(platforms.twilio().find((r) => r.form.To === PHONE)?.form.Body ?? '')?.[1], 'the code by SMS');
    expect((await say(user, { text: code })).map((r) => r.text).join(' ')).toMatch(/confirmed/);
    await say(user, { choiceId: 'gender:female' });
    const dates = await say(user, { choiceId: 'cal:201' });
    const slots = await say(user, { choiceId: choice(dates, 'date:') });
    await say(user, { choiceId: choice(slots, 'slot:2') });
    const done = await say(user, { choiceId: 'ans:yes' });
    expect(done[0]!.text).toMatch(/booked/i);

    expect((await postSms(base, smsParams(SMS_FROM, 'I need an appointment for my mother'))).status).toBe(200);
    await eventually(() => platforms.twilio().length > 0, 'an SMS reply');
    await fd.sandbox?.flushWebhooks();
    await new Promise((r) => setTimeout(r, 300));

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [NAME, 'Zenaida', 'Quisumbing', PHONE, '5558642', DOB, '23/09/1977', SMS_FROM, '5550199', 'my mother', code]) {
      expect(log, `log contains ${secret}`).not.toContain(secret);
    }
  });

  it('the logger censors patient fields wherever they sit', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info' }, new Writable({ write: (c: Buffer, _e, d) => (out.push(c.toString()), d()) }));
    logger.info({ patient: { name: NAME, phone: PHONE }, contact: { dob: DOB, nationalId: '1234-5678' }, text: 'my chest hurts', appointmentId: 'A-1' }, 'x');
    const line = out.join('');
    expect(line).toContain('A-1');
    for (const s of [NAME, PHONE, DOB, '1234-5678', 'chest']) expect(line).not.toContain(s);
  });
});
