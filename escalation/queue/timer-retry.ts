/**
 * How often, and how soon, a timer whose handler failed is delivered again. Both adapters use the
 * same policy: delays double from `firstDelayMs` up to `maxDelayMs`, for `attempts` deliveries in
 * all. The defaults keep retrying for about an hour, long enough to ride out a store or network
 * outage, without retrying a handler that fails for good forever.
 */
export interface TimerRetryPolicy {
  /** Deliveries in all, the first one included (≥ 1). */
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_TIMER_RETRY: TimerRetryPolicy = Object.freeze({ attempts: 20, firstDelayMs: 1000, maxDelayMs: 300_000 });

/** Delay before delivery number `failedAttempts + 1`, after `failedAttempts` (≥ 1) failures. */
export function retryDelayMs(policy: TimerRetryPolicy, failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(exponent, 30));
}

export function checkRetryPolicy(policy: TimerRetryPolicy): TimerRetryPolicy {
  const { attempts, firstDelayMs, maxDelayMs } = policy;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`timerRetry.attempts must be an integer ≥ 1, got ${attempts}`);
  if (!(Number.isFinite(firstDelayMs) && firstDelayMs >= 0)) throw new RangeError(`timerRetry.firstDelayMs must be ≥ 0, got ${firstDelayMs}`);
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= firstDelayMs)) {
    throw new RangeError(`timerRetry.maxDelayMs must be ≥ firstDelayMs, got ${maxDelayMs}`);
  }
  return Object.freeze({ attempts, firstDelayMs, maxDelayMs });
}
