/**
 * The registry: every channel module, once. The server mounts their routes, the outbox sends through their
 * senders and learns from their outcomes, sync asks them who is reachable, and the config loop validates
 * their blocks. Adding a platform is a folder beside these and one line here.
 */
import type { ChannelCatalog, ChannelContext, ChannelModule, ChannelRoute, ChannelRuntime, ChannelSender } from '../src/core/channel.js';
import type { InboundMessage } from '../src/core/messages.js';
import type { ChannelName } from '../src/core/domain.js';
import type { Config, FacilityConfig } from '../src/config/schema.js';
import { messenger } from './messenger/module.js';
import { sms } from './sms/module.js';
import { viber } from './viber/module.js';
import { whatsapp } from './whatsapp/module.js';

export const CHANNEL_MODULES: readonly ChannelModule<FacilityConfig>[] = [messenger, viber, whatsapp, sms].sort((a, b) => a.reachRank - b.reachRank);

export const channelCatalog: ChannelCatalog = {
  all: CHANNEL_MODULES as readonly ChannelModule[],
  get: (name: ChannelName) => CHANNEL_MODULES.find((m) => m.name === name) as ChannelModule | undefined,
};

/** Every channel some facility configured, built: its routes for the server, its sender for the outbox. */
export interface RunningChannels {
  senders: Partial<Record<ChannelName, ChannelSender>>;
  /** every registered channel with its routes (undefined where no facility configured it: answered 401) */
  routes: { module: ChannelModule; routes: ChannelRoute[] | undefined }[];
  /** a turn began: the channel's "typing" while it runs long (Messenger), stopped by the returned function */
  onTurnStart(msg: Pick<InboundMessage, 'channel' | 'facilityId' | 'channelUserId'>): (() => void) | undefined;
}

export function startChannels(config: Config, ctx: Pick<ChannelContext<FacilityConfig>, 'logger' | 'text' | 'now'>): RunningChannels {
  const runtimes = new Map<ChannelName, ChannelRuntime>();
  const apis = config.platformApis as Record<string, string>;
  const rates = config.rateLimits as Record<string, number>;
  for (const m of CHANNEL_MODULES) {
    const facilities = config.facilities.filter((f) => m.configured(f));
    if (facilities.length > 0) runtimes.set(m.name, m.create({ ...ctx, facilities, apiBase: apis[m.apiKey]!, perSecond: rates[m.name]!, publicUrl: config.publicUrl }));
  }
  return {
    senders: Object.fromEntries([...runtimes].map(([name, r]) => [name, r.sender])),
    routes: CHANNEL_MODULES.map((module) => ({ module: module as ChannelModule, routes: runtimes.get(module.name)?.routes })),
    onTurnStart: (msg) => runtimes.get(msg.channel)?.onTurnStart?.(msg.facilityId, msg.channelUserId),
  };
}
