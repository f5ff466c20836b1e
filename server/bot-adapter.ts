/**
 * The Bot Framework adapter. Without credentials it accepts unauthenticated requests (local and
 * Emulator use); with `MicrosoftAppId`/`MicrosoftAppPassword` it validates channel JWTs.
 * One turn's failure never takes the process down: onTurnError logs it, tells the customer,
 * and clears the conversation's broken state.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity, type ConversationState, type TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import type { Request, Response } from 'restify';
import type { BotCredentials } from '../config/app-config';
import type { ContentLibrary } from '../content/content-library';
import { isAttuneError, rootError } from '../core/errors';
import type { Logger } from '../core/logger';
import { channelProfile } from '../personalization/channel-profile';
import { channelAuthenticationEndpoints } from './auth/bot-framework-endpoints';
import { refuseInvalidChannelTokens } from './auth/refuse-invalid-channel-tokens';
import { reuseConnectorClients } from './auth/reuse-connector-clients';

/** The channel's token checked (always accepted without credentials configured), or why not. */
export type PostedAuthentication = { readonly ok: true; readonly result: AuthenticateRequestResult } | { readonly ok: false; readonly reason: string };

/** How an authenticated activity's turn ended, for the caller to log: the adapter only writes the HTTP answer. */
export type PostedOutcome =
  | { readonly kind: 'answered'; readonly status: number }
  /** The turn failed and onTurnError could not answer it either: 500. */
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * CloudAdapter with a leaner way in for POST /api/messages. CloudAdapter.process builds zod schemas
 * for the request, the response, the turn logic and the body, and runs them, on every call: about
 * 1% of a turn, for checks validateActivity (activity-validation.ts) has already made. The turn
 * itself is unchanged, in two steps so that nothing is spent on a request before its token is
 * checked (create-server.ts charges the conversation's rate limit and queues the turn in between):
 * authenticatePosted checks the channel JWT when credentials are configured (401 otherwise), and
 * processAuthenticated runs the turn and answers as process() does: the invoke response, or 500 (a
 * failed turn is answered by onTurnError and ends 200), except that a 500 does not tell the caller
 * the internal error's message.
 */
export class AttuneCloudAdapter extends CloudAdapter {
  /** Checks the request's channel token for the activity; an error other than a refused token throws. */
  async authenticatePosted(req: Request, activity: Activity): Promise<PostedAuthentication> {
    const authorization = req.headers.authorization;
    try {
      return { ok: true, result: await this.botFrameworkAuthentication.authenticateRequest(withDates(activity), typeof authorization === 'string' ? authorization : '') };
    } catch (error) {
      if (error instanceof AuthenticationError) return { ok: false, reason: error.message };
      throw error;
    }
  }

  /** Runs an authenticated activity's turn, writes the HTTP answer and says how it ended. */
  async processAuthenticated(res: Response, authentication: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<PostedOutcome> {
    let outcome: PostedOutcome;
    let body: unknown;
    try {
      const invokeResponse = await this.processActivity(authentication, activity, logic);
      outcome = { kind: 'answered', status: invokeResponse?.status ?? StatusCodes.OK };
      body = invokeResponse?.body;
    } catch (error) {
      outcome = { kind: 'failed', error };
      body = { code: 'ATTUNE_TURN_FAILED', message: 'The activity could not be processed.' };
    }
    res.status(outcome.kind === 'answered' ? outcome.status : StatusCodes.INTERNAL_SERVER_ERROR);
    if (body) res.send(body);
    res.end();
    return outcome;
  }
}

/** The activity's timestamps as Dates (the raw strings kept), as botbuilder's own validation leaves them. */
function withDates(activity: Activity): Activity {
  const wire = activity as Activity & Record<'timestamp' | 'localTimestamp' | 'expiration', unknown>;
  if (typeof wire.timestamp === 'string') Object.assign(activity, { rawTimestamp: wire.timestamp, timestamp: new Date(wire.timestamp) });
  if (typeof wire.localTimestamp === 'string') Object.assign(activity, { rawLocalTimestamp: wire.localTimestamp, localTimestamp: new Date(wire.localTimestamp) });
  if (typeof wire.expiration === 'string') Object.assign(activity, { rawExpiration: wire.expiration, expiration: new Date(wire.expiration) });
  return activity;
}

/**
 * @param routeConnectors wraps the authentication, e.g. so that the built-in Direct Line endpoint's
 *   conversations get their replies in process (channels/directline/direct-line-connector.ts)
 */
export function createBotAdapter(
  credentials: BotCredentials | undefined,
  routeConnectors: (auth: BotFrameworkAuthentication) => BotFrameworkAuthentication = (auth) => auth,
): AttuneCloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: credentials?.appId ?? '',
    MicrosoftAppPassword: credentials?.appPassword ?? '',
    MicrosoftAppType: credentials?.appType ?? 'MultiTenant',
    MicrosoftAppTenantId: credentials?.tenantId ?? '',
    ...(credentials?.openIdMetadataUrl ? channelAuthenticationEndpoints(credentials.openIdMetadataUrl) : {}),
  });
  return new AttuneCloudAdapter(routeConnectors(reuseConnectorClients(refuseInvalidChannelTokens(auth))));
}

export function handleTurnErrors(adapter: CloudAdapter, deps: { logger: Logger; content: ContentLibrary; conversationState: ConversationState }): void {
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    deps.logger.error(
      { err: error, conversation: `${context.activity.channelId}:${context.activity.conversation?.id}`, activityId: context.activity.id },
      'turn failed',
    );
    try {
      await context.sendActivity(deps.content.render({ template: 'turnError', tone: 'neutral', channel: channelProfile(context.activity.channelId) }));
    } catch (sendError) {
      deps.logger.warn({ err: sendError }, 'could not tell the customer about a failed turn');
    }
    // Storage that is down cannot be cleared either: trying would only keep the customer waiting.
    if (isAttuneError(rootError(error), 'ATTUNE_STORAGE_UNAVAILABLE')) return;
    try {
      await deps.conversationState.delete(context);
    } catch (deleteError) {
      deps.logger.warn({ err: deleteError }, 'could not clear the state of a failed turn');
    }
  };
}
