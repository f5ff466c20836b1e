/**
 * The local NLU on worker threads. A bot process is bound by its main thread: every turn's HTTP,
 * state, dialogs and rendering run there, one at a time. NLU is the largest piece of a turn that
 * needs nothing but the text, so it runs beside them on another core, with the same models and
 * the same answers.
 *
 * A turn never fails or waits long because of a thread: when the threads already have a queue
 * (busy: the main thread answers itself), when a thread fails, or when it does not answer within
 * the timeout (the thread is replaced), the in-process recognizer answers instead.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { MessageUnderstanding, Understanding } from '../types';

/** The recognizer on the main thread: answers at once. */
export interface LocalRecognizer {
  understand(text: string): Understanding;
}

/** What the main thread hands every NLU thread at start. */
export interface RecognizerThreadData {
  readonly modelDir: string;
}

/** Why a message was answered on the main thread. */
export type MainThreadReason = 'busy' | 'failed' | 'timeout';

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

export class ThreadedRecognizer implements MessageUnderstanding {
  private readonly pool: Piscina<string, Understanding>;
  private readonly local: LocalRecognizer;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly onMainThread: (reason: MainThreadReason, error?: unknown) => void;
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
      const started = AbortSignal.timeout(START_TIMEOUT_MS);
      await Promise.all(Array.from({ length: options.threads }, () => recognizer.pool.run('hello', { signal: started })));
      return recognizer;
    } catch (error) {
      await recognizer.close();
      throw error;
    }
  }

  private constructor(options: ThreadedRecognizerOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`[ThreadedRecognizer]: threads must be a positive integer, got ${options.threads}`);
    this.local = options.local;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxQueue = options.threads * (options.queuePerThread ?? DEFAULT_QUEUE_PER_THREAD);
    this.onMainThread = options.onMainThread ?? (() => undefined);
    const workerData: RecognizerThreadData = { modelDir: options.modelDir };
    this.pool = new Piscina({
      filename: options.threadModule ?? path.join(__dirname, 'recognizer-thread.js'),
      minThreads: options.threads,
      maxThreads: options.threads,
      // Threads stay up: starting one loads the models (a few hundred milliseconds).
      idleTimeout: Infinity,
      recordTiming: false,
      workerData,
    });
  }

  async understand(text: string): Promise<Understanding> {
    if (this.closing) return this.local.understand(text);
    if (this.pool.queueSize >= this.maxQueue) {
      this.onMainThread('busy');
      return this.local.understand(text);
    }
    try {
      return await this.pool.run(text, { signal: this.currentDeadline() });
    } catch (error) {
      if (!this.closing) this.onMainThread(isTimeout(error) ? 'timeout' : 'failed', error);
      return this.local.understand(text);
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

  /** Stops the threads; messages still waiting for one, and later ones, are answered on the main thread. */
  async close(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
