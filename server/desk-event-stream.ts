/**
 * Live desk updates as Server-Sent Events (`GET /api/agent/events`). One subscription to the event
 * bus per instance fans out to the desks connected here, each receiving only what its agent may
 * see (escalation/desk-access.ts). Across instances everything arrives through the bus (Redis pub/sub
 * when REDIS_URL is set), so an agent on instance B hears a customer on instance A.
 *
 * The desk page reads the stream with fetch(), because EventSource cannot send the bearer token.
 * Comments (`: heartbeat`) keep proxies from closing an idle stream and let the server notice a
 * session that ended: the session is checked again at every heartbeat.
 */
import type { Request, Response } from 'restify';
import type { Logger } from '../core/logger';
import { mayReceive, type DeskAgent } from '../escalation/desk-access';
import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { DeskEvent } from '../events/topics';

export interface DeskEventStreamOptions {
  /** How often an idle stream gets a heartbeat comment (default 15 s). */
  readonly heartbeatMs?: number;
}

/** Resolves false once the agent's session has ended (logged out, expired, account disabled). */
export type SessionCheck = () => Promise<boolean>;

interface Client {
  readonly agent: DeskAgent;
  readonly res: Response;
  readonly stillSignedIn: SessionCheck;
  readonly end: () => void;
}

/** A desk that cannot keep up is dropped rather than buffered without bound; it reconnects and re-reads. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const DEFAULT_HEARTBEAT_MS = 15_000;

export class DeskEventStream {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private unsubscribe: Unsubscribe = async () => undefined;
  /** Set while a heartbeat's session checks run: during a storage outage they must not pile up. */
  private beating = false;

  private constructor(
    private readonly logger: Logger,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Subscribes to the bus's `desk` topic; call `close()` before the HTTP server closes. */
  static async start(bus: EventBus, logger: Logger, options: DeskEventStreamOptions = {}): Promise<DeskEventStream> {
    if (!bus) throw new Error('[DeskEventStream]: Missing parameter. bus is required');
    const stream = new DeskEventStream(logger, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    try {
      stream.unsubscribe = await bus.subscribe('desk', (event) => stream.deliver(event));
    } catch (error) {
      await stream.close();
      throw error;
    }
    return stream;
  }

  /** Number of desks connected to this instance. */
  get connected(): number {
    return this.clients.size;
  }

  /**
   * Turns the response into an event stream for `agent` and resolves when the desk disconnects
   * (or the stream is closed), so the route stays open exactly as long as the stream.
   */
  async serve(req: Request, res: Response, agent: DeskAgent, stillSignedIn: SessionCheck): Promise<void> {
    // restify patches writeHead: headers first, then plain writes (never chained).
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    await new Promise<void>((resolve) => {
      const client: Client = {
        agent,
        res,
        stillSignedIn,
        end: () => {
          if (!this.clients.delete(client)) return;
          if (!res.writableEnded) res.end();
          resolve();
        },
      };
      this.clients.add(client);
      res.on('close', client.end);
      // `retry` tells a reconnecting reader how long to wait; `ready` says events flow from now on.
      this.write(client, `retry: 3000\nevent: ready\ndata: ${JSON.stringify({ agentId: agent.id })}\n\n`);
    });
  }

  /** Ends every stream and stops listening to the bus. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of [...this.clients]) client.end();
    await this.unsubscribe();
  }

  private deliver(event: DeskEvent): void {
    const frame = `event: desk\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) {
      if (mayReceive(client.agent, event)) this.write(client, frame);
    }
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.checkSessions();
    } finally {
      this.beating = false;
    }
  }

  private async checkSessions(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (client) => {
        let signedIn: boolean;
        try {
          signedIn = await client.stillSignedIn();
        } catch (error) {
          // Storage hiccup: keep the stream; the next heartbeat checks again.
          this.logger.warn({ err: error }, 'desk stream: session check failed');
          signedIn = true;
        }
        if (signedIn) this.write(client, ': heartbeat\n\n');
        else client.end();
      }),
    );
  }

  private write(client: Client, frame: string): void {
    if (client.res.writableEnded || client.res.destroyed) {
      client.end();
      return;
    }
    if (client.res.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn({ agent: client.agent.id }, 'desk stream: the desk is not reading; dropping it');
      client.end();
      return;
    }
    client.res.write(frame);
  }
}
