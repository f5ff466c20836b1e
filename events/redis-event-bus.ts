/**
 * The event bus across bot instances: Redis pub/sub on `<prefix>:events:<topic>`, with node-redis
 * (the client the BullMQ queue uses). Publishing uses one connection; subscribing needs its own,
 * because a subscribed Redis connection accepts no other commands. Both reconnect by themselves
 * after a Redis restart, and node-redis re-subscribes; events published while Redis is away are
 * lost (by design: see EventBus), or, when the publisher says they are required, refused at once.
 *
 * A Redis that stops answering while its connection stays open (a hung host, a network partition)
 * must not hold anyone: every publish waits at most `publishTimeoutMs`, and both connections PING
 * when idle and are dropped and reconnected when nothing came back for two ping intervals.
 */
import { createClient, type RedisClientType } from 'redis';
import { AttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus, EventHandler, PublishOptions, TopicName, Unsubscribe } from './event-bus';
import { deliver } from './in-process-event-bus';
import type { EventTopics } from './topics';
import { settleWithin } from '../core/time-limit';

/** How long an unsubscribe waits for Redis before it lets its caller go on. */
const UNSUBSCRIBE_WAIT_MS = 1000;
/** How long close() lets pending commands finish before it leaves the connection to its socket timeout. */
const CLOSE_WAIT_MS = 1000;

export interface RedisEventBusOptions {
  /** How long connect() waits for Redis (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * How long a publish waits for Redis (default 1000 ms). A publish is awaited on customers' turns,
   * so this is what a frozen Redis can add to a turn; past it the event counts as not sent.
   */
  readonly publishTimeoutMs?: number;
  /**
   * How often a connection PINGs Redis (default 5000 ms). A connection on which nothing has moved
   * for twice this long is taken for dead, dropped and reconnected.
   */
  readonly pingIntervalMs?: number;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 1000;
const DEFAULT_PING_INTERVAL_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly publisher: RedisClientType;
  private readonly subscriber: RedisClientType;
  private readonly publishTimeoutMs: number;
  /**
   * Publishes that ran out of time and that Redis has not answered yet. While there are any, the
   * connection is stuck: new events are refused at once instead of each waiting its full timeout,
   * and the quiet connection runs into its socket timeout, which drops and reconnects it.
   */
  private unanswered = 0;

  private constructor(url: string, private readonly prefix: string, private readonly logger: Logger | undefined, options: RedisEventBusOptions) {
    this.publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.publisher = createClient({
      url,
      // A healthy idle connection answers a PING every interval, so it is never quiet for two.
      pingInterval: pingIntervalMs,
      socket: {
        connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        socketTimeout: 2 * pingIntervalMs,
        // node-redis' default strategy gives up for good after a socket timeout: the bus would stay
        // closed after Redis came back. Keep its back-off (up to 2 s), for every cause.
        reconnectStrategy: (retries) => Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200),
      },
    }) as RedisClientType;
    this.subscriber = this.publisher.duplicate();
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: unknown) => this.logger?.warn({ err: error }, 'event bus: redis connection error'));
    }
  }

  /** Connects both clients; gives up (and closes them) when Redis does not answer in time. */
  static async connect(url: string, prefix: string, logger?: Logger, options: RedisEventBusOptions = {}): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url, prefix, logger, options);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      await settleWithin(Promise.all([bus.publisher.connect(), bus.subscriber.connect()]), timeoutMs, () => {
        throw new Error(`redis did not answer within ${timeoutMs} ms`);
      });
      return bus;
    } catch (error) {
      bus.publisher.destroy();
      bus.subscriber.destroy();
      throw error;
    }
  }

  async publish<T extends TopicName>(topic: T, message: EventTopics[T], options: PublishOptions = {}): Promise<void> {
    // Not ready: refused now rather than queued by node-redis until a reconnect that may never come.
    if (!this.publisher.isReady) {
      this.notSent(topic, options, 'is not connected');
      return;
    }
    if (this.unanswered > 0) {
      this.notSent(topic, options, 'has not answered an earlier event');
      return;
    }
    const sent = this.publisher.publish(this.channel(topic), JSON.stringify(message));
    try {
      await settleWithin(sent, this.publishTimeoutMs, () => {
        throw new PublishTimeout(this.publishTimeoutMs);
      });
    } catch (error) {
      if (error instanceof PublishTimeout) {
        this.unanswered += 1;
        sent.then(
          () => (this.unanswered -= 1),
          () => (this.unanswered -= 1),
        );
        this.notSent(topic, options, `did not answer within ${this.publishTimeoutMs} ms`, error);
      } else {
        this.notSent(topic, options, 'did not take the event', error);
      }
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

  /**
   * Closes both connections: gracefully when Redis answers, at once when it is away or stuck (a
   * shutdown must not wait for it). A graceful close waits for pending replies, which a frozen
   * Redis never sends: after CLOSE_WAIT_MS the connection is left to its socket timeout.
   */
  async close(): Promise<void> {
    const stuck = this.unanswered > 0;
    await Promise.allSettled(
      [this.subscriber, this.publisher].map(async (client) => {
        if (!client.isReady || (stuck && client === this.publisher)) {
          client.destroy();
          return;
        }
        const closed = client.close();
        await settleWithin(closed, CLOSE_WAIT_MS, () => {
          throw new Error('redis did not answer');
        }).catch(() => client.unref());
      }),
    );
  }

  private notSent(topic: TopicName, options: PublishOptions, why: string, cause?: unknown): void {
    if (options.required) throw new AttuneError('ATTUNE_EVENT_BUS_UNAVAILABLE', `The event bus could not send a ${topic} event: Redis ${why}.`, { cause });
    this.logger?.warn({ err: cause, topic }, `event bus: redis ${why}, event dropped`);
  }

  private channel(topic: TopicName): string {
    return `${this.prefix}:events:${topic}`;
  }
}

class PublishTimeout extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = 'PublishTimeout';
  }
}
