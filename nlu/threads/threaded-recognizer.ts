/**
 * The local NLU on worker threads. A bot process is bound by its main thread: every turn's HTTP,
 * state, dialogs and rendering run there, one at a time. NLU is the largest piece of a turn that
 * needs nothing but the text, so it runs beside them on another core, with the same models and
 * the same answers.
 *
 * A turn never fails or waits long because of a thread: when the threads already have a queue
 * (busy: the main thread answers itself), when a thread fails, or when it does not answer within
 * the timeout (the thread is replaced), the in-process recognizer answers instead. When a
 * replacement thread cannot even start (its models are gone, memory ran out), the pool is given
 * up, every message is answered on the main thread at once, and new threads are tried after a
 * growing pause: a lost thread never stops the process or makes customers wait.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { CustomerClock, MessageUnderstanding, Understanding } from '../types';

/** The recognizer on the main thread: answers at once. */
export interface LocalRecognizer {
  understand(text: string, clock?: CustomerClock): Understanding;
}

/** One message for a thread: its text, and the customer's clock for relative dates. */
export interface RecognizerTask {
  readonly text: string;
  readonly clock?: CustomerClock;
}

/** What the main thread hands every NLU thread at start. */
export interface RecognizerThreadData {
  readonly modelDir: string;
}

/** Why a message was answered on the main thread ('unavailable': the threads are lost, new ones not up yet). */
export type MainThreadReason = 'busy' | 'failed' | 'timeout' | 'unavailable';

/** The threads were given up (and when new ones will be tried), or new ones answer again. */
export type ThreadsEvent = { readonly kind: 'lost'; readonly error: unknown; readonly retryInMs: number } | { readonly kind: 'back' };

export interface ThreadedRecognizerOptions {
  readonly threads: number;
  /** The directory the in-process recognizer's models came from. */
  readonly modelDir: string;
  /** Answers when the threads cannot. */
  readonly local: LocalRecognizer;
  /** How long a thread may take for one message. */
  readonly timeoutMs?: number;
  /** Messages that may wait for a thread, per thread, before the main thread answers itself. */
  readonly queuePerThread?: number;
  /** Each message answered on the main thread, and why (failures also carry the error). */
  readonly onMainThread?: (reason: MainThreadReason, error?: unknown) => void;
  /** The thread module (the compiled recognizer-thread.js by default). */
  readonly threadModule?: string;
  /** Threads lost and back: for the operator's log. */
  readonly onThreadsEvent?: (event: ThreadsEvent) => void;
  /** The first pause before new threads are tried after the threads were lost; it doubles on each failed try. */
  readonly retryAfterMs?: number;
}

/** Starting a thread loads the models: a few hundred milliseconds, a few seconds on a busy machine. */
const START_TIMEOUT_MS = 30_000;

/** A thread answers in well under a millisecond; this only bounds a thread that stopped answering. */
const DEFAULT_TIMEOUT_MS = 1000;
/**
 * The main thread is what bounds a bot's turns per second, so it takes a message itself only when
 * a thread is really behind: a few waiting messages are a burst the thread clears in a millisecond
 * or two (at 8 per thread, a sixth of the benchmark's messages came back to the main thread).
 */
const DEFAULT_QUEUE_PER_THREAD = 32;
/**
 * Messages sent to the threads within one window share one timeout signal (a timer and signal for
 * each message cost about 1.5% of the main thread's time per turn): each gets between the timeout
 * and the timeout plus this window.
 */
const DEADLINE_WINDOW_MS = 100;
const DEFAULT_RETRY_AFTER_MS = 10_000;
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export class ThreadedRecognizer implements MessageUnderstanding {
  /** Undefined while the threads are lost and new ones are not up yet. */
  private pool: Piscina<RecognizerTask, Understanding> | undefined;
  private readonly options: ThreadedRecognizerOptions;
  private readonly local: LocalRecognizer;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly onMainThread: (reason: MainThreadReason, error?: unknown) => void;
  private readonly onThreadsEvent: (event: ThreadsEvent) => void;
  private readonly firstRetryAfterMs: number;
  /** The pause before the next try at new threads: doubles on each failed try, back to the first on success. */
  private retryAfterMs: number;
  private retry: NodeJS.Timeout | undefined;
  private closing = false;
  private deadline: AbortSignal | undefined;
  private deadlineWindowEndsAt = 0;

  /**
   * Starts the threads and resolves once they have answered a first message (one per thread), so no customer's
   * message waits for models to load (or times out doing so).
   *
   * @throws when a thread cannot start: the caller keeps NLU on the main thread.
   */
  static async start(options: ThreadedRecognizerOptions): Promise<ThreadedRecognizer> {
    const recognizer = new ThreadedRecognizer(options);
    try {
      recognizer.pool = await recognizer.startPool();
      return recognizer;
    } catch (error) {
      await recognizer.close();
      throw error;
    }
  }

  private constructor(options: ThreadedRecognizerOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`[ThreadedRecognizer]: threads must be a positive integer, got ${options.threads}`);
    this.options = options;
    this.local = options.local;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxQueue = options.threads * (options.queuePerThread ?? DEFAULT_QUEUE_PER_THREAD);
    this.onMainThread = options.onMainThread ?? (() => undefined);
    this.onThreadsEvent = options.onThreadsEvent ?? (() => undefined);
    this.firstRetryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    this.retryAfterMs = this.firstRetryAfterMs;
  }

  async understand(text: string, clock?: CustomerClock): Promise<Understanding> {
    const pool = this.pool;
    if (this.closing) return this.local.understand(text, clock);
    if (pool === undefined) {
      this.onMainThread('unavailable');
      return this.local.understand(text, clock);
    }
    if (pool.queueSize >= this.maxQueue) {
      this.onMainThread('busy');
      return this.local.understand(text, clock);
    }
    try {
      return await pool.run({ text, clock }, { signal: this.currentDeadline() });
    } catch (error) {
      if (!this.closing) {
        this.onMainThread(isTimeout(error) ? 'timeout' : 'failed', error);
        // Piscina does not replace a thread that failed while starting: with none left, messages
        // would only queue until their timeout.
        if (pool.threads.length === 0) this.lose(pool, error);
      }
      return this.local.understand(text, clock);
    }
  }

  /** Stops the threads; messages still waiting for one, and later ones, are answered on the main thread. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    await this.pool?.destroy();
  }

  /** A pool whose threads have all answered a first message. */
  private async startPool(): Promise<Piscina<RecognizerTask, Understanding>> {
    const workerData: RecognizerThreadData = { modelDir: this.options.modelDir };
    const pool = new Piscina<RecognizerTask, Understanding>({
      filename: this.options.threadModule ?? path.join(__dirname, 'recognizer-thread.js'),
      minThreads: this.options.threads,
      maxThreads: this.options.threads,
      // Threads stay up: starting one loads the models (a few hundred milliseconds).
      idleTimeout: Infinity,
      recordTiming: false,
      workerData,
    });
    // A thread failing outside a message (a replacement that cannot load its models) is reported
    // as an 'error' event: without a listener it would end the process.
    pool.on('error', (error: unknown) => this.lose(pool, error));
    try {
      const started = AbortSignal.timeout(START_TIMEOUT_MS);
      await Promise.all(Array.from({ length: this.options.threads }, () => pool.run({ text: 'hello' }, { signal: started })));
      return pool;
    } catch (error) {
      await pool.destroy();
      throw error;
    }
  }

  /** Gives the pool up (once): the main thread answers until new threads are up. */
  private lose(pool: Piscina<RecognizerTask, Understanding>, error: unknown): void {
    if (pool !== this.pool || this.closing) return;
    this.pool = undefined;
    void pool.destroy().catch(() => undefined);
    this.onThreadsEvent({ kind: 'lost', error, retryInMs: this.retryAfterMs });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retry = setTimeout(() => void this.tryNewThreads(), this.retryAfterMs);
    // A pending retry never keeps the process alive.
    this.retry.unref();
  }

  private async tryNewThreads(): Promise<void> {
    try {
      const pool = await this.startPool();
      if (this.closing) {
        await pool.destroy();
        return;
      }
      this.pool = pool;
      this.retryAfterMs = this.firstRetryAfterMs;
      this.onThreadsEvent({ kind: 'back' });
    } catch (error) {
      if (this.closing) return;
      this.retryAfterMs = Math.min(this.retryAfterMs * 2, MAX_RETRY_AFTER_MS);
      this.onThreadsEvent({ kind: 'lost', error, retryInMs: this.retryAfterMs });
      this.scheduleRetry();
    }
  }

  private currentDeadline(): AbortSignal {
    const now = Date.now();
    if (this.deadline === undefined || now >= this.deadlineWindowEndsAt) {
      this.deadline = AbortSignal.timeout(this.timeoutMs + DEADLINE_WINDOW_MS);
      // Every message of the window listens to it.
      setMaxListeners(0, this.deadline);
      this.deadlineWindowEndsAt = now + DEADLINE_WINDOW_MS;
    }
    return this.deadline;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
