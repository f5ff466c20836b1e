/**
 * The HTTP server (restify 11): the Bot Framework endpoint, health checks, and (in later layers)
 * the web chat channel, agent and content APIs. Every bad request gets a 4xx with a message.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { AttuneStore } from '../storage/ports';
import { parseJsonBody } from './json-body';
import { handlePostedActivities, type MessagesRouteDependencies } from './messages-route';
import { readRequestBody } from './request-body';

/** Activities are small; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDependencies extends MessagesRouteDependencies {
  readonly store: AttuneStore;
}

export function createServer(deps: ServerDependencies): Server {
  const server = restify.createServer({ name: 'attune', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(readRequestBody({ maxBytes: MAX_BODY_BYTES }));
  server.use(parseJsonBody);

  server.post('/api/messages', handlePostedActivities(deps));

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await deps.store.ping();
      res.send(200, { status: 'ready', storage: deps.store.kind });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      res.send(503, { status: 'unavailable', storage: deps.store.kind, message: 'storage is not reachable' });
    }
  });

  server.on('restifyError', (req: Request, _res: Response, error: Error & { statusCode?: number }, callback: () => void) => {
    if ((error.statusCode ?? 500) >= 500) deps.logger.error({ err: error, path: req.path() }, 'request failed');
    callback();
  });
  return server;
}
