/**
 * Sign-in throttling, in memory: at most `attempts` unsuccessful sign-ins per key (the routes use
 * the client address) within a sliding `windowMs`. Successful sign-ins do not count, so an office behind
 * one address is not locked out at the start of a shift; attempts still in flight do count, so
 * firing many requests at once gains nothing.
 *
 * In memory means per process and forgotten on restart: enough to make guessing a generated
 * password hopeless, which is what it is for.
 */
import { isIPv6 } from 'node:net';

export interface RateLimit {
  readonly attempts: number;
  readonly windowMs: number;
}

/** 10 attempts per 5 minutes, per key. */
export const DEFAULT_LOGIN_RATE_LIMIT: RateLimit = Object.freeze({ attempts: 10, windowMs: 5 * 60 * 1000 });

/** Beyond this many keys, the oldest are dropped first, so a flood of addresses cannot exhaust memory. */
const MAX_KEYS = 50_000;

export type AttemptDecision =
  | {
      readonly allowed: true;
      /** Takes this attempt off the count (call it when the sign-in succeeded). */
      forgive(): void;
    }
  | { readonly allowed: false; readonly retryAfterMs: number };

export class LoginRateLimiter {
  /** Per key, the times of the attempts that count, oldest first. */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: RateLimit = DEFAULT_LOGIN_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit.attempts) || limit.attempts < 1 || !(limit.windowMs > 0)) {
      throw new RangeError('[LoginRateLimiter]: attempts must be a positive whole number and windowMs positive');
    }
  }

  /**
   * Counts one attempt against every key, unless a key has used up its attempts; then nothing is
   * counted and the decision says when the oldest attempt of the busiest key leaves the window.
   */
  tryAttempt(keys: readonly string[]): AttemptDecision {
    const at = this.now();
    const since = at - this.limit.windowMs;
    let retryAfterMs = 0;
    for (const key of keys) {
      const recent = this.recent(key, since);
      if (recent.length >= this.limit.attempts) {
        retryAfterMs = Math.max(retryAfterMs, recent[recent.length - this.limit.attempts] - since);
      }
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };

    for (const key of keys) {
      const recent = this.recent(key, since);
      recent.push(at);
      // Re-inserted so that the map's order is least recently used first.
      this.attempts.delete(key);
      this.attempts.set(key, recent);
    }
    this.evictIfFull();
    let forgiven = false;
    return {
      allowed: true,
      forgive: () => {
        if (forgiven) return;
        forgiven = true;
        for (const key of keys) this.remove(key, at);
      },
    };
  }

  /** The key's attempts within the window (older ones are dropped). */
  private recent(key: string, since: number): number[] {
    const times = this.attempts.get(key);
    if (times === undefined) return [];
    const firstRecent = times.findIndex((time) => time > since);
    const recent = firstRecent < 0 ? [] : times.slice(firstRecent);
    if (recent.length === 0) this.attempts.delete(key);
    return recent;
  }

  private remove(key: string, at: number): void {
    const times = this.attempts.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (times === undefined || index < 0) return;
    times.splice(index, 1);
    if (times.length === 0) this.attempts.delete(key);
  }

  private evictIfFull(): void {
    for (const key of this.attempts.keys()) {
      if (this.attempts.size <= MAX_KEYS) return;
      this.attempts.delete(key);
    }
  }
}

/**
 * The rate-limit key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64
 * network, since one IPv6 client usually controls a whole /64.
 */
export function clientAddressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
