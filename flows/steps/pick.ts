import { missOutcome } from '../answers.js';
import { doctorName } from '../context.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Which of the contact's upcoming appointments to reschedule or cancel. */
export const pick = defineStep({
  name: 'pick',
  outcomes: ['picked'],
  prompt: (ctx) =>
    prompt(
      ctx.mode === 'cancel' ? k('manage.pickCancel') : k('manage.pickReschedule'),
      undefined,
      ctx.appointments.map((a) => option(`appt:${a.appointmentId}`, k('choice.appointment'), { startAt: a.start, doctor: doctorName(ctx, a.calendarId) })),
    ),
  classify(ctx, _ev, choice) {
    const id = choice?.startsWith('appt:') ? choice.slice(5) : undefined;
    const target = ctx.appointments.find((a) => a.appointmentId === id);
    return target ? { outcome: 'picked', patch: { target } } : missOutcome(ctx);
  },
});

export type PickOutcome = OutcomeOf<typeof pick>;
