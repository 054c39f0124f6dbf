/** A Messenger patient for e2e tests: say something, wait for the bot's matching answer; and settling the sandbox's webhooks. */
import { expect } from 'vitest';
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
