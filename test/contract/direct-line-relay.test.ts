/**
 * Bot activities for built-in Direct Line conversations across two instances on real Redis
 * pub/sub: the instance holding the conversation delivers and confirms, so the sender reports the
 * activity delivered with its real id; when no instance holds it, the sender says so (404 from the
 * connector, which the proactive messenger turns into ATTUNE_CONVERSATION_NOT_FOUND) instead of
 * dropping it silently.
 */
import type { Activity } from 'botbuilder';
import pino from 'pino';
import { DIRECT_LINE_SERVICE_URL, DirectLineConnectorFactory } from '../../channels/directline/direct-line-connector';
import { DirectLineConversations } from '../../channels/directline/direct-line-conversations';
import { DirectLineDelivery } from '../../channels/directline/direct-line-delivery';
import { createEventBus } from '../../events/create-event-bus';
import type { EventBus } from '../../events/event-bus';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';

const logger = pino({ level: 'silent' });
const RECEIPT_TIMEOUT_MS = 300;

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

  const startInstance = async (): Promise<Instance> => {
    const bus = await createEventBus(TEST_REDIS_URL, prefix, logger);
    const conversations = new DirectLineConversations();
    const delivery = new DirectLineDelivery(conversations, bus, logger, RECEIPT_TIMEOUT_MS);
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
    [a, b] = await Promise.all([startInstance(), startInstance()]);
  });

  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
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
    await expect(b.delivery.deliver('held-by-nobody', { type: 'message', text: 'anyone there?' })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(RECEIPT_TIMEOUT_MS - 10);
  });

  it('is refused with 404 through the connector once the holding instance has stopped', async () => {
    a.conversations.create('on-a-until-it-stops', 'dl_u3');
    const client = await new DirectLineConnectorFactory(b.delivery).create(DIRECT_LINE_SERVICE_URL);
    await expect(client.conversations.sendToConversation('on-a-until-it-stops', { type: 'message', text: 'before' } as never)).resolves.toMatchObject({ id: expect.stringMatching(/^on-a-until-it-stops\|/) });

    await stopInstance(a);
    await expect(client.conversations.sendToConversation('on-a-until-it-stops', { type: 'message', text: 'after' } as never)).rejects.toMatchObject({ statusCode: 404 });
  });
});
