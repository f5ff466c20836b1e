import type { DueTimer, WaitingChat } from '../../escalation/queue/agent-queue';
import { BullMqAgentQueue } from '../../escalation/queue/bullmq-agent-queue';
import { FAST_TIMER_RETRY, silentLogger } from '../support/queue-lanes';
import { randomQueuePrefix } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

// Runs against a Redis server of its own (127.0.0.1, free port, append-only file), which it kills
// and restarts; the shared Redis at REDIS_URL is never touched.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const aChat = (escalationId: string, priority: number): WaitingChat => ({ escalationId, pool: 'expert', priority, enqueuedAt: Date.now() });

describe('AgentQueue [bullmq] across a Redis restart', () => {
  let redis: PrivateRedis | undefined;
  let queue: BullMqAgentQueue | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.stop();
  });

  it('reconnects by itself: calls made while Redis is down wait for it, and chats and timers carry on', async () => {
    if (redis === undefined) throw new Error('the private Redis did not start');
    queue = new BullMqAgentQueue({ connection: redis.url, prefix: randomQueuePrefix(), logger: silentLogger, timerRetry: FAST_TIMER_RETRY });
    await queue.ready();
    const deliveries: DueTimer[] = [];
    queue.onTimer(async (timer) => void deliveries.push(timer));
    await queue.enqueue(aChat('before-1', 10));
    await queue.enqueue(aChat('before-2', 20));
    const dueAt = Date.now() + 1500;
    await queue.schedule('sla', 'before-1', dueAt);

    await redis.kill();
    await sleep(200); // commands already sent when the socket dropped fail; later ones wait
    const enqueuedWhileDown = queue.enqueue(aChat('while-down', 30));
    await sleep(300);
    await redis.start();
    await enqueuedWhileDown;

    expect((await queue.waiting('expert')).map((chat) => chat.escalationId)).toEqual(['while-down', 'before-2', 'before-1']);
    expect((await queue.takeNext(['expert']))?.escalationId).toBe('while-down');
    await waitFor(() => deliveries.length === 1, 'the timer scheduled before the restart', 15_000);
    expect(deliveries[0]).toEqual({ kind: 'sla', escalationId: 'before-1', dueAt });

    await queue.schedule('abandon', 'before-2', Date.now() + 100);
    await waitFor(() => deliveries.length === 2, 'a timer scheduled after the restart', 15_000);
    expect(deliveries[1]).toMatchObject({ kind: 'abandon', escalationId: 'before-2' });
  }, 40_000);
});
