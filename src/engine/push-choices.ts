import type { PushedChoiceStore } from '../store/pushed-choices.js';

/*
 * Choices a push carried (a reminder's confirm / reschedule / cancel, a cancellation's "book again") are
 * remembered by sync when it pushes (src/sync/notices.ts pushNotice). On SMS the patient answers such a push
 * by number or by the choice's words; the conversation never showed those choices, so the engine maps the
 * answer here, when the push is newer than the conversation's own last prompt.
 */

const normalize = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * The choice id a typed answer picks from the latest push, if it is newer than `lastTurnAt`; `at` is when the
 * answer came (a push answerable only until some time, a survey, is not answered after it).
 */
export async function answerToPush(pushes: PushedChoiceStore, facilityId: string, contactId: string, text: string | undefined, lastTurnAt: string | undefined, at?: string): Promise<string | undefined> {
  if (!text) return undefined;
  const pushed = await pushes.latest(facilityId, contactId);
  if (!pushed || (lastTurnAt && Date.parse(lastTurnAt) >= Date.parse(pushed.at))) return undefined;
  if (pushed.until && at && Date.parse(at) > Date.parse(pushed.until)) return undefined;
  const typed = normalize(text);
  // the words first: a 0–10 scale's choices are the numbers themselves ("8" is 8, not the eighth)
  const byLabel = pushed.choices.find((c) => normalize(c.label) === typed)?.id;
  if (byLabel) return byLabel;
  const n = /^\d{1,2}$/.test(typed) ? Number(typed) : undefined;
  return n !== undefined ? pushed.choices[n - 1]?.id : undefined;
}
