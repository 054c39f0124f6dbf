/**
 * Issue 13, the staff console in Debian's Chromium over the whole service: sign in with a staff token, a patient's
 * handoff appears in the inbox live, claim, reply (the patient receives it at the Graph stub), hand back (the bot
 * answers again), then a broadcast with its preview, progress, history and "already sent" for a repeat; at phone
 * size (390×844) the reply box and its Send button are usable; every form control has a label. DEV_SHOTS=<dir>
 * saves the screenshots the note describes.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, FACILITY, messengerText, postMessenger, staffCall, testConfig, useService } from '../support/frontdesk.js';
import { expectInViewport, launchBrowser, shot, type Browser } from './support/browser.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = 'browser-desk-staff-token-0001';
const svc = useService((url) => testConfig({ platformsUrl: url, extra: { staff: [{ name: 'Desk Ana', token: TOKEN, facilities: [FACILITY] }] } }));
let browser: Browser;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let day = DateTime.now().setZone('Asia/Manila').plus({ days: 12 });
if (day.weekday === 7) day = day.plus({ days: 1 });
const DATE = day.toISODate()!;
const PSID = '7400000000000001';

beforeAll(async () => {
  // the desk's computer is set to New York: the console still shows Manila's times and day
  browser = await launchBrowser({ timezoneId: 'America/New_York' });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const toPatient = () => svc.platforms.graph().filter((r) => r.json.recipient?.id === PSID && r.json.message?.text).map((r) => r.json.message.text as string);
async function patientSays(text: string, quickReply?: string) {
  const before = toPatient().length;
  expect((await postMessenger(svc.fd.base, messengerText(PSID, text, { mid: `m_${randomUUID()}`, ...(quickReply ? { quickReply } : {}) }))).status).toBe(200);
  return before;
}

async function signIn(size: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.setViewportSize(size);
  await page.goto(`${svc.fd.base}/staff`);
  if (await page.locator('#token').count()) {
    await page.fill('#token', TOKEN);
    await page.keyboard.press('Enter');
  }
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 }).catch((e: Error) => {
    throw new Error(`${e.message}\n${problems.join('\n')}\n${page.url()}`);
  });
  return { page, problems };
}

describe('the staff console in Chromium', () => {
  let page: Page;
  let problems: string[];

  it('signs in with the token (a wrong one is told), and every control has a label', async () => {
    const p = await browser.context.newPage();
    await p.goto(`${svc.fd.base}/staff/`);
    await p.fill('#token', 'wrong-token-wrong-token');
    await p.click('button[type=submit]');
    expect(await p.locator('#login-error').innerText()).toMatch(/not valid/);
    await shot(p, 'console-login');
    await p.close();
    ({ page, problems } = await signIn(DESKTOP));
    expect(await page.locator('#who').innerText()).toBe('Desk Ana');
    type Control = { id: string; outerHTML: string; closest(s: string): unknown; ownerDocument: { querySelector(s: string): unknown } };
    const unlabelled = await page
      .locator('input:not([type=hidden]), select, textarea')
      .evaluateAll((els: Control[]) => els.filter((e) => !(e.closest('label') || (e.id && e.ownerDocument.querySelector(`label[for="${e.id}"]`)))).map((e) => e.id || e.outerHTML));
    expect(unlabelled).toEqual([]);
  });

  it('a handoff appears live; claim, reply (the patient gets it), hand back (the bot answers again)', async () => {
    await patientSays('hi');
    await eventually(() => toPatient().length > 0 || undefined, 'greeting');
    await patientSays('Talk to staff', 'menu:staff');
    const item = page.locator('#tickets button[data-ticket]');
    await item.first().waitFor({ timeout: 15_000 });
    expect(await item.first().innerText()).toMatch(/asked for a person · waiting/);
    await item.first().click();
    await expect.poll(() => page.locator('#thread li').count()).toBeGreaterThan(1);
    expect(await page.locator('#thread').innerText()).toContain('Talk to staff');
    await page.click('#claim');
    await expect.poll(() => page.locator('#ticket-meta').innerText()).toMatch(/claimed by Desk Ana/);
    // keyboard: the reply box, typed into and sent with the keyboard alone
    await page.focus('#reply');
    await page.keyboard.type('Hello, this is Ana from the front desk. How can I help?');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await eventually(() => toPatient().find((t) => t.startsWith('Hello, this is Ana')), 'the reply at the Graph stub');
    await expect.poll(() => page.locator('#thread li.staff').innerText(), { timeout: 10_000 }).toMatch(/Desk Ana .* sent/);
    await shot(page, 'console-inbox-desktop');

    // the patient writes while held: it shows in the thread, the bot says nothing
    const held = await patientSays('My appointment is tomorrow, can I come earlier?');
    await expect.poll(() => page.locator('#thread').innerText(), { timeout: 15_000 }).toContain('can I come earlier?');
    expect(toPatient().length).toBe(held);

    await page.click('#resolve');
    await eventually(() => toPatient().length > held || undefined, 'the hand-back notice');
    await expect.poll(() => page.locator('#tickets button[data-ticket]').count(), { timeout: 15_000 }).toBe(0);
    const afterResolve = await patientSays('hi');
    await eventually(() => toPatient().length > afterResolve || undefined, 'the bot answers again');
  });

  it('a broadcast: preview per channel, send with progress, history, and a repeat says it was already sent', async () => {
    const r = await staffCall(svc.fd.base, 'POST', '/appointments/bulk', { date: DATE, count: 2 });
    expect(r.status).toBe(201);
    await eventually(async () => ((await svc.fd.store.appointments.byDay(FACILITY, DATE)).filter((a) => a.contactId).length === 2) || undefined, 'the day in the mirror');
    await page.click('#nav-broadcasts');
    await page.locator('#bc-history-empty').waitFor({ state: 'visible' });
    await page.fill('#bc-date', DATE);
    await page.check('input[name="bc-kind"][value="message"]');
    await page.fill('#bc-text', 'The clinic opens at 9:00 tomorrow.');
    await page.click('#bc-preview');
    await page.locator('.preview[data-channel="sms"]').waitFor();
    expect(await page.locator('#bc-result').innerText()).toMatch(/2 recipients,/);
    expect(await page.locator('.preview[data-channel="sms"]').innerText()).toMatch(/The clinic opens at 9:00 tomorrow\.\s+\(1 SMS segment\)/);
    await shot(page, 'console-broadcast-preview');
    await page.click('#bc-send');
    await expect.poll(() => page.locator('#bc-result').innerText(), { timeout: 30_000 }).toMatch(/done: 2 sent, 0 failed, 0 skipped of 2/);
    expect(await page.locator('#bc-progress').getAttribute('value')).toBe('2');
    await expect.poll(() => page.locator('#bc-history li').first().innerText()).toMatch(/Desk Ana .*message “The clinic opens at 9:00 tomorrow.” · done: 2 sent/);
    expect(await page.locator('#bc-history-empty').isHidden()).toBe(true);
    await page.click('#bc-preview');
    await expect.poll(() => page.locator('#bc-result').innerText()).toMatch(/Already sent .* by Desk Ana/);
    await shot(page, 'console-broadcast-done');
  });

  it('Today lists the day from the mirror with doctor, status, channel and reminder state', async () => {
    await page.click('#nav-today');
    await page.fill('#day', DATE);
    await page.click('#day-load');
    await expect.poll(() => page.locator('#day-rows tr').count()).toBe(2);
    expect(await page.locator('#day-rows tr').first().innerText()).toMatch(/SCHEDULED\s+sms/);
    const first = ((await staffCall(svc.fd.base, 'GET', '/appointments')).body.appointments as { start: string }[]).map((a) => a.start).filter((x) => x.startsWith(DATE)).sort()[0]!;
    const manila = DateTime.fromISO(first).setZone('Asia/Manila').toFormat('h:mm');
    expect(await page.locator('#day-rows tr').first().innerText()).toContain(manila);
    // the visit surveys under the day: none answered in this world
    expect(await page.locator('#survey-summary').innerText()).toBe('No answers yet.');
    expect(await page.locator('#survey-table').isHidden()).toBe(true);
    await shot(page, 'console-today-desktop');
    expect(problems).toEqual([]);
  });

  it('at phone size the inbox, the reply box and Send fit the screen', async () => {
    await patientSays('Talk to staff', 'menu:staff');
    const phone = await signIn(PHONE);
    await phone.page.locator('#tickets button[data-ticket]').first().click();
    await phone.page.locator('#ticket:not([hidden])').waitFor();
    await phone.page.locator('#send-reply').scrollIntoViewIfNeeded();
    await expectInViewport(phone.page, '#send-reply');
    await expectInViewport(phone.page, '#reply');
    const overflow = await phone.page.locator('html').evaluate((root: { scrollWidth: number; clientWidth: number }) => root.scrollWidth - root.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.locator('header').scrollIntoViewIfNeeded();
    await shot(phone.page, 'console-inbox-phone');
    expect(phone.problems).toEqual([]);
    await phone.page.close();
  });
});
