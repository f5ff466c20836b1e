/**
 * Tokens of the built-in Direct Line endpoint: HS256 JWTs (jsonwebtoken), short-lived, each scoped
 * to one conversation and one user. A `conversation` token authorises the REST calls of that
 * conversation; a `stream` token (a minute to connect, one connection) goes in the WebSocket URL,
 * because browsers cannot set headers on a WebSocket and a URL is more likely to end up in a
 * proxy's log.
 *
 * The user id lives in the token (`user`, as Azure's tokens carry it), so the server, not the
 * client, decides who an activity is from: a customer cannot post as someone else.
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AttuneError } from '../../core/errors';

/** Azure's tokens last 30 minutes too; Microsoft's client refreshes them every 15. */
export const TOKEN_TTL_SECONDS = 30 * 60;
/** Time to open the WebSocket after asking for a stream URL (Azure allows 60 seconds too). */
export const STREAM_TOKEN_TTL_SECONDS = 60;

const ISSUER = 'attune-directline';
type Scope = 'conversation' | 'stream';

export interface DirectLineGrant {
  readonly conversationId: string;
  readonly userId: string;
}

/** A stream token's grant, with what lets it be used once: its id and when it expires (ms). */
export interface StreamGrant extends DirectLineGrant {
  readonly tokenId: string;
  readonly expiresAt: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly expires_in: number;
}

export class DirectLineTokens {
  /** True when the key was generated at start (no DIRECT_LINE_TOKEN_SECRET): one instance only. */
  readonly ephemeralKey: boolean;
  private readonly key: Buffer;

  constructor(secret: string | undefined, private readonly ttlSeconds = TOKEN_TTL_SECONDS) {
    this.ephemeralKey = secret === undefined;
    this.key = secret === undefined ? randomBytes(48) : Buffer.from(secret, 'utf8');
  }

  /** A token for the REST calls of one conversation. */
  issue(grant: DirectLineGrant): IssuedToken {
    return { token: this.sign(grant, 'conversation', this.ttlSeconds), expires_in: this.ttlSeconds };
  }

  /** A one-minute token for opening the conversation's WebSocket stream (once: see DirectLineStream). */
  issueStream(grant: DirectLineGrant): string {
    return this.sign(grant, 'stream', STREAM_TOKEN_TTL_SECONDS);
  }

  /**
   * Checks signature, expiry and scope.
   * @throws AttuneError ATTUNE_UNAUTHORIZED when the token is missing, forged, expired or of another scope
   */
  verify(token: string | undefined, scope: Scope = 'conversation'): DirectLineGrant {
    const claims = this.claims(token, scope);
    return { conversationId: claims.conv, userId: claims.user };
  }

  /**
   * Checks a stream token like verify(…, 'stream') and returns, with its grant, its id and expiry,
   * so that the stream can let each token through once.
   * @throws AttuneError ATTUNE_UNAUTHORIZED as verify does
   */
  verifyStream(token: string | undefined): StreamGrant {
    const claims = this.claims(token, 'stream');
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') throw new AttuneError('ATTUNE_UNAUTHORIZED', 'The Direct Line token is not valid.');
    return { conversationId: claims.conv, userId: claims.user, tokenId: claims.jti, expiresAt: claims.exp * 1000 };
  }

  private claims(token: string | undefined, scope: Scope): jwt.JwtPayload & { conv: string; user: string } {
    if (!token) throw new AttuneError('ATTUNE_UNAUTHORIZED', 'Send a Direct Line token: Authorization: Bearer <token>.');
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: scope });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw new AttuneError('ATTUNE_UNAUTHORIZED', expired ? 'The Direct Line token has expired; get a new one.' : 'The Direct Line token is not valid.');
    }
    if (typeof claims === 'string' || typeof claims.conv !== 'string' || typeof claims.user !== 'string') {
      throw new AttuneError('ATTUNE_UNAUTHORIZED', 'The Direct Line token is not valid.');
    }
    return { ...claims, conv: claims.conv, user: claims.user };
  }

  private sign(grant: DirectLineGrant, scope: Scope, ttlSeconds: number): string {
    return jwt.sign({ conv: grant.conversationId, user: grant.userId }, this.key, {
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: scope,
      expiresIn: ttlSeconds,
      jwtid: randomBytes(9).toString('base64url'),
    });
  }
}

/** The `Authorization: Bearer …` value, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
