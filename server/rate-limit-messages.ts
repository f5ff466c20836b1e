/**
 * Per-conversation rate limit on the two ways a customer's message enters a turn, POST
 * /api/messages and POST /v3/directline/conversations/:id/activities: a token bucket per channel
 * and conversation id (rate-limit.ts), so one noisy or hostile conversation cannot take the turns
 * of others.
 * Over the limit: 429 `ATTUNE_RATE_LIMITED` with `Retry-After`, before the turn runs (nothing is
 * read or written). Activities without a conversation id are left to validation (400).
 *
 * The buckets live in each instance: behind a load balancer with N instances a conversation that
 * is spread over all of them gets up to N× the limit, which still bounds a flood.
 */
import type { Next, Request, Response, Server } from 'restify';
import { TokenBuckets, type TokenBucketLimit } from './rate-limit';

export const MESSAGES_ROUTE = '/api/messages';
/** The built-in Direct Line's message route; its conversation id is in the path. */
const DIRECT_LINE_ACTIVITIES = /^\/v3\/directline\/conversations\/([^/]{1,256})\/activities$/;

/** A person types far slower than this; Direct Line typing indicators and retries fit well inside. */
export const DEFAULT_MESSAGE_RATE_LIMIT: TokenBucketLimit = { perMinute: 60, burst: 20 };

export interface MessageRateLimitOptions {
  readonly limit: TokenBucketLimit;
  readonly maxConversations?: number;
  readonly now?: () => number;
}

/** Installs the limit as restify middleware (it runs after the body is parsed, before the handler). */
export function limitMessagesPerConversation(server: Server, options: MessageRateLimitOptions): TokenBuckets {
  const buckets = new TokenBuckets(options.limit, options.maxConversations, options.now);
  server.use((req: Request, res: Response, next: Next) => {
    if (req.method !== 'POST') return next();
    const path = req.path();
    const key = path === MESSAGES_ROUTE ? conversationKey(req.body) : directLineKey(path);
    if (key === undefined) return next();
    const taken = buckets.take(key);
    if (taken.allowed) return next();
    const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    res.header('Retry-After', String(seconds));
    res.send(429, { code: 'ATTUNE_RATE_LIMITED', message: `Too many messages in this conversation; try again in ${seconds} second(s).` });
    return next(false);
  });
  return buckets;
}

function directLineKey(path: string): string | undefined {
  const id = DIRECT_LINE_ACTIVITIES.exec(path)?.[1];
  return id === undefined ? undefined : `directline:${id}`;
}

function conversationKey(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { channelId, conversation } = body as { channelId?: unknown; conversation?: { id?: unknown } | null };
  const id = conversation !== null && typeof conversation === 'object' ? conversation.id : undefined;
  if (typeof id !== 'string' || id === '') return undefined;
  // Bounded key size: the activity validator refuses longer ids anyway, but the bucket is taken first.
  return `${typeof channelId === 'string' ? channelId.slice(0, 64) : ''}:${id.slice(0, 256)}`;
}
