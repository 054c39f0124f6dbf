import type { FacilityConfig } from '../config/schema.js';
import type { LocaleCode } from '../core/domain.js';
import type { InboundMessage } from '../core/messages.js';
import type { MessageDescriptor } from './flow.js';
import { ENGINE_KEYS } from './render.js';
import { outboundFor, type EngineEnv, type TurnRecord } from './turn-record.js';

/**
 * The turn of an inbound event the conversation flow never sees (opt-out, HELP, a platform's own greeting),
 * or undefined when the event goes to the flow.
 */
export function specialEventTurn(env: EngineEnv, msg: InboundMessage, base: TurnRecord, facility: FacilityConfig, locale: LocaleCode, contactId: string): TurnRecord | undefined {
  switch (msg.kind) {
    case 'opt_out':
    case 'opt_in':
    case 'subscribed':
    case 'unsubscribed':
      return base; // recorded on the contact by touchSender; the platform itself answers these
    case 'help':
      return { ...base, outbound: outboundFor(env.render, msg, contactId, [{ message: helpMessage(facility), locale }], facility.timezone) };
    case 'start':
      // a platform that greets in the webhook's answer (Viber's conversation_started) has done so; anything
      // sent before the user subscribes would be refused (and is not a subscription)
      if (env.deps.channels.get(msg.channel)?.greetsInWebhook) return base;
      break;
    case 'message':
      break;
  }
  return undefined;
}

/** The answer to SMS HELP/INFO: the clinic's name and how to reach staff, and no opt-out word. */
function helpMessage(facility: FacilityConfig): MessageDescriptor {
  return facility.staffContact
    ? { key: ENGINE_KEYS.help, params: { clinic: facility.name, contact: facility.staffContact } }
    : { key: ENGINE_KEYS.helpNoContact, params: { clinic: facility.name } };
}
