import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectInViewport, launchBrowser, openDevPage, shot, type Browser } from './support/browser.js';
import { startDevApp, type DevApp } from './support/dev-app.js';

/**
 * The dev page at phone size (390×844) and at desktop size. At phone size the chat and the desk sat side by side
 * (the chat was 187 px wide: Send and the Viber keyboard's third column were cut off); now they are tabs.
 */

let app: DevApp;
let browser: Browser;

beforeAll(async () => {
  app = await startDevApp();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** the Viber keyboard of the main menu (at least three keys: one per column) */
async function viberMenu(page: Page, user: string): Promise<void> {
  await page.fill('#user', user);
  await page.dispatchEvent('#user', 'change');
  await page.selectOption('#style', 'viber');
  await page.fill('#text', 'menu');
  await page.click('#send');
  await page.locator('#keyboard .kb-btn').nth(2).waitFor({ timeout: 20_000 });
}

/** the page never scrolls sideways (no DOM lib in this project's types: the page's root element, read structurally) */
const noHorizontalScroll = (page: Page) =>
  page.locator('html').evaluate((root: { scrollWidth: number; clientWidth: number }) => root.scrollWidth <= root.clientWidth);

describe('dev page layout', () => {
  it('at 390×844: the chat takes the whole width, Send and the third keyboard column are fully on screen; the desk is a tab', async () => {
    const { page, problems } = await openDevPage(browser, app.baseUrl, { width: 390, height: 844 });
    expect(await page.locator('#hint').innerText()).toMatch(/Press Start to begin/);
    await expectInViewport(page, '#tab-chat');
    await expectInViewport(page, '#tab-desk');
    expect(await page.locator('#staff').isVisible()).toBe(false);

    await viberMenu(page, 'phone-user-1');
    expect(await page.locator('#hint').count()).toBe(0); // the hint leaves with the first message
    const chat = await expectInViewport(page, '#chat');
    expect(chat.width).toBeGreaterThanOrEqual(388);
    const send = await expectInViewport(page, '#send');
    const composer = (await page.locator('#composer').boundingBox())!;
    expect(send.x + send.width, 'Send inside the composer, its padding kept').toBeLessThanOrEqual(composer.x + composer.width - 11.5);
    await expectInViewport(page, '#text');
    const third = await expectInViewport(page, '#keyboard .kb-btn >> nth=2');
    const first = await expectInViewport(page, '#keyboard .kb-btn >> nth=0');
    expect(third.x).toBeGreaterThan(first.x + first.width); // three columns, side by side
    expect(await noHorizontalScroll(page)).toBe(true);
    await shot(page, 'phone-chat');

    await page.click('#tab-desk');
    await page.locator('#staff-rows tr').first().waitFor();
    expect(await page.locator('#chat').isVisible()).toBe(false);
    await expectInViewport(page, '#staff-refresh');
    await expectInViewport(page, '#staff-rows tr >> nth=0');
    await expectInViewport(page, '#staff-rows .staff-action >> nth=0');
    expect(await noHorizontalScroll(page)).toBe(true);
    await shot(page, 'phone-desk');

    await page.click('#tab-chat');
    await expectInViewport(page, '#send');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('at 1280×800: chat and desk side by side, Send and the third keyboard column on screen', async () => {
    const { page, problems } = await openDevPage(browser, app.baseUrl, { width: 1280, height: 800 });
    expect(await page.locator('#tabs').isVisible()).toBe(false);
    await viberMenu(page, 'desktop-user-1');
    await expectInViewport(page, '#send');
    await expectInViewport(page, '#keyboard .kb-btn >> nth=2');
    await page.locator('#staff-rows tr').first().waitFor();
    const chat = await expectInViewport(page, '#chat');
    const desk = await expectInViewport(page, '#staff');
    expect(desk.x).toBeGreaterThanOrEqual(chat.x + chat.width);
    expect(chat.width).toBeGreaterThan(400);
    expect(await noHorizontalScroll(page)).toBe(true);
    await shot(page, 'desktop');
    expect(problems).toEqual([]);
    await page.close();
  });
});
