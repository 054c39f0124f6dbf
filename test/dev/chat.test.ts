import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './support/browser.js';
import { DEV_FACILITY, startDevApp, type DevApp } from './support/dev-app.js';

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

const botCount = (page: Page) => page.locator('.bubble.bot').count();
const lastBot = (page: Page) => page.locator('.bubble.bot').last().innerText();

/** does something in the page, then waits for the bot's answer to show */
async function andWaitForAnswer(page: Page, act: () => Promise<void>): Promise<void> {
  const before = await botCount(page);
  await act();
  // a locator wait, not waitForFunction: a string predicate polled in the page is refused by the page's CSP
  await page.locator('.bubble.bot').nth(before).waitFor({ timeout: 20_000 });
}

async function say(page: Page, text: string): Promise<void> {
  await andWaitForAnswer(page, async () => {
    await page.fill('#text', text);
    await page.click('#send');
  });
}

/** the patient's side of a booking, whatever order the flow asks in */
const PREFERRED_CHOICES = ['Book an appointment', 'I agree', 'Yes, book it', 'Female'];
const AVOIDED_CHOICES = ['Main menu', 'Later dates', 'More times', 'Another date', 'Try again', "I don't agree", 'Choose another time', 'Talk to staff'];
const TYPED_ANSWERS: [RegExp, string][] = [
  [/full name/i, 'Maria Santos'],
  [/date of birth/i, '15/05/1990'],
  [/mobile number/i, '0917 123 4567'],
  [/national id/i, 'AB1234567'],
];

describe('dev chat page', () => {
  it('books an appointment by clicking through the Messenger-style chat', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app.baseUrl}/dev`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#user', 'browser-patient-1');
    await page.dispatchEvent('#user', 'change');
    expect(await page.inputValue('#facility')).toBe(DEV_FACILITY);
    await page.selectOption('#style', 'messenger');

    await say(page, 'hi');
    let booked = '';
    for (let step = 0; step < 30 && !booked; step++) {
      const text = await lastBot(page);
      booked = (await page.locator('.bubble.bot', { hasText: "You're booked" }).allInnerTexts())[0] ?? '';
      if (booked) break;
      const chips = page.locator('#chips .chip');
      const labels = await chips.allInnerTexts();
      if (labels.length) {
        const pick = PREFERRED_CHOICES.find((l) => labels.includes(l)) ?? labels.find((l) => !AVOIDED_CHOICES.includes(l));
        expect(pick, `no choice to pick after: ${text}`).toBeDefined();
        await andWaitForAnswer(page, () => chips.filter({ hasText: pick! }).first().click());
        continue;
      }
      const typed = TYPED_ANSWERS.find(([re]) => re.test(text));
      expect(typed, `no answer for: ${text}`).toBeDefined();
      await say(page, typed![1]);
    }
    expect(booked, await page.locator('#log').innerText()).toMatch(/You're booked!/);

    // the sandbox's own system holds the booking: seen through the page's staff desk
    await page.click('#staff-refresh');
    // the patient's cell: the doctor column names Dr. Maria Santos too
    const row = page.locator('#staff-rows tr', { has: page.locator('td.patient', { hasText: 'Maria Santos' }) });
    await row.first().waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(1);
    expect(await row.first().locator('td.status').innerText()).toBe('SCHEDULED · bot');

    // our mirror knows it too
    const contact = await app.store.contacts.byChannelUser(DEV_FACILITY, 'dev', 'browser-patient-1');
    const appts = await app.store.appointments.byContact(DEV_FACILITY, contact!.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]).toMatchObject({ source: 'bot', creationNoticeSent: true, status: 'SCHEDULED' });
    expect(booked).toContain(appts[0]!.queueNumber ?? appts[0]!.appointmentId);
    await page.close();
  });

  it('renders choices as SMS numbered text and as a Viber keyboard', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app.baseUrl}/dev`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#user', 'browser-patient-2');
    await page.dispatchEvent('#user', 'change');

    await page.selectOption('#style', 'sms');
    await say(page, 'menu');
    expect(await lastBot(page)).toContain('1. Book an appointment');
    expect(await page.locator('#chips .chip, #keyboard .kb-btn').count()).toBe(0);

    await page.selectOption('#style', 'viber');
    await say(page, 'menu');
    const keys = page.locator('#keyboard .kb-btn');
    expect(await keys.allInnerTexts()).toContain('Book an appointment');
    await andWaitForAnswer(page, () => keys.filter({ hasText: 'Book an appointment' }).click());
    expect(await lastBot(page)).toMatch(/Do you agree\?/);
    await page.close();
  });
});
