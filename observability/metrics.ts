/**
 * attune's Prometheus metrics (prom-client), on a registry of their own so that several attune
 * instances in one process (tests) never collide, plus Node's default process metrics.
 *
 * Every label value is bounded: channels and error codes are mapped to known values or `other`,
 * because a label taken from client input (a channelId) would let anyone grow the registry
 * without limit. No label carries an id or personal data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MainThreadReason } from '../nlu/threads/threaded-recognizer';
import type { AgentPool, EscalationTrigger } from '../storage/ports';
import { channelLabel, errorCodeLabel } from './labels';
import { settleWithin } from '../core/time-limit';

/** How a POST to /api/messages ended. */
export type TurnOutcome = 'ok' | 'failed' | 'rejected' | 'rate_limited' | 'unauthorized';

/** Reads the number of chats waiting in a pool; called at scrape time, so it must be cheap. */
export interface QueueDepthSource {
  depth(pool: AgentPool): Promise<number>;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC); default true. */
  readonly processMetrics?: boolean;
  /** A scrape waits at most this long for the queue depth before leaving it out (default 500 ms). */
  readonly queueDepthTimeoutMs?: number;
}

const POOLS: readonly AgentPool[] = ['apprentice', 'expert'];

export class AttuneMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'outcome'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly intentConfidence: Histogram;
  private readonly escalations: Counter<'trigger' | 'pool'>;
  private readonly queueWait: Histogram<'pool'>;
  private readonly handleTime: Histogram<'pool'>;
  private readonly csat: Histogram;
  private readonly errors: Counter<'code'>;
  private readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly nluOnMainThread: Counter<'reason'>;
  private queueDepthSource: QueueDepthSource | undefined;
  private readonly queueDepthTimeoutMs: number;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.queueDepthTimeoutMs = options.queueDepthTimeoutMs ?? 500;
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({ name: 'attune_turns_total', help: 'Activities posted to /api/messages, by channel and how they ended.', labelNames: ['channel', 'outcome'], registers });
    this.turnSeconds = new Histogram({
      name: 'attune_turn_duration_seconds',
      help: 'Time from the start of a turn to its end, replies sent and state written.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.intentConfidence = new Histogram({
      name: 'attune_nlu_intent_confidence',
      help: 'Confidence of the intent chosen for each customer message (0–1).',
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
      registers,
    });
    this.escalations = new Counter({ name: 'attune_escalations_total', help: 'Conversations handed to people, by trigger and pool.', labelNames: ['trigger', 'pool'], registers });
    const queueDepth: Gauge<'pool'> = new Gauge({
      name: 'attune_queue_depth',
      help: 'Chats waiting for an agent, by pool (read at scrape time; absent when the queue did not answer).',
      labelNames: ['pool'],
      registers,
      collect: async () => {
        queueDepth.reset();
        await this.collectQueueDepth(queueDepth);
      },
    });
    this.queueWait = new Histogram({
      name: 'attune_queue_wait_seconds',
      help: 'How long a customer waited from asking for a person until an agent took the chat.',
      labelNames: ['pool'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    });
    this.handleTime = new Histogram({
      name: 'attune_handle_time_seconds',
      help: 'How long an agent had a chat, from taking it to resolving it.',
      labelNames: ['pool'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600],
      registers,
    });
    this.csat = new Histogram({ name: 'attune_csat_rating', help: 'Customer ratings (1–5) after a chat with an agent.', buckets: [1, 2, 3, 4, 5], registers });
    this.nluOnMainThread = new Counter({
      name: 'attune_nlu_main_thread_total',
      help: 'Messages the NLU threads did not answer, so the main thread did: busy (queue full), failed, timeout, unavailable (threads lost, new ones not up yet).',
      labelNames: ['reason'],
      registers,
    });
    this.errors = new Counter({ name: 'attune_errors_total', help: 'Errors answered or logged, by code (4xx client errors, failed turns, 5xx).', labelNames: ['code'], registers });
    this.httpSeconds = new Histogram({
      name: 'attune_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Where the queue depth gauge reads from (set once the queue exists). */
  useQueueDepth(source: QueueDepthSource): void {
    this.queueDepthSource = source;
  }

  turnEnded(channelId: string | undefined, outcome: TurnOutcome, seconds?: number): void {
    const channel = channelLabel(channelId);
    this.turns.inc({ channel, outcome });
    if (seconds !== undefined) this.turnSeconds.observe({ channel }, seconds);
  }

  intentRecognized(confidence: number): void {
    if (Number.isFinite(confidence)) this.intentConfidence.observe(Math.min(1, Math.max(0, confidence)));
  }

  escalated(trigger: EscalationTrigger, pool: AgentPool): void {
    this.escalations.inc({ trigger, pool });
  }

  chatTaken(pool: AgentPool, waitedSeconds: number): void {
    if (waitedSeconds >= 0) this.queueWait.observe({ pool }, waitedSeconds);
  }

  chatResolved(pool: AgentPool, handledSeconds: number): void {
    if (handledSeconds >= 0) this.handleTime.observe({ pool }, handledSeconds);
  }

  nluAnsweredOnMainThread(reason: MainThreadReason): void {
    this.nluOnMainThread.inc({ reason });
  }

  rated(rating: number): void {
    this.csat.observe(rating);
  }

  error(code: unknown): void {
    this.errors.inc({ code: errorCodeLabel(code) });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async collectQueueDepth(gauge: Gauge<'pool'>): Promise<void> {
    const source = this.queueDepthSource;
    if (source === undefined) return;
    await Promise.all(
      POOLS.map(async (pool) => {
        const depth = await settleWithin(source.depth(pool), this.queueDepthTimeoutMs, () => undefined).catch(() => undefined);
        if (depth !== undefined) gauge.set({ pool }, depth);
      }),
    );
  }
}
