import type { Reply, SendPurpose } from '../core/messages.js';

/** A message the outbox pushed to a dev user (a reminder, a notice), kept for the chat page to poll. */
export interface DevPushed {
  seq: number;
  id: string;
  purpose: SendPurpose;
  reply: Reply;
  at: string;
}

const PER_USER = 100;

/** Per dev user, the last pushed messages, in memory: dev chat is a single-process tool. */
export class DevMailbox {
  private seq = 0;
  private readonly boxes = new Map<string, DevPushed[]>();

  private static key(facilityId: string, userId: string): string {
    return `${facilityId}\u0000${userId}`;
  }

  /** stores a pushed message once per id; returns its sequence number */
  put(facilityId: string, userId: string, msg: Omit<DevPushed, 'seq'>): number {
    const key = DevMailbox.key(facilityId, userId);
    const box = this.boxes.get(key) ?? [];
    const existing = box.find((m) => m.id === msg.id);
    if (existing) return existing.seq;
    const entry = { ...msg, seq: ++this.seq };
    box.push(entry);
    if (box.length > PER_USER) box.splice(0, box.length - PER_USER);
    this.boxes.set(key, box);
    return entry.seq;
  }

  /** messages after `afterSeq`, oldest first */
  since(facilityId: string, userId: string, afterSeq = 0): DevPushed[] {
    return (this.boxes.get(DevMailbox.key(facilityId, userId)) ?? []).filter((m) => m.seq > afterSeq);
  }
}

/** the mailbox createDevSender() and devRoutes() share when none is given */
export const defaultDevMailbox = new DevMailbox();
