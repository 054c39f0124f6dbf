import { createHash } from 'node:crypto';
import type Koa from 'koa';

/**
 * Security headers on every answer (HTML, JSON and the rest):
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`;
 * - HTML gets a Content-Security-Policy that allows only this origin plus the page's own inline
 *   `<script>` and `<style>` blocks, by hash (the dev chat is one self-contained file), and
 *   `frame-ancestors 'none'`; JSON gets `default-src 'none'; frame-ancestors 'none'`;
 * - `Cache-Control: no-store` on staff answers (patients' data) and on any answer that sets none;
 * - `Strict-Transport-Security` when the public URL is https.
 */
export function securityHeaders(opts: { publicUrl?: string } = {}): Koa.Middleware {
  const hsts = opts.publicUrl?.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : undefined;
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Referrer-Policy', 'no-referrer');
      if (hsts) ctx.set('Strict-Transport-Security', hsts);
      const type = ctx.response.type;
      if (type === 'text/html') ctx.set('Content-Security-Policy', htmlPolicy(ctx.body));
      else if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      if (ctx.path.startsWith('/staff') || !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    }
  };
}

const policies = new Map<string, string>();

/** the page's inline blocks, allowed by their sha256 (computed once per distinct page) */
export function htmlPolicy(body: unknown): string {
  const html = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  const cached = policies.get(html);
  if (cached) return cached;
  const hashes = (tag: 'script' | 'style') =>
    [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi'))]
      .filter((m) => !/\ssrc=/i.test(m[1] ?? '') && m[2]!.length > 0)
      .map((m) => `'sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}'`);
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${hashes('script').join(' ')}`.trim(),
    `style-src 'self' ${hashes('style').join(' ')}`.trim(),
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  if (policies.size > 50) policies.clear();
  policies.set(html, policy);
  return policy;
}
