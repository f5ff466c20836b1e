/**
 * Read-side handles on the BullMQ queues that escalation/queue/bullmq-agent-queue.ts writes
 * (`<prefix>:apprentice`, `<prefix>:expert`, `<prefix>:timers`), for Bull Board and the
 * queue-depth gauge. They use a Redis connection of their own that fails commands at once while
 * Redis is away (no offline queue), so an admin page or a scrape never waits on a dead Redis.
 */
import { Queue } from 'bullmq';
import { createClient } from 'redis';
import type { Logger } from '../../core/logger';
import type { AgentPool } from '../../storage/ports';

/** The queue names inside the prefix, as the agent queue creates them. */
export const CHAT_QUEUE_NAMES: readonly AgentPool[] = ['apprentice', 'expert'];
export const TIMER_QUEUE_NAME = 'timers';

export interface BullMqQueueViews {
  readonly chats: Readonly<Record<AgentPool, Queue>>;
  readonly timers: Queue;
  close(): Promise<void>;
}

export function openBullMqQueueViews(redisUrl: string, prefix: string, logger: Logger): BullMqQueueViews {
  const client = createClient({ url: redisUrl, disableOfflineQueue: true });
  let lastError = '';
  client.on('error', (error: unknown) => {
    // Reconnection errors repeat every retry: log a change of cause, not every attempt.
    const message = error instanceof Error ? error.message : String(error);
    if (message !== lastError) logger.warn({ err: error, component: 'admin-queues' }, 'queue views lost Redis');
    lastError = message;
  });
  client.on('ready', () => {
    lastError = '';
  });
  const connected = client.connect().then(
    () => undefined,
    () => undefined, // logged by the error handler; commands fail until it reconnects
  );
  const base = { connection: client, prefix };
  const chats = { apprentice: new Queue('apprentice', base), expert: new Queue('expert', base) };
  const timers = new Queue(TIMER_QUEUE_NAME, base);
  const all = [chats.apprentice, chats.expert, timers];
  for (const queue of all) queue.on('error', () => undefined); // the client's handler logs it
  return {
    chats,
    timers,
    close: async () => {
      await connected;
      await Promise.all(all.map((queue) => queue.close().catch(() => undefined)));
      if (client.isOpen) client.destroy();
    },
  };
}
