/**
 * The AgentQueue on Redis with BullMQ (DESIGN.md §4), shared by every bot instance.
 *
 * - One BullMQ queue per pool (`<prefix>:apprentice`, `<prefix>:expert`). A chat is a job whose id
 *   is derived from the escalation id, so enqueueing it twice adds it once. attune's priority
 *   (higher first) becomes BullMQ's (lower first) as `2,097,151 - priority`; among equal
 *   priorities BullMQ serves in the order jobs were added, and keepOldestFirst makes that the
 *   order of enqueuedAt.
 * - Agents take chats by manual fetching: a Worker without a processor moves the next job to
 *   active under a fresh token (atomically in Redis, so each chat goes to exactly one caller,
 *   across processes) and completes it at once, which removes it. If the process dies in between,
 *   the stalled-job check puts the chat back after the lock expires (30 s).
 * - Timers are delayed jobs in `<prefix>:timers`, run by a real Worker that calls the registered
 *   handler (at least once: a failing handler is retried with backoff, a job whose process died is
 *   picked up again by the stalled-job check). Each schedule adds a job with a fresh id and records
 *   it in the hash `<prefix>:timer-current`; a delivery whose job is no longer the recorded one was
 *   replaced or cancelled and is skipped. This keeps "reschedule replaces" true even when the old
 *   job cannot be removed because its handler is running (e.g. a handler that reschedules itself).
 *
 * Redis is reached with node-redis (the `redis` package), which BullMQ 6 supports natively. Its
 * defaults are what BullMQ needs: commands wait in the offline queue while the client reconnects
 * (the equivalent of ioredis' `maxRetriesPerRequest: null`), and it reconnects forever with
 * backoff after a Redis restart. Both are kept as they are.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { createClient, type RedisClientOptions } from 'redis';
import type { Logger } from '../../core/logger';
import { createLogger } from '../../core/logger';
import type { AgentPool } from '../../storage/ports';
import type { AgentQueue, DueTimer, QueuePosition, TimerHandler, TimerKind, WaitingChat } from './agent-queue';
import {
  AGENT_POOLS,
  MAX_CHAT_PRIORITY,
  TIMER_KINDS,
  checkEscalationId,
  checkLimit,
  checkPool,
  checkPools,
  checkTimer,
  checkWaitingChat,
} from './queue-input';
import { DEFAULT_TIMER_RETRY, checkRetryPolicy, retryDelayMs, type TimerRetryPolicy } from './timer-retry';

export interface BullMqAgentQueueOptions {
  /** A `redis://` or `rediss://` URL, or node-redis client options. */
  readonly connection: string | RedisClientOptions;
  /**
   * Key prefix: everything lives under `<prefix>:` (`<prefix>:apprentice`, `<prefix>:expert`,
   * `<prefix>:timers`, `<prefix>:timer-current`). Tests use random prefixes so they never collide.
   */
  readonly prefix: string;
  readonly logger?: Logger;
  /** How a timer whose handler failed is retried (default DEFAULT_TIMER_RETRY). */
  readonly timerRetry?: TimerRetryPolicy;
  /** Timer handlers this process runs at the same time (default 4). */
  readonly timerConcurrency?: number;
  /** How long close() waits for workers and queues before dropping the connections (default 10 s). */
  readonly closeTimeoutMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

/** BullMQ serves priority 1 first; 0 would mean "no priority" and jump ahead of every prioritized job. */
const BULLMQ_LOWEST_PRIORITY = MAX_CHAT_PRIORITY + 1;
const CHAT_JOB = 'chat';
/** BullMQ orders prioritized jobs by `priority × 2^32 + counter`. */
const PRIORITY_BAND = 2 ** 32;
const BAND_PAGE = 8;
const TIMER_BACKOFF = 'attune-timer';

/** Deletes the hash field only if it still names this job (the timer was not replaced meanwhile). */
const DELETE_IF_CURRENT = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

export class BullMqAgentQueue implements AgentQueue {
  readonly prefix: string;
  private readonly logger: Logger;
  private readonly retry: TimerRetryPolicy;
  private readonly timerConcurrency: number;
  private readonly closeTimeoutMs: number;
  private readonly client: RedisClient;
  private readonly connecting: Promise<void>;
  private readonly queues: Record<AgentPool, Queue<WaitingChat>>;
  private readonly takers: Record<AgentPool, Worker<WaitingChat>>;
  private readonly timerQueue: Queue<DueTimer>;
  private readonly currentTimers: string;
  private timerWorker?: Worker<DueTimer>;
  private redisDown = false;
  private closing?: Promise<void>;

  constructor(options: BullMqAgentQueueOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('[BullMqAgentQueue]: Missing parameter. options are required');
    const { connection, prefix } = options;
    if (typeof prefix !== 'string' || prefix === '') throw new TypeError('[BullMqAgentQueue]: Missing parameter. prefix is required');
    if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
      throw new TypeError('[BullMqAgentQueue]: Missing parameter. connection (a Redis URL or node-redis options) is required');
    }
    this.prefix = prefix;
    this.logger = (options.logger ?? createLogger('info')).child({ component: 'agent-queue', adapter: 'bullmq', prefix });
    this.retry = checkRetryPolicy(options.timerRetry ?? DEFAULT_TIMER_RETRY);
    this.timerConcurrency = options.timerConcurrency ?? 4;
    if (!Number.isInteger(this.timerConcurrency) || this.timerConcurrency < 1) {
      throw new RangeError(`timerConcurrency must be an integer ≥ 1, got ${this.timerConcurrency}`);
    }
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.currentTimers = `${prefix}:timer-current`;

    const clientOptions: RedisClientOptions = typeof connection === 'string' ? { url: connection } : { ...connection };
    // BullMQ's workers need commands to wait for a reconnect rather than fail (see the file comment).
    this.client = createClient({ ...clientOptions, disableOfflineQueue: false });
    this.client.on('error', (error: unknown) => this.connectionError(error));
    this.client.on('ready', () => this.connectionReady());
    this.connecting = this.client.connect().then(
      () => undefined,
      // Rejects only when the client is closed before it ever connected; errors were logged.
      () => undefined,
    );

    const base = { connection: this.client, prefix };
    this.queues = { apprentice: new Queue<WaitingChat>('apprentice', base), expert: new Queue<WaitingChat>('expert', base) };
    this.takers = {
      apprentice: new Worker<WaitingChat>('apprentice', null, { ...base, autorun: false }),
      expert: new Worker<WaitingChat>('expert', null, { ...base, autorun: false }),
    };
    this.timerQueue = new Queue<DueTimer>('timers', base);
    for (const queue of [...Object.values(this.queues), this.timerQueue]) queue.on('error', (error: unknown) => this.bullError(error));
    for (const taker of Object.values(this.takers)) {
      taker.on('error', (error: unknown) => this.bullError(error));
      // Manual fetching runs no stalled-job check by itself: without it a chat whose taker died
      // between fetching and completing would stay active, out of the queue, for good.
      taker.startStalledCheckTimer().catch((error: unknown) => this.bullError(error));
    }
  }

  /**
   * Resolves once Redis answered on every connection this queue uses; rejects after `timeoutMs`
   * (the queue keeps trying to connect in the background until it is closed).
   */
  async ready(timeoutMs = 5000): Promise<void> {
    const all = Promise.all([
      this.connecting,
      ...Object.values(this.queues).map((queue) => queue.waitUntilReady()),
      ...Object.values(this.takers).map((taker) => taker.waitUntilReady()),
      this.timerQueue.waitUntilReady(),
    ]);
    all.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async enqueue(chat: WaitingChat): Promise<void> {
    this.checkOpen();
    checkWaitingChat(chat);
    const jobId = chatJobId(chat.escalationId);
    // "The same escalation again changes nothing", also when it waits in the other pool.
    const others = AGENT_POOLS.filter((pool) => pool !== chat.pool);
    const states = await Promise.all(others.map((pool) => this.queues[pool].getJobState(jobId)));
    if (states.some((state) => state !== 'unknown')) return;
    const data: WaitingChat = { escalationId: chat.escalationId, pool: chat.pool, priority: chat.priority, enqueuedAt: chat.enqueuedAt };
    const priority = BULLMQ_LOWEST_PRIORITY - chat.priority;
    // Adding an id that exists is a no-op in BullMQ: the first enqueue wins.
    await this.queues[chat.pool].add(CHAT_JOB, data, { jobId, priority, removeOnComplete: true, removeOnFail: true });
    await this.keepOldestFirst(chat.pool, jobId);
  }

  /**
   * BullMQ serves equal priorities in the order they were added; attune serves them oldest first
   * (a chat re-queued after an SLA boost keeps its original enqueuedAt). The chat just added sits
   * at the end of its priority band; the band's chats that are younger than it (normally none, so
   * this reads one job) are moved behind it, keeping their order, with BullMQ's changePriority.
   *
   * The band is read with BullMQ's prioritized score, `priority × 2^32 + counter`. Two enqueues
   * racing from two processes may leave such chats slightly out of age order, never lost or doubled.
   */
  private async keepOldestFirst(pool: AgentPool, jobId: string): Promise<void> {
    const queue = this.queues[pool];
    const stored = await this.client.hGet(queue.toKey(jobId), 'data');
    if (stored === null || stored === undefined) return; // already taken
    // What is stored, not what was asked: when the chat was waiting already, the first enqueue won.
    const { enqueuedAt, ...stayed } = toWaitingChat(JSON.parse(stored));
    const priority = BULLMQ_LOWEST_PRIORITY - stayed.priority;
    const lowest = String(priority * PRIORITY_BAND);
    const highest = `(${(priority + 1) * PRIORITY_BAND}`;
    const younger: string[] = [];
    for (let offset = 0; ; offset += BAND_PAGE) {
      const ids = (await this.client.zRange(queue.keys.prioritized, highest, lowest, { BY: 'SCORE', REV: true, LIMIT: { offset, count: BAND_PAGE } })).filter(
        (id) => id !== jobId,
      );
      if (ids.length === 0) break;
      const times = await Promise.all(ids.map((id) => this.client.hGet(queue.toKey(id), 'data')));
      const firstNotYounger = times.findIndex((json) => json === null || json === undefined || toWaitingChat(JSON.parse(json)).enqueuedAt <= enqueuedAt);
      younger.push(...(firstNotYounger < 0 ? ids : ids.slice(0, firstNotYounger)));
      if (firstNotYounger >= 0) break;
    }
    // Oldest of them first, so they keep their order behind the new chat.
    for (const id of younger.reverse()) {
      const job = await queue.getJob(id);
      await job?.changePriority({ priority }).catch(() => undefined); // taken meanwhile: nothing to move
    }
  }

  async remove(escalationId: string): Promise<boolean> {
    this.checkOpen();
    checkEscalationId(escalationId);
    const jobId = chatJobId(escalationId);
    const states = await Promise.all(AGENT_POOLS.map((pool) => this.queues[pool].getJobState(jobId)));
    const index = states.findIndex((state) => state === 'prioritized' || state === 'waiting');
    if (index < 0) return false;
    // 0 when an agent's takeNext moved it to active meanwhile: then it was taken, not removed.
    // Two removes racing from two processes may both resolve true; the store's checked
    // transition, not this boolean, decides who acted on the escalation.
    return (await this.queues[AGENT_POOLS[index]].remove(jobId)) === 1;
  }

  async waiting(pool: AgentPool, limit?: number): Promise<WaitingChat[]> {
    this.checkOpen();
    checkPool(pool);
    checkLimit(limit);
    if (limit === 0) return [];
    // Ascending by BullMQ priority score, which is the order the workers fetch in.
    const jobs = await this.queues[pool].getJobs(['prioritized'], 0, limit === undefined ? -1 : limit - 1, true);
    return jobs.filter((job) => job !== undefined).map((job) => toWaitingChat(job.data));
  }

  async position(escalationId: string): Promise<QueuePosition | undefined> {
    this.checkOpen();
    checkEscalationId(escalationId);
    const jobId = chatJobId(escalationId);
    const lines = await Promise.all(AGENT_POOLS.map((pool) => this.queues[pool].getRanges(['prioritized'], 0, -1, true)));
    for (const line of lines) {
      const index = line.indexOf(jobId);
      if (index >= 0) return { position: index + 1, waiting: line.length };
    }
    return undefined;
  }

  async takeNext(pools: readonly AgentPool[]): Promise<WaitingChat | undefined> {
    this.checkOpen();
    checkPools(pools);
    for (const pool of pools) {
      const token = randomUUID();
      const job = (await this.takers[pool].getNextJob(token, { block: false })) as Job<WaitingChat> | undefined;
      if (job === undefined || job === null) continue;
      // Completing removes it (removeOnComplete): the chat now belongs to this caller alone.
      await job.moveToCompleted(null, token, false);
      return toWaitingChat(job.data);
    }
    return undefined;
  }

  async schedule(kind: TimerKind, escalationId: string, dueAt: number): Promise<void> {
    this.checkOpen();
    checkTimer(kind, escalationId, dueAt);
    const field = timerField(kind, escalationId);
    const jobId = `${field}.${randomUUID()}`;
    // Record the new job first, so that neither the old job nor a crash can deliver a stale timer.
    const [previous] = await this.client.multi().hGet(this.currentTimers, field).hSet(this.currentTimers, field, jobId).exec();
    const data: DueTimer = { kind, escalationId, dueAt };
    await this.timerQueue.add(kind, data, {
      jobId,
      delay: Math.max(0, dueAt - Date.now()),
      attempts: this.retry.attempts,
      backoff: { type: TIMER_BACKOFF },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
    if (typeof previous === 'string') await this.removeTimerJob(previous);
  }

  async cancelTimer(kind: TimerKind, escalationId: string): Promise<void> {
    this.checkOpen();
    checkTimer(kind, escalationId);
    const field = timerField(kind, escalationId);
    const [previous] = await this.client.multi().hGet(this.currentTimers, field).hDel(this.currentTimers, field).exec();
    if (typeof previous === 'string') await this.removeTimerJob(previous);
  }

  onTimer(handler: TimerHandler): void {
    this.checkOpen();
    if (typeof handler !== 'function') throw new TypeError('onTimer needs a handler function');
    if (this.timerWorker !== undefined) throw new Error('onTimer was already called on this queue; call it once per process');
    this.timerWorker = new Worker<DueTimer>('timers', (job) => this.deliverTimer(job, handler), {
      connection: this.client,
      prefix: this.prefix,
      concurrency: this.timerConcurrency,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(this.retry, attemptsMade) },
    });
    this.timerWorker.on('error', (error: unknown) => this.bullError(error));
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Workers first (the timer worker lets running handlers finish), then the queues, then Redis.
    // While Redis is down there is nothing to wait for, and a graceful close would wait for it to
    // come back (node-redis' QUIT waits in its offline queue), so the connections are dropped.
    const force = !this.client.isReady;
    const closing = (async () => {
      await this.settle('timer worker', this.timerWorker?.close(force));
      await this.settle('take workers', Promise.all(Object.values(this.takers).map((taker) => taker.close(force))));
      await this.settle('queues', Promise.all([...Object.values(this.queues), this.timerQueue].map((queue) => queue.close())));
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // A safety net: a connection that is still reconnecting when it is closed gracefully can wait
      // for Redis for good (node-redis' QUIT waits in its offline queue). Drop them all instead.
      this.logger.warn({ closeTimeoutMs: this.closeTimeoutMs }, 'Closing the agent queue timed out; dropping its Redis connections');
      const all = [this.timerWorker, ...Object.values(this.takers), ...Object.values(this.queues), this.timerQueue];
      await Promise.all(all.map((part) => this.settle('disconnect', part?.disconnect())));
    }
    if (this.client.isReady) await this.settle('redis client', this.client.close());
    else if (this.client.isOpen) this.client.destroy();
    await this.connecting;
  }

  private async settle(what: string, closing: Promise<unknown> | undefined): Promise<void> {
    try {
      await closing;
    } catch (error) {
      this.logger.warn({ err: error, what }, 'Error while closing the agent queue');
    }
  }

  private checkOpen(): void {
    if (this.closing !== undefined) throw new Error('This AgentQueue is closed');
  }

  private async deliverTimer(job: Job<DueTimer>, handler: TimerHandler): Promise<void> {
    const timer = toDueTimer(job.data);
    const field = timerField(timer.kind, timer.escalationId);
    if ((await this.client.hGet(this.currentTimers, field)) !== job.id) return; // replaced or cancelled
    try {
      await handler(timer);
    } catch (error) {
      const attempt = job.attemptsMade + 1;
      const final = attempt >= (job.opts.attempts ?? 1);
      const context = { err: error, kind: timer.kind, escalationId: timer.escalationId, attempt };
      if (final) {
        this.logger.error(context, 'Timer handler failed on its last attempt; the timer is dropped');
        await this.forgetTimer(field, job.id);
      } else {
        this.logger.warn(context, 'Timer handler failed; the timer will be delivered again');
      }
      throw error;
    }
    await this.forgetTimer(field, job.id);
  }

  private async forgetTimer(field: string, jobId: string | undefined): Promise<void> {
    if (jobId === undefined) return;
    await this.client.eval(DELETE_IF_CURRENT, { keys: [this.currentTimers], arguments: [field, jobId] });
  }

  /** Removes a replaced timer's job; one whose handler is running stays, and is skipped if retried. */
  private async removeTimerJob(jobId: string): Promise<void> {
    try {
      await this.timerQueue.remove(jobId);
    } catch (error) {
      this.logger.warn({ err: error, jobId }, 'Could not remove a replaced timer job; it will be skipped when due');
    }
  }

  private connectionError(error: unknown): void {
    if (this.redisDown || this.closing !== undefined) return;
    this.redisDown = true;
    this.logger.warn({ err: error }, 'Redis connection lost; commands wait while the client reconnects');
  }

  private connectionReady(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.info('Redis connection restored');
  }

  private bullError(error: unknown): void {
    // While Redis is down every connection reports it; connectionError logged it once.
    if (this.redisDown || this.closing !== undefined) return;
    this.logger.warn({ err: error }, 'BullMQ reported an error');
  }
}

/**
 * BullMQ job ids may not contain ':' or be integers; escalation ids may (e.g. "webchat:42"), so
 * they are percent-encoded behind a fixed prefix. The mapping is one-to-one, which is what makes
 * enqueue idempotent.
 */
function chatJobId(escalationId: string): string {
  return `chat.${encodeURIComponent(escalationId)}`;
}

function timerField(kind: TimerKind, escalationId: string): string {
  return `${kind}.${encodeURIComponent(escalationId)}`;
}

function toWaitingChat(data: unknown): WaitingChat {
  const chat = data as Partial<WaitingChat> | null;
  if (
    chat === null ||
    typeof chat !== 'object' ||
    typeof chat.escalationId !== 'string' ||
    !AGENT_POOLS.includes(chat.pool as AgentPool) ||
    typeof chat.priority !== 'number' ||
    typeof chat.enqueuedAt !== 'number'
  ) {
    throw new Error(`Unexpected chat job data in Redis: ${JSON.stringify(data)}`);
  }
  return { escalationId: chat.escalationId, pool: chat.pool as AgentPool, priority: chat.priority, enqueuedAt: chat.enqueuedAt };
}

function toDueTimer(data: unknown): DueTimer {
  const timer = data as Partial<DueTimer> | null;
  if (
    timer === null ||
    typeof timer !== 'object' ||
    !TIMER_KINDS.includes(timer.kind as TimerKind) ||
    typeof timer.escalationId !== 'string' ||
    typeof timer.dueAt !== 'number'
  ) {
    throw new Error(`Unexpected timer job data in Redis: ${JSON.stringify(data)}`);
  }
  return { kind: timer.kind as TimerKind, escalationId: timer.escalationId, dueAt: timer.dueAt };
}
