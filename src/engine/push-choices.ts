import type { Choice } from '../core/messages.js';
import type { KeyValue } from '../store/types.js';

/**
 * Choices a push carried (a reminder's confirm / reschedule / cancel, a cancellation's "book again").
 * On SMS the patient answers such a push by number or by the choice's words; the conversation never
 * showed those choices, so the engine maps the answer here, when the push is newer than the
 * conversation's own last prompt.
 */
interface PushedChoices {
  choices: Choice[];
  at: string;
}

const key = (facilityId: string, contactId: string) => `engine:push:${facilityId}:${contactId}`;
const KEEP_MS = 14 * 24 * 3600_000;

export const rememberPushedChoices = (kv: KeyValue, facilityId: string, contactId: string, choices: Choice[], at: string) =>
  kv.set<PushedChoices>(key(facilityId, contactId), { choices, at }, KEEP_MS);

const normalize = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The choice id a typed answer picks from the latest push, if it is newer than `lastTurnAt`. */
export async function answerToPush(kv: KeyValue, facilityId: string, contactId: string, text: string | undefined, lastTurnAt: string | undefined): Promise<string | undefined> {
  if (!text) return undefined;
  const pushed = await kv.get<PushedChoices>(key(facilityId, contactId));
  if (!pushed || (lastTurnAt && Date.parse(lastTurnAt) >= Date.parse(pushed.at))) return undefined;
  const typed = normalize(text);
  const n = /^\d{1,2}$/.test(typed) ? Number(typed) : undefined;
  if (n !== undefined) return pushed.choices[n - 1]?.id;
  return pushed.choices.find((c) => normalize(c.label) === typed)?.id;
}
