import { missOutcome } from '../answers.js';
import { firstIntent } from '../intents.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import type { Relationship } from '../../src/core/index.js';
import { defineStep, type OutcomeOf } from '../step.js';

const RELATIONSHIPS: readonly string[] = ['child', 'parent', 'spouse', 'other'];

/** How the person booked for is related to the contact: tapped, or typed in any of the three languages. */
export const relationship = defineStep({
  name: 'relationship',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) =>
    prompt(k('book.relationship'), { name: ctx.draft.name ?? '' }, [
      option('rel:child', k('choice.relChild')),
      option('rel:parent', k('choice.relParent')),
      option('rel:spouse', k('choice.relSpouse')),
      option('rel:other', k('choice.relOther')),
    ]),
  classify(ctx, ev, choice) {
    const said = firstIntent(ev.text, ['relChild', 'relParent', 'relSpouse'] as const);
    const rel: Relationship | undefined = choice?.startsWith('rel:') ? (choice.slice(4) as Relationship) : said ? (said.slice(3).toLowerCase() as Relationship) : undefined;
    if (!rel || !RELATIONSHIPS.includes(rel)) return missOutcome(ctx);
    const d = ctx.draft;
    return { outcome: 'ok', patch: { draft: { ...d, subject: { ...d.subject, relationship: rel } } } };
  },
});

export type RelationshipOutcome = OutcomeOf<typeof relationship>;
