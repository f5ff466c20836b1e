/**
 * Live events between the parts of attune and across bot instances: a customer writing on
 * instance A reaches the agent whose desk is connected to instance B; content published on one
 * instance is loaded by all. Delivery is best effort and at most once: the durable state is always
 * in storage, and a subscriber that missed events re-reads it (the desk page does on reconnect).
 * A publisher whose event has no such fallback (a relayed message the sender waits for) asks to
 * be told when it could not be sent: `{ required: true }`.
 */
import type { EventTopics } from './topics';

export type TopicName = keyof EventTopics & string;
export type EventHandler<T extends TopicName> = (message: EventTopics[T]) => void;
export type Unsubscribe = () => Promise<void>;

export interface PublishOptions {
  /**
   * Throw AttuneError ATTUNE_EVENT_BUS_UNAVAILABLE when the event could not be sent (Redis away, or
   * not answering in time), instead of logging and dropping it. When the connection drops, or Redis
   * answers too late, after the event was written, it may still have gone out: a caller that
   * retries may send it twice.
   */
  readonly required?: boolean;
}

export interface EventBus {
  readonly kind: 'in-process' | 'redis';
  /**
   * Sends to every subscriber of the topic on every instance; never throws (a lost event is logged)
   * unless `required`. Ends in bounded time even when Redis hangs: callers await it on customers' turns.
   */
  publish<T extends TopicName>(topic: T, message: EventTopics[T], options?: PublishOptions): Promise<void>;
  /** Handlers run after publish returns, never inside it; a handler that throws is logged and skipped. */
  subscribe<T extends TopicName>(topic: T, handler: EventHandler<T>): Promise<Unsubscribe>;
  close(): Promise<void>;
}
