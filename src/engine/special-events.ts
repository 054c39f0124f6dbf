import { redFlag } from '../../flows/red-flags.js';
import type { FacilityConfig } from '../config/schema.js';
import type { LocaleCode } from '../core/domain.js';
import type { InboundMessage } from '../core/messages.js';
import type { MessageDescriptor } from './flow.js';
import { ENGINE_KEYS } from './render.js';
import { outboundFor, type EngineEnv, type TurnRecord } from './turn-record.js';

/**
 * The turn of an inbound event the conversation flow never sees (opt-out, HELP, a platform's own greeting,
 * an emergency phrase), or undefined when the event goes to the flow. It runs before anything else of the
 * turn, even while staff hold the conversation.
 */
export function specialEventTurn(env: EngineEnv, msg: InboundMessage, base: TurnRecord, facility: FacilityConfig, locale: LocaleCode, contactId: string): TurnRecord | undefined {
  switch (msg.kind) {
    case 'opt_out':
    case 'opt_in':
    case 'subscribed':
    case 'unsubscribed':
      return base; // recorded on the contact by touchSender; the platform itself answers these
    case 'help':
      return { ...base, outbound: outboundFor(env.render, msg, contactId, [{ message: helpMessage(facility), locale }], facility) };
    case 'start':
      // a platform that greets in the webhook's answer (Viber's conversation_started) has done so; anything
      // sent before the user subscribes would be refused (and is not a subscription)
      if (env.deps.channels.get(msg.channel)?.greetsInWebhook) return base;
      break;
    case 'message':
      return redFlagTurn(env, msg, base, facility, locale, contactId);
  }
  return undefined;
}

/** The national emergency numbers by the facility's `country`, when its config names none. */
export const NATIONAL_EMERGENCY_NUMBERS: Readonly<Record<string, readonly string[]>> = { PH: ['911'], ID: ['112', '119'], SG: ['995'] };

/** The facility's emergency line and the national numbers (configured, else the country's). */
export function emergencyNumbers(facility: FacilityConfig): { phone?: string; national: readonly string[] } {
  const national = facility.emergency?.national ?? NATIONAL_EMERGENCY_NUMBERS[facility.country.toUpperCase()] ?? [];
  return { ...(facility.emergency?.phone ? { phone: facility.emergency.phone } : {}), national };
}

/**
 * A typed emergency phrase (flows/red-flags.ts): the numbers to call at once, the conversation dropped (no
 * half-finished booking goes on: the next message starts afresh) and the ticket made urgent when the turn
 * is applied. A tapped choice is one of our own labels, not the patient's words, and is not read.
 */
function redFlagTurn(env: EngineEnv, msg: InboundMessage, base: TurnRecord, facility: FacilityConfig, locale: LocaleCode, contactId: string): TurnRecord | undefined {
  const flag = msg.choiceId ? undefined : redFlag(msg.text);
  if (!flag) return undefined;
  // the category only: the words are health data, kept in the ticket's thread, never in logs
  env.log.warn({ facilityId: msg.facilityId, contactId, category: flag.category }, 'red flag: emergency numbers sent, ticket marked urgent');
  // an English phrase is often mixed into Filipino or Indonesian: only a fil or id phrase changes the language
  const replyLocale = flag.locale === 'en' ? locale : flag.locale;
  return {
    ...base,
    conversation: { action: 'delete' },
    handoffs: ['red_flag'],
    redFlag: { category: flag.category },
    outbound: outboundFor(env.render, msg, contactId, [{ message: redFlagMessage(facility), locale: replyLocale }], facility),
  };
}

function redFlagMessage(facility: FacilityConfig): MessageDescriptor {
  const { phone, national } = emergencyNumbers(facility);
  const nationalText = national.join(' / ');
  const numbers =
    phone && nationalText
      ? { key: 'redflag.numbers.both', params: { facility: facility.name, phone, national: nationalText } }
      : phone
        ? { key: 'redflag.numbers.facility', params: { facility: facility.name, phone } }
        : nationalText
          ? { key: 'redflag.numbers.national', params: { national: nationalText } }
          : { key: 'redflag.numbers.none' };
  return { key: 'redflag.reply', params: { numbers } };
}

/** The answer to SMS HELP/INFO: the clinic's name and how to reach staff, and no opt-out word. */
function helpMessage(facility: FacilityConfig): MessageDescriptor {
  return facility.staffContact
    ? { key: ENGINE_KEYS.help, params: { clinic: facility.name, contact: facility.staffContact } }
    : { key: ENGINE_KEYS.helpNoContact, params: { clinic: facility.name } };
}
