/**
 * How many new web chat conversations (tokens) one client address may start per minute, for the
 * built-in endpoint and for Azure's alike: each token is a conversation (and, with Azure, a
 * billed Direct Line session), so a script must not mint them in a loop.
 */
import type { Request, Response } from 'restify';
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { clientAddressKey, LoginRateLimiter } from '../../server/auth/login-rate-limiter';

export type ClientAddress = (req: Request) => string | undefined;

export class NewConversationLimit {
  // A sliding window of attempts per key: the same bookkeeping staff sign-ins use.
  private readonly window: LoginRateLimiter;
  private readonly clientAddress: ClientAddress;

  constructor(perMinute: number, private readonly logger: Logger, clientAddress?: ClientAddress) {
    this.window = new LoginRateLimiter({ attempts: perMinute, windowMs: 60_000 });
    this.clientAddress = clientAddress ?? ((req: Request) => req.socket.remoteAddress);
  }

  /** Counts one new conversation for the request's client. @throws AttuneError ATTUNE_RATE_LIMITED (with Retry-After set) */
  check(req: Request, res: Response): void {
    const client = clientAddressKey(this.clientAddress(req));
    const attempt = this.window.tryAttempt([`address:${client}`]);
    if (attempt.allowed) return;
    const seconds = Math.ceil(attempt.retryAfterMs / 1000);
    this.logger.warn({ event: 'directline_token_throttled', client }, 'direct line: token requests throttled');
    res.header('Retry-After', String(seconds));
    throw new AttuneError('ATTUNE_RATE_LIMITED', `Too many new conversations from this address; try again in ${seconds} seconds.`);
  }
}
