import { describe, expect, it } from 'vitest';
import { setup } from './fixtures.js';
import { SURVEY_CLOSED, surveyChoiceId } from '../../flows/protocol.js';
import type { FlowEmitted } from '../../flows/protocol.js';

/**
 * The post-visit survey in the conversation (README "Care workflows"): a score tapped in any state is kept
 * and asks for an optional comment; a low one hands the conversation to staff; a closed survey's tap is
 * answered as closed and records nothing; the comment step lets the patient skip, and commands still work.
 */

const answers = (emitted: FlowEmitted[]) => emitted.filter((e) => e.type === 'survey.answer');
const handoffs = (emitted: FlowEmitted[]) => emitted.filter((e) => e.type === 'handoff');

describe('post-visit survey', () => {
  it('a score of 9 is kept, the comment asked; the comment typed next is kept too; no staff ticket', async () => {
    const { chat } = setup({});
    await chat
      .send({ choiceId: surveyChoiceId(9, 6, 'A-1') })
      .expect((r) => /Thank you for your answer \(9 of 10\)! Is there anything you'd like to tell us/.test(r.text) && r.choices?.map((c) => c.label).join() === 'Skip')
      .send('The nurse was very kind')
      .expect(/Thank you for your feedback/);
    expect(answers(chat.emitted)).toEqual([
      { type: 'survey.answer', appointmentId: 'A-1', score: 9 },
      { type: 'survey.answer', appointmentId: 'A-1', comment: 'The nurse was very kind' },
    ]);
    expect(handoffs(chat.emitted)).toEqual([]);
    expect(chat.context().survey).toBeUndefined();
  });

  it('a low score (at or below the facility’s) hands the conversation to staff, then asks what could be better', async () => {
    const { chat } = setup({});
    await chat
      .send({ choiceId: surveyChoiceId(3, 6, 'A-2') })
      .expect(/Thank you for telling us \(3 of 10\)\. We're sorry your visit was not better/)
      .send('Skip')
      .expect(/Thank you! Your answer helps us improve/);
    expect(handoffs(chat.emitted)).toEqual([{ type: 'handoff', reason: 'low_survey_score' }]);
    expect(answers(chat.emitted)).toEqual([{ type: 'survey.answer', appointmentId: 'A-2', score: 3 }]);
  });

  it('the score is the threshold itself: low; one above: not', async () => {
    const low = setup({}).chat;
    await low.send({ choiceId: surveyChoiceId(6, 6, 'A-3') }).expect(/We're sorry/);
    expect(handoffs(low.emitted)).toHaveLength(1);
    const ok = setup({}).chat;
    await ok.send({ choiceId: surveyChoiceId(7, 6, 'A-3') }).expect(/Thank you for your answer/);
    expect(handoffs(ok.emitted)).toHaveLength(0);
  });

  it('taken in the middle of a booking; "no" skips the comment; nothing else is recorded', async () => {
    const { chat } = setup({});
    await chat
      .send('book')
      .skip()
      .send({ choiceId: surveyChoiceId(10, 6, 'A-4') })
      .expect(/10 of 10/)
      .send('no')
      .expect(/Thank you! Your answer helps us improve/);
    expect(answers(chat.emitted)).toHaveLength(1);
  });

  it('a comment that merely contains "not" is a comment', async () => {
    const { chat } = setup({});
    await chat.send({ choiceId: surveyChoiceId(5, 6, 'A-7') }).skip().send('not enough chairs in the waiting room').expect(/Thank you for your feedback/);
    expect(answers(chat.emitted).at(-1)).toEqual({ type: 'survey.answer', appointmentId: 'A-7', comment: 'not enough chairs in the waiting room' });
  });

  it('a whole-message request at the comment step ("book") is that request, not a comment', async () => {
    const { chat } = setup({});
    await chat.send({ choiceId: surveyChoiceId(9, 6, 'A-8') }).skip().send('book').expect(/data privacy|Which doctor/);
    expect(answers(chat.emitted)).toHaveLength(1);
    expect(chat.context().mode).toBe('book');
  });

  it('a closed survey (the engine found none open) is said so, and records nothing', async () => {
    const { chat } = setup({});
    await chat.send({ choiceId: SURVEY_CLOSED }).expect(/this survey is closed/);
    expect(answers(chat.emitted)).toEqual([]);
  });

  it('at the comment step the menu still works, and in Filipino the question is Filipino', async () => {
    const { chat } = setup({ locale: 'fil' });
    await chat
      .send({ choiceId: surveyChoiceId(8, 6, 'A-5') })
      .expect(/Salamat po sa inyong sagot \(8 sa 10\)/)
      .send('menu')
      .expect((r) => (r.choices?.length ?? 0) > 3);
    expect(answers(chat.emitted)).toHaveLength(1);
  });

  it('a forged score outside 0–10 is not a score', async () => {
    const { chat } = setup({});
    await chat.send({ choiceId: 'survey:11:6:A-6' });
    expect(answers(chat.emitted)).toEqual([]);
    expect(chat.context().survey).toBeUndefined();
  });
});
