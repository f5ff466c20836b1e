/**
 * Where the bot's activities for a built-in Direct Line conversation go: into the conversation's
 * log when this process holds it. Otherwise, with several instances (Redis event bus), to the
 * instance that holds it, which confirms the delivery (DirectLineRelay): so an agent answering on
 * instance B reaches a customer whose browser is connected to instance A, and the answer is
 * reported delivered only once it is in A's log. When no instance holds the conversation (it
 * ended, expired, or was lost in a restart) the delivery says so, with one instance at once and
 * with several after the relay's timeout, so the agent learns the customer did not get the
 * message (404 → ATTUNE_CONVERSATION_NOT_FOUND). When Redis is away the other instances cannot be
 * asked, which says nothing about the customer: that is an error (ATTUNE_EVENT_BUS_UNAVAILABLE,
 * 503: try again), not a 404. The message is never silently dropped.
 */
import type { Activity } from 'botbuilder';
import type { Logger } from '../../core/logger';
import type { EventBus } from '../../events/event-bus';
import type { DirectLineConversations } from './direct-line-conversations';
import { DEFAULT_RECEIPT_TIMEOUT_MS, DirectLineRelay } from './direct-line-relay';

export class DirectLineDelivery {
  /** Absent with the in-process bus: one instance, so a conversation it does not hold is gone. */
  private readonly relay?: DirectLineRelay;

  constructor(
    private readonly conversations: DirectLineConversations,
    events: EventBus,
    private readonly logger: Logger,
    /** How long to wait for the holder's receipt when another instance may hold the conversation. */
    receiptTimeoutMs = DEFAULT_RECEIPT_TIMEOUT_MS,
  ) {
    if (events.kind !== 'in-process') this.relay = new DirectLineRelay(events, logger, receiptTimeoutMs);
  }

  /** Starts delivering what other instances relay here. */
  async start(): Promise<void> {
    await this.relay?.start((conversationId, activity) => this.deliverLocally(conversationId, activity));
  }

  async close(): Promise<void> {
    await this.relay?.close();
  }

  /**
   * Delivers a bot activity; resolves with the id it got in the conversation's log (here or on the
   * instance holding it), or undefined when no instance holds the conversation: not delivered.
   * @throws AttuneError ATTUNE_EVENT_BUS_UNAVAILABLE when the other instances could not be asked
   */
  async deliver(conversationId: string, activity: Partial<Activity>): Promise<string | undefined> {
    const id = this.deliverLocally(conversationId, activity);
    if (id !== undefined || !this.relay) return id;
    return this.relay.send(conversationId, activity);
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
