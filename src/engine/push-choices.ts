import type { PushedChoiceStore } from '../store/pushed-choices.js';

/*
 * Choices a push carried (a reminder's confirm / reschedule / cancel, a cancellation's "book again") are
 * remembered by sync when it pushes (src/sync/notices.ts pushNotice). On SMS the patient answers such a push
 * by number or by the choice's words; the conversation never showed those choices, so the engine maps the
 * answer here, when the push is newer than the conversation's own last prompt.
 */

const normalize = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The choice id a typed answer picks from the latest push, if it is newer than `lastTurnAt`. */
export async function answerToPush(pushes: PushedChoiceStore, facilityId: string, contactId: string, text: string | undefined, lastTurnAt: string | undefined): Promise<string | undefined> {
  if (!text) return undefined;
  const pushed = await pushes.latest(facilityId, contactId);
  if (!pushed || (lastTurnAt && Date.parse(lastTurnAt) >= Date.parse(pushed.at))) return undefined;
  const typed = normalize(text);
  const n = /^\d{1,2}$/.test(typed) ? Number(typed) : undefined;
  if (n !== undefined) return pushed.choices[n - 1]?.id;
  return pushed.choices.find((c) => normalize(c.label) === typed)?.id;
}
