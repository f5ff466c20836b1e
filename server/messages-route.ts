/**
 * POST /api/messages, the Bot Framework endpoint, in the order that spends nothing on a request
 * that will not run: validate the activity (400), check the channel's token (401), charge the
 * conversation's message limit (429), then run the turn after the conversation's earlier ones.
 * Refusals and failures are logged with the conversation and activity ids, never the text.
 */
import type { Activity, ActivityHandler } from 'botbuilder';
import type { Request, Response } from 'restify';
import type { Logger } from '../core/logger';
import { validateActivity } from './activity-validation';
import type { AttuneCloudAdapter, PostedAuthentication } from './bot-adapter';
import { OneTurnAtATime } from './one-turn-at-a-time';
import type { TokenBuckets } from './rate-limit';
import { refuseOverLimit } from './rate-limit-messages';

export interface MessagesRouteDependencies {
  readonly adapter: AttuneCloudAdapter;
  readonly bot: ActivityHandler;
  readonly logger: Logger;
  /** Per-conversation message limit, charged after the token check (absent: none). */
  readonly messageLimit?: TokenBuckets;
}

/** The route's handler; it keeps the order of each conversation's turns. */
export function handlePostedActivities(deps: MessagesRouteDependencies): (req: Request, res: Response) => Promise<void> {
  const turnsInOrder = new OneTurnAtATime();
  return async (req, res) => {
    const validation = validateActivity(req.body);
    if (!validation.ok) {
      res.send(400, { code: 'ATTUNE_ACTIVITY_INVALID', message: `Invalid activity: ${validation.problems.join('; ')}` });
      return;
    }
    const activity = req.body as Activity;
    const conversation = `${activity.channelId}:${activity.conversation.id}`;
    const where = { conversation, activityId: activity.id };
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
  };
}
