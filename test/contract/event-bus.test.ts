/**
 * The EventBus contract on both adapters: in-process, and Redis pub/sub with two buses standing
 * in for two bot instances.
 */
import { createEventBus } from '../../events/create-event-bus';
import type { EventBus } from '../../events/event-bus';
import type { DeskEvent } from '../../events/topics';
import { TEST_REDIS_URL, randomQueuePrefix } from '../support/redis';

const until = async (check: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const event: DeskEvent = {
  type: 'transcript_added',
  escalation: { id: 'e1', pool: 'apprentice', status: 'assigned', agentId: 'a1' },
  turn: { id: 't1', role: 'customer', text: 'hello <b>', at: '2026-12-04T10:00:00.000Z' },
};

describe.each([
  ['in-process', async () => { const bus = await createEventBus(undefined, 'unused'); return [bus, bus] as const; }],
  ['redis', async () => {
    const prefix = randomQueuePrefix();
    return [await createEventBus(TEST_REDIS_URL, prefix), await createEventBus(TEST_REDIS_URL, prefix)] as const;
  }],
])('EventBus (%s)', (_name, open) => {
  let publisher: EventBus;
  let subscriber: EventBus;
  beforeEach(async () => {
    [publisher, subscriber] = await open();
  });
  afterEach(async () => {
    await publisher.close();
    if (subscriber !== publisher) await subscriber.close();
  });

  it('delivers a published message to a subscriber, as a copy, after publish returns', async () => {
    const received: DeskEvent[] = [];
    await subscriber.subscribe('desk', (message) => received.push(message));
    await publisher.publish('desk', event);
    await until(() => received.length === 1);
    expect(received[0]).toEqual(event);
    expect(received[0]).not.toBe(event);
  });

  it('keeps topics apart and stops delivering after unsubscribe', async () => {
    const desk: DeskEvent[] = [];
    const content: unknown[] = [];
    const stop = await subscriber.subscribe('desk', (message) => desk.push(message));
    await subscriber.subscribe('content', (message) => content.push(message));
    await publisher.publish('content', { type: 'content_published', versionId: 'v2' });
    await until(() => content.length === 1);
    expect(desk).toHaveLength(0);
    await stop();
    await publisher.publish('desk', event);
    await publisher.publish('content', { type: 'content_published', versionId: 'v3' });
    await until(() => content.length === 2);
    expect(desk).toHaveLength(0);
  });

  it('skips a handler that throws and still delivers to the others', async () => {
    const received: DeskEvent[] = [];
    await subscriber.subscribe('desk', () => {
      throw new Error('broken handler');
    });
    await subscriber.subscribe('desk', (message) => received.push(message));
    await publisher.publish('desk', event);
    await until(() => received.length === 1);
  });
});

it('names REDIS_URL when Redis does not answer', async () => {
  await expect(createEventBus('redis://127.0.0.1:1', 'x', undefined, { connectTimeoutMs: 500 })).rejects.toMatchObject({ code: 'ATTUNE_STORAGE_UNAVAILABLE' });
});
