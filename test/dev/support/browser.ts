import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, headless, in a throwaway profile. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** `timezoneId`: the browser's own zone (a desk whose computer is set to another zone than the facility's) */
export async function launchBrowser(opts: { timezoneId?: string } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'fd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, ...opts });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the dev page at a viewport size; fails the test on a page error or a CSP refusal. */
export async function openDevPage(browser: Browser, baseUrl: string, size: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // a refused desk action is a 4xx the browser logs as a failed load: those are checked through the responses
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && !path.startsWith('/dev/api/staff/') && path !== '/favicon.ico') problems.push(`HTTP ${r.status()} ${path}`);
  });
  // the desk never asks through a browser prompt (it used to, for the reschedule time)
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  await page.setViewportSize(size);
  await page.goto(`${baseUrl}/dev`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, problems };
}

/** Saves a screenshot when DEV_SHOTS names a folder (e.g. DEV_SHOTS=/tmp/shots). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.DEV_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/**
 * The element's box lies entirely inside the viewport and inside every ancestor that clips it (overflow other than
 * visible): at phone size the old page kept Send "inside the viewport" while its 187-px panel cut it off.
 */
export async function expectInViewport(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator(selector).boundingBox();
  const vp = page.viewportSize()!;
  if (!box || box.width <= 0 || box.height <= 0) throw new Error(`${selector} is not rendered`);
  const inside = box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5;
  if (!inside) throw new Error(`${selector} at ${JSON.stringify(box)} is not fully inside the ${vp.width}×${vp.height} viewport`);
  const clippedBy = await page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = a.ownerDocument.defaultView!.getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      const clipsX = style.overflowX !== 'visible' && (r.left < c.left - 0.5 || r.right > c.right + 0.5);
      const clipsY = style.overflowY !== 'visible' && (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5);
      if (clipsX || clipsY) return `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''} [${Math.round(c.left)}..${Math.round(c.right)} × ${Math.round(c.top)}..${Math.round(c.bottom)}]`;
    }
    return undefined;
  });
  if (clippedBy) throw new Error(`${selector} at ${JSON.stringify(box)} is cut off by ${clippedBy}`);
  return box;
}
