import { channelField, facilityPath, str, type ConfigInput, type Report } from './input.js';

/** What routes an inbound message or event to one facility: two facilities may not share one. */
interface RoutingKey {
  path: string[];
  value(f: Record<string, unknown>): string | undefined;
  message(value: string): string;
}

/** An empty string routes nothing (and is the schema's problem). */
const channelKey = (channel: string, field: string, message: string): RoutingKey => ({
  path: ['channels', channel, field],
  value: (f) => str(channelField(f, channel, field)) || undefined,
  message: () => message,
});

const ROUTING_KEYS: RoutingKey[] = [
  { path: ['id'], value: (f) => str(f.id), message: (id) => `duplicate facility id "${id}"` },
  channelKey('messenger', 'pageId', 'page served by two facilities'),
  channelKey('sms', 'from', 'number served by two facilities'),
  channelKey('whatsapp', 'phoneNumberId', 'WhatsApp number served by two facilities'),
];

/** One id, one page, one number per facility. */
export function uniqueRoutingRules({ facilities }: ConfigInput, add: Report): void {
  const seen = ROUTING_KEYS.map(() => new Set<string>());
  facilities.forEach((f, i) => {
    ROUTING_KEYS.forEach((key, k) => {
      const value = key.value(f);
      if (value === undefined) return;
      if (seen[k]!.has(value)) add(facilityPath(i, ...key.path), key.message(value));
      seen[k]!.add(value);
    });
  });
}
