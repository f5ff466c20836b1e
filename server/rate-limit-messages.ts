/**
 * Per-conversation rate limit on the two ways a customer's message enters a turn, POST
 * /api/messages and POST /v3/directline/conversations/:id/activities: a token bucket per channel
 * and conversation id (rate-limit.ts), so one noisy or hostile conversation cannot take the turns
 * of others.
 * Over the limit: 429 `ATTUNE_RATE_LIMITED` with `Retry-After`, before the turn runs (nothing is
 * read or written). On /api/messages the limit is charged after validation and after the channel's
 * token is checked (create-server.ts).
 *
 * The buckets live in each instance: behind a load balancer with N instances a conversation that
 * is spread over all of them gets up to N× the limit, which still bounds a flood.
 */
import type { Next, Request, Response, Server } from 'restify';
import { TokenBuckets, type TokenBucketLimit } from './rate-limit';

/** The built-in Direct Line's message route; its conversation id is in the path. */
const DIRECT_LINE_ACTIVITIES = /^\/v3\/directline\/conversations\/([^/]{1,256})\/activities$/;

/** A person types far slower than this; Direct Line typing indicators and retries fit well inside. */
export const DEFAULT_MESSAGE_RATE_LIMIT: TokenBucketLimit = { perMinute: 60, burst: 20 };

export interface MessageRateLimitOptions {
  readonly limit: TokenBucketLimit;
  readonly maxConversations?: number;
  readonly now?: () => number;
}

/**
 * Installs the limit for the built-in Direct Line's messages as restify middleware (it runs after
 * the body is parsed, before the handler). POST /api/messages is limited in create-server.ts, after
 * the channel's token is checked, so that unsigned requests cannot use up a conversation's budget.
 */
export function limitDirectLineMessages(server: Server, options: MessageRateLimitOptions): TokenBuckets {
  const buckets = new TokenBuckets(options.limit, options.maxConversations, options.now);
  server.use((req: Request, res: Response, next: Next) => {
    if (req.method !== 'POST') return next();
    const key = directLineKey(req.path());
    if (key === undefined) return next();
    const taken = buckets.take(key);
    if (taken.allowed) return next();
    refuseOverLimit(res, taken.retryAfterMs);
    return next(false);
  });
  return buckets;
}

/** 429 ATTUNE_RATE_LIMITED with Retry-After: nothing was read or written for the message. */
export function refuseOverLimit(res: Response, retryAfterMs: number): void {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  res.header('Retry-After', String(seconds));
  res.send(429, { code: 'ATTUNE_RATE_LIMITED', message: `Too many messages in this conversation; try again in ${seconds} second(s).` });
}

function directLineKey(path: string): string | undefined {
  const id = DIRECT_LINE_ACTIVITIES.exec(path)?.[1];
  return id === undefined ? undefined : `directline:${id}`;
}
