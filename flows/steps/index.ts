import type { ConversationContext } from '../context.js';
import type { Prompt } from '../prompts.js';
import type { Step } from '../step.js';
import { bookAgain } from './bookAgain.js';
import { calendar } from './calendar.js';
import { code } from './code.js';
import { confirmCancel } from './confirmCancel.js';
import { consent } from './consent.js';
import { consentDeclined } from './consentDeclined.js';
import { date } from './date.js';
import { dob } from './dob.js';
import { eraseConfirm } from './eraseConfirm.js';
import { forWhom } from './forWhom.js';
import { gender } from './gender.js';
import { handoff } from './handoff.js';
import { idle } from './idle.js';
import { menu } from './menu.js';
import { name } from './name.js';
import { nationalId } from './nationalId.js';
import { noCalendars } from './noCalendars.js';
import { phone } from './phone.js';
import { pick } from './pick.js';
import { relationship } from './relationship.js';
import { surveyComment } from './surveyComment.js';
import { retry } from './retry.js';
import { review } from './review.js';
import { reviewReschedule } from './reviewReschedule.js';
import { time } from './time.js';
import { tooClose } from './tooClose.js';
import { type } from './type.js';
import { unsettled } from './unsettled.js';

/** A table of steps, each under its own name (a step filed under another name is a type error). */
const byName = <T extends { [K in keyof T]: Step<K & string, string> }>(steps: T): T => steps;

/** Every step that waits for the patient, by name (one module each in this folder). */
export const STEPS = byName({
  idle, menu, handoff, bookAgain, eraseConfirm,
  forWhom, relationship, consent, consentDeclined, name, dob, phone, gender, nationalId, code,
  calendar, noCalendars, type, date, time, review, unsettled, retry,
  pick, tooClose, reviewReschedule, confirmCancel, surveyComment,
});

export type Steps = typeof STEPS;
export type StepName = keyof Steps;

/** The prompt of a step, built from the context at the moment the step is entered. */
export const promptFor = (step: StepName, ctx: ConversationContext): Prompt => STEPS[step].prompt(ctx);
