import { describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/index.js';
import { createMemoryBackend } from '../support/memory-backend.js';

describe('createJobQueue', () => {
  it('runs on the embedded queue without redis, and on BullMQ with it', async () => {
    const backend = createMemoryBackend();
    const embedded = createJobQueue({ backend });
    expect(embedded.kind).toBe('embedded');
    expect(await embedded.ping()).toBe(true);

    const bull = createJobQueue({ backend, redisUrl: 'redis://127.0.0.1:6379', namespace: `fdtest-select-${process.pid}` });
    try {
      expect(bull.kind).toBe('bullmq');
      expect(await bull.ping()).toBe(true);
    } finally {
      await bull.stop();
    }
  });
});

describe('BullMQ readiness', () => {
  it('answers ping false, without hanging, when Redis is not there', async () => {
    const bull = createJobQueue({ backend: createMemoryBackend(), redisUrl: 'redis://127.0.0.1:1' });
    try {
      expect(await bull.ping()).toBe(false);
    } finally {
      await bull.stop();
    }
  });
});
