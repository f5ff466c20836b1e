/**
 * The Redis event bus when Redis stops answering with its connections left open (SIGSTOP: a hung
 * host, a network partition). A publish is awaited on customers' turns, so it must end in bounded
 * time: an optional event is dropped, a required one is refused with ATTUNE_EVENT_BUS_UNAVAILABLE.
 * Once Redis answers again, events flow again, to subscriptions made before the freeze too.
 * Runs against a Redis server of its own; the shared Redis at REDIS_URL is never touched.
 */
import pino from 'pino';
import { createEventBus } from '../../events/create-event-bus';
import type { EventBus } from '../../events/event-bus';
import type { DeskEvent } from '../../events/topics';
import { expectAttuneError } from '../support/expect-attune-error';
import { randomQueuePrefix } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

const logger = pino({ level: 'silent' });
const PUBLISH_TIMEOUT_MS = 500;
/** Far above a local round trip, far below "never". */
const SLACK_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Resolves with how long `promise` took to settle, or rejects if it takes longer than `limitMs`. */
async function settledWithin(promise: Promise<unknown>, limitMs: number): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([promise.catch(() => undefined), tooLate]);
    return Date.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

const message = (id: string): DeskEvent => ({
  type: 'transcript_added',
  escalation: { id: 'e1', pool: 'apprentice', status: 'assigned', agentId: 'a1' },
  turn: { id, role: 'customer', text: `message ${id}`, at: '2026-12-04T10:00:00.000Z' },
});

describe('RedisEventBus while Redis is frozen', () => {
  let redis: PrivateRedis | undefined;
  const buses: EventBus[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    redis?.thaw();
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Two instances on the private Redis: one publishes, the other listens. */
  const twoInstances = async (pingIntervalMs?: number) => {
    if (redis === undefined) throw new Error('the private Redis did not start');
    const prefix = randomQueuePrefix();
    const publisher = await createEventBus(redis.url, prefix, logger, { publishTimeoutMs: PUBLISH_TIMEOUT_MS, pingIntervalMs });
    const subscriber = await createEventBus(redis.url, prefix, logger, { publishTimeoutMs: PUBLISH_TIMEOUT_MS, pingIntervalMs });
    buses.push(publisher, subscriber);
    const received: string[] = [];
    await subscriber.subscribe('desk', (event) => received.push(event.type === 'transcript_added' ? event.turn.id : event.type));
    await publisher.publish('desk', message('before'));
    await waitFor(() => received.includes('before'), 'the event published before the freeze', 5000);
    return { publisher, received };
  };

  it('drops an optional event and refuses a required one within the publish timeout, then delivers again once Redis answers', async () => {
    const { publisher, received } = await twoInstances();
    redis?.freeze();

    const optional = publisher.publish('desk', message('while-frozen'));
    expect(await settledWithin(optional, PUBLISH_TIMEOUT_MS + SLACK_MS)).toBeGreaterThanOrEqual(PUBLISH_TIMEOUT_MS - 50);
    await expect(optional).resolves.toBeUndefined();
    // Redis has not answered the last event: the next is refused at once, not after another timeout.
    const required = publisher.publish('desk', message('required-while-frozen'), { required: true });
    await settledWithin(required, PUBLISH_TIMEOUT_MS / 2);
    await expectAttuneError(required, 'ATTUNE_EVENT_BUS_UNAVAILABLE');

    redis?.thaw();
    // The event that ran out of time may still go out once Redis answers: it was written.
    await waitFor(() => received.includes('while-frozen'), 'the written event, once Redis answers', 5000);
    await publisher.publish('desk', message('after'), { required: true });
    await waitFor(() => received.includes('after'), 'an event published after the freeze', 5000);
  });

  it('shuts down while Redis is frozen with an event unanswered', async () => {
    const { publisher } = await twoInstances();
    redis?.freeze();
    await publisher.publish('desk', message('unanswered'));

    await settledWithin(publisher.close(), SLACK_MS);
  });

  it('notices connections that stay silent, reconnects, and carries on once Redis answers again', async () => {
    const { publisher, received } = await twoInstances(200);
    redis?.freeze();
    // Several silent ping intervals: both connections are dropped and reconnect attempts hang.
    await sleep(1500);
    // Known to be down: refused at once, not after waiting the publish timeout on a dead connection.
    const required = publisher.publish('desk', message('still-frozen'), { required: true });
    await settledWithin(required, PUBLISH_TIMEOUT_MS / 2);
    await expectAttuneError(required, 'ATTUNE_EVENT_BUS_UNAVAILABLE');

    redis?.thaw();
    const deadline = Date.now() + 10_000;
    while (!received.includes('after')) {
      if (Date.now() > deadline) throw new Error('the subscriber never got an event published after Redis came back');
      await publisher.publish('desk', message('after'));
      await sleep(100);
    }
  });
});
