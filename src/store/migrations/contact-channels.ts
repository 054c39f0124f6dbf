import type { ChannelName, ChannelState, Contact } from '../../core/domain.js';

/** Per-channel state as versions before the channel registry stored it: one field per platform. */
interface LegacyChannelFields {
  messenger?: { psid: string; lastInboundAt?: string };
  viber?: { userId: string; subscribed: boolean; lastInboundAt?: string };
  sms?: { phone: string; optedOut: boolean; lastInboundAt?: string };
  dev?: { userId: string; lastInboundAt?: string };
}
export type LegacyContact = Contact & LegacyChannelFields;

const LEGACY: Record<keyof LegacyChannelFields, (v: never) => ChannelState> = {
  messenger: (v: { psid: string; lastInboundAt?: string }) => ({ userId: v.psid, ...(v.lastInboundAt ? { lastInboundAt: v.lastInboundAt } : {}) }),
  viber: (v: { userId: string; subscribed: boolean; lastInboundAt?: string }) => ({ userId: v.userId, subscribed: v.subscribed, ...(v.lastInboundAt ? { lastInboundAt: v.lastInboundAt } : {}) }),
  sms: (v: { phone: string; optedOut: boolean; lastInboundAt?: string }) => ({ userId: v.phone, optedOut: v.optedOut, ...(v.lastInboundAt ? { lastInboundAt: v.lastInboundAt } : {}) }),
  dev: (v: { userId: string; lastInboundAt?: string }) => ({ userId: v.userId, ...(v.lastInboundAt ? { lastInboundAt: v.lastInboundAt } : {}) }),
};

/**
 * A contact record in today's shape. Records written before `channels` carry a field per platform; they
 * are read as `channels` (state already under `channels` wins) and rewritten so on their next update.
 */
export function upgradeContact(raw: Contact | LegacyContact): Contact {
  const legacy = raw as LegacyContact;
  const names = (Object.keys(LEGACY) as (keyof LegacyChannelFields)[]).filter((k) => legacy[k] && typeof legacy[k] === 'object');
  if (names.length === 0) return raw;
  const { messenger: _m, viber: _v, sms: _s, dev: _d, ...rest } = legacy;
  const channels: Partial<Record<ChannelName, ChannelState>> = {};
  for (const k of names) channels[k] = LEGACY[k](legacy[k] as never);
  return { ...rest, channels: { ...channels, ...rest.channels } };
}
