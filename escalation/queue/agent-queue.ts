/**
 * The human queue (DESIGN.md §4): waiting chats per agent pool, served by priority, taken by
 * agents (manual fetching), plus durable timers (SLA, abandonment, after-hours callback).
 * Two adapters implement it with one contract suite: BullMQ on Redis, and in-process (default).
 *
 * The Escalations store is the source of truth for an escalation's status; the queue orders and
 * dispatches. Claiming a chat is settled by the store's checked transition (exactly one agent
 * wins); the queue then forgets the chat.
 */
import type { AgentPool } from '../../storage/ports';

export interface WaitingChat {
  readonly escalationId: string;
  readonly pool: AgentPool;
  /**
   * Higher is served first; equal priorities are served oldest first (by enqueuedAt, then in the
   * order they were enqueued). An integer from 0 to MAX_CHAT_PRIORITY (queue-input.ts), the range
   * BullMQ's priorities can express.
   */
  readonly priority: number;
  /** Epoch milliseconds when the chat entered the queue. */
  readonly enqueuedAt: number;
}

export interface QueuePosition {
  /** 1 = next to be served in its pool. */
  readonly position: number;
  /** Chats waiting in the pool in all. */
  readonly waiting: number;
}

export type TimerKind = 'sla' | 'abandon' | 'after_hours_callback';

export interface DueTimer {
  readonly kind: TimerKind;
  readonly escalationId: string;
  /** Epoch milliseconds it was due. */
  readonly dueAt: number;
}

export type TimerHandler = (timer: DueTimer) => Promise<void>;

export interface AgentQueue {
  /** Adds the chat to its pool; adding the same escalation again changes nothing (idempotent). */
  enqueue(chat: WaitingChat): Promise<void>;
  /** Removes the chat (taken, cancelled, abandoned, moved); resolves false if it was not waiting. */
  remove(escalationId: string): Promise<boolean>;
  /** The pool's waiting chats, in serving order. */
  waiting(pool: AgentPool, limit?: number): Promise<WaitingChat[]>;
  position(escalationId: string): Promise<QueuePosition | undefined>;
  /**
   * Takes the next chat from the first of `pools` that has one (manual fetching) and removes it
   * from the queue: each chat is handed to exactly one caller, also across processes.
   */
  takeNext(pools: readonly AgentPool[]): Promise<WaitingChat | undefined>;
  /** Schedules a durable timer; a timer with the same kind and escalation replaces the earlier one. */
  schedule(kind: TimerKind, escalationId: string, dueAt: number): Promise<void>;
  cancelTimer(kind: TimerKind, escalationId: string): Promise<void>;
  /**
   * Starts delivering due timers to `handler` (at least once: a timer whose handler fails or whose
   * process dies is delivered again). Call once per process.
   */
  onTimer(handler: TimerHandler): void;
  close(): Promise<void>;
}
