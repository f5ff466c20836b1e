/**
 * Chooses the AgentQueue adapter from configuration (DESIGN.md §4): BullMQ on Redis when a Redis
 * URL is configured, otherwise the in-process queue. It never falls back from one to the other:
 * a configured Redis that cannot be reached stops the start with an error naming REDIS_URL.
 */
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { AgentQueue } from './agent-queue';
import { BullMqAgentQueue } from './bullmq-agent-queue';
import { InProcessAgentQueue } from './in-process-agent-queue';
import type { TimerRetryPolicy } from './timer-retry';

export interface AgentQueueConfig {
  /** REDIS_URL: `redis://` or `rediss://`. Unset or empty means the in-process queue. */
  readonly redisUrl?: string;
  /** Redis key prefix (default `attune`). */
  readonly prefix?: string;
  readonly logger?: Logger;
  /** How long to wait for Redis at start before failing (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** How a timer whose handler failed is retried (default DEFAULT_TIMER_RETRY). */
  readonly timerRetry?: TimerRetryPolicy;
}

export const DEFAULT_QUEUE_PREFIX = 'attune';

/**
 * Opens the agent queue the configuration asks for and, for Redis, waits until Redis answers.
 *
 * @throws AttuneError `ATTUNE_CONFIG_INVALID` for an empty prefix or a bad timeout,
 *   `ATTUNE_STORAGE_UNAVAILABLE` when REDIS_URL is set but Redis does not answer in time.
 */
export async function createAgentQueue(config: AgentQueueConfig = {}): Promise<AgentQueue> {
  const { redisUrl, logger, timerRetry } = config;
  const prefix = config.prefix ?? DEFAULT_QUEUE_PREFIX;
  const connectTimeoutMs = config.connectTimeoutMs ?? 5000;
  if (typeof prefix !== 'string' || !/^\S+$/.test(prefix)) {
    throw new AttuneError('ATTUNE_CONFIG_INVALID', `The agent queue prefix must be non-empty, without spaces; got ${JSON.stringify(prefix)}.`);
  }
  if (!(Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0)) {
    throw new AttuneError('ATTUNE_CONFIG_INVALID', 'connectTimeoutMs must be a positive number of milliseconds.');
  }
  if (redisUrl === undefined || redisUrl === '') return new InProcessAgentQueue({ logger, timerRetry });

  const queue = new BullMqAgentQueue({ connection: redisUrl, prefix, logger, timerRetry });
  try {
    await queue.ready(connectTimeoutMs);
  } catch (error) {
    await queue.close();
    throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', `Redis at REDIS_URL (${redactUrl(redisUrl)}) did not answer within ${connectTimeoutMs} ms.`, {
      cause: error,
    });
  }
  return queue;
}

/** The URL without its password, fit for a log line or an error message. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
