import type { LocaleCode } from '../core/domain.js';
import type { Reply } from '../core/messages.js';
import type { MessageOverrides } from '../i18n/index.js';
import type { MessageDescriptor } from './flow.js';

export { renderReply } from '../i18n/index.js';

/** `overrides`: the facility's own wording (config `messages`) */
export type RenderReply = (message: MessageDescriptor, locale: LocaleCode, timezone: string, overrides?: MessageOverrides) => Reply;

/** reply keys the engine itself sends (not the flow) */
export const ENGINE_KEYS = {
  /** the conversation sat idle too long and starts over */
  sessionReset: 'session.reset',
  /** SMS HELP / INFO keyword */
  help: 'helpSms.keyword',
  helpNoContact: 'helpSms.keywordNoContact',
  /** the flow did not settle in time (a provider call hung) */
  unavailable: 'common.providerDown',
  /** the flow broke; the conversation starts over next time */
  broken: 'common.providerError',
} as const;
