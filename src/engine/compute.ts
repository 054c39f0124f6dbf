import type { AnyStateMachine } from 'xstate';
import type { FacilityConfig } from '../config/schema.js';
import type { Contact, LocaleCode } from '../core/domain.js';
import { TURN_ACTOR_NAMES, turnActors } from './actors.js';
import { machineWithSlots } from './actor-slots.js';
import type { AppointmentChange } from './appointments.js';
import { applyContactPatch, toFlowContact, touchSender } from './contact.js';
import { toFlowFacility } from './facility.js';
import { conversationMachine, parseSurveyChoice, SURVEY_CLOSED, type FlowEvent } from './flow.js';
import { answerToPush } from './push-choices.js';
import { ENGINE_KEYS } from './render.js';
import { specialEventTurn } from './special-events.js';
import { heldByStaff } from './tickets.js';
import { isStaffHours } from '../core/office-hours.js';
import { runFlowTurn, type FlowTurnResult } from './turn.js';
import { localeOf, outboundFor, type ContactPatch, type EngineEnv, type InboxEntry, type SurveyAnswer, type TurnRecord, type TurnReply } from './turn-record.js';

/** What the turn knows before the flow runs: the event, its facility, the empty record, the sender. */
interface TurnDraft {
  entry: InboxEntry;
  facility: FacilityConfig;
  base: TurnRecord;
  contact: Contact;
  locale: LocaleCode;
}

type FlowOutcome = { result: FlowTurnResult; replacedIds: Map<string, string> };

/** Runs one inbound event to the record of its turn, without applying any of its effects. */
export async function computeTurn(env: EngineEnv, entry: InboxEntry, facility: FacilityConfig): Promise<TurnRecord> {
  const { msg, contactId } = entry;
  const at = env.now();
  const base: TurnRecord = { key: entry.key, at: at.toISOString(), conversation: { action: 'keep' }, patches: [], appointments: [], outbound: [] };
  const sentAt = Number.isNaN(Date.parse(msg.sentAt)) ? base.at : msg.sentAt;
  const contact = await touchSender(env.store, contactId, msg, sentAt, env.deps.channels);
  const locale = localeOf(contact, facility);
  // opt-out and HELP keywords, then emergency phrases: answered in every state, even while staff hold the conversation
  const special = specialEventTurn(env, msg, base, facility, locale, contactId);
  if (special) return special;
  // a staff member holds the conversation: the bot stays silent (the message goes to their ticket when the turn is applied)
  if (await heldByStaff(env.store, entry.facilityId, contactId)) return base;

  const draft: TurnDraft = { entry, facility, base, contact, locale };
  const { result, replacedIds } = await runConversation(env, draft, at, sentAt);
  if (!result.ok) return failedTurn(env, draft, result);
  return turnFromFlow(env, draft, result, replacedIds);
}

/** Feeds the event to the conversation flow, resumed from its stored snapshot unless it sat idle too long. */
async function runConversation(env: EngineEnv, draft: TurnDraft, at: Date, sentAt: string): Promise<FlowOutcome> {
  const { store, deps } = env;
  const { entry, facility, contact } = draft;
  const { msg, facilityId, contactId } = entry;
  const turnEnded = deps.onTurnStart?.(msg);
  const machine: AnyStateMachine = deps.machine ?? conversationMachine;
  const record = await store.conversations.get(facilityId, contactId);
  const expired = record !== undefined && at.getTime() - Date.parse(record.updatedAt) > facility.idleResetMinutes * 60_000;
  const { actors, replacedIds } = turnActors({
    store,
    provider: deps.provider(facilityId),
    facilityId,
    contactId,
    turnKey: entry.key,
    now: env.now,
    mirrorMaxAgeMs: deps.mirrorMaxAgeMs ?? 5 * 60_000,
    facility,
    channel: msg.channel,
    deliver: deps.deliver,
    render: env.render,
  });
  const pushedChoice = msg.choiceId ? undefined : await answerToPush(store.pushedChoices, facilityId, contactId, msg.text, expired ? undefined : record?.updatedAt, at.toISOString());
  const choiceId = await openSurveyOnly(store, facilityId, contactId, msg.choiceId ?? pushedChoice, at.toISOString());
  const event: FlowEvent =
    msg.kind === 'start'
      ? { type: 'user.start', at: sentAt, messageId: msg.id }
      : { type: 'user.message', text: msg.text, choiceId, phone: msg.phone, at: sentAt, messageId: msg.id };
  const replyStyle = deps.channels.get(msg.channel)?.replyStyle;
  const flowContact = { ...toFlowContact(contact, msg.channel, await store.patients.ofContact(facilityId, contactId)), ...(replyStyle ? { replyStyle } : {}) };
  const input = { facility: toFlowFacility(facility), contact: flowContact, calendars: await deps.calendars(facilityId) };
  const result = await runFlowTurn({
    machine: machineWithSlots(machine, TURN_ACTOR_NAMES),
    calls: actors,
    input,
    snapshot: expired ? undefined : record?.snapshot,
    expired: expired ? record?.snapshot : undefined,
    event,
    timeoutMs: env.turnTimeoutMs,
  }).finally(() => turnEnded?.());
  return { result, replacedIds };
}

/** A survey score is read only for the contact's own open survey (not answered, not expired): else it is `survey:closed`. */
async function openSurveyOnly(store: EngineEnv['store'], facilityId: string, contactId: string, choiceId: string | undefined, at: string): Promise<string | undefined> {
  const s = parseSurveyChoice(choiceId);
  if (!s) return choiceId;
  return (await store.surveys.open(facilityId, contactId, s.appointmentId, at)) ? choiceId : SURVEY_CLOSED;
}

function failedTurn(env: EngineEnv, draft: TurnDraft, result: Extract<FlowTurnResult, { ok: false }>): TurnRecord {
  const { entry, facility, base, locale } = draft;
  const { msg, facilityId, contactId } = entry;
  env.log.error({ facilityId, contactId, reason: result.reason, err: result.error instanceof Error ? result.error.message : String(result.error) }, 'conversation turn failed');
  // a timed-out turn keeps the step the patient was at; a broken one starts over next time
  const conversation = result.reason === 'timeout' ? base.conversation : ({ action: 'delete' } as const);
  const key = result.reason === 'timeout' ? ENGINE_KEYS.unavailable : ENGINE_KEYS.broken;
  return { ...base, conversation, outbound: outboundFor(env.render, msg, contactId, [{ message: { key }, locale }], facility) };
}

/** The record of a settled flow: what it emitted, sorted into replies, contact patches, appointment changes, handoffs. */
function turnFromFlow(env: EngineEnv, draft: TurnDraft, result: Extract<FlowTurnResult, { ok: true }>, replacedIds: Map<string, string>): TurnRecord {
  const { entry, facility, base, contact, locale } = draft;
  const { msg, facilityId, contactId } = entry;
  const replies: TurnReply[] = result.restartedMidway && msg.kind === 'message' ? [{ message: { key: ENGINE_KEYS.sessionReset }, locale }] : [];
  const patches: ContactPatch[] = [];
  const appointments: AppointmentChange[] = [];
  const handoffs: string[] = [];
  const surveys: SurveyAnswer[] = [];
  let erase = false;
  let current = contact;
  for (const e of result.emitted) {
    if (e.type === 'reply') replies.push({ message: e.message, locale: e.locale ?? localeOf(current, facility) });
    else if (e.type === 'contact.patch') {
      patches.push(e.patch);
      current = applyContactPatch(current, e.patch, base.at);
    } else if (e.type === 'appointment.changed') {
      const previousId = replacedIds.get(e.appointment.appointmentId);
      appointments.push({ action: e.action, appointment: e.appointment, confirmedLocally: e.confirmedLocally, ...(previousId ? { previousId } : {}), ...(e.subject ? { subject: e.subject } : {}) });
    } else if (e.type === 'survey.answer') {
      const { type: _type, ...answer } = e;
      surveys.push(answer);
    } else if (e.type === 'contact.erase') {
      erase = true;
    } else if (e.type === 'handoff') {
      env.log.info({ facilityId, contactId, reason: e.reason }, 'conversation handed off to staff');
      handoffs.push(e.reason);
    }
  }
  // outside staff hours the patient is told when someone will answer, not left waiting in silence
  const { staffHours } = facility;
  if (handoffs.length > 0 && !isStaffHours(new Date(base.at), facility.timezone, staffHours)) {
    replies.push({ message: { key: 'handoff.afterHours', params: { from: staffHours.from, to: staffHours.to } }, locale: localeOf(current, facility) });
  }
  return {
    ...base,
    conversation: erase ? { action: 'delete' } : { action: 'save', snapshot: result.snapshot },
    patches,
    appointments,
    handoffs,
    ...(surveys.length ? { surveys } : {}),
    ...(erase ? { erase } : {}),
    outbound: outboundFor(env.render, msg, contactId, replies, facility),
  };
}
