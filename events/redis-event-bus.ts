/**
 * The event bus across bot instances: Redis pub/sub on `<prefix>:events:<topic>`, with node-redis
 * (the client the BullMQ queue uses). Publishing uses one connection; subscribing needs its own,
 * because a subscribed Redis connection accepts no other commands. Both reconnect by themselves
 * after a Redis restart, and node-redis re-subscribes; events published while Redis is away are
 * lost (by design: see EventBus), or, when the publisher says they are required, refused at once.
 */
import { createClient, type RedisClientType } from 'redis';
import { AttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus, EventHandler, PublishOptions, TopicName, Unsubscribe } from './event-bus';
import { deliver } from './in-process-event-bus';
import type { EventTopics } from './topics';

/** How long an unsubscribe waits for Redis before it lets its caller go on. */
const UNSUBSCRIBE_WAIT_MS = 1000;

export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly publisher: RedisClientType;
  private readonly subscriber: RedisClientType;

  private constructor(url: string, private readonly prefix: string, private readonly logger?: Logger) {
    this.publisher = createClient({ url }) as RedisClientType;
    this.subscriber = this.publisher.duplicate();
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: unknown) => this.logger?.warn({ err: error }, 'event bus: redis connection error'));
    }
  }

  /** Connects both clients; gives up (and closes them) when Redis does not answer in time. */
  static async connect(url: string, prefix: string, logger?: Logger, timeoutMs = 5000): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url, prefix, logger);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([bus.publisher.connect(), bus.subscriber.connect()]), timeout]);
      return bus;
    } catch (error) {
      bus.publisher.destroy();
      bus.subscriber.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async publish<T extends TopicName>(topic: T, message: EventTopics[T], options: PublishOptions = {}): Promise<void> {
    // Not ready: refused now rather than queued by node-redis until a reconnect that may never come.
    if (!this.publisher.isReady) {
      this.notSent(topic, options, 'event bus: redis is not connected, event dropped');
      return;
    }
    try {
      await this.publisher.publish(this.channel(topic), JSON.stringify(message));
    } catch (error) {
      this.notSent(topic, options, 'event bus: publish failed, event dropped', error);
    }
  }

  async subscribe<T extends TopicName>(topic: T, handler: EventHandler<T>): Promise<Unsubscribe> {
    const channel = this.channel(topic);
    // node-redis calls the listener inside its socket handler: defer, as the in-process bus does.
    const listener = (json: string) => setImmediate(() => deliver(handler, json, topic, this.logger));
    await this.subscriber.subscribe(channel, listener);
    return async () => {
      if (!this.subscriber.isOpen) return;
      // While Redis is away node-redis holds the command until it reconnects (then it runs): the
      // caller (a closing desk stream, a shutdown) must not wait for that.
      const unsubscribed = this.subscriber.unsubscribe(channel, listener).catch(() => undefined);
      await Promise.race([unsubscribed, new Promise((resolve) => setTimeout(resolve, UNSUBSCRIBE_WAIT_MS).unref())]);
    };
  }

  /** Closes both connections: gracefully when connected, at once when Redis is away (a shutdown must not wait for it). */
  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber, this.publisher].map(async (client) => (client.isReady ? client.close() : client.destroy())));
  }

  private notSent(topic: TopicName, options: PublishOptions, dropped: string, cause?: unknown): void {
    if (options.required) throw new AttuneError('ATTUNE_EVENT_BUS_UNAVAILABLE', `The event bus could not send a ${topic} event: Redis is not reachable.`, { cause });
    this.logger?.warn({ err: cause, topic }, dropped);
  }

  private channel(topic: TopicName): string {
    return `${this.prefix}:events:${topic}`;
  }
}
