/**
 * Every topic on the event bus and the shape of its messages. Messages cross processes as JSON,
 * so they hold only JSON values (dates as ISO strings). Each feature adds its own topic here.
 */
import type { Reason } from '../core/reason';
import type { AgentPool, EscalationStatus, MaskedInMessage, TurnRole } from '../storage/ports';

export interface EventTopics {
  /** Something changed on the agent desk: queue, an escalation's status, or its transcript. */
  desk: DeskEvent;
  /** A content version was published or restored: every instance reloads its content. */
  content: ContentEvent;
  /**
   * A bot activity for a conversation of the built-in Direct Line endpoint that this instance does
   * not hold (e.g. an agent on another instance wrote to the customer): the holder delivers it and
   * answers on `directline-receipt`; the other instances ignore it.
   */
  directline: DirectLineDeliveryRequest;
  /** The holder delivered a `directline` request: the sender may report the activity delivered. */
  'directline-receipt': DirectLineReceipt;
}

export interface DirectLineDeliveryRequest {
  /** Unique per request: the sender matches the receipt to it. */
  readonly requestId: string;
  readonly conversationId: string;
  /** The Bot Framework activity as JSON. */
  readonly activity: Readonly<Record<string, unknown>>;
}

/** Only sent for a delivered activity: not delivered is no receipt (nobody holds the conversation). */
export interface DirectLineReceipt {
  readonly requestId: string;
  /** The id the activity got in the holder's conversation log. */
  readonly activityId: string;
}

/**
 * Which escalation an event is about, with what decides who may see it (pool, status, owner), so
 * every instance can filter events per agent without reading storage.
 */
export interface DeskEscalationRef {
  readonly id: string;
  readonly pool: AgentPool;
  readonly status: EscalationStatus;
  readonly agentId?: string;
}

/** What happened to an escalation, in the words the desk shows. */
export type DeskChange = 'queued' | 'updated' | 'taken' | 'transferred' | 'resolved' | 'abandoned' | 'expired';

export type DeskEvent =
  /** The escalation entered, moved in or left a queue, or changed hands. */
  | { readonly type: 'escalation_changed'; readonly escalation: DeskEscalationRef; readonly change: DeskChange; readonly at: string }
  /** A message (customer, bot, agent) or an internal note was added to the escalation's conversation. */
  | {
      readonly type: 'transcript_added';
      readonly escalation: DeskEscalationRef;
      readonly turn: {
        readonly id: string;
        readonly role: TurnRole;
        readonly text: string;
        readonly at: string;
        /** Customer turns: frustration after this message, and why (named reasons, no text). */
        readonly frustration?: number;
        readonly reasons?: readonly Reason[];
        /** Customer turns: how many card numbers and security codes were masked in the message (counts only). */
        readonly masked?: MaskedInMessage;
      };
    };

/**
 * Content changed for every instance: a version was published (or restored, which publishes an
 * earlier version's files again), or an experiment started, stopped or lost a variant.
 */
export type ContentEvent =
  | { readonly type: 'content_published'; readonly versionId: string }
  | { readonly type: 'experiments_changed'; readonly experimentId: string };
