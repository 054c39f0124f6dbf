/** What the stub's patients received: bot messages per recipient, and waits for the one a step expects. */

export interface BotMessage {
  text: string;
  /** quick-reply and button payloads */
  payloads: string[];
  /** performance.now() when the send request reached the stub */
  at: number;
}

interface Waiter {
  from: number;
  match: (m: BotMessage) => boolean;
  resolve: (m: BotMessage) => void;
}

interface Box {
  messages: BotMessage[];
  waiters: Waiter[];
}

export class Mailboxes {
  private readonly boxes = new Map<string, Box>();

  watching(): boolean {
    return this.boxes.size > 0;
  }

  watch(recipient: string): void {
    if (!this.boxes.has(recipient)) this.boxes.set(recipient, { messages: [], waiters: [] });
  }

  unwatch(recipient: string): void {
    this.boxes.delete(recipient);
  }

  count(recipient: string): number {
    return this.boxes.get(recipient)?.messages.length ?? 0;
  }

  /** the last few texts (for a failure's note) */
  tail(recipient: string, k = 2): string[] {
    return (this.boxes.get(recipient)?.messages ?? []).slice(-k).map((m) => m.text.slice(0, 80));
  }

  deliver(recipient: string, m: BotMessage): void {
    const box = this.boxes.get(recipient);
    if (!box) return;
    box.messages.push(m);
    const index = box.messages.length - 1;
    box.waiters = box.waiters.filter((w) => {
      if (index < w.from || !w.match(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** the first message at index ≥ `from` that matches, within `timeoutMs` (undefined if none came) */
  wait(recipient: string, from: number, match: (m: BotMessage) => boolean, timeoutMs: number): Promise<BotMessage | undefined> {
    const box = this.boxes.get(recipient);
    if (!box) return Promise.resolve(undefined);
    const seen = box.messages.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        box.waiters = box.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      const waiter: Waiter = {
        from,
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      box.waiters.push(waiter);
    });
  }
}
