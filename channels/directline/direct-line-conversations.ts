/**
 * The conversations of the built-in Direct Line endpoint held by this process.
 *
 * Limits (documented in docs/channels.md): a conversation is forgotten after `idleMs` without
 * activity (default 1 hour; longer than a token, which the client refreshes while the page is
 * open); at most `maxConversations` are held (default 5,000; the least recently used goes first);
 * each keeps its last `maxActivities` activities (default 100) within `maxChars` characters of JSON
 * (default 32,768). Memory stays bounded at roughly maxConversations × maxChars × 2 bytes (V8 may
 * keep a string in one byte per character, or two): about 330 MB at the defaults, and far less in
 * practice (a typical reply is a few hundred characters).
 *
 * In memory means one instance holds a conversation: behind a load balancer, route a client's
 * requests to one instance (sticky sessions), or use Azure Direct Line. Bot messages written on
 * another instance (an agent's reply) still arrive: see DirectLineDelivery.
 */
import { ConversationLog, type ConversationLogLimits } from './conversation-log';

export interface DirectLineConversation {
  readonly id: string;
  readonly userId: string;
  readonly log: ConversationLog;
  /** Set once the bot has been told the conversation started (conversationUpdate). */
  started: boolean;
  locale?: string;
  lastUsedAt: number;
  /** Turns of one conversation run one after another, as botbuilder state expects. */
  turns: Promise<void>;
  /** Turns queued or running (a client posting faster than the bot answers is slowed down). */
  pendingTurns: number;
}

export interface ConversationLimits extends ConversationLogLimits {
  readonly idleMs: number;
  readonly maxConversations: number;
}

export const DEFAULT_CONVERSATION_LIMITS: ConversationLimits = Object.freeze({ idleMs: 60 * 60_000, maxConversations: 5000, maxActivities: 100, maxChars: 32 * 1024 });

export type ConversationEndedListener = (conversationId: string) => void;

export class DirectLineConversations {
  /** Least recently used first (re-inserted on every use). */
  private readonly byId = new Map<string, DirectLineConversation>();
  private readonly endedListeners = new Set<ConversationEndedListener>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: ConversationLimits = DEFAULT_CONVERSATION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, limits.idleMs)).unref();
  }

  /** Holds a new conversation for `userId` (the id comes from the token). */
  create(id: string, userId: string): DirectLineConversation {
    const conversation: DirectLineConversation = {
      id,
      userId,
      log: new ConversationLog(id, { maxActivities: this.limits.maxActivities, maxChars: this.limits.maxChars }),
      started: false,
      lastUsedAt: this.now(),
      turns: Promise.resolve(),
      pendingTurns: 0,
    };
    this.byId.set(id, conversation);
    for (const oldest of this.byId.keys()) {
      if (this.byId.size <= this.limits.maxConversations) break;
      this.end(oldest);
    }
    return conversation;
  }

  /** The conversation, marked as used; undefined when this process does not hold it. */
  touch(id: string): DirectLineConversation | undefined {
    const conversation = this.byId.get(id);
    if (!conversation) return undefined;
    conversation.lastUsedAt = this.now();
    this.byId.delete(id);
    this.byId.set(id, conversation);
    return conversation;
  }

  /** The conversation without marking it used (deliveries from the bot do not keep it alive). */
  peek(id: string): DirectLineConversation | undefined {
    return this.byId.get(id);
  }

  /** Called with the id of every conversation that is forgotten (streams close then). */
  onEnded(listener: ConversationEndedListener): void {
    this.endedListeners.add(listener);
  }

  get size(): number {
    return this.byId.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Forgets conversations idle for longer than the limit. */
  sweep(): void {
    const cutoff = this.now() - this.limits.idleMs;
    for (const [id, conversation] of this.byId) {
      if (conversation.lastUsedAt < cutoff) this.end(id);
    }
  }

  private end(id: string): void {
    this.byId.delete(id);
    for (const listener of this.endedListeners) listener(id);
  }
}
