import type { AgentQueue } from '../../escalation/queue/agent-queue';
import { BullMqAgentQueue } from '../../escalation/queue/bullmq-agent-queue';
import { createAgentQueue } from '../../escalation/queue/create-agent-queue';
import { InProcessAgentQueue } from '../../escalation/queue/in-process-agent-queue';
import { expectAttuneError } from '../support/expect-attune-error';
import { silentLogger } from '../support/queue-lanes';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';

jest.setTimeout(20_000);

/** A port on which nothing listens: connections are refused at once. */
const UNREACHABLE_URL = 'redis://attune:s3cret@127.0.0.1:1';

const opened: AgentQueue[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close()));
});

describe('createAgentQueue', () => {
  it.each([
    ['no Redis URL', undefined],
    ['an empty Redis URL', ''],
  ])('opens the in-process queue for %s', async (_case, redisUrl) => {
    const queue = await createAgentQueue({ redisUrl, logger: silentLogger });
    opened.push(queue);
    expect(queue).toBeInstanceOf(InProcessAgentQueue);
  });

  it('opens the BullMQ queue on REDIS_URL, ready to use', async () => {
    await requireRedis();
    const prefix = randomQueuePrefix();
    try {
      const queue = await createAgentQueue({ redisUrl: TEST_REDIS_URL, prefix, logger: silentLogger });
      opened.push(queue);
      expect(queue).toBeInstanceOf(BullMqAgentQueue);
      await queue.enqueue({ escalationId: 'esc-1', pool: 'expert', priority: 1, enqueuedAt: Date.now() });
      expect(await queue.position('esc-1')).toEqual({ position: 1, waiting: 1 });
      await queue.close();
    } finally {
      await deleteKeys(prefix);
    }
  });

  it('fails with ATTUNE_STORAGE_UNAVAILABLE, naming REDIS_URL but not its password, when Redis does not answer', async () => {
    const started = Date.now();
    const error = await expectAttuneError(
      createAgentQueue({ redisUrl: UNREACHABLE_URL, connectTimeoutMs: 500, logger: silentLogger }),
      'ATTUNE_STORAGE_UNAVAILABLE',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('s3cret');
  });

  it.each([
    ['an empty prefix', { prefix: '' }],
    ['a zero connect timeout', { connectTimeoutMs: 0 }],
  ])('rejects %s with ATTUNE_CONFIG_INVALID', async (_case, config) => {
    await expectAttuneError(createAgentQueue({ ...config, redisUrl: UNREACHABLE_URL, logger: silentLogger }), 'ATTUNE_CONFIG_INVALID');
  });
});
