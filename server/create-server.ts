/**
 * The HTTP server (restify 11): the Bot Framework endpoint, health checks, and (in later layers)
 * the web chat channel, agent and content APIs. Every bad request gets a 4xx with a message.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { Activity, ActivityHandler } from 'botbuilder';
import type { Logger } from '../core/logger';
import type { AttuneStore } from '../storage/ports';
import { validateActivity } from './activity-validation';
import type { AttuneCloudAdapter } from './bot-adapter';
import { parseJsonBody } from './json-body';
import { OneTurnAtATime } from './one-turn-at-a-time';
import { readRequestBody } from './request-body';

/** Activities are small; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDependencies {
  readonly adapter: AttuneCloudAdapter;
  readonly bot: ActivityHandler;
  readonly store: AttuneStore;
  readonly logger: Logger;
}

export function createServer(deps: ServerDependencies): Server {
  const server = restify.createServer({ name: 'attune', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(readRequestBody({ maxBytes: MAX_BODY_BYTES }));
  server.use(parseJsonBody);

  const turnsInOrder = new OneTurnAtATime();
  server.post('/api/messages', async (req: Request, res: Response) => {
    const validation = validateActivity(req.body);
    if (!validation.ok) {
      res.send(400, { code: 'ATTUNE_ACTIVITY_INVALID', message: `Invalid activity: ${validation.problems.join('; ')}` });
      return;
    }
    const activity = req.body as Activity;
    const conversation = `${activity.channelId}:${activity.conversation.id}`;
    const outcome = await turnsInOrder.run(conversation, () => deps.adapter.processPosted(req, res, activity, (context) => deps.bot.run(context)));
    if (outcome.kind === 'answered') return;
    const where = { conversation, activityId: activity.id };
    if (outcome.kind === 'refused') deps.logger.warn({ ...where, reason: outcome.reason }, 'activity refused: channel token missing or invalid');
    else deps.logger.error({ ...where, err: outcome.error }, 'activity failed: the turn and its error handler both failed');
  });

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
