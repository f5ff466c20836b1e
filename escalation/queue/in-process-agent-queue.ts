/**
 * The in-process AgentQueue: the embedded default when REDIS_URL is unset (DESIGN.md §4). It
 * serves one process, in memory, with the same semantics and serving order as BullMqAgentQueue
 * (priority descending, then enqueuedAt ascending, then call order), checked by the same contract
 * suite.
 *
 * Its timers use `setTimeout` (unref'd, so they never keep the process alive), which DESIGN.md §4
 * otherwise rules out because a restart loses them. That is acceptable here ONLY because the
 * Escalations store is the source of truth: at start the application rebuilds this queue and its
 * timers from the store (it enqueues the escalations still `queued`, oldest first, and schedules
 * their SLA, abandon and callback timers again). Nothing may rely on this queue outliving the
 * process; use Redis (BullMqAgentQueue) for timers that must survive a restart by themselves.
 */
import type { Logger } from '../../core/logger';
import { createLogger } from '../../core/logger';
import type { AgentPool } from '../../storage/ports';
import type { AgentQueue, DueTimer, QueuePosition, TimerHandler, TimerKind, WaitingChat } from './agent-queue';
import { checkEscalationId, checkLimit, checkPool, checkPools, checkTimer, checkWaitingChat } from './queue-input';
import { DEFAULT_TIMER_RETRY, checkRetryPolicy, retryDelayMs, type TimerRetryPolicy } from './timer-retry';

export interface InProcessAgentQueueOptions {
  readonly logger?: Logger;
  /** How a timer whose handler failed is retried (default DEFAULT_TIMER_RETRY). */
  readonly timerRetry?: TimerRetryPolicy;
}

/** setTimeout fires at once for delays above 2^31 - 1 ms; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface ScheduledTimer {
  readonly timer: DueTimer;
  handle?: NodeJS.Timeout;
  /** Due, but no handler was registered yet: delivered by onTimer. */
  pending: boolean;
  failures: number;
}

export class InProcessAgentQueue implements AgentQueue {
  private readonly logger: Logger;
  private readonly retry: TimerRetryPolicy;
  /** Per pool, in serving order: priority descending, then enqueuedAt ascending, then call order. */
  private readonly lines: Record<AgentPool, WaitingChat[]> = { apprentice: [], expert: [] };
  private readonly chats = new Map<string, WaitingChat>();
  private readonly timers = new Map<string, ScheduledTimer>();
  private readonly deliveries = new Set<Promise<void>>();
  private handler?: TimerHandler;
  private closing?: Promise<void>;

  constructor(options: InProcessAgentQueueOptions = {}) {
    this.logger = (options.logger ?? createLogger('info')).child({ component: 'agent-queue', adapter: 'in-process' });
    this.retry = checkRetryPolicy(options.timerRetry ?? DEFAULT_TIMER_RETRY);
  }

  async enqueue(chat: WaitingChat): Promise<void> {
    this.checkOpen();
    checkWaitingChat(chat);
    if (this.chats.has(chat.escalationId)) return;
    const copy: WaitingChat = Object.freeze({ ...chat });
    const line = this.lines[chat.pool];
    // After every chat served before it: higher priority, or the same priority and not younger.
    let low = 0;
    let high = line.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = line[middle];
      const servedBefore = other.priority > copy.priority || (other.priority === copy.priority && other.enqueuedAt <= copy.enqueuedAt);
      if (servedBefore) low = middle + 1;
      else high = middle;
    }
    line.splice(low, 0, copy);
    this.chats.set(copy.escalationId, copy);
  }

  async remove(escalationId: string): Promise<boolean> {
    this.checkOpen();
    checkEscalationId(escalationId);
    const chat = this.chats.get(escalationId);
    if (chat === undefined) return false;
    this.chats.delete(escalationId);
    const line = this.lines[chat.pool];
    line.splice(line.indexOf(chat), 1);
    return true;
  }

  async waiting(pool: AgentPool, limit?: number): Promise<WaitingChat[]> {
    this.checkOpen();
    checkPool(pool);
    checkLimit(limit);
    return this.lines[pool].slice(0, limit);
  }

  async position(escalationId: string): Promise<QueuePosition | undefined> {
    this.checkOpen();
    checkEscalationId(escalationId);
    const chat = this.chats.get(escalationId);
    if (chat === undefined) return undefined;
    const line = this.lines[chat.pool];
    return { position: line.indexOf(chat) + 1, waiting: line.length };
  }

  async takeNext(pools: readonly AgentPool[]): Promise<WaitingChat | undefined> {
    this.checkOpen();
    checkPools(pools);
    // No await between looking and taking: one event loop turn, so one caller per chat.
    for (const pool of pools) {
      const chat = this.lines[pool].shift();
      if (chat !== undefined) {
        this.chats.delete(chat.escalationId);
        return chat;
      }
    }
    return undefined;
  }

  async schedule(kind: TimerKind, escalationId: string, dueAt: number): Promise<void> {
    this.checkOpen();
    checkTimer(kind, escalationId, dueAt);
    const key = timerKey(kind, escalationId);
    this.disarm(this.timers.get(key));
    const scheduled: ScheduledTimer = { timer: Object.freeze({ kind, escalationId, dueAt }), pending: false, failures: 0 };
    this.timers.set(key, scheduled);
    this.arm(scheduled, dueAt);
  }

  async cancelTimer(kind: TimerKind, escalationId: string): Promise<void> {
    this.checkOpen();
    checkTimer(kind, escalationId);
    const key = timerKey(kind, escalationId);
    this.disarm(this.timers.get(key));
    this.timers.delete(key);
  }

  onTimer(handler: TimerHandler): void {
    this.checkOpen();
    if (typeof handler !== 'function') throw new TypeError('onTimer needs a handler function');
    if (this.handler !== undefined) throw new Error('onTimer was already called on this queue; call it once per process');
    this.handler = handler;
    for (const scheduled of this.timers.values()) {
      if (scheduled.pending) this.deliver(scheduled);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const scheduled of this.timers.values()) this.disarm(scheduled);
      // Like a BullMQ worker, close lets the handlers already running finish.
      await Promise.allSettled([...this.deliveries]);
      this.timers.clear();
      this.chats.clear();
      this.lines.apprentice.length = 0;
      this.lines.expert.length = 0;
    })();
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closing !== undefined) throw new Error('This AgentQueue is closed');
  }

  private isCurrent(scheduled: ScheduledTimer): boolean {
    return this.closing === undefined && this.timers.get(timerKey(scheduled.timer.kind, scheduled.timer.escalationId)) === scheduled;
  }

  private arm(scheduled: ScheduledTimer, at: number): void {
    const delay = Math.max(0, at - Date.now());
    scheduled.handle = setTimeout(() => {
      scheduled.handle = undefined;
      if (!this.isCurrent(scheduled)) return;
      if (Date.now() < at) this.arm(scheduled, at);
      else this.deliver(scheduled);
    }, Math.min(delay, MAX_TIMEOUT_MS));
    scheduled.handle.unref();
  }

  private disarm(scheduled: ScheduledTimer | undefined): void {
    if (scheduled?.handle !== undefined) clearTimeout(scheduled.handle);
    if (scheduled !== undefined) scheduled.handle = undefined;
  }

  private deliver(scheduled: ScheduledTimer): void {
    const handler = this.handler;
    if (handler === undefined) {
      scheduled.pending = true;
      return;
    }
    scheduled.pending = false;
    const delivery = this.run(scheduled, handler);
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  private async run(scheduled: ScheduledTimer, handler: TimerHandler): Promise<void> {
    const { timer } = scheduled;
    try {
      await handler(timer);
    } catch (error) {
      // Replaced or cancelled while its handler ran: the newer timer (if any) stands on its own.
      if (!this.isCurrent(scheduled)) return;
      scheduled.failures += 1;
      const final = scheduled.failures >= this.retry.attempts;
      const context = { err: error, kind: timer.kind, escalationId: timer.escalationId, attempt: scheduled.failures };
      if (final) {
        this.logger.error(context, 'Timer handler failed on its last attempt; the timer is dropped');
        this.timers.delete(timerKey(timer.kind, timer.escalationId));
      } else {
        this.logger.warn(context, 'Timer handler failed; the timer will be delivered again');
        this.arm(scheduled, Date.now() + retryDelayMs(this.retry, scheduled.failures));
      }
      return;
    }
    // Delivered. A handler that scheduled the same timer again replaced this entry: keep that one.
    if (this.isCurrent(scheduled)) this.timers.delete(timerKey(timer.kind, timer.escalationId));
  }
}

function timerKey(kind: TimerKind, escalationId: string): string {
  return `${kind}\u0000${escalationId}`;
}
