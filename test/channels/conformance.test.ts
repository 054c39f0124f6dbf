/**
 * Every channel in the registry has the same test files and passes the same checks, against its own fixtures
 * (`test/channels/<name>/conformance.ts`, one shape: `ChannelConformance`): verify before parse, parse to the
 * normalized message, routes the server can mount, render + send through a fake of the platform, opt-out, learn.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { channelCatalog, CHANNEL_MODULES } from '../../channels/index.js';
import type { ChannelContext, ChannelInbound, ChannelModule, RawRequest } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import type { ChannelConformance, FakeApi } from './conformance-fixture.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** what every channel's test folder holds (plus the extras its fixture declares) */
const REQUIRED = ['conformance.ts', 'fixtures', 'helpers.ts', 'inbound.test.ts', 'module.test.ts', 'render.test.ts', 'rules.test.ts', 'send.test.ts'];
const PURPOSES: readonly SendPurpose[] = ['response', 'welcome', 'update', 'reminder', 'broadcast', 'verification'];
/** the fields of a normalized message every channel must get right */
const NORMALIZED = ['facilityId', 'channel', 'channelUserId', 'kind', 'text'] as const;
const REPLY = { text: 'Conformance check: your appointment is on Monday at 9:00', choices: [{ id: 'c:confirm', label: 'Confirm' }, { id: 'c:reschedule', label: 'Reschedule' }] };
const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** each registered module with its fixture, or why the fixture could not be had */
const loaded = await Promise.all(
  CHANNEL_MODULES.map(async (module) => {
    try {
      // the .ts name: Vite expands a template import into a glob of the files on disk
      const mod = (await import(`./${module.name}/conformance.ts`)) as { conformance?: ChannelConformance };
      return { module, fixture: mod.conformance, problem: mod.conformance ? undefined : `test/channels/${module.name}/conformance.ts exports no \`conformance\`` };
    } catch (e) {
      return { module, fixture: undefined, problem: `test/channels/${module.name}/conformance.ts: ${(e as Error).message}` };
    }
  }),
);

let fakes: FakeApi[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});
const startFake = async (f: ChannelConformance) => {
  const fake = await f.startFake();
  fakes.push(fake);
  return fake;
};

const context = (f: ChannelConformance, apiBase: string): ChannelContext<FacilityConfig> => ({ facilities: [f.facility], apiBase, perSecond: 1000, publicUrl: undefined, logger: silent, text: () => 'hi' });
const inboundOf = (module: ChannelModule<FacilityConfig>, f: ChannelConformance): ChannelInbound => {
  const route = module.create(context(f, 'http://127.0.0.1:9')).routes.find((r) => r.method === 'POST' && r.path === f.inboundPath);
  if (!route?.inbound) throw new Error(`${module.name} serves no POST ${f.inboundPath} with an inbound`);
  return route.inbound;
};
const outcome = (r: ReturnType<ChannelInbound['receive']>) => (r.ok ? 'ok' : r.error.kind);
const withoutHeader = (req: RawRequest, header: string): RawRequest => ({ ...req, headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== header)) });
const addressOf = (f: ChannelConformance): string => f.contactInWindow.channels?.[f.name]?.userId ?? '';
const outbound = (f: ChannelConformance, purpose: SendPurpose = 'response'): OutboundMessage => ({ id: `conformance-${purpose}`, facilityId: f.facility.id, channel: f.name, channelUserId: addressOf(f), purpose, locale: 'en', reply: REPLY });
const withState = (f: ChannelConformance, state: NonNullable<Contact['channels']>[keyof NonNullable<Contact['channels']>]): Contact => ({ ...f.contactInWindow, channels: { ...f.contactInWindow.channels, [f.name]: state } });
/** every string in a request body, JSON or form-encoded */
function strings(body: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = Object.fromEntries(new URLSearchParams(body));
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

describe('the channel registry', () => {
  it('names every channel once', () => {
    const names = CHANNEL_MODULES.map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every channel its own place in the reach order, and lists them in it', () => {
    const ranks = CHANNEL_MODULES.map((m) => m.reachRank);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('lets no two channels serve the same path', () => {
    const paths = CHANNEL_MODULES.flatMap((m) => m.routePaths);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('is the catalog the other rooms are handed: every module, in reach order, found by name', () => {
    expect(channelCatalog.all).toEqual(CHANNEL_MODULES);
    for (const m of CHANNEL_MODULES) expect(channelCatalog.get(m.name)).toBe(m);
    expect(channelCatalog.get('dev')).toBeUndefined();
  });

  it('has a test folder for every channel, and no folder for a channel it does not have', () => {
    const folders = readdirSync(HERE, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.sort()).toEqual(CHANNEL_MODULES.map((m) => m.name).sort());
  });
});

for (const { module, fixture, problem } of loaded) {
  describe(`channel ${module.name}`, () => {
    it('has a conformance fixture for this module, with the channel configured', () => {
      expect(problem ?? 'loaded').toBe('loaded');
      expect(fixture?.name).toBe(module.name);
      expect(fixture && module.configured(fixture.facility)).toBe(true);
    });
    // without a fixture there is nothing to check against: the test above fails, the rest is not registered
    if (!fixture) return;
    const f = fixture;

    it('has exactly the required test files, plus the extras it declares', () => {
      const dir = join(HERE, module.name);
      const entries = readdirSync(dir, { withFileTypes: true });
      expect(entries.map((e) => e.name).sort()).toEqual([...REQUIRED, ...f.extraFiles].sort());
      for (const extra of f.extraFiles) expect(extra, 'an extra is a test file or a fake').toMatch(/^(fake-[a-z-]+\.ts|[a-z-]+\.test\.ts)$/);
      expect(entries.find((e) => e.name === 'fixtures')?.isDirectory()).toBe(true);
      expect(readdirSync(join(dir, 'fixtures')).length).toBeGreaterThan(0);
      for (const file of REQUIRED.filter((n) => n.endsWith('.test.ts'))) {
        expect(readFileSync(join(dir, file), 'utf8'), `${module.name}/${file} holds tests`).toMatch(/\b(it|test)(\.each)?\s*[(<]/);
      }
    });

    describe('verify, then parse', () => {
      it('accepts the signed text message and normalizes it', () => {
        const r = inboundOf(module, f).receive(f.signedRequest(), f.routeFacilityId);
        if (!r.ok) throw new Error(`refused: ${r.error.kind} ${r.error.message}`);
        expect(r.value.facilityId).toBe(f.facility.id);
        const pick = (m: object) => Object.fromEntries(NORMALIZED.map((k) => [k, (m as Record<string, unknown>)[k]]));
        expect(r.value.messages.map(pick)).toEqual(f.expectedMessages.map(pick));
        expect(r.value.messages).toMatchObject(f.expectedMessages);
        for (const m of r.value.messages) expect([m.channel, m.facilityId]).toEqual([module.name, f.facility.id]);
      });

      it('refuses the same payload unsigned as bad_signature', () => {
        const signed = f.signedRequest();
        expect(signed.headers[f.signatureHeader]).toBeTruthy();
        expect(outcome(inboundOf(module, f).receive(withoutHeader(signed, f.signatureHeader), f.routeFacilityId))).toBe('bad_signature');
      });

      it('refuses the payload changed after signing as bad_signature', () => {
        const signed = f.signedRequest();
        const tampered = f.tamperedRequest();
        expect(tampered.headers[f.signatureHeader]).toBe(signed.headers[f.signatureHeader]);
        expect(tampered.rawBody.equals(signed.rawBody)).toBe(false);
        expect(outcome(inboundOf(module, f).receive(tampered, f.routeFacilityId))).toBe('bad_signature');
      });

      it('reads nothing of a body before its signature: a malformed body is bad_request only once signed', () => {
        const inbound = inboundOf(module, f);
        const signed = f.sign(f.malformedBody);
        expect(signed.rawBody.equals(f.malformedBody)).toBe(true);
        expect(outcome(inbound.receive(signed, f.routeFacilityId))).toBe('bad_request');
        expect(outcome(inbound.receive(withoutHeader(signed, f.signatureHeader), f.routeFacilityId))).toBe('bad_signature');
        const otherSignature = { ...signed, headers: { ...signed.headers, [f.signatureHeader]: f.signedRequest().headers[f.signatureHeader] } };
        expect(outcome(inbound.receive(otherSignature, f.routeFacilityId))).toBe('bad_signature');
      });

      it('takes the facility from the route where the path names one, and refuses one it cannot authenticate as bad_signature', () => {
        if (!f.inboundPath.includes(':facilityId')) {
          // one URL for every facility: the payload names it, and a route facility would be ignored
          expect(f.routeFacilityId).toBeUndefined();
          return;
        }
        expect(f.routeFacilityId).toBe(f.facility.id);
        expect(outcome(inboundOf(module, f).receive(f.signedRequest(), 'no-such-facility'))).toBe('bad_signature');
        expect(outcome(inboundOf(module, f).receive(f.signedRequest(), undefined))).toBe('bad_signature');
      });
    });

    it('mounts routes the server can serve: every POST with a body limit and an inbound of this channel, every path in routePaths', () => {
      const { routes } = module.create(context(f, 'http://127.0.0.1:9'));
      expect(routes.length).toBeGreaterThan(0);
      for (const r of routes) {
        expect(module.routePaths, `${r.method} ${r.path}`).toContain(r.path);
        if (r.method === 'POST') {
          expect(Number.isInteger(r.maxBytes) && r.maxBytes! > 0, `POST ${r.path} maxBytes`).toBe(true);
          expect(r.inbound?.channel, `POST ${r.path} inbound`).toBe(module.name);
        } else {
          expect(typeof r.handshake, `GET ${r.path} handshake`).toBe('function');
        }
      }
      expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
      expect(routes.filter((r) => r.method === 'POST').map((r) => r.path)).toContain(f.inboundPath);
    });

    it('renders a reply with two choices and sends it to the platform', async () => {
      const fake = await startFake(f);
      const { sender } = module.create(context(f, fake.url));
      expect(sender.channel).toBe(module.name);
      expect(addressOf(f)).not.toBe('');
      const out = await sender.send(outbound(f), f.contactInWindow, f.now);
      expect(out).toMatchObject({ status: 'sent' });
      expect(fake.requests.length).toBeGreaterThanOrEqual(1);
      const sent = fake.requests.flatMap((r) => strings(r.body));
      for (const part of [REPLY.text, ...REPLY.choices.map((c) => c.label), addressOf(f).replace(/^\+/, '')]) {
        expect(sent.some((s) => s.includes(part)), `a request carries ${JSON.stringify(part)}`).toBe(true);
      }
    });

    it('says how its patients answer choices, as its preview draws them: buttons to tap, or numbered lines', () => {
      const style = module.replyStyle ?? 'both';
      expect(['tap', 'number', 'both']).toContain(style);
      const parts = module.preview?.(REPLY, f.facility);
      if (!parts || style === 'both') return;
      const buttons = parts.flatMap((p) => p.buttons ?? []);
      if (style === 'tap') expect(buttons.length, 'a two-choice reply has buttons to tap').toBeGreaterThan(0);
      else expect(buttons, 'nothing to tap: the choices are numbered lines').toEqual([]);
    });

    if ('reason' in f.optOut) {
      const optOut = f.optOut;
      it('refuses a contact who opted out (an opted_out lesson), and sends nothing', async () => {
        expect(typeof module.optedOut).toBe('function');
        const fake = await startFake(f);
        const { sender } = module.create(context(f, fake.url));
        const out = withState(f, module.learn(f.contactInWindow.channels?.[f.name], { kind: 'opted_out', at: f.now.toISOString() }));
        for (const purpose of PURPOSES) {
          expect(sender.permission(outbound(f, purpose), f.contactInWindow, f.now), `${purpose} before`).toMatchObject({ ok: true });
          const still = optOut.stillAllowed?.[purpose];
          if (still) expect(sender.permission(outbound(f, purpose), out, f.now), `${purpose} after (${still})`).toMatchObject({ ok: true });
          else expect(sender.permission(outbound(f, purpose), out, f.now), `${purpose} after`).toEqual({ ok: false, reason: optOut.reason });
        }
        const refused = PURPOSES.find((p) => !optOut.stillAllowed?.[p]);
        expect(refused).toBeDefined();
        expect(await sender.send(outbound(f, refused), out, f.now)).toEqual({ status: 'undeliverable', reason: optOut.reason });
        expect(fake.requests).toHaveLength(0);
      });
    } else {
      const why = f.optOut.none;
      // skipped by the fixture's flag, never silently: the test below holds the module to it
      it.skip(`refuses a contact who opted out: skipped, the platform has no opt-out (${why})`, () => {});
      it('has no opt-out, as its fixture says: the module reads no send outcome as one', () => {
        expect(why.length).toBeGreaterThan(0);
        expect(module.optedOut).toBeUndefined();
      });
    }

    describe('learn', () => {
      it('an address: the state holds it, and opens no window', () => {
        const state = module.learn(undefined, { kind: 'address', userId: addressOf(f) });
        expect(state.userId).toBe(addressOf(f));
        expect(state.lastInboundAt).toBeUndefined();
      });

      it('the inbound message: its sender, when it came, and a reply may go', () => {
        const r = inboundOf(module, f).receive(f.signedRequest(), f.routeFacilityId);
        if (!r.ok) throw new Error(`refused: ${r.error.kind}`);
        const message = r.value.messages[0]!;
        const at = new Date(f.now.getTime() - 60_000).toISOString();
        const state = module.learn(module.learn(undefined, { kind: 'address', userId: message.channelUserId }), { kind: 'inbound', message, at });
        expect(state).toMatchObject({ userId: message.channelUserId, lastInboundAt: at });
        const answer = { ...outbound(f), channelUserId: message.channelUserId };
        expect(module.create(context(f, 'http://127.0.0.1:9')).sender.permission(answer, withState(f, state), f.now)).toMatchObject({ ok: true });
      });
    });
  });
}
