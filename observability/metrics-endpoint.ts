/**
 * GET /metrics (Prometheus text format) and the HTTP-level metrics every response feeds.
 *
 * With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>` (401
 * otherwise). Unset, /metrics is open: it holds aggregate counts with bounded labels only (no ids,
 * no text, no personal data), Prometheus scrapes without credentials by default, and a local run
 * should work with nothing configured. Deployments that expose the bot's port publicly set the token
 * or keep /metrics off the public proxy (docs/operations.md; docker-compose's nginx does both).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response, Route, Server } from 'restify';
import type { AttuneMetrics, TurnOutcome } from './metrics';

export interface MetricsEndpointOptions {
  /** The bearer token scrapes must send; undefined leaves /metrics open. */
  readonly token?: string;
}

export const METRICS_ROUTE = '/metrics';

export function registerMetricsEndpoint(server: Server, metrics: AttuneMetrics, options: MetricsEndpointOptions = {}): void {
  const expected = options.token === undefined ? undefined : digest(options.token);
  server.get(METRICS_ROUTE, async (req: Request, res: Response) => {
    if (expected !== undefined && !timingSafeEqual(digest(presentedToken(req)), expected)) {
      res.header('WWW-Authenticate', 'Bearer realm="metrics"');
      res.send(401, { code: 'ATTUNE_UNAUTHORIZED', message: 'Send Authorization: Bearer <METRICS_TOKEN> to read the metrics.' });
      return;
    }
    const { contentType, body } = await metrics.exposition();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.writeHead(200);
    res.end(body);
  });
}

/**
 * Counts every response: request duration by route pattern, errors by code, and activities that
 * never reached a turn (refused before the adapter ran: malformed, throttled, unauthenticated).
 */
export function observeHttp(server: Server, metrics: AttuneMetrics): void {
  server.on('after', (req: Request, res: Response, route: Route | null | undefined) => {
    const status = res.statusCode;
    const path = routePath(route);
    metrics.httpRequest(req.method ?? 'GET', path, status, Math.max(0, Date.now() - req.time()) / 1000);
    if (status < 400) return;
    metrics.error(errorCode(res));
    if (path === '/api/messages') {
      const outcome = refusedOutcome(status);
      if (outcome !== undefined) metrics.turnEnded(channelOf(req.body), outcome);
    }
  });
}

function refusedOutcome(status: number): TurnOutcome | undefined {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status < 500) return 'rejected';
  return undefined; // a failed turn: the turn middleware counted it
}

/** The route pattern (bounded), never the URL a client sent. */
function routePath(route: Route | null | undefined): string {
  const path = route?.spec?.path;
  return typeof path === 'string' ? path : 'unmatched';
}

/** The `code` of the JSON error body restify is sending, else the status. */
function errorCode(res: Response): string {
  const body = (res as unknown as { _body?: unknown })._body;
  if (body !== null && typeof body === 'object') {
    const code = (body as { code?: unknown; body?: { code?: unknown } }).code ?? (body as { body?: { code?: unknown } }).body?.code;
    if (typeof code === 'string') return code;
  }
  return `HTTP_${res.statusCode}`;
}

function channelOf(body: unknown): string | undefined {
  const channelId = body !== null && typeof body === 'object' ? (body as { channelId?: unknown }).channelId : undefined;
  return typeof channelId === 'string' ? channelId : undefined;
}

function presentedToken(req: Request): string {
  const match = /^Bearer +(\S+) *$/i.exec(req.header('authorization') ?? '');
  return match?.[1] ?? '';
}

/** Fixed-length digests, so the comparison takes the same time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
