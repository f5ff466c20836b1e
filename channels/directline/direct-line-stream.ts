/**
 * The WebSocket `streamUrl` of the built-in Direct Line endpoint (ws, noServer mode on the HTTP
 * server's 'upgrade' event): `/v3/directline/conversations/:id/stream?t=<stream token>&watermark=N`.
 *
 * On connect it sends what the client has not seen (after `watermark`) as one activity set, then
 * every new activity as it is stored, as `{ activities: [...], watermark }` — the messages Azure's
 * Direct Line sends. A client that lost its connection asks for a new streamUrl with its watermark
 * and misses nothing. Other upgrade paths are left for other handlers.
 *
 * Each streamUrl opens one connection (its token is single-use, as Azure's), and a conversation has
 * at most MAX_STREAMS_PER_CONVERSATION open: a new one closes the oldest (close code 1008). A page
 * has one; a second covers a reconnect that overlaps a connection the server has not seen drop yet.
 * Without the cap, one token holder could open sockets without limit.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as RestifyServer } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { isAttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { ActivitySet } from './conversation-log';
import type { DirectLineConversation, DirectLineConversations } from './direct-line-conversations';
import { DIRECT_LINE_PREFIX } from './direct-line-routes';
import type { DirectLineTokens } from './direct-line-tokens';
import { RedeemedStreamTokens } from './redeemed-stream-tokens';

const STREAM_PATH = new RegExp(`^${DIRECT_LINE_PREFIX}/conversations/([^/]+)/stream$`);
/** Protocol pings find dead connections (and keep proxies from closing idle ones). */
const PING_INTERVAL_MS = 30_000;
export const MAX_STREAMS_PER_CONVERSATION = 2;
/** Policy Violation: the conversation has reached its streams; the client may ask for a new streamUrl. */
export const REPLACED_STREAM_CLOSE_CODE = 1008;
const REPLACED_STREAM_REASON = 'Replaced by a newer stream of this conversation.';

export class DirectLineStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly socketsByConversation = new Map<string, Set<WebSocket>>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly redeemed = new RedeemedStreamTokens();
  private readonly pinger: NodeJS.Timeout;
  private attachedTo?: RestifyServer;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head);

  constructor(
    private readonly conversations: DirectLineConversations,
    private readonly tokens: DirectLineTokens,
    private readonly logger: Logger,
  ) {
    conversations.onEnded((id) => this.closeConversation(id, 'conversation ended'));
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS).unref();
  }

  attach(server: RestifyServer): void {
    this.attachedTo = server;
    server.server.on('upgrade', this.onUpgrade);
  }

  /** Closes every stream (the clients reconnect elsewhere or find the conversation ended). */
  async close(): Promise<void> {
    this.attachedTo?.server.off('upgrade', this.onUpgrade);
    clearInterval(this.pinger);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // This runs in the http server's 'upgrade' event, outside restify: anything thrown here would
    // be an uncaught exception and end the process, so a URL that does not parse is refused.
    let url: URL;
    let conversationId: string | undefined;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      const match = STREAM_PATH.exec(url.pathname);
      conversationId = match ? decodeURIComponent(match[1]!) : undefined;
    } catch {
      return refuse(socket, 400, 'The stream URL is malformed.');
    }
    if (conversationId === undefined) {
      // Another handler's path; if there is no other handler nobody would answer and the socket
      // would stay open (and hold up shutdown), so say so and close it.
      if (!this.othersHandleUpgrades()) refuse(socket, 404, 'Nothing to connect to here.');
      return;
    }
    let conversation: DirectLineConversation | undefined;
    try {
      const grant = this.tokens.verifyStream(url.searchParams.get('t') ?? undefined);
      if (grant.conversationId !== conversationId) return refuse(socket, 403, 'This token is for another conversation.');
      conversation = this.conversations.touch(conversationId);
      if (!conversation?.started) return refuse(socket, 404, 'This conversation has ended or expired.');
      // Spent only on a connection that opens: a refused attempt leaves the URL usable.
      if (!this.redeemed.redeem(grant.tokenId, grant.expiresAt)) {
        return refuse(socket, 401, 'This stream URL has been used already; get a new one: GET /v3/directline/conversations/:id.');
      }
    } catch (error) {
      return refuse(socket, 401, isAttuneError(error) ? error.message : 'The stream token is not valid.');
    }
    const held = conversation;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, held, url.searchParams.get('watermark') ?? undefined));
  }

  private connected(ws: WebSocket, conversation: DirectLineConversation, watermark: string | undefined): void {
    const sockets = this.socketsByConversation.get(conversation.id) ?? new Set<WebSocket>();
    // A Set keeps insertion order: the first ones are the oldest.
    for (const oldest of sockets) {
      if (sockets.size < MAX_STREAMS_PER_CONVERSATION) break;
      sockets.delete(oldest);
      oldest.close(REPLACED_STREAM_CLOSE_CODE, REPLACED_STREAM_REASON);
    }
    sockets.add(ws);
    this.socketsByConversation.set(conversation.id, sockets);
    this.alive.add(ws);
    const send = (set: ActivitySet) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(set));
    };
    // Listen before reading the backlog: nothing stored in between is lost (Node runs this synchronously anyway).
    const stopListening = conversation.log.listen(send);
    const backlog = conversation.log.after(watermark);
    if (backlog.activities.length > 0) send(backlog);
    ws.on('pong', () => this.alive.add(ws));
    // Microsoft's client sends an empty message every 20 s: the page is open, keep the conversation.
    ws.on('message', () => this.conversations.touch(conversation.id));
    ws.on('error', (error) => this.logger.debug({ err: error }, 'direct line: stream error'));
    ws.on('close', () => {
      stopListening();
      sockets.delete(ws);
      if (sockets.size === 0) this.socketsByConversation.delete(conversation.id);
    });
  }

  /** Whether anything besides this stream listens for upgrades (restify re-emits them on its server object). */
  private othersHandleUpgrades(): boolean {
    const server = this.attachedTo;
    if (!server) return false;
    const restifyProxy = 1;
    return server.server.listenerCount('upgrade') - restifyProxy > 1 || server.listenerCount('upgrade') > 0;
  }

  private closeConversation(conversationId: string, reason: string): void {
    for (const ws of this.socketsByConversation.get(conversationId) ?? []) ws.close(1000, reason);
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
const REFUSALS = {
  400: { reason: 'Bad Request', code: 'ATTUNE_REQUEST_INVALID' },
  401: { reason: 'Unauthorized', code: 'ATTUNE_UNAUTHORIZED' },
  403: { reason: 'Forbidden', code: 'ATTUNE_FORBIDDEN' },
  404: { reason: 'Not Found', code: 'ATTUNE_CONVERSATION_NOT_FOUND' },
} as const;

function refuse(socket: Duplex, status: keyof typeof REFUSALS, message: string): void {
  const { reason, code } = REFUSALS[status];
  const body = JSON.stringify({ code, message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
