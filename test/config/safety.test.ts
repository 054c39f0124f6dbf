import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_STAFF_TOKEN, DEMO_WEBHOOK_SECRET, demoConfig } from '../../src/config/demo.js';
import { loadConfig, validateConfig, type ConfigProblem } from '../../src/config/load.js';

/** A config that passes every rule; each test breaks one thing (or many). */
const SECRET = `whsec_${Buffer.from('a provider webhook secret of 32 b').toString('base64')}`;
const KEY = 'his-api-key-0123456789';
const facility = (over: Record<string, unknown> = {}) => ({
  id: 'st-lukes',
  name: "St. Luke's Clinic",
  timezone: 'Asia/Manila',
  provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: KEY, webhookSecret: SECRET },
  ...over,
});
const sandboxFacility = (over: Record<string, unknown> = {}) => facility({ id: 'demo', provider: { baseUrl: 'sandbox', userId: 'u', apiKey: 'short', webhookSecret: SECRET }, ...over });
const channels = {
  messenger: { pageId: '1234567890', pageAccessToken: 'page-access-token-0123', appSecret: 'app-secret-0123456789', verifyToken: 'verify-token-0123456789' },
  viber: { authToken: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f', name: "St Luke's" },
  sms: { accountSid: 'AC00000000000000000000000000000001', authToken: 'twilio-auth-token-0123', from: '+639170000001' },
  whatsapp: { phoneNumberId: '106540352242922', accessToken: 'EAAG-whatsapp-access-token', appSecret: 'whatsapp-app-secret-0123', verifyToken: 'whatsapp-verify-token-01' },
};

const problems = (raw: unknown, env: NodeJS.ProcessEnv = {}): ConfigProblem[] => {
  const r = validateConfig(raw, env);
  return r.ok ? [] : r.error;
};
const at = (list: ConfigProblem[], path: string) => list.filter((p) => p.path === path).map((p) => p.message);

describe('config: the demo is not a production hazard', () => {
  it('the demo (no FRONTDESK_CONFIG) still loads, on 127.0.0.1 only', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.host).toBe('127.0.0.1');
    expect(r.value.dev).toBe(true);
  });

  it('a config of its own keeps 0.0.0.0 as the default host', () => {
    const r = validateConfig({ publicUrl: 'https://bot.example.org', facilities: [facility({ channels })] }, {});
    expect(r.ok && r.value.host).toBe('0.0.0.0');
  });

  it("refuses the demo's public staff token and webhook secret in any other config, naming the path", () => {
    // the demo config itself, as a file: the same values are refused there
    const dir = mkdtempSync(join(tmpdir(), 'fd-demo-copy-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(demoConfig()));
    const copy = loadConfig({ FRONTDESK_CONFIG: file });
    expect(copy.ok).toBe(false);
    if (!copy.ok) expect(copy.error.map((p) => p.path).sort()).toEqual(['facilities[0].provider.webhookSecret', 'staffTokens[0]']);

    const list = problems({ staffTokens: ['a-good-staff-token-0123', DEMO_STAFF_TOKEN], facilities: [facility({ provider: { ...facility().provider, webhookSecret: DEMO_WEBHOOK_SECRET } })] });
    expect(at(list, 'staffTokens[1]')[0]).toMatch(/demo/);
    expect(at(list, 'facilities[0].provider.webhookSecret')[0]).toMatch(/demo/);
    expect(at(list, 'staffTokens[0]')).toEqual([]);
  });

  it('refuses dev: true unless every facility is on the sandbox provider', () => {
    const mixed = problems({ dev: true, sandbox: true, facilities: [sandboxFacility(), facility()] });
    expect(at(mixed, 'dev')).toHaveLength(1);
    expect(at(mixed, 'dev')[0]).toContain('facilities[1] ("st-lukes")');
    expect(problems({ dev: true, sandbox: true, facilities: [sandboxFacility()] })).toEqual([]);
    // the standalone sandbox (`npx frontdesk sandbox`) on this machine is the sandbox provider too
    const standalone = facility({ provider: { baseUrl: 'http://127.0.0.1:4010/sandbox/demo-clinic/api/v1', userId: 'u', apiKey: 'demo-api-key', webhookSecret: SECRET } });
    expect(problems({ dev: true, facilities: [standalone] })).toEqual([]);
    // …but not a provider elsewhere that merely has the same path
    const lookalike = facility({ provider: { baseUrl: 'https://his.example/sandbox/demo-clinic/api/v1', userId: 'u', apiKey: KEY, webhookSecret: SECRET } });
    expect(at(problems({ dev: true, facilities: [lookalike] }), 'dev')).toHaveLength(1);
  });
});

describe('config: secrets', () => {
  it('refuses every weak secret, each at its path', () => {
    const weak = {
      messenger: { pageId: '1', pageAccessToken: 'page-token', appSecret: 'app-secret', verifyToken: 'verify' },
      viber: { authToken: 'viber-token', name: 'V' },
      sms: { accountSid: 'AC1', authToken: 'twilio', from: '+639170000001' },
      whatsapp: { phoneNumberId: '106540352242922', accessToken: 'wa-token', appSecret: 'wa-secret', verifyToken: 'wa-verify' },
    };
    const list = problems({
      publicUrl: 'https://bot.example.org',
      staffTokens: ['staff-token'],
      facilities: [facility({ channels: weak, provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'key-15-chars-xx', webhookSecret: `whsec_${Buffer.from('23 bytes, one too short').toString('base64')}` } })],
    });
    const weakPaths = [
      'staffTokens[0]',
      'facilities[0].provider.apiKey',
      'facilities[0].channels.messenger.appSecret',
      'facilities[0].channels.messenger.pageAccessToken',
      'facilities[0].channels.messenger.verifyToken',
      'facilities[0].channels.viber.authToken',
      'facilities[0].channels.sms.authToken',
      'facilities[0].channels.whatsapp.appSecret',
      'facilities[0].channels.whatsapp.accessToken',
      'facilities[0].channels.whatsapp.verifyToken',
    ];
    for (const p of weakPaths) expect(at(list, p), p).toEqual([expect.stringMatching(/too weak: .* at least 16 characters/)]);
    expect(at(list, 'facilities[0].provider.webhookSecret')).toEqual([expect.stringMatching(/too weak: .*at least 24 bytes.*this one has 23/)]);
    expect(list).toHaveLength(weakPaths.length + 1);
    // messages never repeat the secret
    expect(JSON.stringify(list)).not.toMatch(/page-token|app-secret|viber-token|key-15-chars/);
    // 16 characters and 24 bytes are enough
    expect(problems({ publicUrl: 'https://bot.example.org', staffTokens: ['s'.repeat(16)], facilities: [facility({ channels, provider: { ...facility().provider, apiKey: 'k'.repeat(16), webhookSecret: `whsec_${Buffer.alloc(24, 1).toString('base64')}` } })] })).toEqual([]);
  });

  it('a secret that comes from the environment is checked once it is replaced', () => {
    expect(at(problems({ staffTokens: ['${STAFF}'], facilities: [facility()] }, { STAFF: 'short' }), 'staffTokens[0]')).toEqual([expect.stringMatching(/too weak/)]);
    // a missing variable is reported once, as that
    expect(at(problems({ staffTokens: ['${STAFF}'], facilities: [facility()] }), 'staffTokens[0]')).toEqual(['environment variable STAFF is not set']);
  });

  it('reports a whsec_ secret that is not base64 as a config problem (it used to stop start-up with a decoder error)', () => {
    for (const bad of ['whsec_abc', 'whsec_ab=c', 'whsec_']) {
      const list = problems({ facilities: [facility({ provider: { ...facility().provider, webhookSecret: bad } })] });
      expect(at(list, 'facilities[0].provider.webhookSecret'), bad).toHaveLength(1);
    }
    expect(at(problems({ facilities: [facility({ provider: { ...facility().provider, webhookSecret: 'whsec_abc' } })] }), 'facilities[0].provider.webhookSecret')[0]).toMatch(/base64/);
  });
});

describe('config: URLs that carry secrets', () => {
  it('refuses one WhatsApp number (or Messenger page) served by two facilities, naming the second', () => {
    const second = facility({ id: 'st-lukes-annex', channels: { whatsapp: channels.whatsapp, messenger: channels.messenger } });
    const list = problems({ facilities: [facility({ channels: { whatsapp: channels.whatsapp, messenger: channels.messenger } }), second] });
    expect(at(list, 'facilities[1].channels.whatsapp.phoneNumberId')).toEqual(['WhatsApp number served by two facilities']);
    expect(at(list, 'facilities[1].channels.messenger.pageId')).toEqual(['page served by two facilities']);
    expect(list).toHaveLength(2);
  });

  it('refuses plain http to another machine for the provider and the platforms; loopback http is fine', () => {
    const list = problems({
      platformApis: { messenger: 'http://graph.example/v25.0', viber: 'http://10.0.0.5/pa', twilio: 'ftp://api.twilio.com', whatsapp: 'http://graph.example/v25.0' },
      facilities: [facility({ provider: { ...facility().provider, baseUrl: 'http://his.example/api/v1' } })],
    });
    for (const p of ['platformApis.messenger', 'platformApis.viber', 'platformApis.twilio', 'platformApis.whatsapp', 'facilities[0].provider.baseUrl']) expect(at(list, p), p).toEqual([expect.stringMatching(/https/)]);
    for (const local of ['http://127.0.0.1:9/graph', 'http://127.8.9.10/graph', 'http://localhost:8080/graph', 'http://[::1]:8080/graph', 'https://proxy.example/graph']) {
      expect(problems({ platformApis: { messenger: local }, facilities: [facility({ provider: { ...facility().provider, baseUrl: local } })] }), local).toEqual([]);
    }
  });
});

describe('config: unknown keys and one pass', () => {
  it('reports every unknown key, at any level, as "path: unrecognized key"', () => {
    const list = problems({
      prot: 3000,
      rateLimits: { email: 1 },
      platformApis: { whatsap: 'https://graph.facebook.com/v25.0' },
      facilities: [
        facility({
          quiethours: { from: '21:00', to: '08:00' },
          provider: { ...facility().provider, timeout: 5000 },
          channels: { ...channels, messenger: { ...channels.messenger, pageid: '1' }, telegram: {} },
        }),
      ],
      publicUrl: 'https://bot.example.org',
    });
    const unknown = ['prot', 'rateLimits.email', 'platformApis.whatsap', 'facilities[0].quiethours', 'facilities[0].provider.timeout', 'facilities[0].channels.messenger.pageid', 'facilities[0].channels.telegram'];
    for (const p of unknown) expect(at(list, p), p).toEqual([expect.stringMatching(/^unrecognized key/)]);
    expect(list).toHaveLength(unknown.length);
    expect(at(list, 'facilities[0].quiethours')[0]).toBe('unrecognized key (did you mean "quietHours"?)');
    expect(at(list, 'prot')[0]).toBe('unrecognized key (did you mean "port"?)');
  });

  it('lists the shape problems and the rules across fields together', () => {
    const list = problems({
      port: 'x',
      dev: true,
      quiethours: 1,
      staffTokens: ['short'],
      facilities: [facility({ channels: { sms: channels.sms } }), facility({ timezone: 'Mars/Olympus' })],
    });
    const paths = list.map((p) => p.path);
    // shape: a wrong type, a bad zone, an unknown key…
    expect(paths).toEqual(expect.arrayContaining(['port', 'facilities[1].timezone', 'quiethours']));
    // …and, in the same pass, what spans fields: a duplicate id, SMS without publicUrl, dev off the sandbox, a weak token
    expect(paths).toEqual(expect.arrayContaining(['facilities[1].id', 'publicUrl', 'dev', 'staffTokens[0]']));
  });
});

describe('config files: parse errors never echo the file', () => {
  const write = (name: string, text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'fd-parse-')), name);
    writeFileSync(file, text);
    return file;
  };

  it('YAML: line, column and the reason, not the lines', () => {
    const file = write('c.yaml', 'port: 3000\nstaffTokens: [s3cr3t-0123456789-token\nfacilities: []\n');
    const r = loadConfig({ FRONTDESK_CONFIG: file });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error[0]!.path).toBe('FRONTDESK_CONFIG');
    expect(r.error[0]!.message).toMatch(/not valid YAML at line \d+, column \d+: /);
    expect(JSON.stringify(r.error)).not.toContain('s3cr3t');
    const dup = loadConfig({ FRONTDESK_CONFIG: write('d.yml', 'port: 1\nappSecret: s3cr3t-one\nport: 2\n') });
    expect(!dup.ok && dup.error[0]!.message).toMatch(/line 3, column 1: Map keys must be unique/);
    expect(JSON.stringify(dup)).not.toContain('s3cr3t');
  });

  it('JSON: the position as line and column, not the text', () => {
    for (const text of ['{"staffTokens": ["s3cr3t-0123456789"], "port": tru}', '{"a": ["s3cr3t"], "b": tru}', '{\n  "staffTokens": ["s3cr3t-0123456789"]\n  "port": 1\n}']) {
      const r = loadConfig({ FRONTDESK_CONFIG: write('c.json', text) });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error[0]!.message).toMatch(/not valid JSON/);
      expect(JSON.stringify(r.error)).not.toContain('s3cr3t');
    }
    const r = loadConfig({ FRONTDESK_CONFIG: write('c.json', '{\n  "staffTokens": ["s3cr3t-0123456789"]\n  "port": 1\n}') });
    expect(!r.ok && r.error[0]!.message).toMatch(/at line 3, column 3/);
  });
});

describe('config: scoped staff tokens', () => {
  it('names a facility a token is scoped to that does not exist, and a token given twice', () => {
    const list = problems({
      staffTokens: ['all-facilities-token-0123'],
      staff: [
        { name: 'Desk', token: 'desk-token-0123456789', facilities: ['st-lukes', 'st-lukez'] },
        { name: 'Copy', token: 'all-facilities-token-0123', facilities: '*' },
      ],
      facilities: [facility()],
    });
    expect(at(list, 'staff[0].facilities[1]')).toEqual(['no facility "st-lukez" is configured']);
    expect(at(list, 'staff[0].facilities[0]')).toEqual([]);
    expect(at(list, 'staff[1].token')[0]).toMatch(/given twice/);
  });
});
