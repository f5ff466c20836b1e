import pino from 'pino';
import type { Logger } from '../../core/logger';
import type { AgentQueue } from '../../escalation/queue/agent-queue';
import { BullMqAgentQueue } from '../../escalation/queue/bullmq-agent-queue';
import { InProcessAgentQueue } from '../../escalation/queue/in-process-agent-queue';
import type { TimerRetryPolicy } from '../../escalation/queue/timer-retry';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from './redis';

/** Retries fast enough for a test to see the second delivery. */
export const FAST_TIMER_RETRY: TimerRetryPolicy = { attempts: 3, firstDelayMs: 100, maxDelayMs: 400 };

export interface QueueLane {
  readonly name: 'in-process' | 'bullmq';
  /**
   * Opens a queue; it is closed after the test. On Redis, every queue a test opens shares that
   * test's random prefix, so two of them are two processes sharing one Redis. In process, each
   * queue is on its own (there is nothing to share).
   */
  newQueue(): Promise<AgentQueue>;
  /** Whether two queues of one test see the same chats and timers. */
  readonly shared: boolean;
}

/** A contract suite for the AgentQueue port, written once and run on every adapter. */
export type QueueContract = (lane: QueueLane) => void;

/** A logger that drops everything: failing handlers are expected in these tests. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * Registers `contract` once per adapter: in-process, and BullMQ on the Redis at REDIS_URL
 * (default redis://127.0.0.1:6379). The Redis lane always runs: without Redis it fails, with a
 * message naming REDIS_URL, rather than being skipped.
 */
export function describeOnEveryQueueAdapter(port: string, contract: QueueContract): void {
  describe(`${port} [in-process]`, () => {
    contract(inProcessLane());
  });
  describeOnRedis(`${port} [bullmq: REDIS_URL]`, contract);
}

/** Registers `contract` on the BullMQ lane only (behaviour that needs several processes). */
export function describeOnRedis(title: string, contract: QueueContract): void {
  describe(title, () => {
    // Jest still runs the tests of a block whose beforeAll failed: each then fails at once with
    // the same message instead of waiting for a Redis that is not there.
    const reachable: { error?: unknown } = {};
    beforeAll(async () => {
      try {
        await requireRedis();
      } catch (error) {
        reachable.error = error;
        throw error;
      }
    });
    contract(bullMqLane(reachable));
  });
}

function inProcessLane(): QueueLane {
  const opened = closeAfterEach();
  return {
    name: 'in-process',
    shared: false,
    newQueue: async () => opened(new InProcessAgentQueue({ logger: silentLogger, timerRetry: FAST_TIMER_RETRY })),
  };
}

function bullMqLane(reachable: { readonly error?: unknown }): QueueLane {
  let prefix = randomQueuePrefix();
  const opened: AgentQueue[] = [];
  beforeEach(() => {
    prefix = randomQueuePrefix();
  });
  afterEach(async () => {
    if (opened.length === 0) return;
    // Close first, so that no worker writes under the prefix after its keys are deleted.
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
    await deleteKeys(prefix);
  });
  return {
    name: 'bullmq',
    shared: true,
    newQueue: async () => {
      if (reachable.error !== undefined) throw reachable.error;
      const queue = new BullMqAgentQueue({ connection: TEST_REDIS_URL, prefix, logger: silentLogger, timerRetry: FAST_TIMER_RETRY });
      opened.push(queue);
      await queue.ready();
      return queue;
    },
  };
}

/** Closes, after each test, every queue it opened. */
function closeAfterEach(): <Q extends AgentQueue>(queue: Q) => Q {
  const opened: AgentQueue[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });
  return (queue) => {
    opened.push(queue);
    return queue;
  };
}
