/** The event bus of a single process (embedded defaults, tests): an EventEmitter with Redis' semantics. */
import { EventEmitter } from 'node:events';
import type { Logger } from '../core/logger';
import type { EventBus, EventHandler, TopicName, Unsubscribe } from './event-bus';
import type { EventTopics } from './topics';

export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  constructor(private readonly logger?: Logger) {}

  async publish<T extends TopicName>(topic: T, message: EventTopics[T]): Promise<void> {
    // A JSON round trip, as over Redis: subscribers never share (or mutate) the publisher's object.
    const copy = JSON.stringify(message);
    setImmediate(() => this.emitter.emit(topic, copy));
  }

  async subscribe<T extends TopicName>(topic: T, handler: EventHandler<T>): Promise<Unsubscribe> {
    const listener = (json: string) => deliver(handler, json, topic, this.logger);
    this.emitter.on(topic, listener);
    return async () => {
      this.emitter.off(topic, listener);
    };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Parses and hands one message to a handler; shared with the Redis bus. */
export function deliver<T extends TopicName>(handler: EventHandler<T>, json: string, topic: T, logger?: Logger): void {
  try {
    handler(JSON.parse(json) as EventTopics[T]);
  } catch (error) {
    logger?.warn({ err: error, topic }, 'event handler failed');
  }
}
