/**
 * Where the bot's activities for a built-in Direct Line conversation go: into the conversation's
 * log when this process holds it; otherwise onto the event bus (Redis pub/sub with several
 * instances), where the instance that holds it picks it up. So an agent answering on instance B
 * reaches a customer whose browser is connected to instance A. With one instance (in-process bus)
 * a conversation this process does not hold is gone (ended, expired, or lost in a restart), and
 * the delivery says so, so the agent learns the customer did not get the message. Across
 * instances it is best effort, like the bus: when no instance holds the conversation any more,
 * the message is dropped (it is still in the turns).
 */
import type { Activity } from 'botbuilder';
import type { Logger } from '../../core/logger';
import type { EventBus, Unsubscribe } from '../../events/event-bus';
import type { DirectLineConversations } from './direct-line-conversations';

export class DirectLineDelivery {
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly conversations: DirectLineConversations,
    private readonly events: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Starts taking deliveries published by other instances. */
  async start(): Promise<void> {
    this.unsubscribe = await this.events.subscribe('directline', (event) => {
      this.deliverLocally(event.conversationId, event.activity as Partial<Activity>);
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }

  /**
   * Delivers a bot activity; resolves with the id it got here, a provisional one when relayed to
   * other instances, or undefined when no instance can hold the conversation (single instance).
   */
  async deliver(conversationId: string, activity: Partial<Activity>): Promise<string | undefined> {
    const id = this.deliverLocally(conversationId, activity);
    if (id !== undefined) return id;
    if (this.events.kind === 'in-process') return undefined;
    await this.events.publish('directline', { conversationId, activity: JSON.parse(JSON.stringify(activity)) as Record<string, unknown> });
    return `${conversationId}|relayed`;
  }

  /** Appends (or, for typing, broadcasts) when this process holds the conversation. */
  private deliverLocally(conversationId: string, activity: Partial<Activity>): string | undefined {
    const conversation = this.conversations.peek(conversationId);
    if (!conversation) return undefined;
    if (activity.type === 'typing') {
      conversation.log.broadcast(activity);
      return `${conversationId}|typing`;
    }
    const stored = conversation.log.append(activity);
    this.logger.debug({ conversation: `directline:${conversationId}`, activityType: activity.type }, 'direct line: bot activity delivered');
    return stored.id!;
  }
}
