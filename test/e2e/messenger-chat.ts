/** A Messenger patient for e2e tests: say something, wait for the bot's matching answer; and settling the sandbox's webhooks. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Frontdesk } from '../../src/app.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { eventually, FACILITY, messengerText, postMessenger, type Service, providerEventApplied } from '../support/frontdesk.js';

/** the text a Messenger message shows: its text, a template's text and its quick replies' titles */
export const textOf = (r: { json: Record<string, any> }): string =>
  [r.json.message?.text, r.json.message?.attachment?.payload?.text, ...(r.json.message?.quick_replies ?? []).map((q: { title: string }) => q.title)].filter(Boolean).join(' | ');

export function messengerChat(svc: Service, psid: string) {
  const seen = () => svc.platforms.graph().filter((r) => r.json.recipient?.id === psid);
  async function say(text: string, expected: RegExp) {
    const before = seen().length;
    expect((await postMessenger(svc.fd.base, messengerText(psid, text))).status).toBe(200);
    try {
      return await eventually(() => seen().slice(before).find((r) => expected.test(textOf(r))), `bot answers /${expected.source}/ to "${text}"`);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the bot said: ${seen().slice(before).map(textOf).join(' // ')}`);
    }
  }
  return { say, seen };
}

/** every sandbox webhook delivered and processed here */
export async function settledDeliveries(svc: Service) {
  const ds = await eventually(() => {
    const all = svc.fd.sandbox!.deliveries(FACILITY);
    return all.every((d) => d.status === 'delivered') ? all : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of ds) await eventually(async () => await providerEventApplied(svc.fd, FACILITY, d.id), 'provider event processed');
  return ds;
}

/**
 * Posts a Messenger message (a tapped quick reply when `quickReply`) and waits until its turn was applied, its
 * replies reached final send records and, when a ticket is open, the message is in its thread; returns the replies.
 */
export async function sayAndSettle(fd: Pick<Frontdesk, 'store' | 'outbox'>, base: string, psid: string, text: string, opts: { quickReply?: string; time?: number } = {}): Promise<OutboundMessage[]> {
  const mid = `m_${randomUUID()}`;
  expect((await postMessenger(base, messengerText(psid, text, { mid, ...(opts.quickReply ? { quickReply: opts.quickReply } : {}), ...(opts.time ? { time: opts.time } : {}) }))).status).toBe(200);
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), `contact ${psid}`);
  const turn = await eventually(async () => {
    const t = await fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `messenger:${mid}` ? t : undefined;
  }, `turn of ${mid}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  // the ticket is written when the turn is applied, just after the turn record
  await eventually(async () => ((await fd.store.tickets.openFor(FACILITY, contact.id))?.messages.some((m) => m.id === `messenger:${mid}`) ?? true) || undefined, 'ticket thread');
  return turn.outbound;
}
