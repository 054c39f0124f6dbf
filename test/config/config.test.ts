import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/config/demo.js';

const SECRET = 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==';
const facility = (over: Record<string, unknown> = {}) => ({
  id: 'st-lukes',
  name: "St. Luke's Clinic",
  timezone: 'Asia/Manila',
  provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: '${HIS_KEY}', webhookSecret: SECRET },
  ...over,
});

describe('config', () => {
  it('the built-in demo config is valid and serves the sandbox with dev chat on', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.sandbox).toBe(true);
    expect(r.value.dev).toBe(true);
    expect(r.value.store).toMatch(/^sqlite:/);
    expect(r.value.facilities.map((f) => f.id)).toEqual(['demo-clinic']);
    expect(demoConfig().facilities[0]?.provider.baseUrl).toBe('sandbox');
  });

  it('replaces ${NAME} with the environment and applies defaults', () => {
    const r = validateConfig({ facilities: [facility()] }, { HIS_KEY: 'k-123-0123456789abc' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = r.value.facilities[0]!;
    expect(f.provider.apiKey).toBe('k-123-0123456789abc');
    expect(f.reminders).toEqual(['P1D', 'PT2H']);
    expect(r.value.platformApis.messenger).toBe('https://graph.facebook.com/v25.0');
  });

  it('names a missing environment variable and where it is used', () => {
    const r = validateConfig({ facilities: [facility()] }, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContainEqual({ path: 'facilities[0].provider.apiKey', message: 'environment variable HIS_KEY is not set' });
  });

  it('lists every problem with its path, not only the first', () => {
    const r = validateConfig(
      {
        port: 'x',
        store: 'mysql://nope',
        facilities: [facility({ timezone: 'Mars/Olympus', reminders: ['1 day'], provider: { baseUrl: 'nope', userId: '', apiKey: 'k', webhookSecret: 'plain' } })],
      },
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.error.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['port', 'store', 'facilities[0].timezone', 'facilities[0].reminders[0]', 'facilities[0].provider.userId', 'facilities[0].provider.webhookSecret']),
    );
    expect(r.error.find((p) => p.path === 'facilities[0].timezone')?.message).toMatch(/IANA/);
  });

  it('refuses duplicate facility ids and SMS without a publicUrl', () => {
    const sms = { accountSid: 'AC1', authToken: 't', from: '+639170000000' };
    const r = validateConfig({ facilities: [facility({ channels: { sms } }), facility()] }, { HIS_KEY: 'k' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((p) => p.path)).toEqual(expect.arrayContaining(['facilities[1].id', 'publicUrl']));
  });

  it('refuses a facility on the sandbox provider when the sandbox is off', () => {
    const r = validateConfig({ sandbox: false, facilities: [facility({ provider: { baseUrl: 'sandbox', userId: 'u', apiKey: 'k', webhookSecret: SECRET } })] }, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.map((p) => p.path)).toContain('facilities[0].provider.baseUrl');
  });

  it('reads YAML and JSON files from FRONTDESK_CONFIG, and PORT overrides port', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-config-'));
    const yml = join(dir, 'c.yaml');
    writeFileSync(yml, `port: 4000\nfacilities:\n  - id: st-lukes\n    name: St Lukes\n    timezone: Asia/Manila\n    provider:\n      baseUrl: https://his.example/v1\n      userId: u\n      apiKey: his-api-key-0123456789\n      webhookSecret: ${SECRET}\n`);
    const r = loadConfig({ FRONTDESK_CONFIG: yml, PORT: '4100' });
    expect(r.ok && r.value.port).toBe(4100);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    const b = loadConfig({ FRONTDESK_CONFIG: bad });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error[0]?.message).toMatch(/not valid JSON/);
    const missing = loadConfig({ FRONTDESK_CONFIG: join(dir, 'none.json') });
    expect(!missing.ok && missing.error[0]?.message).toMatch(/ENOENT/);
  });
});
