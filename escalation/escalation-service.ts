/**
 * The human handoff, end to end on the bot's side (DESIGN.md §4): store the escalation with its
 * handoff package, queue it in the right pool, keep its timers, tell the customer where they stand,
 * and let them cancel. The Escalations store is the source of truth; the queue and timers are
 * rebuilt from it at start (`reconcile`), so a crash or restart loses no escalation.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import type { Reason } from '../core/reason';
import type { HandoffSummariser } from '../nlu/llm/openai-handoff-summariser';
import type { CustomerSnapshot } from '../personalization/customer-context';
import type { EscalationRecord, Escalations, EscalationTrigger, TurnRecord } from '../storage/ports';
import { isOpen, nextOpening, type BusinessHours } from './business-hours';
import { NO_DESK_EVENTS, type DeskEvents } from './desk-events';
import { buildHandoffPackage } from './handoff-package';
import type { AgentQueue, DueTimer, QueuePosition } from './queue/agent-queue';
import { routeEscalation } from './routing';
import { WaitEstimator, type WaitEstimate } from './wait-estimate';
import { settleWithin } from '../core/time-limit';

export interface EscalationTimings {
  /** A queued chat older than this raises an SLA alert and moves up. */
  readonly slaMs: number;
  /**
   * A customer silent this long while queued or with an agent has left: the escalation is abandoned.
   * Never after hours: that customer asked to be called back or answered later, not to wait in the chat.
   */
  readonly abandonAfterMs: number;
}

export interface EscalationRequest {
  readonly conversationId: string;
  readonly channelId: string;
  readonly customer?: CustomerSnapshot;
  readonly trigger: EscalationTrigger;
  readonly reasons: readonly Reason[];
  readonly frustration: number;
  readonly failedTurns: number;
  readonly dialogInProgress?: string;
  /** Bot Framework ConversationReference for proactive messages to the customer. */
  readonly conversationReference: Readonly<Record<string, unknown>>;
  /** The conversation so far, oldest first. */
  readonly history: readonly TurnRecord[];
}

export interface WaitingStatus {
  readonly escalation: EscalationRecord;
  readonly position?: QueuePosition;
  readonly estimate?: WaitEstimate;
  /** Set when nobody is on shift: when the team opens again. */
  readonly opensAt?: Date;
  /**
   * Set when the agent queue (Redis) did not answer in time: the escalation is stored, and it is
   * queued as soon as the queue answers (or by reconcile() at the next start); its place is unknown.
   */
  readonly queueDelayed?: true;
}

/**
 * How long a customer's turn waits for the agent queue. The queue client keeps commands while
 * Redis is away and sends them when it is back, so a turn that waited for them would hang for the
 * whole outage; past this, the turn goes on and tells the customer what it knows.
 */
export const DEFAULT_QUEUE_WAIT_MS = 2_000;

/** A queue operation that did not finish within the customer's wait (it goes on in the background). */
const LATE = Symbol('late');

/**
 * When a waiting chat's SLA timer is due (epoch ms), or undefined when it has none: after hours
 * nobody can pick it up before opening, and a chat that breached its SLA has moved up already
 * (once). The clock runs from when the customer asked, also after a transfer.
 */
export function slaDueAt(escalation: EscalationRecord, slaMs: number): number | undefined {
  if (escalation.afterHours || escalation.slaBreachedAt) return undefined;
  return escalation.createdAt.getTime() + slaMs;
}

/** How an after-hours customer wants the team to get back to them. */
export type ContactChoice = 'callback' | 'message';

/** How much an SLA breach raises a waiting chat's priority. */
const SLA_PRIORITY_BOOST = 50;

export class EscalationService {
  private readonly estimator: WaitEstimator;

  constructor(
    private readonly escalations: Escalations,
    private readonly turns: { listByConversation(conversationId: string, limit: number): Promise<TurnRecord[]> },
    private readonly queue: AgentQueue,
    private readonly hours: BusinessHours,
    private readonly timings: EscalationTimings,
    private readonly logger: Logger,
    /** Optional LLM that writes a second summary beside the rules' one (bounded by its timeout). */
    private readonly summariser?: HandoffSummariser,
    /** Live updates for the agent desks (queue changes on every instance). */
    private readonly events: DeskEvents = NO_DESK_EVENTS,
    /** How long a customer's turn waits for the agent queue (tests make it short). */
    private readonly queueWaitMs: number = DEFAULT_QUEUE_WAIT_MS,
  ) {
    this.estimator = new WaitEstimator(escalations);
  }

  /**
   * Hands the conversation to people. Asking twice returns the escalation already under way, also
   * when the two asks race on two instances: the store opens one, and only its opener queues it.
   */
  async escalate(request: EscalationRequest, now: Date = new Date()): Promise<WaitingStatus> {
    const existing = await this.escalations.activeForConversation(request.conversationId);
    if (existing) return this.status(existing, now);

    const customerTurns = request.history.filter((turn) => turn.role === 'customer');
    const taskIntents = customerTurns.map((turn) => turn.understanding?.intent.intent).filter((intent): intent is string => intent !== undefined && intent !== 'oos');
    const route = routeEscalation({ trigger: request.trigger, intents: taskIntents, failedTurns: request.failedTurns, frustration: request.frustration, tier: request.customer?.tier });
    const afterHours = !isOpen(this.hours, now);
    const handoff = buildHandoffPackage({ trigger: request.trigger, history: request.history, customer: request.customer, dialogInProgress: request.dialogInProgress });
    const llmSummary = this.summariser ? await this.summariser.summarise(handoff, request.history) : undefined;
    const escalation: EscalationRecord = {
      id: randomUUID(),
      conversationId: request.conversationId,
      channelId: request.channelId,
      customerId: request.customer?.id,
      trigger: request.trigger,
      reasons: [...request.reasons, ...route.reasons],
      frustration: request.frustration,
      pool: route.pool,
      priority: route.priority,
      status: 'queued',
      afterHours,
      handoff: llmSummary === undefined ? handoff : { ...handoff, llmSummary },
      conversationReference: request.conversationReference,
      createdAt: now,
      updatedAt: now,
    };
    // Stored first: from here on a crash cannot lose it; reconcile() re-queues it at start.
    const stored = await this.escalations.create(escalation);
    if (stored.id !== escalation.id) {
      // A turn of this conversation on another instance opened one first (the store keeps one
      // active per conversation): that one is the customer's, and that turn queues it.
      this.logger.info({ escalation: stored.id, conversation: stored.conversationId }, 'escalation already opened by another turn: this turn tells the customer about it');
      return this.status(stored, now);
    }
    const queued = await this.customerWaitsFor(this.enqueueWithTimers(escalation, now), escalation, 'queueing the escalation');
    await this.events.escalationChanged(escalation, 'queued', now);
    this.logger.info({ escalation: escalation.id, conversation: escalation.conversationId, pool: escalation.pool, priority: escalation.priority, trigger: escalation.trigger, afterHours }, 'escalated');
    return queued === LATE ? { escalation, queueDelayed: true } : this.status(escalation, now);
  }

  /** Where the conversation's escalation stands, or undefined if none is active. */
  async waitingStatus(conversationId: string, now: Date = new Date()): Promise<WaitingStatus | undefined> {
    const escalation = await this.escalations.activeForConversation(conversationId);
    return escalation && this.status(escalation, now);
  }

  /** The customer spoke while waiting: they are still here, so push the abandonment timer back. */
  async customerActive(escalation: EscalationRecord, now: Date = new Date()): Promise<void> {
    // After hours there is no abandonment clock to push back, and arming one here would abandon a
    // callback request overnight (the customer's "Call me back" tap is a message like any other).
    if (escalation.afterHours) return;
    await this.customerWaitsFor(this.queue.schedule('abandon', escalation.id, now.getTime() + this.timings.abandonAfterMs), escalation, 'pushing back the abandonment timer');
  }

  /** Records how an after-hours customer wants to be contacted, for the agent who picks it up. */
  async recordContactChoice(escalation: EscalationRecord, choice: ContactChoice, now: Date = new Date()): Promise<void> {
    const noted = await this.escalations.transition(escalation.id, ['queued'], 'queued', { disposition: choice === 'callback' ? 'callback_requested' : 'reply_in_chat_requested' }, now);
    if (noted) await this.events.escalationChanged(noted, 'updated', now);
  }

  /** The customer no longer wants a person. Resolves false if an agent already took the chat. */
  async cancelByCustomer(conversationId: string, now: Date = new Date()): Promise<boolean> {
    const escalation = await this.escalations.activeForConversation(conversationId);
    if (!escalation) return false;
    const cancelled = await this.escalations.transition(escalation.id, ['queued'], 'abandoned', { endedAt: now, disposition: 'cancelled_by_customer' }, now);
    if (!cancelled) return false;
    // Cancelled in the store, which is what counts: a take of the queued chat now fails.
    await this.customerWaitsFor(this.forget(escalation.id), escalation, 'removing the cancelled escalation from the queue');
    await this.events.escalationChanged(cancelled, 'abandoned', now);
    this.logger.info({ escalation: escalation.id }, 'escalation cancelled by the customer');
    return true;
  }

  /** Stores the customer's 1–5 rating on their latest resolved, unrated escalation; false if none. */
  async recordRating(conversationId: string, rating: number, now: Date = new Date()): Promise<boolean> {
    const [latest] = await this.escalations.list({ statuses: ['resolved'], conversationId, newestFirst: true }, 1);
    if (!latest || latest.csat !== undefined) return false;
    return this.escalations.recordCsat(latest.id, rating, now);
  }

  /** Re-queues every waiting escalation and re-arms its timers; run at start. Idempotent. */
  async reconcile(now: Date = new Date()): Promise<number> {
    const waiting = await this.escalations.list({ statuses: ['queued', 'assigned'] }, 10_000);
    for (const escalation of waiting) {
      if (escalation.status === 'queued') await this.enqueueWithTimers(escalation, now);
      else if (!escalation.afterHours) await this.queue.schedule('abandon', escalation.id, now.getTime() + this.timings.abandonAfterMs);
    }
    if (waiting.length > 0) this.logger.info({ count: waiting.length }, 'escalations reconciled with the queue');
    return waiting.length;
  }

  /** Handles a due timer (delivered at least once, so every branch is idempotent). */
  async onTimer(timer: DueTimer, now: Date = new Date()): Promise<void> {
    const escalation = await this.escalations.get(timer.escalationId);
    if (!escalation || (escalation.status !== 'queued' && escalation.status !== 'assigned')) return;
    switch (timer.kind) {
      case 'sla': {
        // Delivered again (a retry, a restart, another instance's reconcile): it moved up already.
        if (escalation.status !== 'queued' || escalation.slaBreachedAt) return;
        this.logger.warn({ escalation: escalation.id, pool: escalation.pool, waitedMs: now.getTime() - escalation.createdAt.getTime() }, 'escalation waiting past its SLA');
        // Two deliveries that both read it unbreached both write the same priority, from the same read.
        const boosted = await this.escalations.transition(escalation.id, ['queued'], 'queued', { priority: escalation.priority + SLA_PRIORITY_BOOST, slaBreachedAt: now }, now);
        // Taken (or ended) since it was read: whoever did that owns its place in the queue now.
        if (boosted?.status !== 'queued') return;
        // The queue keeps a chat's first priority, so it goes out and back in with the new one.
        await this.queue.remove(boosted.id);
        await this.queue.enqueue({ escalationId: boosted.id, pool: boosted.pool, priority: boosted.priority, enqueuedAt: boosted.createdAt.getTime() });
        // A take that removed it between those two calls would leave it waiting in the queue forever.
        if ((await this.escalations.get(boosted.id))?.status !== 'queued') await this.queue.remove(boosted.id);
        await this.events.escalationChanged(boosted, 'updated', now);
        return;
      }
      case 'abandon': {
        // An after-hours request has no abandonment clock; a timer armed by an older version ends nothing.
        if (escalation.afterHours) return;
        const [last] = (await this.turns.listByConversation(escalation.conversationId, 50)).filter((turn) => turn.role === 'customer').slice(-1);
        const silentFor = now.getTime() - (last?.at ?? escalation.createdAt).getTime();
        if (silentFor < this.timings.abandonAfterMs) {
          await this.queue.schedule('abandon', escalation.id, now.getTime() + this.timings.abandonAfterMs - silentFor);
          return;
        }
        const abandoned = await this.escalations.transition(escalation.id, ['queued', 'assigned'], 'abandoned', { endedAt: now, disposition: 'customer_left' }, now);
        if (abandoned) {
          await this.forget(escalation.id);
          await this.events.escalationChanged(abandoned, 'abandoned', now);
          this.logger.info({ escalation: escalation.id }, 'escalation abandoned: the customer left');
        }
        return;
      }
      case 'after_hours_callback':
        this.logger.info({ escalation: escalation.id, pool: escalation.pool }, 'after-hours request is due for a callback');
        return;
    }
  }

  private async enqueueWithTimers(escalation: EscalationRecord, now: Date): Promise<void> {
    await this.queue.enqueue({ escalationId: escalation.id, pool: escalation.pool, priority: escalation.priority, enqueuedAt: escalation.createdAt.getTime() });
    if (escalation.afterHours) {
      await this.queue.schedule('after_hours_callback', escalation.id, nextOpening(this.hours, now).getTime());
      return; // nobody can pick it up before opening: no SLA or abandonment clock overnight
    }
    // Past its SLA once already: it moved up then, and re-arming would fire at once (createdAt + slaMs is past).
    const slaDue = slaDueAt(escalation, this.timings.slaMs);
    if (slaDue !== undefined) await this.queue.schedule('sla', escalation.id, slaDue);
    await this.queue.schedule('abandon', escalation.id, now.getTime() + this.timings.abandonAfterMs);
  }

  private async forget(escalationId: string): Promise<void> {
    await this.queue.remove(escalationId);
    await Promise.all((['sla', 'abandon', 'after_hours_callback'] as const).map((kind) => this.queue.cancelTimer(kind, escalationId)));
  }

  private async status(escalation: EscalationRecord, now: Date): Promise<WaitingStatus> {
    if (escalation.status !== 'queued') return { escalation };
    const position = await this.customerWaitsFor(this.queue.position(escalation.id), escalation, 'reading the place in the queue');
    if (position === LATE) return { escalation, queueDelayed: true };
    const estimate = position ? await this.estimator.estimate(escalation.pool, position.position) : undefined;
    return { escalation, position, estimate, opensAt: escalation.afterHours ? nextOpening(this.hours, now) : undefined };
  }

  /**
   * Waits for a queue operation for at most queueWaitMs, on a customer's turn. One that takes
   * longer is left to finish on its own (it is idempotent, and the store already holds the truth),
   * and LATE tells the turn to go on without it.
   */
  private async customerWaitsFor<T>(operation: Promise<T>, escalation: EscalationRecord, what: string): Promise<T | typeof LATE> {
    const result = await settleWithin<T, typeof LATE>(operation, this.queueWaitMs, () => LATE);
    if (result === LATE) {
      this.logger.warn({ escalation: escalation.id, waitedMs: this.queueWaitMs }, `agent queue did not answer in time (${what}): the customer's turn goes on, the queue catches up when it answers`);
      operation.catch((error: unknown) => this.logger.error({ err: error, escalation: escalation.id }, `agent queue failed after the customer's turn went on (${what}); reconcile() re-queues it at the next start`));
    }
    return result;
  }

}
