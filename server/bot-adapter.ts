/**
 * The Bot Framework adapter. Without credentials it accepts unauthenticated requests (local and
 * Emulator use); with `MicrosoftAppId`/`MicrosoftAppPassword` it validates channel JWTs.
 * One turn's failure never takes the process down: onTurnError logs it, tells the customer,
 * and clears the conversation's broken state.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationState, type TurnContext } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { BotCredentials } from '../config/app-config';
import type { ContentLibrary } from '../content/content-library';
import { isAttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import { channelProfile } from '../personalization/channel-profile';
import { channelAuthenticationEndpoints } from './auth/bot-framework-endpoints';
import { refuseInvalidChannelTokens } from './auth/refuse-invalid-channel-tokens';
import { reuseConnectorClients } from './auth/reuse-connector-clients';

/**
 * @param routeConnectors wraps the authentication, e.g. so that the built-in Direct Line endpoint's
 *   conversations get their replies in process (channels/directline/direct-line-connector.ts)
 */
export function createBotAdapter(
  credentials: BotCredentials | undefined,
  routeConnectors: (auth: BotFrameworkAuthentication) => BotFrameworkAuthentication = (auth) => auth,
): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: credentials?.appId ?? '',
    MicrosoftAppPassword: credentials?.appPassword ?? '',
    MicrosoftAppType: credentials?.appType ?? 'MultiTenant',
    MicrosoftAppTenantId: credentials?.tenantId ?? '',
    ...(credentials?.openIdMetadataUrl ? channelAuthenticationEndpoints(credentials.openIdMetadataUrl) : {}),
  });
  return new CloudAdapter(routeConnectors(reuseConnectorClients(refuseInvalidChannelTokens(auth))));
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
    if (isAttuneError(error, 'ATTUNE_STORAGE_UNAVAILABLE')) return;
    try {
      await deps.conversationState.delete(context);
    } catch (deleteError) {
      deps.logger.warn({ err: deleteError }, 'could not clear the state of a failed turn');
    }
  };
}
