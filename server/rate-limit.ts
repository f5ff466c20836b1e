/**
 * Token buckets by key, in bounded memory. Each key may spend `burst` requests at once and earns
 * them back at `perMinute`. A bucket that has refilled to full is the same as no bucket, so when
 * the table is full the least recently used bucket is dropped: at worst a key that was idle for a
 * while gets a fresh, full bucket, which is what it would have had anyway.
 */
export interface TokenBucketLimit {
  /** Requests earned back per minute (sustained rate). */
  readonly perMinute: number;
  /** Requests allowed at once (bucket size). */
  readonly burst: number;
}

export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: TokenBucketLimit,
    /** Most keys remembered at once (memory bound; about 100 bytes each). */
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.perMinute > 0) || !(limit.burst >= 1)) throw new RangeError('[TokenBuckets]: perMinute must be > 0 and burst ≥ 1');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('[TokenBuckets]: maxKeys must be an integer ≥ 1');
    this.perMs = limit.perMinute / 60_000;
  }

  /** Spends one token of `key`'s bucket if it has one. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket === undefined ? this.limit.burst : Math.min(this.limit.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    if (bucket !== undefined) this.buckets.delete(key); // re-inserted below: Map order is recency
    if (tokens < 1) {
      this.remember(key, { tokens, updatedAt: now });
      return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / this.perMs) };
    }
    this.remember(key, { tokens: tokens - 1, updatedAt: now });
    return { allowed: true };
  }

  /** How many keys are remembered (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private remember(key: string, bucket: Bucket): void {
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, bucket);
  }
}
