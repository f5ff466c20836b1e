/**
 * Live events between the parts of attune and across bot instances: a customer writing on
 * instance A reaches the agent whose desk is connected to instance B; content published on one
 * instance is loaded by all. Delivery is best effort and at most once: the durable state is always
 * in storage, and a subscriber that missed events re-reads it (the desk page does on reconnect).
 */
import type { EventTopics } from './topics';

export type TopicName = keyof EventTopics & string;
export type EventHandler<T extends TopicName> = (message: EventTopics[T]) => void;
export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  readonly kind: 'in-process' | 'redis';
  /** Sends to every subscriber of the topic on every instance; never throws (a lost event is logged). */
  publish<T extends TopicName>(topic: T, message: EventTopics[T]): Promise<void>;
  /** Handlers run after publish returns, never inside it; a handler that throws is logged and skipped. */
  subscribe<T extends TopicName>(topic: T, handler: EventHandler<T>): Promise<Unsubscribe>;
  close(): Promise<void>;
}
