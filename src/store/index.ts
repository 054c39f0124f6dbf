import type { Logger } from '../log.js';
import { AppointmentStore } from './appointments.js';
import { DEFAULT_NAMESPACE, openBackend } from './backends/open.js';
import type { NamespacedBackend } from './backends/namespaced.js';
import { AttentionStore } from './attention.js';
import { TicketStore } from './tickets.js';
import { BroadcastStore } from './broadcasts.js';
import { StaffSessionStore } from './staff-sessions.js';
import { AuthFailureStore } from './auth-failures.js';
import { CalendarStore } from './calendars.js';
import { MirrorRefreshStore } from './mirror-refreshes.js';
import { PushedChoiceStore } from './pushed-choices.js';
import { SurveyStore } from './surveys.js';
import { SendRecordStore } from './send-records.js';
import { TurnLog } from './turns.js';
import { ContactStore } from './contacts.js';
import { ConversationStore } from './conversations.js';
import { PatientStore } from './patients.js';
import { VerificationCodeStore } from './verification-codes.js';
import { InProcessLocks, RedisLocks, type ClosableLocks } from './locks.js';
import type { SerialLog, Store } from './types.js';
import { serialPrefix } from './backends/redis.js';
import { redisSerialLog } from './backends/serial-redis.js';
import { closeRedis, connectRedis } from './backends/redis-client.js';

export interface OpenStoreOptions {
  /** prefixes every key, set and claim (default `fd`): deployments and test files sharing a server don't collide */
  namespace?: string;
  /** when set, locks are held in this Redis so several instances serialize on the same key */
  redisUrl?: string;
  logger?: Logger;
}

export interface OpenedStore extends Store {
  readonly backend: NamespacedBackend;
}

/**
 * Opens the store named by `url`: `sqlite:<path>` (the directory is created), `redis://…`,
 * `postgres://…` / `postgresql://…`. Throws a StoreError (`bad_url`, `bad_namespace`,
 * `unreachable`) when it cannot.
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const backend = await openBackend(url, namespace);
  let locks: ClosableLocks;
  let serial: SerialLog = backend.serial;
  let serialRedis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    locks = opts.redisUrl ? await RedisLocks.open(opts.redisUrl, namespace, opts.logger) : new InProcessLocks();
    // with `redis` set the queue's log is in Redis, so every instance takes from the same queues
    if (opts.redisUrl && backend.kind !== 'redis') {
      serialRedis = await connectRedis(opts.redisUrl);
      serial = redisSerialLog(serialRedis, serialPrefix(namespace));
    }
  } catch (e) {
    await backend.close();
    throw e;
  }
  const logger = opts.logger?.child({ module: 'store' });
  let closing: Promise<void> | undefined;
  return {
    backend,
    locks,
    contacts: new ContactStore(backend.kv, backend.indexes, locks, logger),
    patients: new PatientStore(backend.kv, backend.indexes, locks),
    codes: new VerificationCodeStore(backend.kv, backend.indexes),
    appointments: new AppointmentStore(backend.kv, backend.indexes, locks),
    conversations: new ConversationStore(backend.kv),
    calendars: new CalendarStore(backend.kv),
    turns: new TurnLog(backend.kv),
    pushedChoices: new PushedChoiceStore(backend.kv),
    surveys: new SurveyStore(backend.kv, backend.indexes),
    mirrorRefreshes: new MirrorRefreshStore(backend.kv),
    attention: new AttentionStore(backend.kv, backend.indexes),
    tickets: new TicketStore(backend.kv, backend.indexes, locks),
    sendRecords: new SendRecordStore(backend.kv, backend.indexes),
    broadcasts: new BroadcastStore(backend.kv, backend.indexes),
    staffSessions: new StaffSessionStore(backend.kv),
    authFailures: new AuthFailureStore(backend.kv),
    serial,
    close() {
      closing ??= (async () => {
        await locks.close();
        if (serialRedis) await closeRedis(serialRedis);
        await backend.close();
      })();
      return closing;
    },
  };
}

export { openBackend, parseStoreUrl, DEFAULT_NAMESPACE } from './backends/open.js';
export type { StoreUrlKind } from './backends/open.js';
export type { NamespacedBackend } from './backends/namespaced.js';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { InProcessLocks, RedisLocks, DEFAULT_LOCK_TTL_MS, DEFAULT_LOCK_WAIT_MS, type ClosableLocks } from './locks.js';
export { facilityDay } from './appointments.js';
export { mergeContacts, channelAddress } from './contacts.js';
export { providerIdsOf, mergeLink } from './patients.js';
export type * from './types.js';
export type { VerificationCode, VerificationCodeStore } from './verification-codes.js';
export { AttentionStore, ATTENTION_TTL_MS, type AttentionItem } from './attention.js';
export { BroadcastStore, type BroadcastRecordLike } from './broadcasts.js';
export { JobStore, jobStore, DEFAULT_JOB_RETENTION_MS, type StoredJob, type StoredJobState, type JobStoreOptions } from './jobs.js';
export { MirrorRefreshStore } from './mirror-refreshes.js';
export { PushedChoiceStore, PUSHED_CHOICES_TTL_MS, type PushedChoices } from './pushed-choices.js';
export { SendRecordStore, DEFAULT_SEND_RECORD_RETENTION_MS, type SendRecord, type SendRecordStoreOptions } from './send-records.js';
export { TurnLog, type TurnRecordLike } from './turns.js';
