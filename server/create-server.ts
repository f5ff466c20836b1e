/**
 * The HTTP server (restify 11): the Bot Framework endpoint, health checks, and (in later layers)
 * the web chat channel, agent and content APIs. Every bad request gets a 4xx with a message.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { Activity, ActivityHandler } from 'botbuilder';
import type { Logger } from '../core/logger';
import type { AttuneStore } from '../storage/ports';
import { validateActivity } from './activity-validation';
import type { AttuneCloudAdapter, PostedAuthentication } from './bot-adapter';
import { parseJsonBody } from './json-body';
import { OneTurnAtATime } from './one-turn-at-a-time';
import type { TokenBuckets } from './rate-limit';
import { refuseOverLimit } from './rate-limit-messages';
import { readRequestBody } from './request-body';

/** Activities are small; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDependencies {
  readonly adapter: AttuneCloudAdapter;
  readonly bot: ActivityHandler;
  readonly store: AttuneStore;
  readonly logger: Logger;
  /** Per-conversation message limit on /api/messages, charged after the token check (absent: none). */
  readonly messageLimit?: TokenBuckets;
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
    const where = { conversation, activityId: activity.id };
    // Token first: an unsigned request must not spend the conversation's budget or wait in its queue.
    let authentication: PostedAuthentication;
    try {
      authentication = await deps.adapter.authenticatePosted(req, activity);
    } catch (error) {
      deps.logger.error({ ...where, err: error }, 'activity not authenticated: the channel token could not be checked');
      res.send(500, { code: 'ATTUNE_TURN_FAILED', message: 'The activity could not be processed.' });
      return;
    }
    if (!authentication.ok) {
      deps.logger.warn({ ...where, reason: authentication.reason }, 'activity refused: channel token missing or invalid');
      res.send(401, authentication.reason);
      return;
    }
    const taken = deps.messageLimit?.take(conversation);
    if (taken && !taken.allowed) {
      refuseOverLimit(res, taken.retryAfterMs);
      return;
    }
    const outcome = await turnsInOrder.run(conversation, () => deps.adapter.processAuthenticated(res, authentication.result, activity, (context) => deps.bot.run(context)));
    if (outcome.kind === 'failed') deps.logger.error({ ...where, err: outcome.error }, 'activity failed: the turn and its error handler both failed');
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
