import type { ConversationRecord, ConversationRepo, KeyValue } from './types.js';

const recordKey = (facilityId: string, contactId: string) => `conv:${facilityId}:${contactId}`;

export class ConversationStore implements ConversationRepo {
  constructor(private readonly kv: KeyValue) {}

  get(facilityId: string, contactId: string): Promise<ConversationRecord | undefined> {
    return this.kv.get<ConversationRecord>(recordKey(facilityId, contactId));
  }

  async save(record: ConversationRecord): Promise<void> {
    await this.kv.set(recordKey(record.facilityId, record.contactId), record);
  }

  async delete(facilityId: string, contactId: string): Promise<void> {
    await this.kv.delete(recordKey(facilityId, contactId));
  }
}
