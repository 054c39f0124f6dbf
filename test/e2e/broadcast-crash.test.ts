/**
 * Issue 6: a broadcast survives a crash. frontdesk runs as a child process (`node bin/frontdesk.js start`) against a
 * sandbox provider served from this process; the child is SIGKILLed when about half the messages were accepted by the
 * fake Twilio, started again on the same SQLite file, and every recipient ends with exactly one accepted message.
 * Also `frontdesk broadcast` from a shell.
 */
import { mkdtempSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually, FACILITY, SECRETS, SMS_FROM, staffCall, startPlatforms, type Platforms } from '../support/frontdesk.js';
import { json } from '../support/http-server.js';
import { freePort, runCli, startChild, writeConfig, type FrontdeskChild } from '../support/process.js';

const COUNT = 200;
let day = DateTime.now().setZone('Asia/Manila').plus({ days: 15 });
if (day.weekday === 7) day = day.plus({ days: 1 });
const DATE = day.toISODate()!;

let platforms: Platforms;
let sandbox: Sandbox;
let sandboxServer: Server;
let sandboxUrl = '';
let configFile = '';
let port = 0;
let child: FrontdeskChild | undefined;

beforeAll(async () => {
  platforms = await startPlatforms();
  sandbox = createSandbox({ facilities: [{ id: FACILITY, timezone: 'Asia/Manila', userId: 'st-lukes', apiKey: 'st-lukes-key' }], logger: createLogger({ level: 'silent' }) });
  sandboxServer = sandbox.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => sandboxServer.once('listening', r));
  sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-crash-'));
  port = await freePort();
  configFile = writeConfig(join(dir, 'frontdesk.json'), {
    port,
    host: '127.0.0.1',
    publicUrl: 'https://bot.example.org',
    store: `sqlite:${join(dir, 'frontdesk.sqlite')}`,
    staffTokens: [SECRETS.staffToken],
    logLevel: 'silent',
    rateLimits: { messenger: 500, viber: 500, sms: 500 },
    platformApis: { messenger: `${platforms.url}/graph`, viber: `${platforms.url}/viber`, twilio: `${platforms.url}/twilio` },
    facilities: [
      {
        id: FACILITY,
        name: "St. Luke's Clinic",
        timezone: 'Asia/Manila',
        locale: 'en',
        reminders: ['P1D', 'PT2H'],
        quietHours: { from: '21:00', to: '08:00' },
        provider: { baseUrl: `${sandboxUrl}/sandbox/${FACILITY}/api/v1`, userId: 'st-lukes', apiKey: 'st-lukes-key', webhookSecret: SECRETS.webhookSecret },
        channels: { sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM } },
      },
    ],
  });
});
afterAll(async () => {
  await child?.kill('SIGTERM');
  await sandbox?.stop();
  await new Promise<void>((r) => (sandboxServer ? (sandboxServer.closeAllConnections(), sandboxServer.close(() => r())) : r()));
  await platforms?.close();
});

const auth = { authorization: `Bearer ${SECRETS.staffToken}`, 'content-type': 'application/json' };
const start = async () => {
  child = await startChild({ configFile, port });
  sandbox.setWebhookTarget(FACILITY, `${child.url}/webhooks/provider/${FACILITY}`, SECRETS.webhookSecret);
  return child;
};
const toOf = (body: string) => new URLSearchParams(body).get('To') ?? '';

describe('a broadcast killed half way and resumed', () => {
  let phones: string[] = [];

  it('sends every recipient exactly one accepted message across a SIGKILL and a restart', async () => {
    const first = await start();
    const bulk = await staffCall(sandboxUrl, 'POST', '/appointments/bulk', { date: DATE, count: COUNT });
    expect(bulk.status).toBe(201);
    phones = (bulk.body.appointments as { patient: { phone: string } }[]).map((a) => a.patient.phone);
    // the creation notices are out and the mirror holds the day
    await eventually(() => new Set(platforms.twilio().map((r) => r.form.To)).size >= COUNT, 'creation notices', 1600);
    await eventually(async () => {
      const res = await fetch(`${first.url}/staff/v1/broadcasts`, { method: 'POST', headers: auth, body: JSON.stringify({ facilityId: FACILITY, date: DATE, kind: 'reminder', dryRun: true }) });
      return ((await res.json()) as { recipients: number }).recipients === COUNT;
    }, 'mirror holds the day', 1600);

    // Twilio accepts (201) until half the broadcast is in, then holds every further request unanswered
    const accepted = new Map<string, number>();
    const held: ServerResponse[] = [];
    let holding = false;
    let armed = true;
    let acceptedTotal = 0;
    platforms.respond((req, n, res) => {
      if (!req.url.startsWith('/twilio/')) return false;
      if (holding) {
        held.push(res);
        return true;
      }
      const to = toOf(req.body);
      accepted.set(to, (accepted.get(to) ?? 0) + 1);
      acceptedTotal += 1;
      if (armed && acceptedTotal >= COUNT / 2) {
        holding = true;
        armed = false;
      }
      json(res, 201, { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued' });
      return true;
    });

    try {
      const res = await fetch(`${first.url}/staff/v1/broadcasts`, { method: 'POST', headers: auth, body: JSON.stringify({ facilityId: FACILITY, date: DATE, kind: 'reminder' }) });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await eventually(() => holding, 'half the broadcast accepted', 1600);
      // kill with sends in flight (held, never accepted) but none accepted-and-unrecorded: what Twilio accepted is
      // recorded as sent, so a resend of it would be a real duplicate, while the held ones must still go out once
      await eventually(async () => {
        const p = (await (await fetch(`${first.url}/staff/v1/broadcasts/${id}`, { headers: auth })).json()) as { sent: number };
        return held.length > 0 && p.sent === acceptedTotal;
      }, 'sends in flight, every accepted one recorded', 1600);
      await first.kill('SIGKILL');
      for (const r of held) r.destroy();
      holding = false;
      const acceptedBeforeKill = acceptedTotal;
      expect(acceptedBeforeKill).toBeLessThan(COUNT);

      const second = await start();
      let last: unknown;
      const done = await eventually(async () => {
        const p = (await (await fetch(`${second.url}/staff/v1/broadcasts/${id}`, { headers: auth })).json()) as { status: string; total: number; sent: number; failed: number; skipped: number };
        last = p;
        return p.status === 'done' ? p : undefined;
      }, 'broadcast done after the restart', 2400).catch((e: Error) => {
        throw new Error(`${e.message}: progress ${JSON.stringify(last)}; ${acceptedBeforeKill} accepted before the kill, ${held.length} held in flight at the kill, ${acceptedTotal} accepted in all`);
      });
      expect(done.total).toBe(COUNT);
      expect(done.sent + done.failed + done.skipped).toBe(COUNT);
      expect(done.sent).toBe(COUNT);
      for (const [i, p] of phones.entries()) expect(accepted.get(p) ?? 0, `accepted reminders to #${i}`).toBe(1);
      expect(acceptedTotal).toBe(COUNT);
    } finally {
      platforms.respond(undefined);
    }
  }, 180_000);

  it('`frontdesk broadcast` from a shell: a dry run, then a staff message with its final line', async () => {
    expect(child).toBeDefined();
    const env = { FRONTDESK_CONFIG: configFile };
    const common = ['broadcast', '--facility', FACILITY, '--date', DATE, '--url', child!.url, '--token', SECRETS.staffToken];
    const dry = await runCli([...common, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`dry run \\w+: ${COUNT} recipients, 0 skipped`));

    const before = platforms.twilio().length;
    const real = await runCli([...common, '--calendar', '101', '--message', 'The clinic closes at 3 PM today.'], env);
    expect(real.code).toBe(0);
    const expected = COUNT / 4;
    expect(real.stdout).toMatch(new RegExp(`broadcast \\w+ done: ${expected} sent, 0 failed, 0 skipped of ${expected}`));
    const sent = platforms.twilio().slice(before);
    expect(sent).toHaveLength(expected);
    expect(new Set(sent.map((r) => r.form.To)).size).toBe(expected);

    const again = await runCli([...common, '--calendar', '101', '--message', 'The clinic closes at 3 PM today.'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already requested/);
    expect(platforms.twilio().slice(before)).toHaveLength(expected);
  }, 120_000);
});
