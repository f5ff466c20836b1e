/**
 * The Direct Line 3.0 REST API of the built-in endpoint, as Microsoft's client library
 * (botframework-directlinejs, inside Web Chat) calls it:
 *
 * - `POST /v3/directline/tokens/generate` — no secret in self-hosted mode: mints a token for a new
 *   conversation (and a new user id), rate-limited per client address → `{ conversationId, token, expires_in }`
 * - `POST /v3/directline/tokens/refresh` (token) → a fresh token for the same conversation
 * - `POST /v3/directline/conversations` (token) → starts it: 201 `{ conversationId, token, expires_in, streamUrl }`
 *   (200 when it had started)
 * - `GET /v3/directline/conversations/:id?watermark=` (token) → reconnect: a new streamUrl from the watermark
 * - `POST /v3/directline/conversations/:id/activities` (token) → `{ id }` once the bot has answered
 * - `GET /v3/directline/conversations/:id/activities?watermark=` (token) → polling: `{ activities, watermark }`
 *
 * A token works for its own conversation only: any other gets 403 (checked before whether that
 * conversation exists, so tokens cannot probe for conversations). Errors are `{ code, message }`.
 */
import { randomBytes } from 'node:crypto';
import type { ChannelAccount } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { withApiErrors } from '../../server/auth/api-errors';
import { conversationStarted, parseClientActivity, toBotActivity } from './client-activity';
import type { DirectLineConversation, DirectLineConversations } from './direct-line-conversations';
import { bearerTokenOf, type DirectLineGrant, type DirectLineTokens, type IssuedToken } from './direct-line-tokens';
import type { DirectLineTurns } from './direct-line-turns';
import { NewConversationLimit } from './new-conversation-limit';
import { maskCardNumbers } from '../../nlu/entities/card-numbers';

export const DIRECT_LINE_PREFIX = '/v3/directline';
/** Turns one conversation may have waiting; a script posting in a loop gets 429 beyond this. */
const MAX_PENDING_TURNS = 5;

export interface DirectLineRouteDependencies {
  readonly conversations: DirectLineConversations;
  readonly tokens: DirectLineTokens;
  readonly turns: DirectLineTurns;
  readonly bot: ChannelAccount;
  readonly logger: Logger;
  /** New conversations (tokens) per client address per minute. */
  readonly tokensPerMinute: number;
  /** The client's address for rate limiting (default: the TCP peer; behind a proxy, what it sets). */
  readonly clientAddress?: (req: Request) => string | undefined;
}

export interface NewConversationToken extends IssuedToken {
  readonly conversationId: string;
}

const startBody = z.object({ locale: z.string().max(35).optional() }).passthrough().optional();

export class DirectLineRoutes {
  private readonly newConversations: NewConversationLimit;

  constructor(private readonly deps: DirectLineRouteDependencies) {
    this.newConversations = new NewConversationLimit(deps.tokensPerMinute, deps.logger, deps.clientAddress);
  }

  register(server: Server): void {
    const route = (handler: (req: Request, res: Response) => Promise<void>) => withApiErrors(handler, this.deps.logger);
    server.post(`${DIRECT_LINE_PREFIX}/tokens/generate`, route(async (req, res) => {
      res.send(200, this.generateToken(req, res));
    }));
    server.post(`${DIRECT_LINE_PREFIX}/tokens/refresh`, route(async (req, res) => {
      const grant = this.grantOf(req);
      this.deps.conversations.touch(grant.conversationId);
      res.send(200, { conversationId: grant.conversationId, ...this.deps.tokens.issue(grant) });
    }));
    server.post(`${DIRECT_LINE_PREFIX}/conversations`, route(async (req, res) => this.startConversation(req, res)));
    server.get(`${DIRECT_LINE_PREFIX}/conversations/:conversationId`, route(async (req, res) => {
      const { grant } = this.conversationOf(req);
      res.send(200, this.connection(req, grant));
    }));
    server.post(`${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`, route(async (req, res) => this.postActivity(req, res)));
    server.get(`${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`, route(async (req, res) => {
      const { conversation } = this.conversationOf(req);
      res.send(200, conversation.log.after(queryString(req, 'watermark')));
    }));
    server.post(`${DIRECT_LINE_PREFIX}/conversations/:conversationId/upload`, route(async () => {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', 'File uploads are not supported by this bot.');
    }));
  }

  /**
   * Mints a token for a new conversation and a new user id, rate-limited per client address.
   * Also used by the web chat page's own token route. Client-chosen user ids are not accepted:
   * without a secret anyone can call this, and a chosen id could claim somebody's profile.
   * @throws AttuneError ATTUNE_RATE_LIMITED
   */
  generateToken(req: Request, res: Response): NewConversationToken {
    this.newConversations.check(req, res);
    const grant = { conversationId: randomId(), userId: `dl_${randomId()}` };
    return { conversationId: grant.conversationId, ...this.deps.tokens.issue(grant) };
  }

  private async startConversation(req: Request, res: Response): Promise<void> {
    const grant = this.grantOf(req);
    const body = startBody.safeParse(req.body ?? undefined);
    const conversations = this.deps.conversations;
    const conversation = conversations.touch(grant.conversationId) ?? conversations.create(grant.conversationId, grant.userId);
    const isNew = !conversation.started;
    if (isNew) {
      conversation.started = true;
      conversation.locale = body.success ? body.data?.locale : undefined;
      // The bot greets in the background, as on Azure; the greeting arrives on the stream.
      this.deps.turns
        .run(conversation, conversationStarted({ conversationId: conversation.id, userId: conversation.userId, bot: this.deps.bot, locale: conversation.locale }))
        .catch((error: unknown) => this.deps.logger.error({ err: error, conversation: `directline:${conversation.id}` }, 'direct line: conversation start failed'));
    }
    res.send(isNew ? 201 : 200, this.connection(req, grant));
  }

  private async postActivity(req: Request, res: Response): Promise<void> {
    const { conversation, grant } = this.conversationOf(req);
    const activity = parseClientActivity(req.body);
    if (conversation.pendingTurns >= MAX_PENDING_TURNS) {
      res.header('Retry-After', '1');
      throw new AttuneError('ATTUNE_RATE_LIMITED', 'Messages are arriving faster than the bot can answer; wait for its reply.');
    }
    const origin = { conversationId: conversation.id, userId: grant.userId, bot: this.deps.bot, locale: conversation.locale };
    const toBot = toBotActivity(activity, origin);
    if (activity.type === 'typing') {
      conversation.log.broadcast(toBot);
      res.send(200, { id: `${conversation.id}|typing` });
      return;
    }
    // The echo comes first (Web Chat marks the message sent when it sees it), then the replies. The
    // kept echo never holds a full card number; the turn gets the words as typed, and the bot's first
    // middleware masks them there too and tells the customer (server/mask-card-numbers.ts).
    const stored = conversation.log.append(typeof toBot.text === 'string' ? { ...toBot, text: maskCardNumbers(toBot.text).text } : toBot);
    await this.deps.turns.run(conversation, { ...stored, text: toBot.text });
    res.send(200, { id: stored.id });
  }

  /** `{ conversationId, token, expires_in, streamUrl }`: how a client (re)connects. */
  private connection(req: Request, grant: DirectLineGrant): Record<string, unknown> {
    const watermark = queryString(req, 'watermark');
    const stream = new URLSearchParams({ t: this.deps.tokens.issueStream(grant) });
    if (watermark !== undefined && /^\d+$/.test(watermark)) stream.set('watermark', watermark);
    const secure = req.isSecure() || req.headers['x-forwarded-proto'] === 'https';
    const host = req.headers.host ?? 'localhost';
    return {
      conversationId: grant.conversationId,
      ...this.deps.tokens.issue(grant),
      streamUrl: `${secure ? 'wss' : 'ws'}://${host}${DIRECT_LINE_PREFIX}/conversations/${encodeURIComponent(grant.conversationId)}/stream?${stream.toString()}`,
      referenceGrammarId: '',
    };
  }

  /** @throws AttuneError ATTUNE_UNAUTHORIZED */
  private grantOf(req: Request): DirectLineGrant {
    return this.deps.tokens.verify(bearerTokenOf(req.headers.authorization));
  }

  /** The token's conversation when it is the one in the path and this process holds it. */
  private conversationOf(req: Request): { conversation: DirectLineConversation; grant: DirectLineGrant } {
    const grant = this.grantOf(req);
    const conversationId = String(req.params?.conversationId ?? '');
    if (grant.conversationId !== conversationId) {
      throw new AttuneError('ATTUNE_FORBIDDEN', 'This token is for another conversation.');
    }
    const conversation = this.deps.conversations.touch(conversationId);
    if (!conversation || !conversation.started) {
      throw new AttuneError('ATTUNE_CONVERSATION_NOT_FOUND', 'This conversation has ended or expired; start a new one.');
    }
    return { conversation, grant };
  }
}

function randomId(): string {
  return randomBytes(16).toString('base64url');
}

function queryString(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
