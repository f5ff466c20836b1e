/**
 * Bot activities for built-in Direct Line conversations across two instances on real Redis
 * pub/sub: the instance holding the conversation delivers and confirms, so the sender reports the
 * activity delivered with its real id; when no instance holds it, the sender says so (404 from the
 * connector, which the proactive messenger turns into ATTUNE_CONVERSATION_NOT_FOUND) instead of
 * dropping it silently; when Redis is down, the sender says that, at once, instead of "nobody".
 */
import type { Activity } from 'botbuilder';
import pino from 'pino';
import { DIRECT_LINE_SERVICE_URL, DirectLineConnectorFactory } from '../../channels/directline/direct-line-connector';
import { DirectLineConversations } from '../../channels/directline/direct-line-conversations';
import { DirectLineDelivery } from '../../channels/directline/direct-line-delivery';
import { createEventBus } from '../../events/create-event-bus';
import type { EventBus } from '../../events/event-bus';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

const logger = pino({ level: 'silent' });
/** For senders whose receipt should come: far above a Redis round trip on a loaded CI machine. */
const RECEIPT_TIMEOUT_MS = 5000;
/** For the sender that waits for a receipt that never comes. */
const SHORT_RECEIPT_TIMEOUT_MS = 300;

/** One bot instance's Direct Line side: its conversations, its delivery, its own Redis connections. */
interface Instance {
  readonly conversations: DirectLineConversations;
  readonly delivery: DirectLineDelivery;
  readonly bus: EventBus;
}

describe('Direct Line delivery across two instances (Redis pub/sub)', () => {
  const prefix = randomQueuePrefix();
  let a: Instance;
  let b: Instance;
  /** Sends only where no receipt will come, so the test does not wait long for "nobody". */
  let impatient: Instance;

  const startInstance = async (receiptTimeoutMs = RECEIPT_TIMEOUT_MS): Promise<Instance> => {
    const bus = await createEventBus(TEST_REDIS_URL, prefix, logger);
    const conversations = new DirectLineConversations();
    const delivery = new DirectLineDelivery(conversations, bus, logger, receiptTimeoutMs);
    await delivery.start();
    return { conversations, delivery, bus };
  };
  const stopInstance = async (instance: Instance | undefined) => {
    await instance?.delivery.close();
    instance?.conversations.close();
    await instance?.bus.close();
  };
  const messagesIn = (instance: Instance, conversationId: string) =>
    (instance.conversations.peek(conversationId)?.log.after(undefined).activities ?? []).map((activity: Partial<Activity>) => ({ id: activity.id, text: activity.text }));

  beforeAll(async () => {
    await requireRedis();
    [a, b, impatient] = await Promise.all([startInstance(), startInstance(), startInstance(SHORT_RECEIPT_TIMEOUT_MS)]);
  });

  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b), stopInstance(impatient)]);
    await deleteKeys(prefix);
  });

  it('delivers on the instance that holds the conversation and resolves the id it got there', async () => {
    a.conversations.create('held-by-a', 'dl_u1');

    const ids = await Promise.all([
      b.delivery.deliver('held-by-a', { type: 'message', text: 'an agent on B writes' }),
      b.delivery.deliver('held-by-a', { type: 'message', text: 'and writes again' }),
    ]);

    const inA = messagesIn(a, 'held-by-a');
    expect(inA.map((m) => m.text).sort()).toEqual(['an agent on B writes', 'and writes again']);
    expect(ids.sort()).toEqual(inA.map((m) => m.id).sort());
    expect(b.conversations.peek('held-by-a')).toBeUndefined();
  });

  it('relays typing to the holder too', async () => {
    const conversation = a.conversations.create('typing-on-a', 'dl_u2');
    const pushed: string[] = [];
    conversation.log.listen((set) => pushed.push(...set.activities.map((activity) => String(activity.type))));
    await expect(b.delivery.deliver('typing-on-a', { type: 'typing' })).resolves.toBe('typing-on-a|typing');
    expect(pushed).toEqual(['typing']);
  });

  it('resolves undefined when no instance holds the conversation, after the receipt timeout', async () => {
    const started = Date.now();
    await expect(impatient.delivery.deliver('held-by-nobody', { type: 'message', text: 'anyone there?' })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHORT_RECEIPT_TIMEOUT_MS - 10);
  });

  it('is refused with 404 through the connector once the holding instance has stopped', async () => {
    a.conversations.create('on-a-until-it-stops', 'dl_u3');
    const client = await new DirectLineConnectorFactory(b.delivery).create(DIRECT_LINE_SERVICE_URL);
    await expect(client.conversations.sendToConversation('on-a-until-it-stops', { type: 'message', text: 'before' } as never)).resolves.toMatchObject({ id: expect.stringMatching(/^on-a-until-it-stops\|/) });

    await stopInstance(a);
    const impatientClient = await new DirectLineConnectorFactory(impatient.delivery).create(DIRECT_LINE_SERVICE_URL);
    await expect(impatientClient.conversations.sendToConversation('on-a-until-it-stops', { type: 'message', text: 'after' } as never)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('Direct Line delivery when Redis is down', () => {
  let redis: PrivateRedis | undefined;
  let instance: Instance | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await instance?.delivery.close();
    instance?.conversations.close();
    await instance?.bus.close();
    await redis?.stop();
  });

  it('says the other instances could not be asked, at once, rather than "no instance holds it" after the timeout', async () => {
    if (redis === undefined) throw new Error('the private Redis did not start');
    const bus = await createEventBus(redis.url, randomQueuePrefix(), logger);
    const conversations = new DirectLineConversations();
    const delivery = new DirectLineDelivery(conversations, bus, logger, RECEIPT_TIMEOUT_MS);
    instance = { conversations, delivery, bus };
    await delivery.start();

    await redis.kill();
    const started = Date.now();
    await expect(delivery.deliver('held-elsewhere', { type: 'message', text: 'are you still there?' })).rejects.toMatchObject({ code: 'ATTUNE_EVENT_BUS_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(RECEIPT_TIMEOUT_MS / 2);
  });

  it('stops at once while Redis is away: a shutdown does not wait for it to come back', async () => {
    if (instance === undefined) throw new Error('the previous test did not start an instance');
    const started = Date.now();
    await instance.delivery.close();
    await instance.bus.close();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
