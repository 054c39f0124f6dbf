/**
 * Issue 10, staff access: security headers on every HTML and JSON answer, a CSP for HTML that still lets
 * the dev chat's own inline script and style run (by hash, never 'unsafe-inline'), no-store on staff
 * JSON, HSTS behind an https public URL, and `/metrics` behind `metricsToken` when it is set.
 */
import { createHash } from 'node:crypto';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/http/security-headers.js';
import { SECRETS, testConfig, useService } from '../support/frontdesk.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const svc = useService((url) => testConfig({ platformsUrl: url, extra: { metricsToken: METRICS_TOKEN } }));

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${svc.fd.base}${path}`, { headers });
const common = (res: Response) => {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
};

describe('security headers', () => {
  it('JSON answers (success and error) carry them, with a CSP that allows nothing', async () => {
    for (const res of [await get('/healthz'), await get('/no/such/route'), await get('/staff/v1/audit')]) {
      common(res);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('staff JSON is never cached', async () => {
    const res = await get('/staff/v1/audit', { authorization: `Bearer ${SECRETS.staffToken}` });
    expect(res.status).toBe(200);
    common(res);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await get('/staff/v1/audit')).headers.get('cache-control')).toBe('no-store');
  });

  it("the dev chat's HTML gets a CSP that names its inline script and style by hash, and nothing inline else", async () => {
    const res = await get('/dev/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    common(res);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toMatch(new RegExp(`script-src 'self' [^;]*${sha(script).replace(/[+/]/g, '\\$&')}`));
    expect(csp).toMatch(new RegExp(`style-src 'self' [^;]*${sha(style).replace(/[+/]/g, '\\$&')}`));
    expect(csp).toContain("connect-src 'self'");
  });

  it('no HSTS when the public URL is not https', async () => {
    const app = new Koa();
    app.use(securityHeaders({ publicUrl: 'http://127.0.0.1:3000' }));
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      server.close();
    }
  });
});

describe('/metrics behind metricsToken', () => {
  it('401 without the token or with another; the Prometheus text with it', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: `Bearer ${SECRETS.staffToken}` })).status).toBe(401);
    const res = await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('frontdesk_up');
  });
});
